import { connect, type TLSSocket } from 'node:tls';

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * Counts the messages in INBOX whose subject carries `tag`, over IMAPS. Only LOGIN, EXAMINE
 * and SEARCH are needed, too little to bring in an IMAP library for.
 */
export async function countTagged(opts: {
  host: string;
  port: number;
  user: string;
  pass: string;
  insecure: boolean;
  tag: string;
}): Promise<number> {
  const sock: TLSSocket = await new Promise((resolve, reject) => {
    const s = connect(
      { host: opts.host, port: opts.port, rejectUnauthorized: !opts.insecure, timeout: 10_000 },
      () => resolve(s),
    );
    s.once('error', reject);
    s.once('timeout', () => s.destroy(new Error(`IMAP ${opts.host}:${opts.port}: timed out`)));
  });
  let buffer = '';
  let wake: (() => void) | undefined;
  sock.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    wake?.();
  });
  sock.on('close', () => wake?.());
  const until = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = re.exec(buffer);
        if (m) {
          const out = buffer.slice(0, m.index + m[0].length);
          buffer = buffer.slice(m.index + m[0].length);
          wake = undefined;
          resolve(out);
        } else if (sock.destroyed) reject(new Error('IMAP connection closed'));
      };
      wake = check;
      check();
    });
  try {
    await until(/^\* (OK|PREAUTH).*\r\n/m);
    sock.write(`a1 LOGIN ${quote(opts.user)} ${quote(opts.pass)}\r\n`);
    if (!/^a1 OK/m.test(await until(/^a1 .*\r\n/m))) throw new Error('IMAP login refused');
    sock.write('a2 EXAMINE INBOX\r\n');
    await until(/^a2 .*\r\n/m);
    sock.write(`a3 SEARCH SUBJECT ${quote(opts.tag)}\r\n`);
    const reply = await until(/^a3 .*\r\n/m);
    const hits = /^\* SEARCH(.*)\r\n/m.exec(reply)?.[1]?.trim() ?? '';
    sock.write('a4 LOGOUT\r\n');
    return hits ? hits.split(/\s+/).length : 0;
  } finally {
    sock.destroy();
  }
}
