/**
 * The rendered wg0.conf against the real wireguard-tools, as root in throwaway namespaces
 * (mount and network), so nothing on the machine changes. Skipped where wg-quick, root or
 * the userspace fallback is missing; CI runs as root with wireguard-tools installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateWgKeyPair } from '../../lab/wg-keys.js';
import { resolveSecretRefs } from '../host-context.js';
import { wireguardComponent } from './component.js';
import { renderWireguard } from './server-config.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const isRoot = process.getuid?.() === 0;
const canStrip = isRoot && has('wg-quick');
const canRun = canStrip && has('unshare') && has('nft') && has('wireguard-go');

const dir = mkdtempSync(join(tmpdir(), 'mailctl-wg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const server = generateWgKeyPair();
const client = generateWgKeyPair();
const ctx = { vpnAddress: '10.100.0.1', vpnSubnet: '10.100.0.0/24', vpnPort: 51820 };

/** The rendered wg0.conf with its secret resolved, as apply stages it. */
function stage(content?: string): string {
  const rendered = renderWireguard(ctx, [
    { name: 'client', publicKey: client.publicKey, address: '10.100.0.2' },
  ])[0]?.content;
  const file = join(dir, 'wg0.conf');
  writeFileSync(file, content ?? resolveSecretRefs(rendered ?? '', () => server.privateKey), {
    mode: 0o600,
  });
  return file;
}

/** Runs `script` as bash in private mount and network namespaces. */
function inNamespaces(script: string, ...args: string[]) {
  return spawnSync(
    'unshare',
    ['--mount', '--net', '--propagation', 'private', 'bash', '-euc', script, 'bash', ...args],
    { encoding: 'utf8', timeout: 30_000 },
  );
}

describe.skipIf(!canStrip)('wg0.conf and wg-quick', () => {
  it('is accepted by `wg-quick strip`, which leaves exactly the part wg(8) reads', () => {
    const r = spawnSync('wg-quick', ['strip', stage()], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`PrivateKey = ${server.privateKey}`);
    expect(r.stdout).toContain(`PublicKey = ${client.publicKey}`);
    expect(r.stdout).not.toMatch(/Address|PostUp|PostDown/);
  });

  it.skipIf(!canRun)(
    "the component's check passes on the staged file and fails on a broken one",
    () => {
      // As apply does: the staged file over the live path, seen only by the check.
      const check = (file: string) =>
        inNamespaces(
          'mount -t tmpfs -o mode=0700 tmpfs /etc/wireguard; install -m 600 "$1" /etc/wireguard/wg0.conf; shift; "$@"',
          file,
          ...(wireguardComponent.check ?? []),
        );
      const good = check(stage());
      expect(good.stderr).toBe('');
      expect(good.stdout).toBe(''); // the resolved private key never reaches a log
      expect(good.status).toBe(0);
      expect(check(stage('[Interface]\nSaveConfig = maybe\n')).status).not.toBe(0);
    },
  );

  it.skipIf(!canRun)(
    'comes up, and its guard drops VPN traffic from outside the tunnel only',
    () => {
      const r = inNamespaces(
        `
      mount -t tmpfs -o mode=0700 tmpfs /run/wireguard
      mount -t tmpfs tmpfs /run/netns
      ip link set lo up
      WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go wg-quick up "$1" 2>/dev/null
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
      wg-quick down "$1" 2>/dev/null
      nft list tables | grep -c mailctl_vpn_guard || true
      `,
        stage(),
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')).toEqual([
        client.publicKey,
        'public-ok',
        'vpn-from-outside-dropped',
        'vpn-from-self-ok',
        '0',
        '',
      ]);
    },
  );
});
