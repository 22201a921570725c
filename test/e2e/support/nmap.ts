import { spawnSync } from 'node:child_process';

export interface ScanResult {
  /** Ports nmap saw open: a SYN answered with SYN-ACK, or (UDP) a datagram answered at all. */
  open: number[];
  /** Ports that answered with a reset (TCP) or an ICMP port unreachable (UDP): reachable, nothing listening. */
  closed: number[];
  /** Ports that did not answer at all: dropped by a firewall (or, for UDP, open and silent). */
  filtered: number[];
}

/**
 * A scan with this machine's nmap from inside a lab network namespace: TCP SYN, or UDP
 * (where no answer reads "open|filtered": nmap cannot tell a dropped datagram from one a
 * silent service took; counted here as filtered). Bounded: one retry per port and a host
 * timeout, so a scan of dropped ports cannot hang a test.
 */
function scan(
  proto: 'tcp' | 'udp',
  netns: string,
  target: string,
  ports: readonly number[],
): ScanResult {
  const args = [
    'netns',
    'exec',
    netns,
    'nmap',
    '-n',
    '-Pn',
    proto === 'tcp' ? '-sS' : '-sU',
    ...(target.includes(':') ? ['-6'] : []),
    '--max-retries',
    '1',
    '--host-timeout',
    '180s',
    '--min-rate',
    '500',
    '-p',
    ports.join(','),
    '-oX',
    '-',
    target,
  ];
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`nmap failed: ${r.stderr}`);
  const result: ScanResult = { open: [], closed: [], filtered: [] };
  const re = new RegExp(`<port protocol="${proto}" portid="(\\d+)"><state state="([a-z|]+)"`, 'g');
  for (const m of r.stdout.matchAll(re)) {
    const port = Number(m[1]);
    if (m[2] === 'open') result.open.push(port);
    else if (m[2] === 'closed') result.closed.push(port);
    else result.filtered.push(port);
  }
  // nmap folds the many ports in one state into <extraports>: count them as that state.
  const extra = /<extraports state="([a-z|]+)" count="(\d+)"/.exec(r.stdout);
  if (extra) {
    const listed = new Set([...result.open, ...result.closed, ...result.filtered]);
    const rest = ports.filter((p) => !listed.has(p));
    if (extra[1] === 'closed') result.closed.push(...rest);
    else result.filtered.push(...rest);
  }
  for (const list of Object.values(result)) (list as number[]).sort((a, b) => a - b);
  return result;
}

export const tcpScan = (netns: string, target: string, ports: readonly number[]) =>
  scan('tcp', netns, target, ports);

export const udpScan = (netns: string, target: string, ports: readonly number[]) =>
  scan('udp', netns, target, ports);
