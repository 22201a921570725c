/**
 * A line-protocol client (SMTP, IMAP, POP3, ManageSieve) that runs inside a lab namespace:
 * `ip netns exec NS node --import tsx net-client.ts '<json>'`. It speaks the protocol
 * byte for byte as the test writes it, so refusals can be checked by their exact reply,
 * and prints the transcript as JSON.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface Step {
  /** A line to send (CRLF is added), or raw bytes when `raw` is set. */
  send?: string;
  raw?: string;
  /** Upgrade the connection to TLS now (after the server said yes to STARTTLS/STLS). */
  starttls?: boolean;
  /** The reply is complete when the text received for this step matches (a RegExp source, multiline). */
  until?: string;
  /** Stop the dialogue here unless the reply matches (a RegExp source): a refusal ends it, as a client would. */
  expect?: string;
}

export interface DialogRequest {
  host: string;
  port: number;
  tls?: boolean;
  servername?: string;
  /** The greeting is complete when it matches this. */
  greeting?: string;
  steps: Step[];
  timeoutMs?: number;
}

export interface DialogResult {
  connected: boolean;
  error?: string;
  greeting?: string;
  replies: string[];
  tls?: { protocol: string | null; subject?: string; issuer?: string };
}

export async function dialog(req: DialogRequest): Promise<DialogResult> {
  const result: DialogResult = { connected: false, replies: [] };
  const timeoutMs = req.timeoutMs ?? 15_000;
  let sock: Socket | TLSSocket;
  try {
    sock = await open(req, timeoutMs);
  } catch (e) {
    result.error = (e as Error).message;
    return result;
  }
  result.connected = true;
  if (req.tls) result.tls = describeTls(sock as TLSSocket);
  let buffer = '';
  let waiter: (() => void) | undefined;
  const attach = (s: Socket | TLSSocket) => {
    s.on('data', (d: Buffer) => {
      buffer += d.toString('latin1');
      waiter?.();
    });
    s.on('close', () => waiter?.());
    s.on('error', () => waiter?.());
  };
  attach(sock);
  const readUntil = (pattern: string) =>
    new Promise<string>((resolve) => {
      const re = new RegExp(pattern, 'm');
      const timer = setTimeout(() => finish(), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiter = undefined;
        const out = buffer;
        buffer = '';
        resolve(out);
      };
      waiter = () => {
        if (re.test(buffer) || sock.destroyed) finish();
      };
      waiter();
    });
  try {
    let stopped = false;
    result.greeting = await readUntil(req.greeting ?? '^\\d{3} |^\\* (OK|BYE)|^\\+OK|^-ERR|^"?OK');
    for (const step of req.steps) {
      if (step.starttls) {
        sock.removeAllListeners('data');
        sock = await upgrade(sock, req, timeoutMs);
        attach(sock);
        result.tls = describeTls(sock as TLSSocket);
        result.replies.push('(tls)');
        continue;
      }
      if (stopped) {
        result.replies.push('(skipped)');
        continue;
      }
      if (sock.destroyed) {
        result.replies.push('(closed)');
        continue;
      }
      if (step.raw !== undefined) sock.write(Buffer.from(step.raw, 'latin1'));
      else if (step.send !== undefined) sock.write(`${step.send}\r\n`);
      const reply = step.until ? await readUntil(step.until) : '';
      result.replies.push(reply);
      if (step.expect && !new RegExp(step.expect, 'm').test(reply)) stopped = true;
    }
  } catch (e) {
    result.error = (e as Error).message;
  } finally {
    sock.destroy();
  }
  return result;
}

function open(req: DialogRequest, timeoutMs: number): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    // A port the firewall drops never answers: the pending socket must go too, or it keeps
    // this process (and the test waiting for it) alive through the kernel's SYN retries.
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('connect timeout'));
    }, timeoutMs);
    const s = req.tls
      ? tlsConnect(
          { host: req.host, port: req.port, servername: req.servername, rejectUnauthorized: false },
          () => {
            clearTimeout(timer);
            resolve(s);
          },
        )
      : netConnect({ host: req.host, port: req.port }, () => {
          clearTimeout(timer);
          resolve(s);
        });
    s.once('error', onError);
  }).then((s) => {
    (s as Socket).removeAllListeners('error');
    return s as Socket | TLSSocket;
  });
}

function upgrade(sock: Socket, req: DialogRequest, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('TLS handshake timeout')), timeoutMs);
    const t = tlsConnect(
      { socket: sock, servername: req.servername ?? req.host, rejectUnauthorized: false },
      () => {
        clearTimeout(timer);
        resolve(t);
      },
    );
    t.once('error', reject);
  });
}

function describeTls(s: TLSSocket): DialogResult['tls'] {
  const cert = s.getPeerCertificate();
  return {
    protocol: s.getProtocol(),
    subject: String(cert?.subject?.CN ?? ''),
    issuer: String(cert?.issuer?.CN ?? ''),
  };
}

if (process.argv[2]) {
  const req = JSON.parse(process.argv[2]) as DialogRequest;
  dialog(req).then((r) => process.stdout.write(JSON.stringify(r)));
}
