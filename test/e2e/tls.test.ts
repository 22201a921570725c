import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { labHost, labRun, labSh, mailctl, sh, uniqueTag } from './support/cli.js';
import { httpFrom } from './support/http.js';
import { imapFetchAll, smtpSend, testMessage } from './support/mail.js';
import { handshake } from './support/tls.js';
import { PUBLIC, VPN } from './support/lab-world.js';

// Issue 4 (certificates and nginx), checked from the internet and from a VPN client.
// MAILCTL_E2E_LAB=<name> runs these against a lab that is already up (and leaves it up).
const REUSE = process.env.MAILCTL_E2E_LAB;
const LAB = REUSE ?? 'e2etls';
const FQDN = 'mail.example.com';
const WEBROOT = '/var/lib/mailctl/acme-webroot';
const CLUSTER = '/etc/mailctl/cluster.yaml';
// The lab world's ACME server (pebble in the internet namespace, see src/lab/acme.ts).
const ACME_DIRECTORY = 'https://acme.example.org:14000/dir';
const ACME_CA_ON_HOST = '/etc/mailctl/lab-acme-ca.pem';
const LIVE = `/etc/letsencrypt/live/${FQDN}`;
const USER = { user: 'tls@example.com', pass: 'correct horse battery staple 4' };
/**
 * Every port with mandatory TLS (Mozilla intermediate) and where a client reaches it
 * from: IMAP, POP3 and ManageSieve are VPN-only.
 */
const TLS_PORTS = [
  { ns: 'internet', host: PUBLIC, port: 443 },
  { ns: 'internet', host: PUBLIC, port: 465 },
  { ns: 'internet', host: PUBLIC, port: 587, starttls: 'smtp' },
  { ns: 'vpn', host: VPN, port: 993 },
  { ns: 'vpn', host: VPN, port: 995 },
  { ns: 'vpn', host: VPN, port: 143, starttls: 'imap' },
  { ns: 'vpn', host: VPN, port: 110, starttls: 'pop3' },
  { ns: 'vpn', host: VPN, port: 4190, starttls: 'sieve' },
] as const;
/** ...and port 25, whose STARTTLS stays opportunistic (any TLS version) but shows the same certificate. */
const CERT_PORTS = [
  ...TLS_PORTS,
  { ns: 'internet', host: PUBLIC, port: 25, starttls: 'smtp' },
] as const;

/** The cluster file on the lab host with its tls section replaced. */
const clusterWithTls = (tls: string) =>
  onHost(['cat', CLUSTER]).stdout.replace(/^tls:\n(?: .*\n?)*/m, `${tls}\n`);
const acmeTls = (caFile: string) =>
  `tls:\n  mode: acme\n  acme:\n    directory: ${ACME_DIRECTORY}\n    email: postmaster@example.com\n    ca_file: ${caFile}`;
const historyHead = () =>
  onHost(['git', '-C', '/var/lib/mailctl/history', 'rev-parse', 'HEAD']).stdout;

/** The serial of the certificate a TLS port presents. */
function servedSerial(p: (typeof CERT_PORTS)[number]): string {
  const h = handshake(LAB, p.ns, {
    host: p.host,
    port: p.port,
    servername: FQDN,
    ...('starttls' in p ? { starttls: p.starttls } : {}),
  });
  return serialOf(h.leafPem ?? '');
}
const serialOf = (pem: string) =>
  onHost(['openssl', 'x509', '-noout', '-serial'], pem).stdout.trim();
/** SHA-256 of the public key port 25 presents: what a DANE 3 1 1 record pins. */
function port25Spki(): string {
  const h = handshake(LAB, 'internet', {
    host: PUBLIC,
    port: 25,
    servername: FQDN,
    starttls: 'smtp',
  });
  return (
    onHost(
      ['sh', '-c', 'openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum'],
      h.leafPem ?? '',
    ).stdout.split(' ')[0] ?? ''
  );
}
interface DnsRecord {
  name: string;
  type: string;
  value: string;
}

