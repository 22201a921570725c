import { createConnection, type Socket } from 'node:net';
import { percentiles, type Percentiles } from './imap-load.js';

/** The socket imap-login and pop3-login ask Dovecot's auth process through (root only). */
export const AUTH_CLIENT_SOCKET = '/run/dovecot/auth-client';

export interface AuthLoad {
  socket: string;
  users: readonly string[];
  pass: string;
  /** Requests outstanding at once, over one connection (as one login process sends them). */
  concurrency: number;
  seconds: number;
}

export interface AuthFigures {
  concurrency: number;
  lookups: number;
  failed: number;
  perSecond: number;
  lookupMs: Percentiles;
}

/**
 * One PLAIN authentication in Dovecot's auth client protocol (pure). `secured` stands for
 * the TLS a login process would have (auth_allow_cleartext = no), `no-penalty` keeps the
 * run's own failures out of the auth penalty, and no rip keeps it away from per-address
 * limits.
 */
export function authRequest(id: number, user: string, pass: string): string {
  const resp = Buffer.from(`\0${user}\0${pass}`).toString('base64');
  return `AUTH\t${id}\tPLAIN\tservice=imap\tsecured\tno-penalty\tresp=${resp}\n`;
}

/** The id and outcome of a reply line (OK, FAIL; CONT never comes for PLAIN with resp=). */
export function parseAuthReply(line: string): { id: number; ok: boolean } | undefined {
  const m = /^(OK|FAIL)\t(\d+)(\t|$)/.exec(line);
  return m ? { id: Number(m[2]), ok: m[1] === 'OK' } : undefined;
}

function handshake(sock: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      if (/^DONE$/m.test(buf)) {
        sock.off('data', onData);
        resolve();
      }
    };
    sock.on('data', onData);
    sock.once('error', reject);
    sock.write(`VERSION\t1\t2\nCPID\t${process.pid}\n`);
  });
}

/**
 * `bench auth-load`, run on the host: PLAIN logins straight to Dovecot's auth process for a
 * fixed time, `concurrency` in flight; what the auth process and its passdb (PostgreSQL,
 * or the auth cache) sustain, without TLS or IMAP in the way.
 */
export async function runAuthLoad(o: AuthLoad): Promise<AuthFigures> {
  const sock = createConnection(o.socket);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  await handshake(sock);
  const started = new Map<number, number>();
  const latencies: number[] = [];
  let failed = 0;
  let next = 1;
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  const send = () => {
    const id = next++;
    started.set(id, performance.now());
    sock.write(authRequest(id, o.users[id % o.users.length] ?? '', o.pass));
  };
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    // Bounded: an auth process that stops answering ends the run, not hangs it.
    const timer = setTimeout(
      () => reject(new Error(`${started.size} lookups unanswered after the run`)),
      o.seconds * 1000 + 30_000,
    );
    sock.on('error', reject);
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const reply = parseAuthReply(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        const t = reply && started.get(reply.id);
        if (!reply || t === undefined) continue;
        started.delete(reply.id);
        if (reply.ok) latencies.push(performance.now() - t);
        else failed++;
        if (performance.now() < end) send();
        else if (started.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    for (let i = 0; i < o.concurrency; i++) send();
  });
  sock.end();
  const wall = (performance.now() - t0) / 1000;
  return {
    concurrency: o.concurrency,
    lookups: latencies.length,
    failed,
    perSecond: Math.round((latencies.length / wall) * 10) / 10,
    lookupMs: percentiles(latencies),
  };
}
