import { ImapFlow } from 'imapflow';
import { percentile } from './stats.js';

export interface ImapLoad {
  host: string;
  port: number;
  /** Mailboxes to log in as, in turn: Dovecot allows mail_max_userip_connections (10) each. */
  users: readonly string[];
  pass: string;
  clients: number;
  stormWorkers: number;
  seconds: number;
  /**
   * Steady state: each client starts a round every this many ms (0: back to back). Back to
   * back, 100 clients measure the host's round throughput and the queue in front of it; a
   * real client reads now and then, so a paced run measures the latency at an offered load.
   */
  roundIntervalMs: number;
  /** Accept the host's certificate without a CA (a lab's or a fresh host's). */
  insecure: boolean;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ImapFigures {
  steady: {
    clients: number;
    connected: number;
    roundIntervalMs: number;
    rounds: number;
    /** Rounds completed per second over the phase. */
    perSecond: number;
    errors: number;
    roundMs: Percentiles;
    /** The load generator's CPU over the phase, in % of one core. */
    clientCpuPercent: number;
  };
  storm: {
    workers: number;
    sessions: number;
    errors: number;
    perSecond: number;
    sessionMs: Percentiles;
    clientCpuPercent: number;
  };
  firstError?: string;
}

export function percentiles(values: readonly number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1] ?? 0),
  };
}

/** CPU time this process spent while `fn` ran, as % of one core of wall time. */
async function withCpu<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const cpu = process.cpuUsage(cpu0);
  const wallUs = (performance.now() - t0) * 1000;
  return [out, wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10 : 0];
}

/**
 * Two loads a real host sees, with imapflow (a maintained client that mail apps build on):
 * clients that stay connected and read, and a storm of new sessions as after an outage.
 */
export async function runImapLoad(l: ImapLoad): Promise<ImapFigures> {
  let firstError: string | undefined;
  const fail = (e: unknown) => {
    firstError ??= (e as Error).message;
  };
  const client = (i: number) =>
    new ImapFlow({
      host: l.host,
      port: l.port,
      secure: true,
      tls: { rejectUnauthorized: !l.insecure },
      auth: { user: l.users[i % l.users.length] ?? '', pass: l.pass },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });

  // Steady state: log in (10 at a time, not a storm), then SELECT + FETCH rounds.
  const [steady, steadyCpu] = await withCpu(async () => {
    const sessions: ImapFlow[] = [];
    let errors = 0;
    for (let i = 0; i < l.clients; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, l.clients - i) }, async (_, k) => {
          const c = client(i + k);
          try {
            await c.connect();
            sessions.push(c);
          } catch (e) {
            errors++;
            fail(e);
          }
        }),
      );
    }
    const rounds: number[] = [];
    const start = performance.now();
    const deadline = start + l.seconds * 1000;
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all(
      sessions.map(async (c, i) => {
        // Paced clients start spread over one interval, not all at once.
        let due = start + (l.roundIntervalMs * i) / sessions.length;
        for (let n = 0; ; n++) {
          if (l.roundIntervalMs > 0) {
            // Decided on the due time, not the clock after the pause: a timer may fire a
            // fraction of a millisecond early, and a round due at the deadline is not one.
            if (due >= deadline) break;
            await pause(Math.max(0, due - performance.now()));
            // A round that overran its interval is not made up for: the next one is due
            // one interval after it ended, as a client reading now and then behaves.
            due = Math.max(due + l.roundIntervalMs, performance.now());
          } else if (performance.now() >= deadline) break;
          const t0 = performance.now();
          try {
            // Alternating EXAMINE and SELECT: imapflow skips a SELECT of the open mailbox.
            await c.mailboxOpen('INBOX', { readOnly: n % 2 === 0 });
            for await (const m of c.fetch('1:10', { envelope: true, headers: true })) void m;
            await c.fetchOne('*', { source: true });
            rounds.push(performance.now() - t0);
          } catch (e) {
            errors++;
            fail(e);
            return;
          }
        }
      }),
    );
    const wallS = (performance.now() - start) / 1000;
    await Promise.all(sessions.map((c) => c.logout().catch(() => undefined)));
    return { connected: sessions.length, rounds, errors, wallS };
  });

  // Login storm: each session a TLS connect, LOGIN, SELECT and LOGOUT, back to back.
  const [storm, stormCpu] = await withCpu(async () => {
    const times: number[] = [];
    let errors = 0;
    const t0 = performance.now();
    const deadline = t0 + l.seconds * 1000;
    await Promise.all(
      Array.from({ length: l.stormWorkers }, async (_, w) => {
        while (performance.now() < deadline) {
          const s0 = performance.now();
          const c = client(w);
          try {
            await c.connect();
            await c.mailboxOpen('INBOX');
            await c.logout();
            times.push(performance.now() - s0);
          } catch (e) {
            errors++;
            fail(e);
            c.close();
          }
        }
      }),
    );
    return { times, errors, wallS: (performance.now() - t0) / 1000 };
  });

  return {
    steady: {
      clients: l.clients,
      connected: steady.connected,
      roundIntervalMs: l.roundIntervalMs,
      rounds: steady.rounds.length,
      perSecond: Math.round((steady.rounds.length / steady.wallS) * 10) / 10,
      errors: steady.errors,
      roundMs: percentiles(steady.rounds),
      clientCpuPercent: steadyCpu,
    },
    storm: {
      workers: l.stormWorkers,
      sessions: storm.times.length,
      errors: storm.errors,
      perSecond: Math.round((storm.times.length / storm.wallS) * 10) / 10,
      sessionMs: percentiles(storm.times),
      clientCpuPercent: stormCpu,
    },
    ...(firstError ? { firstError } : {}),
  };
}
