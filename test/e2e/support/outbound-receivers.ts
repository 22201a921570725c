/**
 * The lab world's receivers of outbound DANE and MTA-STS mail (src/lab/outbound-world.ts):
 * an SMTP server with STARTTLS on each receiver's address, presenting that receiver's
 * certificate, and the https server of both MTA-STS domains' policies. Run inside the
 * internet namespace: `node --import tsx outbound-receivers.ts LAB DIR READY_FILE`; each
 * receiver stores what it accepts in DIR/<receiver>/, READY_FILE appears once all listen.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import { labLayout } from '../../../src/lab/layout.js';
import {
  LAB_MTA_STS_POLICY_ADDRESS,
  LAB_RECEIVERS,
  labMtaStsPolicy,
  labOutboundFiles,
  type LabReceiverName,
} from '../../../src/lab/outbound-world.js';
import { smtpSession } from './smtp-session.js';

const [lab = '', dir = '.', readyFile = ''] = process.argv.slice(2);
const f = labOutboundFiles(labLayout(lab));
const pem = (p: string) => readFileSync(p, 'utf8');

const listening: Promise<void>[] = [];
for (const name of Object.keys(LAB_RECEIVERS) as LabReceiverName[]) {
  const r = LAB_RECEIVERS[name];
  const store = join(dir, name);
  mkdirSync(store, { recursive: true });
  const tls = createSecureContext({ key: pem(f.key(name)), cert: pem(f.cert(name)) });
  const server = createServer((sock) => smtpSession(sock, { name: r.mx, dir: store, tls }));
  listening.push(new Promise((done) => server.listen(25, r.address, done)));
}

const policies = new Map(
  Object.values(LAB_RECEIVERS)
    .filter((r) => r.kind === 'mta-sts')
    .map((r) => [`mta-sts.${r.domain}`, labMtaStsPolicy(r)]),
);
const https = createHttpsServer(
  { key: pem(f.key('policy')), cert: pem(f.cert('policy')) },
  (req, res) => {
    const policy = policies.get((req.headers.host ?? '').replace(/:\d+$/, ''));
    if (req.url !== '/.well-known/mta-sts.txt' || policy === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(policy);
  },
);
listening.push(new Promise((done) => https.listen(443, LAB_MTA_STS_POLICY_ADDRESS, done)));

await Promise.all(listening);
writeFileSync(readyFile, '');
