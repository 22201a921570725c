import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabDns } from '../../src/lab/dns-server.js';
import { LAB_NET, labLayout } from '../../src/lab/layout.js';
import { labHost, labSh, mailctl, uniqueTag } from './support/cli.js';
import { smtpSend, testMessage } from './support/mail.js';
import { dkimVerify, startOutsideMx } from './support/outside-mx.js';
import { VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 10, "every domain, however it was added": a domain added with `mailctl domain add`
// is signed and published exactly as a declared one, and its removal says what it deletes.
const LAB = SHARED_LAB;
const DOMAIN = 'example.info';
const CAROL = { user: `carol@${DOMAIN}`, pass: 'correct horse battery staple 10' };
const KEY = `/var/lib/rspamd/dkim/${DOMAIN}.mail.key`;
const MAP = '/var/lib/rspamd/mailctl/dkim-signing.map';
const DKIM_NAME = `mail._domainkey.${DOMAIN}`;

const { run: onHost } = labHost(LAB);

interface DnsRecord {
  domain: string;
  name: string;
  type: string;
  value: string;
}
const dnsJson = (...args: string[]) => {
  const r = onHost(['mailctl', 'dns', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DnsRecord[];
};

/** Publishes the host's `mailctl dns` in the lab world's DNS again, as an administrator would. */
const publish = () => {
  const r = mailctl(['lab', 'dns', '--name', LAB]);
  expect(r.code, r.stderr).toBe(0);
};

/** A TXT record as the lab world's DNS serves it to the internet (strings joined). */
function labDnsTxt(name: string): string[] {
  const script =
    "const r = new (require('node:dns').promises.Resolver)(); r.setServers([process.argv[2]]);" +
    'r.resolveTxt(process.argv[1]).then((x) => console.log(JSON.stringify(x.map((c) => c.join(""))))' +
    ', () => console.log("[]"));';
  const r = spawnSync(
    'ip',
    ['netns', 'exec', `mailctl-${LAB}-inet`, 'node', '-e', script, name, LAB_NET.internetRouter4],
    { encoding: 'utf8', timeout: 30_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

/**
 * The message Rspamd hands back for one authenticated sender (rspamc --mime as Postfix's
 * milter would get it): whether it would leave signed, without a mailbox to log in with.
 */
function rspamdSigns(user: string): string {
  const msg = testMessage(user, 'someone@example.org', uniqueTag()).replace(/\r\n/g, '\n');
  return labSh(
    LAB,
    'host',
    `printf '%s' '${msg}' | rspamc --mime --user '${user}' --from '${user}' --ip ${LAB_NET.vpnClient4}`,
  ).stdout;
}

describe('a domain added with mailctl domain add', () => {
  beforeAll(() => {
    useSharedLab();
    // A reused lab may hold an earlier run's domain.
    onHost(['mailctl', 'domain', 'remove', DOMAIN, '--force']);
  });

  // The lab is shared: the domain goes, as does its record in the lab world's DNS.
  afterAll(() => {
    onHost(['mailctl', 'domain', 'remove', DOMAIN, '--force']);
    mailctl(['lab', 'dns', '--name', LAB]);
  });

  it('gets its DKIM key and Rspamd signing at once, and says where its records are', () => {
    expect(onHost(['test', '-e', KEY]).code).not.toBe(0);
    const r = onHost(['mailctl', 'domain', 'add', DOMAIN]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(KEY);
    expect(r.stdout).toContain(`mailctl dns --domain ${DOMAIN}`);
    expect(onHost(['stat', '-c', '%U %a', KEY]).stdout.trim()).toBe('_rspamd 640');
    expect(onHost(['cat', MAP]).stdout).toContain(`\n${DOMAIN} ${KEY}\n`);
    // Refused again, and nothing changes.
    const again = onHost(['mailctl', 'domain', 'add', DOMAIN]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('E_DOMAIN_EXISTS');
  });

  it('has its MX, SPF, DKIM and DMARC records in mailctl dns, text and JSON', () => {
    const mine = dnsJson().filter((r) => r.domain === DOMAIN);
    const find = (name: string, re: RegExp) =>
      mine.find((r) => r.name === name && re.test(`${r.type} ${r.value}`));
    expect(find(DOMAIN, /^MX 10 mail\.example\.com$/)).toBeDefined();
    expect(find(DOMAIN, /^TXT v=spf1 ip4:198\.51\.100\.10 /)).toBeDefined();
    expect(find(DKIM_NAME, /^TXT v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{300,}=*$/)).toBeDefined();
    expect(find(`_dmarc.${DOMAIN}`, /^TXT v=DMARC1; p=quarantine/)).toBeDefined();
    // --domain narrows to the domain's own zone, in both forms.
    expect(dnsJson('--domain', DOMAIN)).toEqual(mine);
    const text = onHost(['mailctl', 'dns', '--domain', DOMAIN]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`^${DOMAIN}\\.\\s+3600 IN MX\\s+10 mail\\.example\\.com\\.$`, 'm'),
    );
    expect(text.stdout).toMatch(
      new RegExp(`^${DKIM_NAME.replace(/\./g, '\\.')}\\.\\s+3600 IN TXT`, 'm'),
    );
    expect(text.stdout).not.toContain('example.net.');
    const unknown = onHost(['mailctl', 'dns', '--domain', 'example.invalid']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('E_UNKNOWN_DOMAIN');
  });

  it('signs mail sent from it through submission, verifiably against the lab DNS', () => {
    const add = onHost(
      ['mailctl', 'mailbox', 'add', CAROL.user, '--password-stdin'],
      `${CAROL.pass}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    publish();
    const published = labDnsTxt(DKIM_NAME);
    const printed = dnsJson().find((r) => r.name === DKIM_NAME)?.value;
    expect(published).toEqual([printed]);

    const mx = startOutsideMx(LAB);
    try {
      const t = uniqueTag();
      const sent = smtpSend(LAB, 'vpn', {
        host: VPN,
        port: 587,
        tls: 'starttls',
        auth: CAROL,
        from: CAROL.user,
        to: ['someone@example.org'],
        data: testMessage(CAROL.user, 'someone@example.org', t),
      });
      expect(sent.codes.end).toBe(250);
      const file = mx.waitFor(t);
      expect(file, 'the message reached the outside MX').toBeDefined();
      const message = readFileSync(file ?? '', 'latin1');
      expect(message).toMatch(/^DKIM-Signature: [^]*?\bd=example\.info;/m);
      expect(message).toMatch(/^DKIM-Signature: [^]*?\bs=mail;/m);
      expect(dkimVerify(file ?? '', DKIM_NAME, published[0] ?? '')).toBe('pass');
      // The verifier can fail: another body does not verify.
      const tampered = join(mx.dir, 'tampered.eml');
      writeFileSync(
        tampered,
        message.replace('Hello from the mailctl tests.', 'Hello, forged.'),
        'latin1',
      );
      expect(dkimVerify(tampered, DKIM_NAME, published[0] ?? '')).toBe('fail');
    } finally {
      mx.stop();
    }
  });

  it('checks its published records with mailctl dns --check: present, then missing and different', async () => {
    const check = (...args: string[]) =>
      onHost(['mailctl', 'dns', '--check', '--domain', DOMAIN, ...args]);
    const ok = check('--json', '--resolver', LAB_NET.internetRouter4);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const rows = JSON.parse(ok.stdout) as { name: string; type: string; state: string }[];
    expect(rows.filter((r) => r.state !== 'present')).toEqual([]);
    for (const type of ['MX', 'TXT', 'CNAME', 'A', 'PTR', 'SPF', 'TLSA'])
      expect(rows.map((r) => r.type)).toContain(type);

    // The lab world's DNS loses the domain's DMARC record and gets another SPF policy.
    const printed = dnsJson();
    const altered = printed
      .filter((r) => r.name !== `_dmarc.${DOMAIN}`)
      .map((r) =>
        r.name === DOMAIN && r.type === 'TXT' ? { ...r, value: 'v=spf1 ip4:192.0.2.99 -all' } : r,
      );
    try {
      await startLabDns(labLayout(LAB), altered);
      const bad = check();
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(
        new RegExp(`^missing\\s+TXT\\s+_dmarc\\.${DOMAIN}\\s+expected v=DMARC1`, 'm'),
      );
      expect(bad.stdout).toMatch(
        new RegExp(
          `^different\\s+TXT\\s+${DOMAIN}\\s+.*found v=spf1 ip4:192\\.0\\.2\\.99 -all`,
          'm',
        ),
      );
      expect(bad.stdout).toMatch(/^2 of \d+ records are missing or different$/m);
    } finally {
      publish();
    }
    // A bad option is refused before anything is looked up.
    const usage = onHost(['mailctl', 'dns', '--resolver', '192.0.2.1']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('E_USAGE');
  });

  it('is not removed while it has mailboxes; --force removes them and says what it deleted', () => {
    const refused = onHost(['mailctl', 'domain', 'remove', DOMAIN]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('E_DOMAIN_NOT_EMPTY');
    expect(refused.stderr).toContain(CAROL.user);
    // Nothing changed.
    expect(onHost(['mailctl', 'mailbox', 'list', DOMAIN]).stdout).toContain(CAROL.user);
    expect(onHost(['test', '-f', KEY]).code).toBe(0);
    expect(rspamdSigns(CAROL.user)).toMatch(/^DKIM-Signature: [^]*?\bd=example\.info;/m);

    const forced = onHost(['mailctl', 'domain', 'remove', DOMAIN, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`mailbox ${CAROL.user}, with its SOGo calendars`);
    expect(forced.stdout).toContain(`DKIM key ${KEY}`);
    expect(forced.stdout).toContain('signing map');
    expect(forced.stdout).toContain(`stays on disk in /var/mail/vmail/${DOMAIN}/`);

    expect(onHost(['mailctl', 'domain', 'list']).stdout).not.toContain(DOMAIN);
    expect(onHost(['mailctl', 'mailbox', 'list']).stdout).not.toContain(CAROL.user);
    expect(onHost(['test', '-e', KEY]).code).not.toBe(0);
    expect(onHost(['cat', MAP]).stdout).not.toContain(DOMAIN);
    expect(dnsJson().filter((r) => r.domain === DOMAIN || r.name.endsWith(DOMAIN))).toEqual([]);
    publish();
    expect(labDnsTxt(DKIM_NAME)).toEqual([]);
    // Mail from it is no longer signed, while a served domain's still is.
    expect(rspamdSigns(CAROL.user)).not.toMatch(/^DKIM-Signature:/m);
    expect(rspamdSigns('demo@example.com')).toMatch(/^DKIM-Signature: [^]*?\bd=example\.com;/m);
  });
});
