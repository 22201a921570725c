import { describe, expect, it } from 'vitest';
import { bootScript, labSeedFiles } from './host-files.js';
import { labLayout } from './layout.js';

describe('lab seed files', () => {
  const l = labLayout('lab', 'mail.example.com');
  const files = labSeedFiles(l, 'PRIVATE', 'CLIENTPUB');
  const byPath = (p: string) => files.find((f) => f.path === p);

  it('makes the host a WireGuard member with the client as its only peer, key file private', () => {
    const wg = byPath('/etc/wireguard/wg0.conf');
    expect(wg?.mode).toBe(0o600);
    expect(wg?.content).toContain('Address = 10.100.0.1/24');
    expect(wg?.content).toContain('ListenPort = 51820');
    expect(wg?.content).toContain('PublicKey = CLIENTPUB\nAllowedIPs = 10.100.0.2/32');
    expect(wg?.content).toContain('PrivateKey = PRIVATE\n');
    expect(wg?.content).not.toContain('@@secret');
  });

  it('drops VPN-addressed traffic that did not come through the tunnel', () => {
    expect(byPath('/etc/wireguard/wg0.conf')?.content).toMatch(
      /PostUp = nft .*iifname != \{ "%i", "lo" \} ip daddr 10\.100\.0\.0\/24 drop/,
    );
  });

  it('names the host', () => {
    expect(byPath('/etc/hostname')?.content).toBe('mail.example.com\n');
    expect(byPath('/etc/hosts')?.content).toContain('127.0.1.1 mail.example.com mail');
  });

  it('boots systemd on its own root with a unified cgroup hierarchy', () => {
    const s = bootScript(l, '/cache/rootfs-x');
    expect(s).toContain('lowerdir=/cache/rootfs-x,upperdir=/var/lib/mailctl/lab/lab/upper');
    expect(s).toContain('mount -t cgroup2 cgroup2 /var/lib/mailctl/lab/lab/root/sys/fs/cgroup');
    expect(s.indexOf('mount --make-rprivate /')).toBeLessThan(s.indexOf('mount -t overlay'));
    expect(s).toContain('pivot_root . run/mailctl-oldroot');
    expect(s).toMatch(/exec .* \/lib\/systemd\/systemd --system/);
  });

  it('gives the lab a /dev/shm of its own, over the machine devices it shares', () => {
    const s = bootScript(l, '/cache/rootfs-x');
    const shm =
      'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/lib/mailctl/lab/lab/root/dev/shm';
    expect(s).toContain(shm);
    expect(s.indexOf('mount --rbind /dev ')).toBeLessThan(s.indexOf(shm));
  });
});
