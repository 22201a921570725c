import { describe, expect, it } from 'vitest';
import { CHECKER_PACKAGES, PREFETCH_PACKAGES } from './packages.js';

describe('CHECKER_PACKAGES', () => {
  it('are all prefetched into the lab root, since the checker root installs with no network', () => {
    expect(CHECKER_PACKAGES.filter((p) => !PREFETCH_PACKAGES.includes(p))).toEqual([]);
  });

  it("bring every checked daemon's own checker", () => {
    for (const p of ['postfix', 'dovecot-core', 'rspamd', 'nginx', 'openssh-server', 'fail2ban'])
      expect(CHECKER_PACKAGES).toContain(p);
    expect(CHECKER_PACKAGES).toContain('postgresql-17');
  });
});
