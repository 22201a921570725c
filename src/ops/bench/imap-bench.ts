import {
  addBenchMailboxes,
  benchDate,
  loadAverage,
  removeBenchMailboxes,
} from './bench-mailbox.js';
import type { ImapFigures } from './imap-load.js';
import type { BenchTarget } from './lab-target.js';

export interface ImapBenchOptions {
  server: string;
  clients: number;
  stormWorkers: number;
  seconds: number;
  roundIntervalMs: number;
}

export interface ImapReport extends ImapFigures {
  date: string;
  loadBefore: number;
  loadAfter: number;
  seconds: number;
  mailboxes: number;
}

/** Messages in each bench INBOX: the rounds FETCH the headers of all 10 and one whole body. */
export const SEEDED_MESSAGES = 10;

/**
 * `mailctl bench imap`: mailboxes of the run's own (ten clients each: Dovecot's
 * mail_max_userip_connections), seeded, loaded from the client side, removed after.
 */
export async function runImapBench(t: BenchTarget, o: ImapBenchOptions): Promise<ImapReport> {
  const loadBefore = loadAverage();
  const n = Math.ceil(Math.max(o.clients, o.stormWorkers) / 10);
  const { users, pass } = await addBenchMailboxes(t, 'bench-imap', n, SEEDED_MESSAGES);
  try {
    const out = await t.client(
      [
        'bench',
        'imap-load',
        ...['--server', o.server, '--users', users.join(',')],
        ...['--clients', String(o.clients), '--storm-workers', String(o.stormWorkers)],
        ...['--seconds', String(o.seconds), '--round-interval', String(o.roundIntervalMs)],
        ...['--insecure', '--json'],
      ],
      { timeoutMs: (o.seconds * 2 + 300) * 1000, input: `${pass}\n` },
    );
    const figures = JSON.parse(out) as ImapFigures;
    return {
      date: benchDate(),
      loadBefore,
      loadAfter: loadAverage(),
      seconds: o.seconds,
      mailboxes: n,
      ...figures,
    };
  } finally {
    await removeBenchMailboxes(t, users);
  }
}

export function formatImap(r: ImapReport): string {
  const s = r.steady;
  const st = r.storm;
  const p = (x: { p50: number; p95: number; p99: number; max: number }) =>
    `p50 ${x.p50} ms, p95 ${x.p95} ms, p99 ${x.p99} ms, max ${x.max} ms`;
  return [
    `${r.date}, load average ${r.loadBefore} before, ${r.loadAfter} after; ${r.seconds} s per phase, IMAPS from the VPN client, ${r.mailboxes} mailboxes of ${SEEDED_MESSAGES} messages`,
    `steady state   ${s.connected} of ${s.clients} clients connected, ${s.roundIntervalMs ? `a round every ${s.roundIntervalMs} ms each` : 'rounds back to back'}: ${s.rounds} SELECT+FETCH rounds, ${s.perSecond}/s, ${s.errors} errors`,
    `  round        ${p(s.roundMs)}`,
    `  client CPU   ${s.clientCpuPercent}% of one core`,
    `login storm    ${st.workers} workers: ${st.sessions} sessions (TLS, LOGIN, SELECT, LOGOUT), ${st.perSecond}/s, ${st.errors} errors`,
    `  session      ${p(st.sessionMs)}`,
    `  client CPU   ${st.clientCpuPercent}% of one core`,
    ...(r.firstError ? [`first error    ${r.firstError}`] : []),
    '',
  ].join('\n');
}
