import { UserError } from '../../util/errors.js';
import { parseAddress, parseSize } from '../accounts/address.js';
import type { SmtpLoad } from './smtp-load.js';

/** `mailctl bench smtp` options as commander hands them over (strings). */
export interface RawBenchOptions {
  server: string;
  port: string;
  tls: string;
  insecure?: boolean;
  from: string;
  to: string;
  count: string;
  concurrency: string;
  size: string;
  auth?: string;
  imap?: string;
  timeout: string;
  helo?: string;
  rate?: string;
  perConnection?: string;
}

export interface BenchPlan {
  load: Omit<SmtpLoad, 'auth'> & { authUser?: string };
  imap?: { host: string; port: number; user: string; timeoutSeconds: number };
}

/** A whole number option within bounds, or a usage error that names the option (pure). */
export function parseCount(option: string, input: string, min: number, max: number): number {
  const n = Number(input);
  if (!/^\d+$/.test(input.trim()) || n < min || n > max)
    throw new UserError(
      'E_USAGE',
      `${option}: '${input}' is not a whole number from ${min} to ${max}`,
    );
  return n;
}

/**
 * Checks a benchmark's options before anything is sent (pure). Counts are bounded so that
 * a typo cannot turn a benchmark into a flood.
 */
export function parseBenchOptions(o: RawBenchOptions): BenchPlan {
  if (!['none', 'starttls', 'implicit'].includes(o.tls))
    throw new UserError('E_USAGE', `--tls: '${o.tls}' is not one of none, starttls, implicit`);
  const to = parseAddress(o.to).address;
  const authUser = o.auth === undefined ? undefined : parseAddress(o.auth).address;
  if (authUser && o.tls === 'none')
    throw new UserError(
      'E_USAGE',
      '--auth needs --tls starttls or implicit: a password never crosses in clear',
    );
  let imap: BenchPlan['imap'];
  if (o.imap !== undefined) {
    if (authUser && authUser !== to)
      throw new UserError(
        'E_USAGE',
        '--auth and --imap read one password from stdin: send to the account you log in as',
      );
    const [host = '', port = '993'] = o.imap.split(':');
    if (!host) throw new UserError('E_USAGE', `--imap: '${o.imap}' is not HOST or HOST:PORT`);
    imap = {
      host,
      port: parseCount('--imap port', port, 1, 65535),
      user: to,
      timeoutSeconds: parseCount('--timeout', o.timeout, 1, 3600),
    };
  }
  return {
    load: {
      server: o.server,
      port: parseCount('--port', o.port, 1, 65535),
      tls: o.tls as SmtpLoad['tls'],
      insecure: Boolean(o.insecure),
      from: parseAddress(o.from).address,
      to,
      count: parseCount('--count', o.count, 1, 10_000),
      concurrency: parseCount('--concurrency', o.concurrency, 1, 64),
      sizeBytes: Math.min(parseSize(o.size), 50 * 1024 ** 2),
      ...(o.helo ? { helo: o.helo } : {}),
      ...(o.rate === undefined ? {} : { ratePerSecond: parseCount('--rate', o.rate, 1, 10_000) }),
      ...(o.perConnection === undefined
        ? {}
        : { messagesPerConnection: parseCount('--per-connection', o.perConnection, 1, 10_000) }),
      ...(authUser ? { authUser } : {}),
    },
    ...(imap ? { imap } : {}),
  };
}
