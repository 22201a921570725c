import { mkdir, rm, writeFile } from 'node:fs/promises';
import { mustRun, run } from '../util/exec.js';
import type { LabLayout } from './layout.js';

const ip = (args: string[]) => mustRun('ip', args);
const inNs = (ns: string, cmd: string, args: string[]) =>
  mustRun('ip', ['netns', 'exec', ns, cmd, ...args]);

/**
 * The lab's networks:
 *
 *   [vpn client] eth0 203.0.113.10 ──── eth1 203.0.113.1 [internet] eth0 198.51.100.1 ──── eth0 198.51.100.10 [lab host]
 *   wg 10.100.0.2 ═══════════════════════ WireGuard over the internet ═══════════════════════ wg0 10.100.0.1
 *
 * The internet namespace routes between the VPN client's uplink and the lab host's public
 * network, so the VPN client reaches the lab host the way a laptop reaches a VPS.
 */
export async function createNetworks(l: LabLayout): Promise<void> {
  const n = l.net;
  for (const ns of Object.values(l.netns)) await ip(['netns', 'add', ns]);

  await ip(['link', 'add', l.vethTemp.hostPub, 'type', 'veth', 'peer', 'name', l.vethTemp.inetPub]);
  await ip(['link', 'set', l.vethTemp.hostPub, 'netns', l.netns.host]);
  await ip(['link', 'set', l.vethTemp.inetPub, 'netns', l.netns.internet]);
  await ip(['link', 'add', l.vethTemp.inetVpn, 'type', 'veth', 'peer', 'name', l.vethTemp.vpnWan]);
  await ip(['link', 'set', l.vethTemp.inetVpn, 'netns', l.netns.internet]);
  await ip(['link', 'set', l.vethTemp.vpnWan, 'netns', l.netns.vpn]);

  await ip(['-n', l.netns.host, 'link', 'set', l.vethTemp.hostPub, 'name', 'eth0']);
  await ip(['-n', l.netns.internet, 'link', 'set', l.vethTemp.inetPub, 'name', 'eth0']);
  await ip(['-n', l.netns.internet, 'link', 'set', l.vethTemp.inetVpn, 'name', 'eth1']);
  await ip(['-n', l.netns.vpn, 'link', 'set', l.vethTemp.vpnWan, 'name', 'eth0']);

  const addr = (ns: string, dev: string, cidr: string) =>
    ip(['-n', ns, 'addr', 'add', cidr, 'dev', dev, ...(cidr.includes(':') ? ['nodad'] : [])]);
  await addr(l.netns.host, 'eth0', `${n.hostPublic4}/${n.publicPrefix}`);
  await addr(l.netns.host, 'eth0', `${n.hostPublic6}/${n.publicPrefix6}`);
  await addr(l.netns.internet, 'eth0', `${n.internetRouter4}/${n.publicPrefix}`);
  await addr(l.netns.internet, 'eth0', `${n.internetRouter6}/${n.publicPrefix6}`);
  await addr(l.netns.internet, 'eth1', `${n.vpnClientRouter4}/24`);
  await addr(l.netns.internet, 'eth1', `${n.vpnClientRouter6}/64`);
  await addr(l.netns.vpn, 'eth0', `${n.vpnClientWan4}/24`);
  await addr(l.netns.vpn, 'eth0', `${n.vpnClientWan6}/64`);

  for (const ns of Object.values(l.netns)) {
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    for (const dev of ns === l.netns.internet ? ['eth0', 'eth1'] : ['eth0']) {
      await ip(['-n', ns, 'link', 'set', dev, 'up']);
    }
  }
  await ip(['-n', l.netns.host, 'route', 'add', 'default', 'via', n.internetRouter4]);
  await ip(['-n', l.netns.host, '-6', 'route', 'add', 'default', 'via', n.internetRouter6]);
  await ip(['-n', l.netns.vpn, 'route', 'add', 'default', 'via', n.vpnClientRouter4]);
  await ip(['-n', l.netns.vpn, '-6', 'route', 'add', 'default', 'via', n.vpnClientRouter6]);
  await inNs(l.netns.internet, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  await inNs(l.netns.internet, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);

  // `ip netns exec` binds these over /etc. The internet uses the lab world's DNS. The VPN
  // client resolves from its hosts file only (split horizon, as a VPN's own resolver
  // would answer): asking the public DNS too would hand it the public IPv6 address, where
  // IMAP is, rightly, closed.
  await writeNetnsEtc(
    l,
    l.netns.internet,
    [`${n.hostPublic4} ${l.fqdn}`, `${n.hostPublic6} ${l.fqdn}`],
    n.internetRouter4,
  );
  await writeNetnsEtc(l, l.netns.vpn, [`${n.hostVpn4} ${l.fqdn}`], undefined);
}

async function writeNetnsEtc(
  l: LabLayout,
  ns: string,
  lines: string[],
  resolver: string | undefined,
): Promise<void> {
  const dir = l.dirs.etcNetns(ns);
  await mkdir(dir, { recursive: true });
  await writeFile(
    `${dir}/hosts`,
    ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback', ...lines, ''].join('\n'),
  );
  await writeFile(
    `${dir}/resolv.conf`,
    resolver
      ? `# mailctl lab: the lab world's DNS\nnameserver ${resolver}\n`
      : '# mailctl lab: names come from /etc/hosts only (a lookup beyond it is refused at once)\nnameserver 127.0.0.1\n',
  );
}

/** Removes everything createNetworks may have made, whether or not it finished. */
export async function destroyNetworks(l: LabLayout): Promise<void> {
  for (const ns of Object.values(l.netns)) {
    // Every process still inside a namespace would keep its interfaces alive.
    const pids = await run('ip', ['netns', 'pids', ns]);
    for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await run('ip', ['netns', 'del', ns]);
    await rm(l.dirs.etcNetns(ns), { recursive: true, force: true });
  }
  for (const dev of Object.values(l.vethTemp)) {
    await run('ip', ['link', 'del', dev]);
  }
}
