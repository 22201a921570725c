import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { summarize, type BenchSummary } from './stats.js';

export interface SmtpLoad {
  server: string;
  port: number;
  /** 'implicit' (465), 'starttls' (587, or 25 as a sending MTA would), 'none'. */
  tls: 'implicit' | 'starttls' | 'none';
  /** Accept a certificate no CA vouches for (a fresh host's self-signed one). */
  insecure: boolean;
  auth?: { user: string; pass: string };
  from: string;
  to: string;
  count: number;
  concurrency: number;
  sizeBytes: number;
  /** The name to greet with (EHLO); spam filters score a name that does not resolve. */
  helo?: string;
  /**
   * Start message i no earlier than i / rate seconds after the first (a fixed offered load,
   * for latency); unset: as fast as the connections go.
   */
  ratePerSecond?: number;
  /**
   * Messages on one connection before it is closed and a new one opened; unset: no limit.
   * With 1, every latency is a whole session (connect, banner, EHLO, STARTTLS, one message),
   * as from a new sender: what postscreen(8) costs.
   */
  messagesPerConnection?: number;
}

/** A tag that marks every message of one run, for finding them again over IMAP. */
export const newRunId = () => `mailctl-bench-${randomBytes(6).toString('hex')}`;

/** Plain text of about `size` bytes in lines of 72 characters, as mail clients write. */
function body(size: number): string {
  const line = 'The quick brown fox jumps over the lazy dog, again and again and again.\r\n';
  return line.repeat(Math.max(1, Math.ceil(size / line.length)));
}

/**
 * Sends `count` messages over `concurrency` connections, each connection sending one
 * message after another (as a busy MTA does), and times every SMTP transaction from
 * MAIL FROM to the final reply. nodemailer does the protocol: a mature, dependency-free client.
 */
export async function runSmtpLoad(
  load: SmtpLoad,
  runId: string,
  onStart: () => void = () => undefined,
): Promise<BenchSummary> {
  // The run's tag in the body too: Rspamd's greylisting remembers a body by its hash.
  const text = `${runId}\r\n${body(load.sizeBytes)}`;
  const transports = Array.from({ length: load.concurrency }, () =>
    nodemailer.createTransport({
      host: load.server,
      port: load.port,
      secure: load.tls === 'implicit',
      requireTLS: load.tls === 'starttls',
      ignoreTLS: load.tls === 'none',
      tls: { rejectUnauthorized: !load.insecure },
      auth: load.auth,
      ...(load.helo ? { name: load.helo } : {}),
      pool: true,
      maxConnections: 1,
      maxMessages: load.messagesPerConnection ?? Infinity,
      connectionTimeout: 10_000,
      socketTimeout: 60_000,
    }),
  );
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  onStart();
  const started = performance.now();
  await Promise.all(
    transports.map(async (t) => {
      for (let i = next++; i < load.count; i = next++) {
        if (load.ratePerSecond) {
          const due = started + (i * 1000) / load.ratePerSecond - performance.now();
          if (due > 0) await new Promise((r) => setTimeout(r, due));
        }
        const t0 = performance.now();
        try {
          await t.sendMail({
            from: load.from,
            to: load.to,
            subject: `${runId} ${i + 1}/${load.count}`,
            text,
          });
          latencies.push(performance.now() - t0);
        } catch (e) {
          failed++;
          firstError ??= (e as Error).message;
        }
      }
      t.close();
    }),
  );
  return {
    ...summarize(latencies, failed, performance.now() - started),
    ...(firstError ? { firstError } : {}),
  };
}
