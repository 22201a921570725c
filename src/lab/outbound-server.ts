import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { mustRun, run, sleep, spawnDetached } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import { labAcmeFiles } from './acme.js';
import type { LabLayout } from './layout.js';
import {
  LAB_DANE_ZONE,
  LAB_NSD_PORT,
  LAB_OUTBOUND_ADDRESSES,
  LAB_RECEIVERS,
  labDaneZone,
  labNsdConfig,
  labOutboundFiles,
  tlsa311,
  type LabReceiverName,
} from './outbound-world.js';
import { processAlive } from './state.js';

const openssl = (args: string[]) => mustRun('openssl', args);
const ecKey = (out: string) =>
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]);

async function selfSigned(key: string, cert: string, name: string): Promise<void> {
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-sha256',
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=DNS:${name}`,
    '-out',
    cert,
  ]);
}

/** A server certificate for these names signed by the lab's CA (the one the lab host trusts). */
async function caSigned(l: LabLayout, key: string, cert: string, names: string[]): Promise<void> {
  const ca = labAcmeFiles(l);
  const f = labOutboundFiles(l);
  const csr = `${cert}.csr`;
  await openssl(['req', '-new', '-key', key, '-subj', `/CN=${names[0] ?? ''}`, '-out', csr]);
  await writeFile(
    f.extensions,
    [
      'basicConstraints = CA:FALSE',
      'keyUsage = digitalSignature',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${names.map((n) => `DNS:${n}`).join(', ')}`,
      '',
    ].join('\n'),
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.caCert,
    '-CAkey',
    ca.caKey,
    '-CAcreateserial',
    '-days',
    '30',
    '-sha256',
    '-extfile',
    f.extensions,
    '-out',
    cert,
  ]);
}

/**
 * Makes (once per lab) the receivers' keys and certificates and the signed zone's key, then
 * signs the zone afresh (its signatures run for four weeks from now). Needs the lab's CA
 * (prepareLabAcme). Returns the zone's trust anchor: its DNSKEY record.
 */
export async function prepareLabOutbound(l: LabLayout): Promise<string> {
  const f = labOutboundFiles(l);
  await mkdir(f.dir, { recursive: true, mode: 0o700 });
  if (!existsSync(`${f.zoneKeyPrefix}.key`)) {
    for (const [name, r] of Object.entries(LAB_RECEIVERS) as [
      LabReceiverName,
      (typeof LAB_RECEIVERS)[LabReceiverName],
    ][]) {
      await ecKey(f.key(name));
      if (r.kind === 'mta-sts' && r.good) await caSigned(l, f.key(name), f.cert(name), [r.mx]);
      else await selfSigned(f.key(name), f.cert(name), r.mx);
    }
    await ecKey(f.key('policy'));
    const sts = [LAB_RECEIVERS.stsGood, LAB_RECEIVERS.stsBad];
    await caSigned(
      l,
      f.key('policy'),
      f.cert('policy'),
      sts.map((r) => `mta-sts.${r.domain}`),
    );
    // One key that signs the zone and is its secure entry point (flags 257).
    const made = await mustRun('ldns-keygen', ['-a', 'ECDSAP256SHA256', '-k', LAB_DANE_ZONE], {
      cwd: f.dir,
    });
    const base = `${f.dir}/${made.stdout.trim()}`;
    for (const ext of ['key', 'private'])
      await rename(`${base}.${ext}`, `${f.zoneKeyPrefix}.${ext}`);
    for (const leftover of (await readdir(f.dir)).filter((n) => n.endsWith('.ds'))) {
      await rename(`${f.dir}/${leftover}`, `${f.zoneKeyPrefix}.ds`);
    }
  }
  // Both TLSA records name the good receiver's key: the bad one's server holds another.
  const good = tlsa311(await readFile(f.key('daneGood'), 'utf8'));
  await writeFile(f.zone, labDaneZone(l, { good, bad: good }));
  await mustRun('ldns-signzone', ['-f', `${f.zone}.signed`, f.zone, f.zoneKeyPrefix]);
  await writeFile(f.nsdConf, labNsdConfig(l));
  await mustRun('nsd-checkconf', [f.nsdConf]);
  // ldns-keygen writes the DNSKEY with a comment after it; unbound wants the record alone.
  const dnskey = (await readFile(`${f.zoneKeyPrefix}.key`, 'utf8')).replace(/\s*;.*$/gm, '');
  return `${dnskey.trim()}\n`;
}

/** Gives the internet namespace the receivers' addresses (after createNetworks). */
export async function addLabOutboundAddresses(l: LabLayout): Promise<void> {
  for (const a of LAB_OUTBOUND_ADDRESSES) {
    await mustRun('ip', ['-n', l.netns.internet, 'addr', 'add', `${a}/32`, 'dev', 'eth0']);
  }
}

/** Starts nsd with the signed zone in the internet namespace; ready once it answers. */
export async function startLabNsd(l: LabLayout): Promise<number> {
  const f = labOutboundFiles(l);
  const old = Number((await readFile(f.nsdPid, 'utf8').catch(() => '')).trim());
  if (processAlive(old)) process.kill(old, 'SIGTERM');
  const pid = spawnDetached(
    'ip',
    ['netns', 'exec', l.netns.internet, 'nsd', '-d', '-c', f.nsdConf],
    `${f.nsdLog}.console`,
  );
  for (let i = 0; i < 100; i++) {
    const r = await run('ip', [
      'netns',
      'exec',
      l.netns.internet,
      'drill',
      '-p',
      String(LAB_NSD_PORT),
      `@${l.net.internetRouter4}`,
      LAB_DANE_ZONE,
      'SOA',
    ]);
    if (r.code === 0 && r.stdout.includes('rcode: NOERROR')) return pid;
    await sleep(100);
  }
  throw new UserError('E_LAB_NSD', `the lab's signed zone did not answer (see ${f.nsdLog})`);
}
