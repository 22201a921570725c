import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { renderUnbound, renderUnboundConf } from './index.js';

describe('renderUnbound', () => {
  it('by default resolves from the root and validates, for loopback only', async () => {
    const conf = renderUnboundConf(testHostContext());
    await expect(conf).toMatchFileSnapshot('golden/mailctl.conf');
    expect(conf).toContain('    interface: 127.0.0.1\n');
    expect(conf).not.toMatch(/^\s*interface: (?!127\.0\.0\.1|::1)/m);
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

  it('refuses a forwarder that would become two settings', () => {
    expect(() =>
      renderUnbound(testHostContext({ resolver: { forwardTo: ['1.2.3.4\nx: y'], dnssec: true } })),
    ).toThrow(/resolver\.forward_to/);
  });
});
