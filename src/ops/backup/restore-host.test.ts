import { describe, expect, it } from 'vitest';
import { applyFailed, startOrder, STOPPED } from './restore-host.js';

describe('restore host after a failed final apply', () => {
  it('starts PostgreSQL first, Redis before Rspamd, Dovecot before Postfix, every stopped daemon once', () => {
    const order = startOrder(STOPPED);
    expect([...order].sort()).toEqual([...STOPPED].sort());
    const at = (u: string) => order.indexOf(u);
    expect(at('postgresql@17-main.service')).toBe(0);
    expect(at('redis-server.service')).toBeLessThan(at('rspamd.service'));
    expect(at('dovecot.service')).toBeLessThan(at('postfix.service'));
    expect(at('rspamd.service')).toBeLessThan(at('postfix.service'));
    expect(order.at(-1)).toBe('postfix.service');
  });

  it('names what runs again, what does not, and the next commands; exit 1', () => {
    const e = applyFailed(
      3,
      [
        { unit: 'postgresql@17-main.service', ok: true },
        { unit: 'dovecot.service', ok: false },
        { unit: 'postfix.service', ok: true },
      ],
      '/etc/mailctl/cluster.yaml',
    );
    expect(e.code).toBe('E_RESTORE_FAILED');
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(
      "the data is back, but 'mailctl apply' failed (exit 3, above); started again: " +
        'postgresql@17-main.service, postfix.service; NOT running: dovecot.service ' +
        '(journalctl -u dovecot.service); the backup timers stay stopped; fix what apply ' +
        "reported, then run 'mailctl apply --cluster /etc/mailctl/cluster.yaml' and 'mailctl backup run'",
    );
    const allUp = applyFailed(1, [{ unit: 'postfix.service', ok: true }], 'c.yaml');
    expect(allUp.message).not.toContain('NOT running');
  });
});