/** Waits (bounded) until a message carrying `marker` is in the test mailbox. */
function delivered(marker: string): boolean {
  for (let i = 0; i < 40; i++) {
    if (
      imapFetchAll(LAB, 'vpn', VPN, USER.user, USER.pass).messages.some((m) => m.includes(marker))
    )
      return true;
    labSh(LAB, 'vpn', 'sleep 0.5');
  }
  return false;
}
/** What the host's mail log says of the message carrying `marker`, and the queue: for a failure's message. */
function mailLog(marker: string): string {
  const log = onHost([
    'bash',
    '-c',
    `id=$(journalctl -q -o cat | grep -F '${marker}' | grep -oE '[0-9A-F]{10,}' | head -1); ` +
      '[ -n "$id" ] && journalctl -q -o short-precise | grep -F "$id"; postqueue -p | tail -5',
  ]);
  return log.stdout;
}

/** One message from the internet to the test mailbox on port 25; its marker. */
function sendOne(): { marker: string; code: number | undefined } {
  const marker = tag();
  const r = smtpSend(LAB, 'internet', {
    host: PUBLIC,
    port: 25,
    tls: 'starttls',
    from: 'someone@example.org',
    to: [USER.user],
    data: testMessage('someone@example.org', USER.user, marker),
  });
  return { marker, code: r.codes.end };
}

const { run: onHost, applyWithFault } = labHost(LAB);
const tag = () => uniqueTag();

beforeAll(() => {
  if (!REUSE) {
    const up = mailctl(['lab', 'up', '--name', LAB], { timeoutMs: 1_800_000 });
    expect(up.code, up.stderr).toBe(0);
  }
});

afterAll(() => {
  if (!REUSE) mailctl(['lab', 'down', '--name', LAB]);
});

