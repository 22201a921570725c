import { UserError } from '../../util/errors.js';
import { sleep } from '../../util/exec.js';
import {
  addBenchMailboxes,
  benchDate,
  loadAverage,
  removeBenchMailboxes,
  shellQuote as q,
} from './bench-mailbox.js';
import { planIsClean, type BenchTarget } from './lab-target.js';
import {
  latencyFigures,
  PIPELINE_STAGES,
  type PipelineReport,
  type StageId,
  type StageRun,
} from './pipeline-report.js';
import { deliveryDelaysMs } from './postfix-delays.js';

export interface PipelineOptions {
  /** The host's address as the client side reaches it (the lab's VPN address). */
  server: string;
  count: number;
  concurrency: number;
  /** Also try these concurrencies, for each stage's best. */
  alsoConcurrencies: readonly number[];
  sizeBytes: number;
  /** Measure delivery latency at half the whole path's rate. */
  latency: boolean;
}

/** Ports of the temporary listeners, on the host's VPN address only (wg0 accepts any port). */
const PORTS: Record<StageId, number> = { sink: 12527, discard: 12525, rspamd: 12526, full: 25 };
const SAVED_MASTER_CF = '/run/mailctl-bench-master.cf';
const SINK_UNIT = 'mailctl-bench-sink';

/**
 * Two smtpd listeners that differ from port 25 only where the stage says: no milter and
 * every message to the discard transport (content_filter), or Rspamd and then discard.
 */
export function benchListeners(server: string): string {
  const smtpd = (port: number, name: string, extra: string) =>
    `${server}:${port} inet n - y - - smtpd -o syslog_name=postfix/${name} -o content_filter=discard:bench${extra}`;
  return [
    '# mailctl bench pipeline: temporary, removed when the run ends',
    smtpd(PORTS.discard, 'bench-discard', ' -o smtpd_milters='),
    smtpd(PORTS.rspamd, 'bench-rspamd', ''),
    '',
  ].join('\n');
}

async function refuseBusyPorts(t: BenchTarget): Promise<void> {
  const busy = await t.host(
    `ss -Hltn | awk '{print $4}' | grep -E ':(${PORTS.discard}|${PORTS.rspamd}|${PORTS.sink})$' || true`,
  );
  if (busy.trim())
    throw new UserError(
      'E_BENCH_PORT_BUSY',
      `ports the bench needs are taken on the host: ${busy.trim().replace(/\n/g, ', ')}`,
      { exitCode: 1 },
    );
}

async function setUp(t: BenchTarget, server: string): Promise<void> {
  await t.host(
    [
      `test ! -e ${SAVED_MASTER_CF}`,
      `cp -p /etc/postfix/master.cf ${SAVED_MASTER_CF}`,
      'cat >> /etc/postfix/master.cf',
      'postfix check',
      'postfix reload 2>/dev/null',
      // smtp-sink drops its privileges once it listens; systemd-run makes it a unit that
      // stopping removes with everything it started.
      `systemd-run --quiet --collect --unit=${SINK_UNIT} /usr/sbin/smtp-sink -u nobody ${server}:${PORTS.sink} 256`,
      `for i in $(seq 100); do n=$(ss -Hltn | awk '{print $4}' | grep -cE ':(${PORTS.discard}|${PORTS.rspamd}|${PORTS.sink})$' || true); [ "$n" -ge 3 ] && exit 0; sleep 0.1; done`,
      'echo "the temporary listeners did not come up" >&2; exit 1',
    ].join('\n'),
    { input: benchListeners(server) },
  );
}

/** Puts master.cf back byte for byte and stops smtp-sink; safe to run twice. */
async function tearDown(t: BenchTarget): Promise<void> {
  await t.host(
    [
      `systemctl stop ${SINK_UNIT} 2>/dev/null || true`,
      `if [ -e ${SAVED_MASTER_CF} ]; then cp -p ${SAVED_MASTER_CF} /etc/postfix/master.cf && rm ${SAVED_MASTER_CF} && postfix reload 2>/dev/null; fi`,
    ].join('\n'),
  );
}

