import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun, run, sleep, spawnDetached } from '../util/exec.js';
import { dnsmasqConfig, type LabDnsRecord } from './dns.js';
import { labExecArgv } from './exec.js';
import { labLayout, type LabLayout } from './layout.js';
import { processAlive } from './state.js';

/** (Re)starts the lab world's DNS in the internet namespace with these published records. */
export async function startLabDns(
  l: LabLayout,
  published: readonly LabDnsRecord[],
): Promise<number> {
  const conf = join(l.dirs.state, 'dnsmasq.conf');
  const pidFile = join(l.dirs.state, 'dnsmasq.pid');
  const old = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (processAlive(old)) {
    process.kill(old, 'SIGTERM');
    for (let i = 0; i < 50 && processAlive(old); i++) await sleep(50);
  }
  await writeFile(conf, dnsmasqConfig(l, published));
  await mustRun('dnsmasq', ['--test', '-C', conf]);
  const pid = spawnDetached(
    'ip',
    [
      'netns',
      'exec',
      l.netns.internet,
      'dnsmasq',
      '-C',
      conf,
      '--keep-in-foreground',
      '--user=nobody',
      '--group=nogroup',
    ],
    join(l.dirs.state, 'dnsmasq.log'),
  );
  await writeFile(pidFile, `${pid}\n`);
  // Ready once it answers for the lab host's name.
  for (let i = 0; i < 50; i++) {
    const r = await run('ip', ['netns', 'exec', l.netns.internet, 'getent', 'ahostsv4', l.fqdn]);
    if (r.code === 0) break;
    await sleep(100);
  }
  return pid;
}

/**
 * Publishes what `mailctl dns --json` prints on the lab host in the lab world's DNS, as a
 * registrar's zone would once an administrator pasted it in: after the apply of `lab up`,
 * and again (`mailctl lab dns`) whenever the host's domains change. Returns the records.
 */
export async function publishLabDns(name: string, clusterPath: string): Promise<LabDnsRecord[]> {
  const argv = await labExecArgv(name, 'host', [
    'mailctl',
    'dns',
    '--json',
    '--cluster',
    clusterPath,
  ]);
  const dns = await mustRun(argv[0] ?? 'nsenter', argv.slice(1));
  const records = JSON.parse(dns.stdout) as LabDnsRecord[];
  await startLabDns(labLayout(name), records);
  return records;
}
