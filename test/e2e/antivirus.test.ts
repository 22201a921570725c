import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { LAB_OUTSIDE_DOMAIN } from '../../src/lab/dns.js';
import { labHost, sh, uniqueTag } from './support/cli.js';
import { imapFetchAll, smtpSend, type SmtpOutcome } from './support/mail.js';
import { PUBLIC, VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 16, the optional antivirus: mail.antivirus: clamav puts ClamAV behind Rspamd's
// antivirus module; the EICAR test file is refused at SMTP time from the internet and from a
// logged-in user alike, clean mail with an attachment still arrives, and turning it off
// removes ClamAV again. The lab's clamd knows the EICAR signature only (the lab seeds it).
const LAB = SHARED_LAB;
const HOST_CLUSTER = '/etc/mailctl/cluster.yaml';
// A copy of the host's cluster file with the antivirus on; the host's own file is never
// edited, so a failed run cannot leave the shared lab scanning.
const SCANNING = '/root/antivirus-test-cluster.yaml';
const VERA = { user: 'vera@example.net', pass: 'correct horse battery staple 41' };

const { run: onHost } = labHost(LAB);

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
};
const apply = (cluster: string) => ok(onHost(['mailctl', 'apply', '--cluster', cluster], ''));

/** The EICAR test file, put together here so that this source file itself is no match. */
const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR', '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(
  '',
);

