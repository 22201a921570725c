import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** One step of a probe: bytes to write (as given: CRLF is the caller's), or a TLS upgrade. */
export type ProbeStep = { write: string; until: RegExp } | { starttls: true };

export interface ProbeTarget {
  host: string;
  port: number;
  /** A Unix socket to connect to instead of host:port (Dovecot's LMTP). */
  path?: string;
  /** When the greeting is complete; an SMTP reply line unless said otherwise (IMAP, POP3). */
  greeting?: RegExp;
  /** Implicit TLS from the first byte (465). */
  tls?: boolean;
  servername: string;
  /** For each read; an answer that does not come in time reads as empty. */
  timeoutMs?: number;
}

/**
 * A bounded SMTP conversation with exact bytes, for the audit's probes: the greeting, then
 * the reply text each step collected until `until` matched, the socket closed, or the
 * timeout passed. Certificates are not verified: the probes test the protocol, the TLS
 * scan tests the certificate.
 */
export async function smtpProbe(
  target: ProbeTarget,
  steps: readonly ProbeStep[],
): Promise<string[]> {
  const timeoutMs = target.timeoutMs ?? 10_000;
  let sock: Socket = await open(target, timeoutMs);
  let buffer = '';
  let wake: (() => void) | undefined;
  const attach = (s: Socket) => {
    s.on('data', (d: Buffer) => {
      buffer += d.toString('latin1');
      wake?.();
    });
    s.on('close', () => wake?.());
    s.on('error', () => wake?.());
  };
  const read = (until: RegExp) =>
    new Promise<string>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        const out = buffer;
        buffer = '';
        resolve(out);
      };
      const timer = setTimeout(done, timeoutMs);
      wake = () => {
        if (until.test(buffer) || sock.destroyed) done();
      };
      wake();
    });
  attach(sock);
  const replies = [await read(target.greeting ?? /^\d{3} /m)];
  try {
    for (const step of steps) {
      if ('starttls' in step) {
        sock.removeAllListeners('data');
        sock = await upgrade(sock, target.servername, timeoutMs);
        attach(sock);
        continue;
      }
      if (sock.destroyed) {
        replies.push('');
        continue;
      }
      sock.write(Buffer.from(step.write, 'latin1'));
      replies.push(await read(step.until));
    }
  } finally {
    sock.destroy();
  }
  return replies;
}

function open(t: ProbeTarget, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        new Error(`no connection to ${t.path ?? `${t.host}:${t.port}`} within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    const ready = () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    };
    const s: Socket = t.tls
      ? tlsConnect(
          { host: t.host, port: t.port, servername: t.servername, rejectUnauthorized: false },
          ready,
        )
      : t.path
        ? netConnect({ path: t.path }, ready)
        : netConnect({ host: t.host, port: t.port }, ready);
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function upgrade(sock: Socket, servername: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('TLS handshake timed out')), timeoutMs);
    const t = tlsConnect({ socket: sock, servername, rejectUnauthorized: false }, () => {
      clearTimeout(timer);
      resolve(t);
    });
    t.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
