import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun, run } from '../util/exec.js';
import { dnsmasqConfig, type LabDnsRecord } from './dns.js';
import type { LabLayout } from './layout.js';
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
    for (let i = 0; i < 50 && processAlive(old); i++) await new Promise((r) => setTimeout(r, 50));
  }
  await writeFile(conf, dnsmasqConfig(l, published));
  await mustRun('dnsmasq', ['--test', '-C', conf]);
  const log = openSync(join(l.dirs.state, 'dnsmasq.log'), 'a');
  const child = spawn(
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
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  await writeFile(pidFile, `${child.pid}\n`);
  // Ready once it answers for the lab host's name.
  for (let i = 0; i < 50; i++) {
    const r = await run('ip', ['netns', 'exec', l.netns.internet, 'getent', 'ahostsv4', l.fqdn]);
    if (r.code === 0) break;
    await new Promise((r2) => setTimeout(r2, 100));
  }
  return child.pid ?? 0;
}
