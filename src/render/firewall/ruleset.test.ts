import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { anyDebian13Root } from '../../../test/support/debian13-root.js';
import { testHostContext } from '../test-host-context.js';
import { renderFirewall } from './component.js';
import { renderFirewallRuleset } from './ruleset.js';

const ctx = testHostContext();

/** Debian 13's nft checks (-c) in a throwaway network namespace; skipped without that root. */
const root = anyDebian13Root('usr/sbin/nft');
const canCheck = root !== undefined;
const nftCheck = (ruleset: string) =>
  spawnSync('unshare', ['--net', 'chroot', root ?? '/', 'nft', '-c', '-f', '-'], {
    input: ruleset,
    encoding: 'utf8',
  });

describe('renderFirewallRuleset', () => {
  it('renders the ruleset and its unit as in the golden files', async () => {
    const [ruleset, unit] = renderFirewall(ctx);
    await expect(ruleset?.content).toMatchFileSnapshot('golden/firewall.nft');
    await expect(unit?.content).toMatchFileSnapshot('golden/mailctl-firewall.service');
    expect(ruleset?.path).toBe('/etc/mailctl/firewall.nft');
  });

  it('drops by default and opens only the public ports to everyone', () => {
    const text = renderFirewallRuleset(ctx);
    expect(text).toContain('policy drop;');
    // (DHCPv6 replies come only from link-local addresses, so they count as restricted.)
    const openToAll = text.split('\n').filter((l) => /\bdport\b/.test(l) && !/saddr/.test(l));
    expect(openToAll.map((l) => l.trim())).toEqual([
      'udp dport 51820 accept',
      'tcp dport { 25, 80, 443, 465, 587 } accept',
    ]);
  });

  it('keeps the VPN path open whatever the cluster file says', () => {
    for (const variant of [
      { adminAllow: [] },
      { vpnPort: 4500, vpnSubnet: '10.9.0.0/16' },
      { adminAllow: ['203.0.113.0/24'] },
    ]) {
      const text = renderFirewallRuleset({ ...ctx, ...variant });
      const c = { ...ctx, ...variant };
      expect(text).toContain(`udp dport ${c.vpnPort} accept`);
      expect(text).toContain(`iifname "wg0" ip saddr ${c.vpnSubnet} accept`);
    }
  });

  it('lets SSH in only from the admin allow-list besides the VPN, per family', () => {
    const text = renderFirewallRuleset(ctx);
    expect(text).toContain('elements = { 192.0.2.0/28 }');
    expect(text).toContain('elements = { 2001:db8:beef::/48 }');
    expect(text).toContain('tcp dport 22 ip saddr @admin_allow_v4 accept');
    expect(text).toContain('tcp dport 22 ip6 saddr @admin_allow_v6 accept');
    const none = renderFirewallRuleset({ ...ctx, adminAllow: [] });
    expect(none).not.toMatch(/dport 22/);
    expect(none).not.toContain('admin_allow');
  });

  it('replaces only its own table, never the whole ruleset', () => {
    const text = renderFirewallRuleset(ctx);
    expect(text).not.toContain('flush ruleset');
    expect(text).toContain('delete table inet mailctl_firewall\n');
  });

  it('refuses a value that would inject nftables syntax', () => {
    expect(() => renderFirewallRuleset({ ...ctx, adminAllow: ['10.0.0.0/8; accept'] })).toThrow(
      /not a plain config token/,
    );
  });

  it.skipIf(!canCheck)('passes nft -c, with and without an allow-list', () => {
    for (const adminAllow of [ctx.adminAllow, []]) {
      const r = nftCheck(renderFirewallRuleset({ ...ctx, adminAllow }));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it.skipIf(!canCheck)('fails nft -c when the ruleset is broken', () => {
    const r = nftCheck(
      `${renderFirewallRuleset(ctx)}\ntable inet x { chain c { tcp dport nope; } }\n`,
    );
    expect(r.status).not.toBe(0);
  });
});
