/** Facts read from the host for the resource checks (I/O; the thresholds are pure). */
import { X509Certificate } from 'node:crypto';
import { readFile, statfs } from 'node:fs/promises';
import { run } from '../../util/exec.js';
import type { PeerHandshake, QueueFacts, UnitFacts } from './thresholds.js';
import { usedPercent } from './thresholds.js';

/** postqueue -j: one JSON object per queued message (queue_name, arrival_time in seconds). */
export async function queueFacts(now: number): Promise<QueueFacts> {
  const r = await run('postqueue', ['-j'], { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`postqueue -j failed: ${r.stderr.trim() || r.code}`);
  const facts: QueueFacts = { active: 0, deferred: 0, hold: 0 };
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const m = JSON.parse(line) as { queue_name?: string; arrival_time?: number };
    if (m.queue_name === 'active' || m.queue_name === 'incoming') facts.active++;
    else if (m.queue_name === 'deferred') facts.deferred++;
    else if (m.queue_name === 'hold') facts.hold++;
    if (m.arrival_time !== undefined) {
      const age = Math.max(0, now / 1000 - m.arrival_time);
      facts.oldestSeconds = Math.max(facts.oldestSeconds ?? 0, age);
    }
  }
  return facts;
}

export async function diskPercent(path: string): Promise<number> {
  return usedPercent(await statfs(path));
}

/** When the certificate every TLS service presents stops being valid (ms). */
export async function certificateValidTo(file: string): Promise<number> {
  return Date.parse(new X509Certificate(await readFile(file)).validTo);
}

export async function unitFacts(unit: string): Promise<UnitFacts> {
  const r = await run('systemctl', ['show', '--property=ActiveState,Result,NRestarts', unit], {
    timeoutMs: 5_000,
  });
  const prop = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(r.stdout)?.[1]?.trim();
  return {
    unit,
    activeState: prop('ActiveState') ?? 'unknown',
    result: prop('Result') ?? 'unknown',
    restarts: Number(prop('NRestarts') ?? 0),
  };
}

export async function wireguardPeers(): Promise<PeerHandshake[]> {
  const r = await run('wg', ['show', 'wg0', 'latest-handshakes'], { timeoutMs: 5_000 });
  if (r.code !== 0) throw new Error(`wg0 is down: ${r.stderr.trim() || `wg exited ${r.code}`}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [publicKey = '', at = '0'] = l.split('\t');
      return { publicKey, latestHandshake: Number(at) };
    });
}

/** The jails fail2ban-server runs now (its `status` lists them). */
export async function fail2banJails(): Promise<string[]> {
  const r = await run('fail2ban-client', ['status'], { timeoutMs: 8_000 });
  if (r.code !== 0) throw new Error(`fail2ban-client status failed: ${r.stderr.trim() || r.code}`);
  const list = /Jail list:\s*(.*)$/m.exec(r.stdout)?.[1] ?? '';
  return list
    .split(',')
    .map((j) => j.trim())
    .filter(Boolean);
}

/**
 * One query as a daemon's own role, the way the daemon logs in: natively over the socket
 * by peer authentication, as the daemon's OS user (runuser), so pg_hba.conf and the role's
 * grants are tested too, not only that the server answers.
 */
export async function queryAsRole(osUser: string, database: string, sql: string): Promise<string> {
  const r = await run(
    'runuser',
    ['-u', osUser, '--', 'psql', '-h', '/var/run/postgresql', '-d', database, '-XAtqc', sql],
    { timeoutMs: 8_000, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
  );
  if (r.code !== 0) throw new Error(r.stderr.trim().split('\n')[0] ?? `psql exited ${r.code}`);
  return r.stdout.trim();
}
