/**
 * The internet's receiving MTA in the lab: a minimal SMTP server (RFC 5321 happy path, no
 * extensions) that stores each message it accepts in DIR. Run inside the internet
 * namespace: `node --import tsx smtp-sink.ts HOST PORT DIR [READY_FILE]`; READY_FILE appears
 * once it listens.
 */
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [host = '0.0.0.0', port = '25', dir = '.', readyFile] = process.argv.slice(2);
let n = 0;

createServer((sock) => {
  let buf = '';
  let inData = false;
  sock.write('220 mx.example.org ESMTP sink\r\n');
  sock.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    for (;;) {
      if (inData) {
        const end = buf.indexOf('\r\n.\r\n');
        if (end < 0) return;
        const body = buf.slice(0, end + 2).replace(/^\.\./gm, '.');
        buf = buf.slice(end + 5);
        inData = false;
        writeFileSync(join(dir, `${Date.now()}-${n++}.eml`), body, 'latin1');
        sock.write('250 2.0.0 stored\r\n');
        continue;
      }
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return;
      const line = buf.slice(0, eol).toUpperCase();
      buf = buf.slice(eol + 2);
      if (line.startsWith('EHLO') || line.startsWith('HELO')) sock.write('250 mx.example.org\r\n');
      else if (line.startsWith('DATA')) {
        inData = true;
        sock.write('354 go ahead\r\n');
      } else if (line.startsWith('QUIT')) sock.end('221 bye\r\n');
      else sock.write('250 ok\r\n');
    }
  });
  sock.on('error', () => sock.destroy());
}).listen(Number(port), host, () => {
  if (readyFile) writeFileSync(readyFile, '');
});
