import { describe, expect, it } from 'vitest';
import { mailHostDesiredState } from '../../plan/mail-host.js';
import { testHostContext } from '../test-host-context.js';
import {
  RESTART_DOVECOT_AUTH_AFTER_POSTGRES,
  renderSelfHealing,
  supervisedUnits,
} from './index.js';

describe('renderSelfHealing', () => {
  const ctx = testHostContext();
  const files = renderSelfHealing(ctx);
  const at = (unit: string) =>
    files.find((f) => f.path === `/etc/systemd/system/${unit}.d/mailctl-restart.conf`);

  it('renders the drop-in as in the golden file', async () => {
    await expect(at('dovecot.service')?.content).toMatchFileSnapshot('golden/mailctl-restart.conf');
  });

  it('puts the drop-in on the units that own the main process, not the oneshot wrappers', () => {
    const units = supervisedUnits(ctx);
    expect(units).toContain('postgresql@17-main.service');
    expect(units).not.toContain('postgresql.service');
    // Debian 13's postfix.service runs the master itself; postfix@-.service conflicts with it.
    expect(units).toContain('postfix.service');
    expect(units).not.toContain('postfix@-.service');
    // Without PIDFile= systemd cannot tell the master's PID (MainPID=0) nor see it die.
    expect(at('postfix.service')?.content).toContain('PIDFile=/var/mail/queue/pid/master.pid\n');
    for (const unit of ['dovecot', 'rspamd', 'nginx', 'sogo', 'redis-server', 'fail2ban'])
      expect(units).toContain(`${unit}.service`);
    expect(files.map((f) => f.path)).toHaveLength(units.length);
  });

  it('in container mode supervises the container unit instead', () => {
    const container = testHostContext({ postgres: { ...ctx.postgres, mode: 'container' } });
    expect(supervisedUnits(container)[0]).toBe('mailctl-postgres.service');
    const pg = renderSelfHealing(container).find((f) => f.path.includes('mailctl-postgres'));
    expect(pg?.content).toContain(`${RESTART_DOVECOT_AUTH_AFTER_POSTGRES}\n`);
  });

  it("ends Dovecot's auth processes, not its sessions, whenever PostgreSQL has started again", () => {
    expect(at('postgresql@17-main.service')?.content).toContain(
      '\nExecStartPost=-+/usr/bin/pkill --signal TERM --full ^dovecot/auth\n',
    );
    expect(files.filter((f) => f.content.includes('ExecStartPost'))).toHaveLength(1);
  });

  it('restarts on failure only, after a pause, and gives up on a crash loop', () => {
    for (const f of files) {
      expect(f.content).toMatch(/^Restart=on-failure$/m);
      expect(f.content).toMatch(/^RestartSec=[2-5]s$/m);
      // The start limits are [Unit] settings; systemd ignores them under [Service].
      expect(f.content).toMatch(/\[Unit\]\nStartLimitIntervalSec=\d+s\nStartLimitBurst=\d+\n/);
      expect([f.owner, f.mode.toString(8), f.component]).toEqual(['root', '644', 'self-healing']);
    }
  });

  it('is part of every mail host', () => {
    const desired = mailHostDesiredState(ctx, []);
    expect(desired.files.filter((f) => f.component === 'self-healing')).toHaveLength(files.length);
  });
});
