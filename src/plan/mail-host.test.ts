import { describe, expect, it } from 'vitest';
import { defaultMonitoring } from '../render/monitoring/index.js';
import { testHostContext } from '../render/test-host-context.js';
import { mailHostComponents, mailHostDesiredState, mailHostPackages } from './mail-host.js';

const acme = testHostContext({
  monitoring: defaultMonitoring({ prometheus: true }),
  tls: {
    ...testHostContext().tls,
    acme: { directoryUrl: 'https://acme.example.org:14000/dir', email: 'a@example.com' },
  },
});

describe('mailHostDesiredState', () => {
  it('converges the components mailHostComponents lists (the lab prefetches their packages), in that order', () => {
    const names = (cs: readonly { name: string }[]) => cs.map((c) => c.name);
    // With ACME and Prometheus, so that certbot and Prometheus are among them too.
    expect(names(mailHostDesiredState(acme, []).components)).toEqual(names(mailHostComponents()));
  });

  it('serves the ACME webroot and fronts the others with nginx, after them; Fail2ban last', () => {
    const d = mailHostDesiredState(testHostContext(), []);
    const names = d.components.map((c) => c.name);
    for (const fronted of ['rspamd', 'sogo'])
      expect(names.indexOf('nginx')).toBeGreaterThan(names.indexOf(fronted));
    // Its jails read the others' logs, nginx's files among them.
    expect(names.at(-1)).toBe('fail2ban');
    // The firewall is up before any service starts.
    expect(names.slice(0, 2)).toEqual(['wireguard', 'firewall']);
    expect(d.packages).toContain('nginx');
    expect(d.directories).toContainEqual({
      path: '/var/lib/mailctl/acme-webroot',
      owner: 'root',
      group: 'root',
      mode: 0o755,
    });
  });

  it('brings certbot, its deploy hook and its timer only with tls.mode acme', () => {
    const self = mailHostDesiredState(testHostContext(), []);
    expect(self.components.map((c) => c.name)).not.toContain('certbot');
    expect(self.packages).not.toContain('certbot');
    const withAcme = mailHostDesiredState(acme, []);
    expect(withAcme.components.map((c) => c.name)).toContain('certbot');
    expect(withAcme.packages).toContain('certbot');
    expect(withAcme.files.filter((f) => f.component === 'certbot')).toHaveLength(2);
    // The lab has every package a mail host may get at hand offline.
    expect(mailHostPackages()).toEqual(expect.arrayContaining(['certbot', 'nginx']));
  });
});
