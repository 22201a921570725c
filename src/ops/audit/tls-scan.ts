import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../util/exec.js';
import { isUserError } from '../../util/errors.js';
import type { Progress } from '../../util/progress.js';
import { evaluateTls, evaluateTlsScannerMissing, parseTestssl } from './tls.js';
import type { TlsTarget } from './tls-targets.js';
import type { AuditCheck, TlsScan } from './types.js';

/**
 * testssl.sh on each target, by name (so the certificate is checked against it), all at
 * once; JSON files go to `work`. A machine without testssl gets one failing line saying how
 * to get it, instead of an aborted audit.
 */
export async function tlsChecks(
  fqdn: string,
  targets: readonly TlsTarget[],
  opts: { work: string; selfSigned: boolean },
  progress: Progress,
): Promise<{ scans: TlsScan[]; checks: AuditCheck[] }> {
  if (targets.length === 0) return { scans: [], checks: [] };
  progress.step(`TLS scan (testssl) of ${targets.map((t) => t.port).join(', ')}`);
  const scans = await Promise.all(
    targets.map(async (t) => {
      const json = join(opts.work, `testssl-${t.port}.json`);
      // -p protocols, -s cipher categories, -f forward secrecy, -S server defaults (the
      // certificate), -U vulnerabilities.
      const args = [
        '--quiet',
        '--warnings',
        'off',
        '--color',
        '0',
        '--jsonfile',
        json,
        '-p',
        '-s',
        '-f',
        '-S',
        '-U',
        // testssl leaves IPv6 alone unless told, even for an IPv6 --ip.
        ...(t.ip.includes(':') ? ['-6'] : []),
        '--ip',
        t.ip,
        ...(t.starttls ? ['--starttls', t.starttls] : []),
        `${fqdn}:${t.port}`,
      ];
      // Debian's testssl.sh package installs the script as `testssl`. Its exit status counts
      // findings, so only the JSON file says whether the scan ran.
      try {
        await run('testssl', args, { timeoutMs: 20 * 60_000 });
      } catch (e) {
        if (isUserError(e) && e.code === 'E_COMMAND_MISSING') return undefined;
        throw e;
      }
      if (!existsSync(json))
        return {
          port: t.port,
          protocols: [],
          findings: [{ id: 'scan', severity: 'FATAL', finding: 'testssl produced no result' }],
          accepted: [],
        };
      return parseTestssl(t.port, await readFile(json, 'utf8'), opts.selfSigned);
    }),
  );
  const ran = scans.filter((s): s is TlsScan => s !== undefined);
  if (ran.length < scans.length) return { scans: [], checks: [evaluateTlsScannerMissing()] };
  return { scans: ran, checks: ran.map(evaluateTls) };
}
