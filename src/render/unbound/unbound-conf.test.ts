import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { renderUnbound, renderUnboundConf } from './index.js';

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
});