describe('nginx on a lab host: the public and the VPN side', () => {
  it('serves on port 80 the ACME challenge files and a redirect to https, nothing else', () => {
    const token = tag();
    const dir = `${WEBROOT}/.well-known/acme-challenge`;
    expect(
      onHost(['sh', '-c', `mkdir -p ${dir} && printf %s ${token} > ${dir}/${token}`]).code,
    ).toBe(0);
    try {
      const challenge = httpFrom(
        LAB,
        'internet',
        `http://${FQDN}/.well-known/acme-challenge/${token}`,
      );
      expect(challenge.status).toBe(200);
      expect(challenge.body).toBe(token);
      const missing = httpFrom(LAB, 'internet', `http://${FQDN}/.well-known/acme-challenge/nope`);
      expect(missing.status).toBe(404);
      const post = httpFrom(LAB, 'internet', `http://${FQDN}/.well-known/acme-challenge/${token}`, {
        method: 'POST',
      });
      expect(post.status).toBe(403);
      for (const path of ['/', '/rspamd/', '/SOGo/', '/index.html']) {
        const r = httpFrom(LAB, 'internet', `http://${PUBLIC}${path}`, {
          headers: ['Host: evil.example.org'],
        });
        expect(r.status, path).toBe(301);
        expect(r.headers.location, path).toBe(`https://${FQDN}${path}`);
      }
      // Nothing answers on port 80 of the VPN address either.
      expect(httpFrom(LAB, 'vpn', `http://${VPN}/`, { timeoutS: 3 }).status).toBe(0);
    } finally {
      onHost(['rm', '-f', `${dir}/${token}`]);
    }
  });

  it('serves on public 443 a landing page with security headers, and nothing internal', () => {
    const home = httpFrom(LAB, 'internet', `https://${FQDN}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain(FQDN);
    expect(home.headers['strict-transport-security']).toMatch(/max-age=\d{8}/);
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    expect(home.headers['x-frame-options']).toBe('DENY');
    expect(home.headers['referrer-policy']).toBe('no-referrer');
    expect(home.headers['content-security-policy']).toContain("default-src 'none'");
    expect(home.headers.server).toBe('nginx');
    for (const path of ['/rspamd/', '/rspamd/stat', '/SOGo/', '/admin/']) {
      for (const host of [FQDN, 'localhost', VPN]) {
        const r = httpFrom(LAB, 'internet', `https://${PUBLIC}${path}`, {
          headers: [`Host: ${host}`],
        });
        expect(r.status, `${host}${path}`).toBe(404);
        expect(r.headers['strict-transport-security'], `${host}${path}`).toBeDefined();
      }
    }
  });

  it('tells mail clients their settings (autoconfig), as well-formed XML: IMAP and POP3 to the VPN only', () => {
    // The internet is offered submission only; the VPN side adds IMAP and POP3.
    for (const [ns, servers] of [
      ['internet', '0 2'],
      ['vpn', '2 2'],
    ] as const) {
      for (const path of [
        '/.well-known/autoconfig/mail/config-v1.1.xml',
        '/mail/config-v1.1.xml',
      ]) {
        const r = httpFrom(LAB, ns, `https://${FQDN}${path}`);
        expect(r.status, `${ns} ${path}`).toBe(200);
        expect(r.headers['content-type'], path).toBe('text/xml');
        expect(r.body).toContain('<domain>example.com</domain>');
        expect(r.body).toContain(`<hostname>${FQDN}</hostname><port>465</port>`);
        const parsed = sh(
          `printf %s '${r.body}' | python3 -c 'import sys, xml.dom.minidom as m; d = m.parseString(sys.stdin.read()); print(len(d.getElementsByTagName("incomingServer")), len(d.getElementsByTagName("outgoingServer")))'`,
        );
        expect(parsed.stdout.trim(), `${ns} ${parsed.stderr}`).toBe(servers);
      }
    }
  });

  it('serves the Rspamd controller at /rspamd/ to the VPN only', () => {
    const vpn = httpFrom(LAB, 'vpn', `https://${FQDN}/rspamd/`);
    expect(vpn.status).toBe(200);
    expect(vpn.body).toMatch(/<title>Rspamd Web Interface<\/title>/i);
    expect(vpn.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(vpn.headers['strict-transport-security']).toBeDefined();
    // From the internet, the VPN address is not reachable at all, and the public
    // address has no such path whatever name is asked for.
    const direct = httpFrom(LAB, 'internet', `https://${VPN}/rspamd/`, { timeoutS: 3 });
    expect(direct.status).toBe(0);
    expect([7, 28]).toContain(direct.code);
    const viaPublic = httpFrom(LAB, 'internet', `https://${FQDN}/rspamd/`);
    expect(viaPublic.status).toBe(404);
    expect(viaPublic.body).not.toMatch(/rspamd/i);
  });

  it('refuses TLS 1.0 and 1.1 on both https sides and offers 1.2 and 1.3', () => {
    const sides = [
      { ns: 'internet' as const, host: PUBLIC },
      { ns: 'vpn' as const, host: VPN },
    ];
    for (const { ns, host } of sides) {
      for (const version of ['tls1', 'tls1_1'] as const) {
        const h = handshake(LAB, ns, { host, port: 443, servername: FQDN, version });
        expect(h.ok, `${ns} ${version}`).toBe(false);
        expect(h.output, `${ns} ${version}`).toMatch(/alert protocol version/);
      }
      for (const [version, protocol] of [
        ['tls1_2', 'TLSv1.2'],
        ['tls1_3', 'TLSv1.3'],
      ] as const) {
        const h = handshake(LAB, ns, { host, port: 443, servername: FQDN, version });
        expect(h.ok, `${ns} ${version}`).toBe(true);
        expect(h.protocol).toBe(protocol);
      }
    }
  });

  it('never installs an nginx configuration that nginx -t refuses, and keeps serving', () => {
    for (const path of [
      '/etc/nginx/mailctl/vpn-https.conf',
      '/etc/nginx/mailctl/vpn.d/rspamd.conf',
    ]) {
      const before = onHost(['sha256sum', path]).stdout;
      const r = applyWithFault(path, 'no_such_directive on;');
      expect(r.code, path).toBe(1);
      expect(r.stderr).toContain('E_CHECK_FAILED');
      expect(r.stderr).toContain('nginx');
      expect(onHost(['sha256sum', path]).stdout).toBe(before);
    }
    expect(httpFrom(LAB, 'vpn', `https://${FQDN}/rspamd/`).status).toBe(200);
    const again = onHost(['mailctl', 'plan', '--cluster', '/etc/mailctl/cluster.yaml']);
    expect(again.stdout).toMatch(/No changes/);
  });
});

