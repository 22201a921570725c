import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { mustRun, run, sleep, spawnDetached } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import {
  LAB_ACME_DIRECTORY,
  LAB_ACME_HOST,
  labAcmeFiles,
  pebbleCertExtensions,
  pebbleConfig,
} from './acme.js';
import type { LabLayout } from './layout.js';
import { processAlive } from './state.js';

/**
 * Makes the lab's own small CA and pebble's https certificate signed by it (once per lab);
 * returns the CA certificate (PEM), which the lab host gets as its ACME CA file.
 */
export async function prepareLabAcme(l: LabLayout): Promise<string> {
  const f = labAcmeFiles(l);
  await mkdir(f.dir, { recursive: true, mode: 0o700 });
  if (!existsSync(f.cert)) {
    const ossl = (args: string[]) => mustRun('openssl', args);
    const ecKey = (out: string) =>
      ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]);
    await ecKey(f.caKey);
    await ossl([
      'req',
      '-x509',
      '-new',
      '-key',
      f.caKey,
      '-sha256',
      '-days',
      '30',
      '-subj',
      `/CN=mailctl lab ${l.name} ACME server CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      f.caCert,
    ]);
    await ecKey(f.key);
    await ossl(['req', '-new', '-key', f.key, '-subj', `/CN=${LAB_ACME_HOST}`, '-out', f.csr]);
    await writeFile(f.extensions, pebbleCertExtensions(l));
    await ossl([
      'x509',
      '-req',
      '-in',
      f.csr,
      '-CA',
      f.caCert,
      '-CAkey',
      f.caKey,
      '-CAcreateserial',
      '-days',
      '30',
      '-sha256',
      '-extfile',
      f.extensions,
      '-out',
      f.cert,
    ]);
  }
  return readFile(f.caCert, 'utf8');
}

/**
 * Starts pebble in the internet namespace. It resolves the names it validates with the
 * lab world's DNS (dnsmasq on the internet router), so it must start after that.
 */
export async function startLabAcme(l: LabLayout): Promise<number> {
  const f = labAcmeFiles(l);
  const old = Number((await readFile(f.pid, 'utf8').catch(() => '')).trim());
  if (processAlive(old)) process.kill(old, 'SIGTERM');
  await writeFile(f.config, pebbleConfig(l));
  const pid = spawnDetached(
    'ip',
    [
      'netns',
      'exec',
      l.netns.internet,
      // No random sleep before validating, and no nonces refused at random: pebble's
      // defaults test a client's retries, which is certbot's business, not the lab's.
      'env',
      'PEBBLE_VA_NOSLEEP=1',
      'PEBBLE_WFE_NONCEREJECT=0',
      'pebble',
      '-config',
      f.config,
      '-dnsserver',
      `${l.net.internetRouter4}:53`,
    ],
    f.log,
  );
  await writeFile(f.pid, `${pid}\n`);
  for (let i = 0; i < 100; i++) {
    const r = await run('ip', [
      'netns',
      'exec',
      l.netns.internet,
      'curl',
      '-sf',
      '--max-time',
      '2',
      '--cacert',
      f.caCert,
      LAB_ACME_DIRECTORY,
    ]);
    if (r.code === 0) return pid;
    await sleep(100);
  }
  throw new UserError(
    'E_LAB_ACME',
    `the lab's ACME server did not answer at ${LAB_ACME_DIRECTORY} (see ${f.log})`,
  );
}
