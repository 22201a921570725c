import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import {
  CERTBOT_DEPLOY_HOOK_PATH,
  certbotLineage,
  certbotRenewalConf,
  CERTIFICATE_READERS,
} from '../../render/certbot/index.js';
import type { AcmeContext, MailHostContext } from '../../render/host-context.js';
import { ACME_WEBROOT } from '../../render/nginx/index.js';
import { run } from '../../util/exec.js';
import { UserError } from '../../util/errors.js';
import { acmeCertificateNames, certificateNames, sameNames } from './certificate-names.js';
import { ensureSelfSignedCertificate } from './self-signed.js';

/** certbot's environment: a private ACME server's CA is the only one trusted for it. */
export function certbotEnv(acme: AcmeContext): NodeJS.ProcessEnv {
  return acme.caFile ? { ...process.env, REQUESTS_CA_BUNDLE: acme.caFile } : { ...process.env };
}

/** Refuses, before apply changes anything, a CA file the cluster file names but the host lacks. */
export function checkAcmePrerequisites(ctx: MailHostContext): void {
  const caFile = ctx.tls.acme?.caFile;
  if (caFile && !existsSync(caFile)) {
    throw new UserError(
      'E_ACME_CA_FILE',
      `tls.acme.ca_file: ${caFile} does not exist on this host (the private ACME server's CA certificate, PEM)`,
    );
  }
}

/** The directory URL certbot renews the host's certificate from, if it has one. */
async function lineageServer(name: string): Promise<string | undefined> {
  const conf = await readFile(certbotRenewalConf(name), 'utf8').catch(() => '');
  return /^server\s*=\s*(\S+)\s*$/m.exec(conf)?.[1];
}

/** certbot's last lines, without the progress chatter; certbot never prints keys. */
const tail = (s: string) => s.trim().split('\n').slice(-6).join('\n  ');

/**
 * Makes sure certbot holds a certificate for the host name from the cluster file's ACME
 * directory (HTTP-01 through nginx's webroot on port 80), and that the services use it.
 * Until this succeeds they keep the self-signed certificate. Returns notes for the apply.
 */
export async function ensureAcmeCertificate(ctx: MailHostContext): Promise<string[]> {
  const acme = ctx.tls.acme;
  if (!acme) return leaveAcme(ctx);
  const notes: string[] = [];
  const name = ctx.fqdn;
  const fullchain = `${certbotLineage(name)}/fullchain.pem`;
  const server = await lineageServer(name);
  const { names, pending } = await acmeCertificateNames(ctx);
  const covered = await certificateNames(fullchain);
  if (!existsSync(fullchain) || server !== acme.directoryUrl || !sameNames(names, covered)) {
    const r = await run(
      'certbot',
      [
        'certonly',
        '--non-interactive',
        '--agree-tos',
        '--no-eff-email',
        '--email',
        acme.email,
        '--server',
        acme.directoryUrl,
        '--webroot',
        '--webroot-path',
        ACME_WEBROOT,
        '--cert-name',
        name,
        // With --cert-name, the lineage gets exactly these names, more or fewer than before.
        '--domains',
        names.join(','),
        // The same key across renewals (and name changes): the DANE TLSA record that pins it
        // (3 1 1, see mailctl dns) stays true. certbot records it in the renewal conf.
        '--reuse-key',
        // Another directory than the one the certificate came from: a new one, now.
        ...(server !== undefined ? ['--force-renewal'] : []),
      ],
      { env: certbotEnv(acme), timeoutMs: 10 * 60_000 },
    );
    if (r.code !== 0) {
      throw new UserError(
        'E_ACME_FAILED',
        `certbot could not obtain a certificate for ${name} from ${acme.directoryUrl}; ` +
          `the services keep the current certificate (details in /var/log/letsencrypt/letsencrypt.log):\n  ${tail(`${r.stderr}\n${r.stdout}`)}`,
        { exitCode: 1 },
      );
    }
    notes.push(`obtained a certificate for ${names.join(', ')} from ${acme.directoryUrl}`);
  }
  if (pending.length > 0) {
    notes.push(
      `the certificate does not cover ${pending.join(', ')} yet: they do not resolve to this ` +
        "host; publish the records 'mailctl dns' prints, then apply again",
    );
  }
  // Installed by certbot's deploy hook; run here too when the copy differs (the first
  // certificate, or a hook that failed earlier).
  const installed = await readFile(ctx.tls.certFile, 'utf8').catch(() => '');
  if (installed !== (await readFile(fullchain, 'utf8'))) {
    const r = await run(CERTBOT_DEPLOY_HOOK_PATH, [], {
      env: { ...process.env, RENEWED_LINEAGE: certbotLineage(name) },
      timeoutMs: 120_000,
    });
    if (r.code !== 0) {
      throw new UserError(
        'E_ACME_INSTALL',
        `installing the certificate for ${name} failed: ${tail(r.stderr)}`,
        { exitCode: 1 },
      );
    }
    notes.push(`installed the certificate for ${name} and reloaded postfix, dovecot and nginx`);
  }
  return notes;
}