/** A message with one attachment (base64), CRLF line ends. */
function withAttachment(from: string, tag: string, name: string, content: string): string {
  const b = `b-${tag}`;
  return [
    `From: <${from}>`,
    `To: <${VERA.user}>`,
    `Subject: mailctl antivirus ${tag}`,
    `Message-ID: <${tag}@client.example.org>`,
    'Date: Mon, 07 Dec 2026 17:00:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The file is attached.',
    `--${b}`,
    `Content-Type: application/octet-stream; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(content).toString('base64'),
    `--${b}--`,
    '',
  ].join('\r\n');
}

/** From the internet to the MX (port 25, STARTTLS as MTAs do), to Vera. */
const fromInternet = (data: string) =>
  smtpSend(LAB, 'internet', {
    host: PUBLIC,
    port: 25,
    tls: 'starttls',
    from: `someone@${LAB_OUTSIDE_DOMAIN}`,
    to: [VERA.user],
    data,
  });

/** Vera's own submission on 587 from the VPN, to herself. */
const fromVera = (data: string) =>
  smtpSend(LAB, 'vpn', {
    host: VPN,
    port: 587,
    tls: 'starttls',
    auth: VERA,
    from: VERA.user,
    to: [VERA.user],
    data,
  });

/** The reply to the message itself (end of DATA). */
const endReply = (r: SmtpOutcome) => r.result.replies.at(-2) ?? '';

/** Waits (bounded, 20 s) for the message carrying `tag` in Vera's INBOX. */
function received(tag: string): string | undefined {
  for (let i = 0; i < 40; i++) {
    const found = imapFetchAll(LAB, 'vpn', VPN, VERA.user, VERA.pass).messages.find((m) =>
      m.includes(tag),
    );
    if (found) return found;
    sh('sleep 0.5');
  }
  return undefined;
}

/** Debian's package state of clamav-daemon: "installed", or "" when it is not there at all. */
const clamdPackage = () =>
  onHost(['dpkg-query', '-W', '-f=${db:Status-Status}', 'clamav-daemon']).stdout.trim();

/** `mailctl health`'s clamd finding (present only with the antivirus on). */
function clamdHealth(cluster: string) {
  const r = onHost(['mailctl', 'health', '--json', '--cluster', cluster]);
  const report = JSON.parse(r.stdout) as {
    checks: { name: string; status: string; detail: string }[];
  };
  return report.checks.find((c) => c.name === 'clamd');
}

let scanning = false;

describe('the optional antivirus (mail.antivirus: clamav)', () => {
  beforeAll(() => {
    useSharedLab();
    onHost(['mailctl', 'mailbox', 'remove', VERA.user]);
    ok(onHost(['mailctl', 'mailbox', 'add', VERA.user, '--password-stdin'], `${VERA.pass}\n`));
    // No score greylists, marks or refuses Vera's mail: what is refused below is the scanner's.
    ok(
      onHost([
        'mailctl',
        'spam',
        'set',
        VERA.user,
        '--greylist',
        '1000',
        '--add-header',
        '1000',
        '--reject',
        '1000',
      ]),
    );
    const cluster = parse(ok(onHost(['cat', HOST_CLUSTER]))) as { mail?: object };
    cluster.mail = { ...cluster.mail, antivirus: 'clamav' };
    ok(onHost(['bash', '-c', `cat > ${SCANNING}`], stringify(cluster)));
  }, 120_000);

  afterAll(() => {
    if (scanning) apply(HOST_CLUSTER);
    onHost(['mailctl', 'mailbox', 'remove', VERA.user]);
    onHost(['rm', '-f', SCANNING]);
  }, 300_000);

  it('plans ClamAV and the antivirus module, and apply starts clamd on a unix socket only', () => {
    const plan = ok(onHost(['mailctl', 'plan', '--cluster', SCANNING]));
    expect(plan).toContain('/etc/rspamd/local.d/antivirus.conf');
    expect(plan).toContain('clamav-daemon.service');
    apply(SCANNING);
    scanning = true;
    expect(clamdPackage()).toBe('installed');
    for (const unit of ['clamav-daemon.service', 'clamav-freshclam.service'])
      expect(onHost(['systemctl', 'is-active', unit]).stdout.trim(), unit).toBe('active');
    // clamd listens on its socket and on no TCP port (the port audit is unchanged).
    expect(ok(onHost(['ss', '-Hlxp']))).toMatch(/\/run\/clamav\/clamd\.ctl/);
    expect(ok(onHost(['ss', '-Hltnup']))).not.toMatch(/clamd/);
    expect(ok(onHost(['mailctl', 'plan', '--cluster', SCANNING]))).toMatch(/No changes/);
    expect(clamdHealth(SCANNING)).toMatchObject({ status: 'ok' });
  }, 300_000);

  it('refuses the EICAR test file from the internet at the end of DATA, naming it', () => {
    const r = fromInternet(
      withAttachment(`someone@${LAB_OUTSIDE_DOMAIN}`, uniqueTag(), 'eicar.com', EICAR),
    );
    expect(r.codes.data).toBe(354);
    expect(r.codes.end, endReply(r)).toBe(554);
    expect(endReply(r)).toMatch(/^554 5\.7\.1 clamav: virus found: "Win\.Test\.EICAR_HDB-1/);
  });

  it('refuses it from a logged-in user on submission too', () => {
    const r = fromVera(withAttachment(VERA.user, uniqueTag(), 'report.pdf', EICAR));
    expect(r.codes.auth).toBe(235);
    expect(r.codes.end, endReply(r)).toBe(554);
    expect(endReply(r)).toMatch(/^554 5\.7\.1 clamav: virus found: "Win\.Test\.EICAR_HDB-1/);
  });

  it('delivers clean mail with an attachment, scanned, read back over IMAP', () => {
    const tag = uniqueTag();
    const content = `Quarterly figures ${tag}\n`;
    const r = fromInternet(
      withAttachment(`someone@${LAB_OUTSIDE_DOMAIN}`, tag, 'figures.txt', content),
    );
    expect(r.codes.end, endReply(r)).toBe(250);
    const got = received(tag);
    expect(got).toContain(Buffer.from(content).toString('base64'));
    // Rspamd asked clamd (and did not fail to): the scan left no CLAM_VIRUS_FAIL.
    expect(got).not.toMatch(/CLAM_VIRUS_FAIL/);
  });

  it('fails open: with clamd down, mail still arrives, marked CLAM_VIRUS_FAIL', () => {
    ok(onHost(['systemctl', 'stop', 'clamav-daemon.socket', 'clamav-daemon.service']));
    const tag = uniqueTag();
    const r = fromInternet(
      withAttachment(`someone@${LAB_OUTSIDE_DOMAIN}`, tag, 'notes.txt', `Notes ${tag}\n`),
    );
    expect(r.codes.end, endReply(r)).toBe(250);
    expect(received(tag)).toMatch(/^X-Spamd-Result: [^]*?CLAM_VIRUS_FAIL/m);
    // Which is why health says so.
    expect(clamdHealth(SCANNING)).toMatchObject({
      status: 'critical',
      detail: expect.stringMatching(/Rspamd delivers mail unscanned/),
    });
  }, 60_000);

  it('turned off, plans and makes the removal: no clamd, no antivirus.conf, then a clean plan', () => {
    const plan = ok(onHost(['mailctl', 'plan', '--cluster', HOST_CLUSTER]));
    expect(plan).toMatch(/remove package clamav-daemon/);
    expect(plan).toContain('/etc/rspamd/local.d/antivirus.conf');
    apply(HOST_CLUSTER);
    scanning = false;
    expect(clamdPackage()).not.toBe('installed');
    expect(onHost(['test', '-e', '/etc/rspamd/local.d/antivirus.conf']).code).not.toBe(0);
    expect(onHost(['pgrep', '-x', 'clamd']).code).not.toBe(0);
    expect(ok(onHost(['mailctl', 'plan', '--cluster', HOST_CLUSTER]))).toMatch(/No changes/);
    expect(clamdHealth(HOST_CLUSTER)).toBeUndefined();
  }, 300_000);
});
