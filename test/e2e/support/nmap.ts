import { spawnSync } from 'node:child_process';

export interface ScanResult {
  /** Ports nmap saw open (a SYN was answered with SYN-ACK). */
  open: number[];
  /** Ports that answered with a reset (reachable, nothing listening). */
  closed: number[];
  /** Ports that did not answer at all: dropped by a firewall. */
  filtered: number[];
}

/**
 * A TCP SYN scan with this machine's nmap from inside a lab network namespace. Bounded:
 * one retry per port and a host timeout, so a scan of dropped ports cannot hang a test.
 */
export function tcpScan(netns: string, target: string, ports: readonly number[]): ScanResult {
  const args = [
    'netns',
    'exec',
    netns,
    'nmap',
    '-n',
    '-Pn',
    '-sS',
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
  const re = /<port protocol="tcp" portid="(\d+)"><state state="([a-z|]+)"/g;
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
    else if (extra[1] === 'filtered') result.filtered.push(...rest);
  }
  for (const list of Object.values(result)) (list as number[]).sort((a, b) => a - b);
  return result;
}
