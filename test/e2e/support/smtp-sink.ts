/**
 * The internet's receiving MTA in the lab: a minimal SMTP server (RFC 5321 happy path, no
 * extensions) that stores each message it accepts in DIR. Run inside the internet
 * namespace: `node --import tsx smtp-sink.ts HOST PORT DIR [READY_FILE]`; READY_FILE appears
 * once it listens.
 */
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { smtpSession } from './smtp-session.js';

const [host = '0.0.0.0', port = '25', dir = '.', readyFile] = process.argv.slice(2);

createServer((sock) => smtpSession(sock, { name: 'mx.example.org', dir })).listen(
  Number(port),
  host,
  () => {
    if (readyFile) writeFileSync(readyFile, '');
  },
);
