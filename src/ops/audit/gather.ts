import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MailHostContext } from '../../render/host-context.js';
import { run } from '../../util/exec.js';
import type { Progress } from '../../util/progress.js';
import { evaluateLynis, LYNIS_TARGET, parseLynisReport } from './lynis.js';
import { buildReport } from './report.js';
import { smtpProbes } from './smtp-probes.js';
import { evaluateSockets, intendedSockets, parseSs } from './sockets.js';
import { tlsChecks } from './tls-scan.js';
import { onHostTlsTargets, selectTlsTargets } from './tls-targets.js';
import type { AuditCheck, AuditReport } from './types.js';

export interface AuditOptions {
  tls: boolean;
  lynis: boolean;
  /** Only these TLS ports (default: every one). */
  tlsPorts?: number[];
  /** tls.mode is self-signed: the certificate's own findings are expected. */
  selfSigned: boolean;
}

/** The probes and scans, run on the host against its own public and VPN addresses. */
export async function runAudit(
  ctx: MailHostContext,
  opts: AuditOptions,
  progress: Progress,
): Promise<AuditReport> {
  const targets = opts.tls ? selectTlsTargets(onHostTlsTargets(ctx), opts.tlsPorts) : [];
  const work = await mkdtemp('/tmp/mailctl-audit-');
  try {
    // The slow scans run while the quick probes do.
    const slow = Promise.all([
      tlsChecks(ctx.fqdn, targets, { work, selfSigned: opts.selfSigned }, progress),
      opts.lynis ? lynisIndex(work, progress) : Promise.resolve(undefined),
    ]);
    progress.step('listening sockets and SMTP probes');
    const ss = await run('ss', ['-Htlnu']);
    const checks: AuditCheck[] = [evaluateSockets(parseSs(ss.stdout), intendedSockets(ctx))];
    checks.push(...(await smtpProbes(ctx, ctx.publicAddresses[0] ?? ctx.vpnAddress)));
    const [tls, index] = await slow;
    checks.push(...tls.checks);
    if (opts.lynis) checks.push(evaluateLynis(index));
    return buildReport(
      checks,
      tls.scans,
      index === undefined ? undefined : { hardeningIndex: index, target: LYNIS_TARGET },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function lynisIndex(work: string, progress: Progress): Promise<number | undefined> {
  progress.step('Lynis system audit');
  const report = join(work, 'lynis-report.dat');
  try {
    await run(
      'lynis',
      [
        'audit',
        'system',
        '--quick',
        '--no-colors',
        '--quiet',
        '--report-file',
        report,
        '--log-file',
        join(work, 'lynis.log'),
      ],
      { timeoutMs: 20 * 60_000 },
    );
  } catch {
    // Lynis missing or unable to start is a failed check ("no hardening index"), as a
    // missing testssl is, not an audit that dies while the SMTP probes are still running.
    return undefined;
  }
  return existsSync(report) ? parseLynisReport(await readFile(report, 'utf8')) : undefined;
}