/** `certbot renew` for the host's certificate, with the environment the timer has. */
export async function renewAcmeCertificate(
  ctx: MailHostContext,
  force: boolean,
): Promise<{ code: number; output: string }> {
  const acme = ctx.tls.acme;
  if (!acme) {
    throw new UserError(
      'E_TLS_NOT_ACME',
      "tls.mode is not acme: the host's certificate is self-signed and never renewed",
    );
  }
  checkAcmePrerequisites(ctx);
  const r = await run(
    'certbot',
    [
      'renew',
      '--non-interactive',
      '--no-random-sleep-on-renew',
      '--cert-name',
      ctx.fqdn,
      ...(force ? ['--force-renewal'] : []),
    ],
    { env: certbotEnv(acme), timeoutMs: 10 * 60_000 },
  );
  return { code: r.code, output: `${r.stdout}${r.stderr}` };
}

/** What ensureAcmeCertificate would do now: obtain a certificate, install it, or nothing. */
export async function acmeCertificateNeeds(
  ctx: MailHostContext,
): Promise<{ obtain: boolean; install: boolean; names: string[] }> {
  const acme = ctx.tls.acme;
  if (!acme) return { obtain: false, install: false, names: [] };
  const fullchain = `${certbotLineage(ctx.fqdn)}/fullchain.pem`;
  const { names } = await acmeCertificateNames(ctx);
  const obtain =
    !existsSync(fullchain) ||
    (await lineageServer(ctx.fqdn)) !== acme.directoryUrl ||
    !sameNames(names, await certificateNames(fullchain));
  const installed = await readFile(ctx.tls.certFile, 'utf8').catch(() => '');
  return {
    obtain,
    install: obtain || installed !== (await readFile(fullchain, 'utf8')),
    names,
  };
}

/**
 * What leaving tls.mode acme still has to do: the services still use the ACME certificate,
 * certbot.timer still renews it. (certbot's deploy hook and drop-in are managed files: the
 * apply that no longer renders them removes them.)
 */
export async function acmeLeaveNeeds(
  ctx: MailHostContext,
): Promise<{ selfSigned: boolean; stopTimer: boolean }> {
  if (ctx.tls.acme) return { selfSigned: false, stopTimer: false };
  const fullchain = `${certbotLineage(ctx.fqdn)}/fullchain.pem`;
  const installed = await readFile(ctx.tls.certFile, 'utf8').catch(() => '');
  const selfSigned =
    installed !== '' && installed === (await readFile(fullchain, 'utf8').catch(() => undefined));
  // Debian's certbot.timer on its own renews nothing: it matters once a lineage exists.
  const stopTimer =
    existsSync(certbotRenewalConf(ctx.fqdn)) &&
    (await run('systemctl', ['is-enabled', '--quiet', 'certbot.timer'])).code === 0;
  return { selfSigned, stopTimer };
}

/**
 * Back from tls.mode acme to self-signed: certbot must stop renewing, and the services get
 * a self-signed certificate again. certbot's own state (/etc/letsencrypt: the account, the
 * lineage) stays, for a later switch back.
 */
export async function leaveAcme(ctx: MailHostContext): Promise<string[]> {
  const needs = await acmeLeaveNeeds(ctx);
  const notes: string[] = [];
  if (needs.stopTimer) {
    await run('systemctl', ['disable', '--now', 'certbot.timer']);
    notes.push('tls.mode is self-signed: stopped certbot.timer and disabled it');
  }
  if (needs.selfSigned) {
    // Made beside the live pair and renamed into place, as the deploy hook does.
    const [cert, key] = [`${ctx.tls.certFile}.new`, `${ctx.tls.keyFile}.new`];
    await rm(cert, { force: true });
    await rm(key, { force: true });
    await ensureSelfSignedCertificate(ctx.fqdn, cert, key);
    await rename(key, ctx.tls.keyFile);
    await rename(cert, ctx.tls.certFile);
    for (const unit of CERTIFICATE_READERS) {
      if ((await run('systemctl', ['is-active', '--quiet', unit])).code === 0)
        await run('systemctl', ['reload', unit]);
    }
    notes.push(`replaced the ACME certificate for ${ctx.fqdn} by a self-signed one`);
  }
  return notes;
}
