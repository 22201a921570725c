/**
 * What counts as a warning and what as critical (pure). The defaults follow issue 12's
 * alert thresholds, so that `mailctl health` and the alerts agree; docs/monitoring.md lists
 * each with its meaning.
 */
import type { BackupStatus } from '../backup/assess.js';
import { critical, ok, warning, type Finding } from './run-checks.js';

export const THRESHOLDS = {
  /** More deferred messages than this is a warning (a destination or our own DNS is down). */
  deferredWarning: 50,
  /** A message older than this in the queue is a warning: its sender has not heard for a day. */
  oldestMessageHours: 24,
  diskWarningPercent: 80,
  diskCriticalPercent: 90,
  certificateWarningDays: 14,
  certificateCriticalDays: 3,
} as const;

export interface QueueFacts {
  active: number;
  deferred: number;
  hold: number;
  /** Age of the oldest message in any queue, in seconds; undefined when the queue is empty. */
  oldestSeconds?: number;
}

export function assessQueue(q: QueueFacts): Finding {
  const oldestHours = q.oldestSeconds === undefined ? undefined : q.oldestSeconds / 3600;
  const detail =
    `${q.active} active, ${q.deferred} deferred, ${q.hold} on hold` +
    (oldestHours === undefined ? '' : `, oldest ${oldestHours.toFixed(1)} h`);
  if (q.deferred > THRESHOLDS.deferredWarning)
    return warning(`${detail} (more than ${THRESHOLDS.deferredWarning} deferred)`);
  if (oldestHours !== undefined && oldestHours > THRESHOLDS.oldestMessageHours)
    return warning(`${detail} (older than ${THRESHOLDS.oldestMessageHours} h)`);
  return ok(detail);
}

/** df's Use%: used blocks over what an unprivileged writer could have (used + available). */
export function usedPercent(s: { blocks: number; bfree: number; bavail: number }): number {
  const used = s.blocks - s.bfree;
  const usable = used + s.bavail;
  return usable <= 0 ? 0 : Math.ceil((used / usable) * 100);
}

export function assessDisk(path: string, percent: number): Finding {
  const detail = `${path} is ${percent}% full`;
  if (percent >= THRESHOLDS.diskCriticalPercent) return critical(detail);
  if (percent >= THRESHOLDS.diskWarningPercent) return warning(detail);
  return ok(detail);
}

export function assessCertificate(file: string, validTo: number, now: number): Finding {
  const days = Math.floor((validTo - now) / 86_400_000);
  const detail = `${file} expires ${new Date(validTo).toISOString()} (${days} days left)`;
  if (days < THRESHOLDS.certificateCriticalDays) return critical(detail);
  if (days < THRESHOLDS.certificateWarningDays) return warning(detail);
  return ok(detail);
}

export interface UnitFacts {
  unit: string;
  /** systemd's ActiveState (active, failed, inactive, activating ...). */
  activeState: string;
  /** systemd's Result of the last run (success, signal, start-limit-hit ...). */
  result: string;
  /** Restarts systemd made (NRestarts) since the unit was last started by hand. */
  restarts: number;
}

/**
 * A daemon that is not active is critical. A failed unit that systemd had restarted before
 * is a crash loop: with Restart=on-failure (the self-healing drop-in) only the start limit
 * keeps it from trying again, and systemd then leaves the last run's result (`signal`,
 * `exit-code`; `start-limit-hit` when a start by hand was refused). `activating` is a
 * restart under way (RestartSec), a warning.
 */
export function assessUnit(u: UnitFacts): Finding {
  const restarts = u.restarts ? `, restarted ${u.restarts} time(s) by systemd` : '';
  if (u.activeState === 'active') return ok(`active${restarts}`);
  if (u.activeState === 'activating' || u.activeState === 'reloading')
    return warning(`${u.activeState}${restarts}`);
  if (u.activeState === 'failed' && (u.result === 'start-limit-hit' || u.restarts > 0))
    return critical(
      `failed: crash loop, systemd gave up restarting it${restarts} (last result: ${u.result})`,
    );
  return critical(`${u.activeState} (last result: ${u.result})${restarts}`);
}

export interface PeerHandshake {
  publicKey: string;
  /** Seconds since the epoch; 0 when there never was one. */
  latestHandshake: number;
}

/**
 * The tunnel must be up; each peer's handshake age is reported. A peer silent for longer
 * than `maxAgeSeconds` (monitoring.alerts.wireguard_handshake_age) is a warning: WireGuard
 * renews the handshake every 2 minutes while a peer sends anything, so a device in use is
 * never near it. A peer that never shook hands (a device not set up yet) has no age and
 * is only listed.
 */
export function assessWireguard(
  peers: readonly PeerHandshake[],
  now: number,
  maxAgeSeconds: number,
): Finding {
  const stale: string[] = [];
  const ages = peers.map((p) => {
    const key = `${p.publicKey.slice(0, 8)}…`;
    if (!p.latestHandshake) return `${key} never`;
    const age = Math.max(0, Math.round(now / 1000 - p.latestHandshake));
    if (age > maxAgeSeconds) stale.push(key);
    return `${key} ${age} s ago`;
  });
  const detail = `wg0 up, ${peers.length} peer(s)${ages.length ? `: ${ages.join(', ')}` : ''}`;
  return stale.length
    ? warning(`${detail} (${stale.join(', ')} silent for more than ${maxAgeSeconds} s)`)
    : ok(detail);
}

/** The backup work's own assessment, as health findings: stale warns, failing is critical. */
export function backupFindings(s: BackupStatus): [string, Finding][] {
  const finding = (state: string, detail: string): Finding =>
    state === 'ok' ? ok(detail) : state === 'stale' ? warning(detail) : critical(detail);
  const out: [string, Finding][] = s.repositories.map((r) => [
    `backup-${r.name}`,
    finding(
      r.state,
      r.problem ?? `last good backup ${r.lastGood ?? 'none'} (${r.ageHours ?? '?'} h ago)`,
    ),
  ]);
  const a = s.walArchive;
  if (a)
    out.push([
      'wal-archive',
      finding(a.state, a.problem ?? `${a.archivedCount} archived, ${a.failedCount} failed before`),
    ]);
  return out;
}
