import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import {
  renderResolvConf,
  renderUnbound,
  renderUnboundConf,
  renderUnboundRootAnchorConf,
} from './index.js';

describe('renderUnbound', () => {
  it('by default resolves from the root and validates, for loopback and the VPN only', async () => {
    const ctx = testHostContext();
    const conf = renderUnboundConf(ctx);
    await expect(conf).toMatchFileSnapshot('golden/mailctl.conf');
    expect(conf.match(/^\s*interface: .*$/gm)).toEqual([
      '    interface: 127.0.0.1',
      '    interface: ::1',
      `    interface: ${ctx.vpnAddress}`,
    ]);
    expect(conf.match(/^\s*access-control: .*$/gm)).toEqual([
      '    access-control: 127.0.0.0/8 allow',
      '    access-control: ::1/128 allow',
      `    access-control: ${ctx.vpnSubnet} allow`,
    ]);
    // Debian's root-auto-trust-anchor-file.conf keeps the validator's key: nothing turns it off.
    expect(conf).not.toContain('module-config');
    expect(conf).not.toContain('forward-zone');
  });

  it('forwards to resolver.forward_to, and stops validating only when told', async () => {
    const conf = renderUnboundConf(
      testHostContext({ resolver: { forwardTo: ['198.51.100.1', '2001:db8::53'], dnssec: false } }),
    );
    await expect(conf).toMatchFileSnapshot('golden/mailctl-lab.conf');
    expect(conf).toMatch(
      /^forward-zone:\n {4}name: "\."\n {4}forward-addr: 198\.51\.100\.1\n {4}forward-addr: 2001:db8::53$/m,
    );
    expect(conf).toContain('    module-config: "iterator"\n');
  });

  it('leads VPN devices, and only them, to the VPN address for the host and autoconfig names', () => {
    const ctx = testHostContext();
    const conf = renderUnboundConf(ctx);
    expect(conf).toContain(`    access-control-view: ${ctx.vpnSubnet} vpn\n`);
    const view = conf.slice(conf.indexOf('\nview:\n'));
    expect(view).toContain('    name: "vpn"\n');
    for (const name of [
      ctx.fqdn,
      ...ctx.domains.flatMap((d) => [`autoconfig.${d}`, `autodiscover.${d}`]),
    ]) {
      expect(view).toContain(`    local-zone: "${name}." static\n`);
      expect(view).toContain(`    local-data: "${name}. A ${ctx.vpnAddress}"\n`);
    }
  });

  it('refuses a forwarder that would become two settings', () => {
    expect(() =>
      renderUnbound(testHostContext({ resolver: { forwardTo: ['1.2.3.4\nx: y'], dnssec: true } })),
    ).toThrow(/resolver\.forward_to/);
  });

  it("validates from the root's key by default, and never with dnssec: false", () => {
    expect(renderUnboundRootAnchorConf(testHostContext())).toContain(
      '    auto-trust-anchor-file: "/var/lib/unbound/root.key"\n',
    );
    const lab = testHostContext({ resolver: { forwardTo: ['198.51.100.1'], dnssec: false } });
    expect(renderUnboundRootAnchorConf(lab)).not.toContain('trust-anchor');
  });

  it('validates the zones of resolver.trust_anchor_file, even without the root key', () => {
    const conf = renderUnboundConf(
      testHostContext({
        resolver: { forwardTo: ['198.51.100.1'], dnssec: false, trustAnchorFile: '/etc/anchor' },
      }),
    );
    expect(conf).toContain('    trust-anchor-file: "/etc/anchor"\n');
    // The validator stays on: it is what sets the AD bit Postfix's DANE asks for.
    expect(conf).not.toContain('module-config');
  });

  it('makes unbound the resolver of the whole host, trusted to set the AD bit', () => {
    const resolv = renderResolvConf();
    expect(resolv.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'nameserver 127.0.0.1',
      'options edns0 trust-ad',
      '',
    ]);
    expect(renderUnbound(testHostContext()).map((f) => f.path)).toEqual([
      '/etc/unbound/unbound.conf.d/mailctl.conf',
      '/etc/unbound/unbound.conf.d/root-auto-trust-anchor-file.conf',
      '/etc/resolv.conf',
    ]);
  });

  it("resolves the PTR records of the host's own addresses, documentation ranges included", () => {
    const lab = renderUnboundConf(testHostContext());
    expect(lab).toContain('    local-zone: "2.0.192.in-addr.arpa." nodefault\n');
    expect(lab).toContain('    local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." nodefault\n');
    const real = renderUnboundConf(
      testHostContext({ publicAddresses: ['95.179.1.2', '2a05:f480::1'] }),
    );
    expect(real).not.toContain('nodefault');
  });
});
