/**
 * The rendered wg0.conf against Debian 13's own wireguard-tools, nftables and wireguard-go
 * in the checker root (see test/support/debian13-root.ts), in throwaway mount and network
 * namespaces, so nothing on the machine changes. Skipped where there is no checker root.
 */
import { describe, expect, it } from 'vitest';
import { debian13Root, runInDebian13Root } from '../../../test/support/debian13-root.js';
import { generateWgKeyPair } from '../../lab/wg-keys.js';
import { resolveSecretRefs } from '../host-context.js';
import { rootFile } from '../types.js';
import { wireguardComponent } from './component.js';
import { renderWireguard } from './server-config.js';

const root = debian13Root('usr/bin/wg-quick', 'usr/sbin/nft', 'usr/bin/wireguard-go');
const WG0 = '/etc/wireguard/wg0.conf';

const server = generateWgKeyPair();
const client = generateWgKeyPair();
const ctx = { vpnAddress: '10.100.0.1', vpnSubnet: '10.100.0.0/24', vpnPort: 51820 };

/** The rendered wg0.conf with its secret resolved, as apply stages it. */
function stage(content?: string) {
  const rendered = renderWireguard(ctx, [
    { name: 'client', publicKey: client.publicKey, address: '10.100.0.2' },
  ])[0]?.content;
  const text = content ?? resolveSecretRefs(rendered ?? '', () => server.privateKey);
  return [rootFile('wireguard', WG0, text, 0o600)];
}

/** Runs `argv` in the checker root with `content` (default: the rendered file) as wg0.conf. */
const inRoot = (argv: readonly string[], content?: string) =>
  runInDebian13Root(root ?? '', stage(content), argv);

describe.skipIf(!root)('wg0.conf and wg-quick', () => {
  it('is accepted by `wg-quick strip`, which leaves exactly the part wg(8) reads', () => {
    const r = inRoot(['wg-quick', 'strip', 'wg0']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`PrivateKey = ${server.privateKey}`);
    expect(r.stdout).toContain(`PublicKey = ${client.publicKey}`);
    expect(r.stdout).not.toMatch(/Address|PostUp|PostDown/);
  });

  it("the component's check passes on the staged file and fails on a broken one", () => {
    const check = wireguardComponent.check ?? [];
    const good = inRoot(check);
    expect(good.stderr).toBe('');
    expect(good.stdout).toBe(''); // the resolved private key never reaches a log
    expect(good.status).toBe(0);
    expect(inRoot(check, '[Interface]\nSaveConfig = maybe\n').status).not.toBe(0);
  });

  it('comes up, and its guard drops VPN traffic from outside the tunnel only', () => {
    const r = inRoot([
      'bash',
      '-euc',
      `
      WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go wg-quick up wg0 2>/dev/null
      wg show wg0 peers
      # a neighbour on the public link that routes the VPN subnet to our public address
      ip netns add outside
      ip link add pub type veth peer name pub netns outside
      ip addr add 192.0.2.1/24 dev pub; ip link set pub up
      ip -n outside addr add 192.0.2.2/24 dev pub; ip -n outside link set pub up
      ip -n outside route add 10.100.0.0/24 via 192.0.2.1
      ip netns exec outside ping -c1 -W1 192.0.2.1 >/dev/null && echo public-ok
      ip netns exec outside ping -c1 -W1 10.100.0.1 >/dev/null || echo vpn-from-outside-dropped
      ping -c1 -W1 10.100.0.1 >/dev/null && echo vpn-from-self-ok
      wg-quick down wg0 2>/dev/null
      nft list tables | grep -c mailctl_vpn_guard || true
      `,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      client.publicKey,
      'public-ok',
      'vpn-from-outside-dropped',
      'vpn-from-self-ok',
      '0',
      '',
    ]);
  });
});
