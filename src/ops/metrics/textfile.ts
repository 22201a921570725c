import { exitCodeFor, type HealthReport } from '../health/report.js';
import type { PeerHandshake } from '../health/thresholds.js';

/**
 * The metrics the alerts read that no exporter has, in Prometheus's text format, for
 * node-exporter's textfile collector (pure: the facts and the clock come in).
 */
export interface TextfileFacts {
  now: number;
  /** The host certificate's notAfter (ms), if it could be read. */
  certificateNotAfter?: number;
  /** Arrival time (ms) of every message in Postfix's queue. */
  queueArrivals: readonly number[];
  /** Fail2ban's "Total banned" per jail since it started. */
  fail2banBans: Readonly<Record<string, number>>;
  /** When each backup repository's newest good backup ended (ms), if it has one. */
  backups: readonly { repository: string; lastGoodAt?: number }[];
  /** pg_stat_archiver.failed_count: WAL segments PostgreSQL failed to archive (native mode). */
  walArchiveFailed?: number;
  /** The last line of health.jsonl: `mailctl health` on its timer. */
  health?: Pick<HealthReport, 'ts' | 'checks'>;
  /** `wg show wg0 latest-handshakes`: seconds since the epoch, 0 for a peer that never did. */
  wireguardHandshakes?: readonly PeerHandshake[];
}

const seconds = (ms: number) => Math.floor(ms / 1000);
const label = (v: string) => v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

function metric(name: string, type: string, help: string, samples: [string, number][]): string[] {
  if (samples.length === 0) return [];
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...samples.map(([labels, v]) => `${name}${labels} ${v}`),
  ];
}

export function textfileMetrics(f: TextfileFacts): string {
  const oldest = f.queueArrivals.length ? Math.min(...f.queueArrivals) : undefined;
  const lines = [
    ...metric(
      'mailctl_certificate_expiry_timestamp_seconds',
      'gauge',
      "notAfter of the host's TLS certificate",
      f.certificateNotAfter === undefined ? [] : [['', seconds(f.certificateNotAfter)]],
    ),
    ...metric(
      'mailctl_queue_oldest_message_age_seconds',
      'gauge',
      "age of the oldest message in Postfix's queue (0 when it is empty)",
      [['', oldest === undefined ? 0 : Math.max(0, seconds(f.now - oldest))]],
    ),
    ...metric(
      'mailctl_fail2ban_bans_total',
      'counter',
      'addresses Fail2ban banned since it started, per jail',
      Object.entries(f.fail2banBans)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([jail, n]) => [`{jail="${label(jail)}"}`, n]),
    ),
    ...metric(
      'mailctl_backup_last_success_timestamp_seconds',
      'gauge',
      'when the newest good backup of each repository ended',
      f.backups.flatMap((b): [string, number][] =>
        b.lastGoodAt === undefined
          ? []
          : [[`{repository="${label(b.repository)}"}`, seconds(b.lastGoodAt)]],
      ),
    ),
    ...metric(
      'mailctl_wal_archive_failed_total',
      'counter',
      'WAL segments PostgreSQL failed to hand to pgBackRest (pg_stat_archiver.failed_count)',
      f.walArchiveFailed === undefined ? [] : [['', f.walArchiveFailed]],
    ),
    ...metric(
      'mailctl_health_check_status',
      'gauge',
      'the last mailctl health run per check: 0 ok, 1 warning, 2 critical',
      (f.health?.checks ?? []).map((c) => [`{check="${label(c.name)}"}`, exitCodeFor(c.status)]),
    ),
    ...metric(
      'mailctl_health_last_run_timestamp_seconds',
      'gauge',
      'when the last mailctl health run began',
      f.health ? [['', seconds(Date.parse(f.health.ts))]] : [],
    ),
    ...metric(
      'mailctl_wireguard_peer_last_handshake_timestamp_seconds',
      'gauge',
      "each VPN peer's last WireGuard handshake on wg0 (peers that never shook hands are left out)",
      (f.wireguardHandshakes ?? [])
        .filter((p) => p.latestHandshake > 0)
        .map((p) => [`{peer="${label(p.publicKey)}"}`, p.latestHandshake]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** `postqueue -j`: one JSON object per message, arrival_time in seconds. */
export function parseQueueArrivals(postqueueJson: string): number[] {
  return postqueueJson
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => (JSON.parse(l) as { arrival_time?: number }).arrival_time)
    .filter((t): t is number => typeof t === 'number')
    .map((t) => t * 1000);
}

/** `fail2ban-client status` lists the jails; `status JAIL` says how many it banned. */
export function parseJailList(status: string): string[] {
  const list = /Jail list:\s*(.*)$/m.exec(status)?.[1] ?? '';
  return list
    .split(',')
    .map((j) => j.trim())
    .filter(Boolean);
}

export function parseTotalBanned(jailStatus: string): number | undefined {
  const n = /Total banned:\s*(\d+)/.exec(jailStatus)?.[1];
  return n === undefined ? undefined : Number(n);
}

/** The last complete line of health.jsonl, if it parses as a report. */
export function lastHealthReport(jsonl: string): HealthReport | undefined {
  const line = jsonl.trimEnd().split('\n').at(-1);
  if (!line) return undefined;
  try {
    const r = JSON.parse(line) as HealthReport;
    return typeof r.ts === 'string' && Array.isArray(r.checks) ? r : undefined;
  } catch {
    return undefined;
  }
}
