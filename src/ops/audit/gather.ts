import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MailHostContext } from '../../render/host-context.js';
import { run } from '../../util/exec.js';
import type { Progress } from '../../util/progress.js';
import { evaluateLynis, LYNIS_TARGET, parseLynisReport } from './lynis.js';
import { buildReport } from './report.js';
import {
  evaluateAuthBeforeTls,
  evaluateOpenRelay,
  evaluateSmuggling,
  evaluateStarttlsInjection,
  replyCode,
} from './smtp-checks.js';
import { smtpProbe, type ProbeTarget } from './smtp-dialog.js';
import { evaluateSockets, intendedSockets, parseSs } from './sockets.js';
import { evaluateTls, parseTestssl } from './tls.js';
import type { AuditCheck, AuditReport, TlsScan } from './types.js';

export interface AuditOptions {
  tls: boolean;
  lynis: boolean;
  /** tls.mode is self-signed: the certificate's own findings are expected. */
  selfSigned: boolean;
}

const until = /^\d{3} /m;
const line = (s: string) => ({ write: `${s}\r\n`, until });

/** The probes and scans, run on the host against its own public and VPN addresses. */
export async function runAudit(
  ctx: MailHostContext,
  opts: AuditOptions,
  progress: Progress,
): Promise<AuditReport> {
  const work = await mkdtemp('/tmp/mailctl-audit-');
  try {
    // The slow scans run while the quick probes do.
    const slow = Promise.all([
      opts.tls ? tlsScans(ctx, work, opts.selfSigned, progress) : Promise.resolve([]),
      opts.lynis ? lynisIndex(work, progress) : Promise.resolve(undefined),
    ]);
    progress.step('listening sockets and SMTP probes');
    const ss = await run('ss', ['-Htlnu']);
    const checks: AuditCheck[] = [evaluateSockets(parseSs(ss.stdout), intendedSockets(ctx))];
    checks.push(...(await smtpChecks(ctx)));
    const [tls, index] = await slow;
    checks.push(...tls.map(evaluateTls));
    if (opts.lynis) checks.push(evaluateLynis(index));
    return buildReport(
      checks,
      tls,
      index === undefined ? undefined : { hardeningIndex: index, target: LYNIS_TARGET },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Each probe is bounded; one that cannot connect is a failed check, not a crash. */
async function probe(
  id: string,
  target: ProbeTarget,
  steps: Parameters<typeof smtpProbe>[1],
  judge: (replies: string[]) => AuditCheck,
): Promise<AuditCheck> {
  try {
    return judge(await smtpProbe(target, steps));
  } catch (e) {
    return { id, ok: false, detail: `probe failed: ${(e as Error).message}` };
  }
}

async function smtpChecks(ctx: MailHostContext): Promise<AuditCheck[]> {
  const host = ctx.publicAddresses[0] ?? ctx.vpnAddress;
  const mx = { host, port: 25, servername: ctx.fqdn };
  const submission = { host, port: 587, servername: ctx.fqdn };
  const checks: AuditCheck[] = [];
  checks.push(
    await probe(
      'open-relay',
      mx,
      [
        line('EHLO audit.mailctl.invalid'),
        line('MAIL FROM:<>'),
        line('RCPT TO:<relay-probe@mailctl-audit.example>'),
        line('QUIT'),
      ],
      (r) => evaluateOpenRelay(r[3]),
    ),
  );
  checks.push(
    await probe(
      'auth-before-tls',
      submission,
      // AUTH PLAIN for a user "probe" with a password "probe": never valid, never sent over TLS.
      [line('EHLO audit.mailctl.invalid'), line('AUTH PLAIN AHByb2JlAHByb2Jl'), line('QUIT')],
      (r) => evaluateAuthBeforeTls(r[1], r[2]),
    ),
  );
  checks.push(
    await probe(
      'starttls-injection',
      submission,
      [
        line('EHLO audit.mailctl.invalid'),
        { write: 'STARTTLS\r\nRSET\r\n', until },
        { starttls: true },
        line('EHLO audit.mailctl.invalid'),
        line('QUIT'),
      ],
      (r) => evaluateStarttlsInjection(r[2], r[3]),
    ),
  );
  const rcpt = `postmaster@${ctx.domains[0] ?? ctx.fqdn}`;
  const variants: [string, string][] = [
    ['lf-dot-lf', '\n.\n'],
    ['lf-dot-crlf', '\n.\r\n'],
    ['crlf-dot-lf', '\r\n.\n'],
  ];
  for (const [name, end] of variants) {
    const message = (what: string) =>
      `From: <mailctl-audit@${ctx.fqdn}>\r\nTo: <${rcpt}>\r\nSubject: mailctl audit: SMTP smuggling probe (${what})\r\n\r\n${what}`;
    checks.push(
      await probe(
        `smtp-smuggling-${name}`,
        { ...mx, timeoutMs: 5000 },
        [
          line('EHLO audit.mailctl.invalid'),
          line('MAIL FROM:<>'),
          line(`RCPT TO:<${rcpt}>`),
          line('DATA'),
          {
            write: `${message('carrier')}${end}MAIL FROM:<>\r\nRCPT TO:<${rcpt}>\r\nDATA\r\n`,
            until: /^(354|5\d\d) /m,
          },
          { write: `${message('smuggled')}\r\n.\r\n`, until },
          line('QUIT'),
        ],
        (r) =>
          replyCode(r[4]) !== 354
            ? {
                id: `smtp-smuggling-${name}`,
                ok: false,
                detail: `probe could not start DATA: ${r[4]?.trim()}`,
              }
            : evaluateSmuggling(name, r[5], r[6]),
      ),
    );
  }
  return checks;
}

/** testssl.sh on the TLS ports, by name (so the certificate is checked against it). */
async function tlsScans(
  ctx: MailHostContext,
  work: string,
  selfSigned: boolean,
  progress: Progress,
): Promise<TlsScan[]> {
  const publicHost = ctx.publicAddresses[0] ?? ctx.vpnAddress;
  // nginx's VPN-side server on 443 shares the public one's TLS settings; the public one
  // is what the internet sees.
  const targets: { port: number; ip: string; starttls?: string }[] = [
    { port: 443, ip: publicHost },
    { port: 465, ip: publicHost },
    { port: 587, ip: publicHost, starttls: 'smtp' },
    { port: 993, ip: ctx.vpnAddress },
    { port: 995, ip: ctx.vpnAddress },
  ];
  progress.step(`TLS scan (testssl) of ${targets.map((t) => t.port).join(', ')}`);
  return Promise.all(
    targets.map(async (t) => {
      const json = join(work, `testssl-${t.port}.json`);
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
        '--ip',
        t.ip,
        ...(t.starttls ? ['--starttls', t.starttls] : []),
        `${ctx.fqdn}:${t.port}`,
      ];
      // Debian's testssl.sh package installs the script as `testssl`. Its exit status counts
      // findings, so only the JSON file says whether the scan ran.
      await run('testssl', args, { timeoutMs: 20 * 60_000 });
      if (!existsSync(json))
        return {
          port: t.port,
          protocols: [],
          findings: [{ id: 'scan', severity: 'FATAL', finding: 'testssl produced no result' }],
          accepted: [],
        };
      return parseTestssl(t.port, await readFile(json, 'utf8'), selfSigned);
    }),
  );
}

async function lynisIndex(work: string, progress: Progress): Promise<number | undefined> {
  progress.step('Lynis system audit');
  const report = join(work, 'lynis-report.dat');
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
  return existsSync(report) ? parseLynisReport(await readFile(report, 'utf8')) : undefined;
}
