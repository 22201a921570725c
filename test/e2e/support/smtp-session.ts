/**
 * One SMTP server session of the lab world's receiving MTAs (RFC 5321 happy path): each
 * message accepted is stored in `dir`. With `tls`, EHLO offers STARTTLS and the session
 * goes on over TLS with that certificate (RFC 3207).
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SmtpSessionOptions {
  name: string;
  dir: string;
  tls?: SecureContext;
}

let stored = 0;

export function smtpSession(sock: Socket, opts: SmtpSessionOptions, greet = true): void {
  let buf = '';
  let inData = false;
  const onData = (d: Buffer) => {
    buf += d.toString('latin1');
    for (;;) {
      if (inData) {
        const end = buf.indexOf('\r\n.\r\n');
        if (end < 0) return;
        const body = buf.slice(0, end + 2).replace(/^\.\./gm, '.');
        buf = buf.slice(end + 5);
        inData = false;
        writeFileSync(join(opts.dir, `${Date.now()}-${stored++}.eml`), body, 'latin1');
        sock.write('250 2.0.0 stored\r\n');
        continue;
      }
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return;
      const line = buf.slice(0, eol).toUpperCase();
      buf = buf.slice(eol + 2);
      if (line.startsWith('EHLO') && opts.tls) sock.write(`250-${opts.name}\r\n250 STARTTLS\r\n`);
      else if (line.startsWith('EHLO') || line.startsWith('HELO'))
        sock.write(`250 ${opts.name}\r\n`);
      else if (line.startsWith('STARTTLS') && opts.tls) {
        sock.off('data', onData);
        sock.write('220 2.0.0 ready to start TLS\r\n');
        const tls = new TLSSocket(sock, { isServer: true, secureContext: opts.tls });
        tls.on('error', () => tls.destroy());
        // A fresh session over TLS: the client says EHLO again, and STARTTLS is not offered.
        smtpSession(tls, { name: opts.name, dir: opts.dir }, false);
        return;
      } else if (line.startsWith('DATA')) {
        inData = true;
        sock.write('354 go ahead\r\n');
      } else if (line.startsWith('QUIT')) sock.end('221 bye\r\n');
      else sock.write('250 ok\r\n');
    }
  };
  if (greet) sock.write(`220 ${opts.name} ESMTP sink\r\n`);
  sock.on('data', onData);
  sock.on('error', () => sock.destroy());
}