describe('certificates from an ACME CA (pebble in the lab world), over HTTP-01', () => {
  let acmeRoot = '';

  beforeAll(() => {
    onHost(['mailctl', 'mailbox', 'remove', USER.user]);
    const r = onHost(
      ['mailctl', 'mailbox', 'add', USER.user, '--password-stdin'],
      `${USER.pass}\n`,
    );
    expect(r.code, r.stderr).toBe(0);
  });

  afterAll(() => {
    if (acmeRoot) sh(`rm -f '${acmeRoot}'`);
  });

  it('refuses bad ACME settings with their paths, and a CA file the host lacks, changing nothing', () => {
    const before = historyHead();
    const bad = clusterWithTls(
      'tls:\n  mode: acme\n  acme:\n    directory: http://acme.example.org/dir\n    email: nobody',
    );
    expect(onHost(['sh', '-c', 'cat > /tmp/bad-acme.yaml'], bad).code).toBe(0);
    const v = onHost(['mailctl', 'apply', '--cluster', '/tmp/bad-acme.yaml']);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('E_SPEC_INVALID');
    expect(v.stderr).toMatch(/tls\.acme\.directory: must be .*https:\/\/ URL/);
    expect(v.stderr).toMatch(/tls\.acme\.email: must be a mail address/);

    const missing = clusterWithTls(acmeTls('/etc/mailctl/no-such-ca.pem'));
    expect(onHost(['sh', '-c', 'cat > /tmp/missing-ca.yaml'], missing).code).toBe(0);
    const m = onHost(['mailctl', 'apply', '--cluster', '/tmp/missing-ca.yaml']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('E_ACME_CA_FILE');
    expect(m.stderr).toContain('tls.acme.ca_file: /etc/mailctl/no-such-ca.pem');
    expect(historyHead()).toBe(before);
    // Refused before anything was installed: not even certbot.
    expect(onHost(['dpkg-query', '-W', '-f=${Status}', 'certbot']).stdout).not.toContain(
      'installed',
    );
  });

  it('keeps the self-signed certificate and mail flowing when the ACME CA cannot be reached', () => {
    const selfSigned = servedSerial(TLS_PORTS[1]);
    const unreachable = clusterWithTls(acmeTls(ACME_CA_ON_HOST)).replace(
      ACME_DIRECTORY,
      'https://acme.example.org:14001/dir',
    );
    expect(onHost(['sh', '-c', 'cat > /tmp/unreachable-ca.yaml'], unreachable).code).toBe(0);
    const r = onHost(['mailctl', 'apply', '--cluster', '/tmp/unreachable-ca.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_ACME_FAILED');
    expect(r.stderr).toContain('the services keep the current certificate');
    expect(onHost(['test', '-e', LIVE]).code).not.toBe(0);
    for (const p of CERT_PORTS) expect(servedSerial(p), `${p.port}`).toBe(selfSigned);
    const sent = sendOne();
    expect(sent.code).toBe(250);
    expect(delivered(sent.marker)).toBe(true);
  });

  it('obtains a certificate over HTTP-01 through nginx on port 80, and installs it for every service', () => {
    expect(
      onHost(['sh', '-c', `cat > ${CLUSTER}`], clusterWithTls(acmeTls(ACME_CA_ON_HOST))).code,
    ).toBe(0);
    const r = onHost(['mailctl', 'apply', '--cluster', CLUSTER], undefined);
    expect(r.code, r.stderr).toBe(0);
    // The host name, and those autoconfiguration names the lab world's DNS already resolves.
    expect(r.stdout).toMatch(
      new RegExp(`obtained a certificate for ${FQDN}(, [a-z.-]+)* from ${ACME_DIRECTORY}`),
    );
    expect(r.stdout).toContain('installed the certificate');
    // The CA checked the challenge over port 80 of the public address, as Let's Encrypt would.
    const pebbleLog = readFileSync(`/var/lib/mailctl/lab/${LAB}/acme/pebble.log`, 'utf8');
    expect(pebbleLog).toContain(
      `Attempting to validate w/ HTTP: http://${FQDN}:80/.well-known/acme-challenge/`,
    );
    expect(
      onHost([
        'grep',
        '-c',
        'GET /.well-known/acme-challenge/.* 200 .*Pebble',
        '/var/log/nginx/access.log',
      ]).stdout.trim(),
    ).not.toBe('0');
    // The installed copy is certbot's, key and all, and the key is the host's alone.
    expect(onHost(['cmp', `${LIVE}/fullchain.pem`, `/etc/mailctl/tls/${FQDN}.crt`]).code).toBe(0);
    expect(onHost(['stat', '-c', '%a %U', `/etc/mailctl/tls/${FQDN}.key`]).stdout.trim()).toBe(
      '600 root',
    );
    expect(r.stdout + r.stderr).not.toContain('PRIVATE KEY');
  });

  it('presents that certificate on 443, 465, 587, 993 and 995 (and 25, 143, 110, 4190), with a chain to the ACME CA', () => {
    const root = labRun(LAB, 'internet', ['curl', '-sfk', 'https://127.0.0.1:15000/roots/0']);
    expect(root.stdout).toContain('BEGIN CERTIFICATE');
    acmeRoot = `/tmp/mailctl-${LAB}-acme-root.pem`;
    expect(
      labRun(LAB, 'internet', ['sh', '-c', `cat > ${acmeRoot}`], { input: root.stdout }).code,
    ).toBe(0);
    const issued = serialOf(onHost(['cat', `${LIVE}/cert.pem`]).stdout);
    expect(issued).toMatch(/^serial=[0-9A-F]+$/);
    for (const p of CERT_PORTS) {
      const h = handshake(LAB, p.ns, {
        host: p.host,
        port: p.port,
        servername: FQDN,
        caFile: acmeRoot,
        ...('starttls' in p ? { starttls: p.starttls } : {}),
      });
      expect(h.ok, `${p.port}`).toBe(true);
      expect(h.verify, `${p.port}`).toBe('0 (ok)');
      expect(serialOf(h.leafPem ?? ''), `${p.port}`).toBe(issued);
      // The same port does not verify against an unrelated CA: the check can fail.
      const other = handshake(LAB, p.ns, {
        host: p.host,
        port: p.port,
        servername: FQDN,
        caFile: '/etc/ssl/certs/ca-certificates.crt',
        ...('starttls' in p ? { starttls: p.starttls } : {}),
      });
      expect(other.verify, `${p.port}`).not.toBe('0 (ok)');
    }
  });

  it('refuses TLS 1.0 and 1.1 on every mandatory-TLS port', () => {
    for (const p of TLS_PORTS) {
      for (const version of ['tls1', 'tls1_1'] as const) {
        const h = handshake(LAB, p.ns, {
          host: p.host,
          port: p.port,
          servername: FQDN,
          version,
          ...('starttls' in p ? { starttls: p.starttls } : {}),
        });
        expect(h.ok, `${p.port} ${version}`).toBe(false);
      }
      const ok = handshake(LAB, p.ns, {
        host: p.host,
        port: p.port,
        servername: FQDN,
        version: 'tls1_2',
        ...('starttls' in p ? { starttls: p.starttls } : {}),
      });
      expect(ok.ok, `${p.port} tls1_2`).toBe(true);
    }
  });

  it('publishes MTA-STS, TLS-RPT and DANE, and serves the policy and client settings on names its certificate covers', () => {
    // Published in the lab world's DNS as an administrator would paste them into the zone.
    expect(mailctl(['lab', 'dns', '--name', LAB]).code).toBe(0);
    const records = JSON.parse(onHost(['mailctl', 'dns', '--json']).stdout) as DnsRecord[];
    const value = (name: string, type: string) =>
      records.find((x) => x.name === name && x.type === type)?.value;
    const id = /^v=STSv1; id=([0-9a-f]{20})$/.exec(value('_mta-sts.example.com', 'TXT') ?? '');
    expect(id).not.toBeNull();
    expect(value('_smtp._tls.example.com', 'TXT')).toBe(
      'v=TLSRPTv1; rua=mailto:postmaster@example.com',
    );
    expect(value('mta-sts.example.com', 'CNAME')).toBe(FQDN);
    // The lab host's resolver answers them from the lab world's DNS.
    const txt = onHost([
      'node',
      '-e',
      "require('dns').promises.resolveTxt('_mta-sts.example.com').then((r) => console.log(r.flat().join('')))",
    ]);
    expect(txt.stdout.trim(), txt.stderr).toBe(value('_mta-sts.example.com', 'TXT'));

    // Now that the names resolve, the next apply asks the CA for them too.
    const r = onHost(['mailctl', 'apply', '--cluster', CLUSTER]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/obtained a certificate for .*mta-sts\.example\.com/);
    const san = onHost([
      'openssl',
      'x509',
      '-noout',
      '-ext',
      'subjectAltName',
      '-in',
      `${LIVE}/cert.pem`,
    ]);
    for (const name of [
      FQDN,
      'mta-sts.example.com',
      'autoconfig.example.com',
      'autodiscover.example.com',
    ])
      expect(san.stdout).toContain(`DNS:${name}`);

    // The policy, fetched as a sender does: by name, certificate verified, text/plain.
    const policy = httpFrom(
      LAB,
      'internet',
      'https://mta-sts.example.com/.well-known/mta-sts.txt',
      {
        cacert: acmeRoot,
      },
    );
    expect(policy.code).toBe(0);
    expect(policy.status).toBe(200);
    expect(policy.headers['content-type']).toBe('text/plain');
    expect(policy.body).toBe(
      `version: STSv1\r\nmode: testing\r\nmx: ${FQDN}\r\nmax_age: 604800\r\n`,
    );
    expect(
      httpFrom(LAB, 'internet', 'https://mta-sts.example.com/', { cacert: acmeRoot }).status,
    ).toBe(404);
    // Thunderbird's and Outlook's settings on their own names, verified too.
    const autoconfig = httpFrom(
      LAB,
      'internet',
      'https://autoconfig.example.com/mail/config-v1.1.xml',
      {
        cacert: acmeRoot,
      },
    );
    expect(autoconfig.status).toBe(200);
    expect(autoconfig.body).toContain(`<hostname>${FQDN}</hostname><port>465</port>`);
    const autodiscover = httpFrom(
      LAB,
      'internet',
      'https://autodiscover.example.com/autodiscover/autodiscover.xml',
      { cacert: acmeRoot, method: 'POST', headers: ['Content-Type: text/xml'] },
    );
    expect(autodiscover.status).toBe(200);
    expect(autodiscover.body).toContain(
      `<Type>SMTP</Type><Server>${FQDN}</Server><Port>465</Port>`,
    );

    // The DANE record, made before this apply, pins the key port 25 presents after it:
    // the new certificate kept the key (certbot --reuse-key).
    expect(value(`_25._tcp.${FQDN}`, 'TLSA')).toBe(`3 1 1 ${port25Spki()}`);
  });

  it('schedules renewal with certbot.timer, which trusts the ACME CA, and a second apply changes nothing', () => {
    expect(onHost(['systemctl', 'is-enabled', 'certbot.timer']).stdout.trim()).toBe('enabled');
    expect(onHost(['systemctl', 'is-active', 'certbot.timer']).stdout.trim()).toBe('active');
    expect(onHost(['systemctl', 'show', '-p', 'Environment', 'certbot.service']).stdout).toContain(
      `REQUESTS_CA_BUNDLE=${ACME_CA_ON_HOST}`,
    );
    const conf = onHost(['cat', `/etc/letsencrypt/renewal/${FQDN}.conf`]).stdout;
    expect(conf).toContain(`server = ${ACME_DIRECTORY}`);
    expect(conf).toContain('authenticator = webroot');
    expect(conf).toMatch(/^reuse_key = True$/m);
    const before = historyHead();
    const again = onHost(['mailctl', 'apply', '--cluster', CLUSTER]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    expect(historyHead()).toBe(before);
  });

  it('renews by force: every service presents the new certificate, and mail sent during and after arrives', () => {
    const old = serialOf(onHost(['cat', `${LIVE}/cert.pem`]).stdout);
    const key = port25Spki();
    const before = sendOne();
    expect(before.code).toBe(250);
    // The renewal runs as its own unit on the host, while mail keeps coming in.
    const unit = `mailctl-test-renew-${tag()}`;
    const start = onHost([
      'systemd-run',
      '--unit',
      unit,
      '--remain-after-exit',
      'mailctl',
      'tls',
      'renew',
      '--force',
    ]);
    expect(start.code, start.stderr).toBe(0);
    const subState = () =>
      onHost(['systemctl', 'show', '-p', 'SubState', '--value', unit]).stdout.trim();
    const during: string[] = [];
    do {
      const s = sendOne();
      expect(s.code).toBe(250);
      during.push(s.marker);
    } while (subState() === 'running' && during.length < 120);
    expect(subState()).toBe('exited');
    expect(onHost(['systemctl', 'show', '-p', 'Result', '--value', unit]).stdout.trim()).toBe(
      'success',
    );
    expect(
      onHost(['systemctl', 'show', '-p', 'ExecMainStatus', '--value', unit]).stdout.trim(),
    ).toBe('0');
    const renewed = serialOf(onHost(['cat', `${LIVE}/cert.pem`]).stdout);
    expect(renewed).not.toBe(old);
    for (const p of CERT_PORTS) expect(servedSerial(p), `${p.port}`).toBe(renewed);
    // Renewed with the same key: the published DANE record stays true.
    expect(port25Spki()).toBe(key);
    const after = sendOne();
    expect(after.code).toBe(250);
    // The deploy hook reloads Dovecot: an LMTP delivery that meets an old lmtp process on
    // its way out loses its greeting, and Postfix defers it (4.4.2) for a retry after
    // minimal_backoff_time. Nothing is lost; the retry is asked for now instead.
    expect(onHost(['postqueue', '-f']).code).toBe(0);
    for (const marker of [before.marker, ...during, after.marker])
      expect(delivered(marker), `${marker}: ${mailLog(marker)}`).toBe(true);
    onHost(['systemctl', 'stop', unit]);
  });
  it('goes back to a self-signed certificate when the cluster file says so, and mail keeps flowing', () => {
    const acmeSerial = serialOf(onHost(['cat', `${LIVE}/cert.pem`]).stdout);
    expect(
      onHost(['sh', '-c', `cat > ${CLUSTER}`], clusterWithTls('tls:\n  mode: self-signed')).code,
    ).toBe(0);
    const r = onHost(['mailctl', 'apply', '--cluster', CLUSTER]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('stopped certbot.timer');
    expect(r.stdout).toContain(`replaced the ACME certificate for ${FQDN} by a self-signed one`);
    expect(onHost(['systemctl', 'is-enabled', 'certbot.timer']).stdout.trim()).toBe('disabled');
    const serials = new Set(CERT_PORTS.map(servedSerial));
    expect(serials.size).toBe(1);
    expect(serials.has(acmeSerial)).toBe(false);
    const names = onHost(
      ['openssl', 'x509', '-noout', '-subject', '-issuer'],
      onHost(['cat', `/etc/mailctl/tls/${FQDN}.crt`]).stdout,
    ).stdout;
    // Its own issuer: self-signed (openssl 3.5 prints `CN=name`, older ones `CN = name`).
    const [subject, issuer] = names
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\w+=/, ''));
    expect(subject?.replace(/ /g, '')).toBe(`CN=${FQDN}`);
    expect(issuer).toBe(subject);
    expect(onHost(['mailctl', 'apply', '--cluster', CLUSTER]).stdout).toMatch(/No changes/);
    const sent = sendOne();
    expect(sent.code).toBe(250);
    expect(delivered(sent.marker)).toBe(true);
  });
});