/** Waits until the host's queue holds no message for `rcpt`; seconds since `since`. */
async function drained(t: BenchTarget, rcpt: string, since: number, limitS = 180): Promise<number> {
  const deadline = Date.now() + limitS * 1000;
  for (;;) {
    const n = Number((await t.host(`postqueue -j | grep -ciF ${q(`"${rcpt}"`)} || true`)).trim());
    if (n === 0) return Math.round((Date.now() - since) / 100) / 10;
    if (Date.now() > deadline)
      throw new UserError(
        'E_BENCH_STUCK',
        `${n} messages of the run still queued after ${limitS} s`,
        { exitCode: 1 },
      );
    await sleep(200);
  }
}

/**
 * `mailctl bench pipeline`: the same load through each stage of the mail path in one run,
 * so that stages compare under the same machine load. A mailbox of the run's own receives
 * (spam thresholds raised so that nothing is greylisted), and is removed after.
 */
export async function runPipeline(
  t: BenchTarget,
  o: PipelineOptions,
  progress: (line: string) => void,
): Promise<PipelineReport> {
  const loadBefore = loadAverage();
  await refuseBusyPorts(t);
  const { users } = await addBenchMailboxes(t, 'bench', 1);
  const rcpt = users[0] ?? '';
  const runs: StageRun[] = [];
  let latency: PipelineReport['latency'];
  try {
    await setUp(t, o.server);
    const send = (port: number, count: number, concurrency: number, extra: string[] = []) =>
      t.smtp(
        [
          ...['--server', o.server, '--port', String(port), '--tls', 'none'],
          ...['--helo', 'client.example.org', '--from', 'bench@example.org', '--to', rcpt],
          ...['--count', String(count), '--concurrency', String(concurrency)],
          ...['--size', String(o.sizeBytes), ...extra],
        ],
        600_000,
      );
    // A few messages first: connections and caches warm (Dovecot's userdb connection to
    // PostgreSQL is opened on first use), so that no stage pays for them alone.
    await send(PORTS.full, o.concurrency, o.concurrency);
    await drained(t, rcpt, Date.now());
    for (const concurrency of [
      o.concurrency,
      ...o.alsoConcurrencies.filter((c) => c !== o.concurrency),
    ]) {
      for (const { id, label } of PIPELINE_STAGES) {
        const since = Date.now();
        const summary = await send(PORTS[id], o.count, concurrency);
        const drainedAfterSeconds =
          id === 'sink' ? summary.wallSeconds : await drained(t, rcpt, since);
        runs.push({ stage: id, concurrency, summary, drainedAfterSeconds });
        progress(`${label}, ${concurrency} connections: ${summary.perSecond} messages/s`);
      }
    }
    const full = runs.find((r) => r.stage === 'full' && r.concurrency === o.concurrency);
    if (o.latency && full && full.summary.perSecond > 0) {
      const rate = Math.max(1, Math.floor(full.summary.perSecond / 2));
      const count = Math.max(10, Math.min(o.count, rate * 20));
      // The journal's cursor, not a time: the previous stage's last deliveries stay out.
      const cursor = (await t.host('journalctl -q -n 0 --show-cursor -o cat'))
        .replace(/^-- cursor: /m, '')
        .trim();
      const summary = await send(PORTS.full, count, o.concurrency, ['--rate', String(rate)]);
      await drained(t, rcpt, Date.now());
      const log = await t.host(
        `journalctl -q -o cat --after-cursor=${q(cursor)} SYSLOG_IDENTIFIER=postfix/lmtp`,
      );
      latency = latencyFigures(rate, summary.sent, deliveryDelaysMs(log, rcpt));
      progress(`delivery latency at ${rate}/s: p99 ${latency.deliveredMs.p99} ms`);
    }
  } finally {
    await tearDown(t);
    await removeBenchMailboxes(t, users);
  }
  const planClean = await planIsClean(t);
  return {
    date: benchDate(),
    loadBefore,
    loadAfter: loadAverage(),
    count: o.count,
    sizeBytes: o.sizeBytes,
    runs,
    ...(latency ? { latency } : {}),
    planClean,
  };
}
