import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labLayout } from '../../src/lab/layout.js';
import { labHost, labRun, mailctl, sh, uniqueTag } from './support/cli.js';
import { sogoLogin } from './support/sogo-http.js';
import { httpFrom } from './support/http.js';
import { dialogFrom, imapFetchAll, smtpCode, smtpSend, testMessage } from './support/mail.js';
import {
  ATTACKER,
  PUBLIC,
  PUBLIC6,
  VPN,
  VPN_CLIENT,
  VPN_CLIENT_UPLINK,
} from './support/lab-world.js';
import { tcpScan, udpScan } from './support/nmap.js';

// Issue 5's promises (firewall, Fail2ban, SSH, submission limits, SMTP probes, audit),
// checked from the internet and the VPN client as an attacker and an administrator would.
// MAILCTL_E2E_LAB=<name> runs these against a lab that is already up with this file's
// cluster file (and leaves it up).
const REUSE = process.env.MAILCTL_E2E_LAB;
const LAB = REUSE ?? 'e2ehard';
const ADMIN_NET = '203.0.113.0/24';
/** The VPN client's uplink is on the admin allow-list. */
const ADMIN_UPLINK = VPN_CLIENT_UPLINK;
const NETNS = { internet: `mailctl-${LAB}-inet`, vpn: `mailctl-${LAB}-vpn` };

// Short and small, so bans expire and limits trip within a test's time.
const BANTIME = 20;
const MAXRETRY = 3;
const BURST = 3;
/** The recidive jail's own (src/render/fail2ban/jails.ts): three bans in a day, a week's ban. */
const RECIDIVE = { bans: 3, bantime: 604_800 };
/**
 * Exactly what the internet may reach: SMTP, submission, and nginx (ACME on 80, the public
 * pages on 443); src/render/firewall/ruleset.ts PUBLIC_TCP_PORTS.
 */
const PUBLIC_OPEN = [25, 80, 443, 465, 587];
/** The SMTP probes every audit makes, on the host and from outside, in their order. */
const SMTP_PROBE_IDS = [
  'open-relay',
  'auth-before-tls',
  'starttls-injection',
  'smtp-smuggling-lf-dot-lf',
  'smtp-smuggling-lf-dot-crlf',
  'smtp-smuggling-crlf-dot-lf',
];
/** What the VPN client reaches on the VPN address: SSH, mail, IMAP, POP3, ManageSieve, PostgreSQL. */
/** 53: unbound, the VPN's resolver. */
const VPN_OPEN = [22, 25, 53, 110, 143, 443, 465, 587, 993, 995, 4190, 5432];

/** The bundled CLI, run inside the internet or VPN namespace as on an administrator's laptop. */
const BUNDLE = resolve(import.meta.dirname, '../../dist/mailctl.mjs');

const tag = () => uniqueTag('h');
const SENDER = {
  user: `sender${Date.now().toString(36)}@example.com`,
  pass: 'correct horse battery 5',
};
const LIMITED = {
  user: `limited${Date.now().toString(36)}@example.com`,
  pass: 'correct horse battery 6',
};

const { run: onHost, applyWithFault } = labHost(LAB);

/** examples/cluster.yaml with the short ban, the small limit and the admin network. */
function testClusterFile(dir: string): string {
  const spec = parse(
    readFileSync(resolve(import.meta.dirname, '../../examples/cluster.yaml'), 'utf8'),
  ) as Record<string, Record<string, unknown>>;
  spec.fail2ban = { bantime: BANTIME, findtime: 600, maxretry: MAXRETRY };
  spec.ssh = { admin_allow: [ADMIN_NET] };
  spec.mail = { ...spec.mail, submission_limit: { burst: BURST, per_hour: 1 } };
  const path = join(dir, 'cluster.yaml');
  writeFileSync(path, stringify(spec));
  return path;
}

/** A failed SMTP AUTH (wrong password) on 587 (STARTTLS) or 465 (TLS); returns its code. */
function failAuth(side: 'internet' | 'vpn', host: string, port: 465 | 587): number {
  const token = Buffer.from(`\0${SENDER.user}\0not the password`).toString('base64');
  const r = dialogFrom(LAB, side, {
    host,
    port,
    tls: port === 465,
    steps: [
      { send: 'EHLO client.example.org', until: '^\\d{3} ' },
      ...(port === 587
        ? [
            { send: 'STARTTLS', until: '^\\d{3} ' },
            { starttls: true },
            { send: 'EHLO client.example.org', until: '^\\d{3} ' },
          ]
        : []),
      { send: `AUTH PLAIN ${token}`, until: '^\\d{3} ' },
      { send: 'QUIT', until: '^\\d{3} ' },
    ],
    timeoutMs: 10_000,
  });
  return smtpCode(r.replies[port === 587 ? 4 : 1]);
}

/**
 * Whether a fresh TCP connection gets the SMTP greeting (bounded: 4 s, 10 s on port 25,
 * where postscreen ends a new client's banner postscreen_greet_wait, 6 s, after it begins).
 */
const greets = (side: 'internet' | 'vpn', host: string, port: number): boolean =>
  /^220 /m.test(
    dialogFrom(LAB, side, {
      host,
      port,
      tls: port === 465,
      steps: [],
      timeoutMs: port === 25 ? 10_000 : 4000,
    }).greeting ?? '',
  );

const banned = (jail: string): string =>
  onHost(['fail2ban-client', 'status', jail]).stdout.split('Banned IP list:')[1] ?? '';

/** fail2ban.log's length now, and what was written to it since. */
const logMark = () => Number(onHost(['bash', '-c', 'wc -l < /var/log/fail2ban.log']).stdout.trim());
const logSince = (mark: number) =>
  onHost(['tail', '-n', `+${mark + 1}`, '/var/log/fail2ban.log']).stdout;

/** The audit's JSON report (src/ops/audit/types.ts), as far as these tests read it. */
interface AuditJson {
  ok: boolean;
  checks: { id: string; ok: boolean; detail: string }[];
  tls: {
    port: number;
    protocols: string[];
    findings: { id: string; severity: string }[];
    accepted: { id: string; severity: string }[];
  }[];
  lynis?: { hardeningIndex: number };
  remote?: { host: string; address: string; side: string };
  portScan?: { open: number[]; expected: number[]; seconds: number };
}

/** Runs `body` while a throwaway HTTP server listens on every address of the host at `port`. */
function withRogueListener(port: number, body: () => void): void {
  const unit = `mailctl-e2e-rogue-${port}`;
  const rogue = onHost([
    'systemd-run',
    `--unit=${unit}`,
    'python3',
    '-m',
    'http.server',
    '--bind',
    '0.0.0.0',
    String(port),
  ]);
  expect(rogue.code, rogue.stderr).toBe(0);
  try {
    expect(waitFor(() => new RegExp(`:${port}\\s`).test(onHost(['ss', '-Htln']).stdout), 10)).toBe(
      true,
    );
    body();
  } finally {
    onHost(['systemctl', 'stop', unit]);
  }
}

/** Polls `check` every 0.5 s until it holds or `seconds` pass. */
function waitFor(check: () => boolean, seconds: number): boolean {
  for (let i = 0; i < seconds * 2; i++) {
    if (check()) return true;
    sh('sleep 0.5');
  }
  return check();
}

/** The message carrying `marker` in the mailbox, if it arrived within a few seconds. */
function delivered(who: { user: string; pass: string }, marker: string, seconds = 6): boolean {
  return waitFor(
    () =>
      imapFetchAll(LAB, 'vpn', VPN, who.user, who.pass).messages.some((m) => m.includes(marker)),
    seconds,
  );
}

describe('a hardened lab host', () => {
  let work = '';
  /** The host's cluster file, copied to this machine as an administrator keeps it. */
  let clusterCopy = '';

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mailctl-harden-'));
    if (!REUSE) {
      const up = mailctl(['lab', 'up', '--name', LAB, '--cluster', testClusterFile(work)], {
        timeoutMs: 1_800_000,
      });
      expect(up.code, up.stderr).toBe(0);
    }
    onHost(['fail2ban-client', 'unban', '--all']);
    clusterCopy = join(work, 'host-cluster.yaml');
    writeFileSync(clusterCopy, onHost(['cat', '/etc/mailctl/cluster.yaml']).stdout);
    for (const who of [SENDER, LIMITED]) {
      const r = onHost(
        ['mailctl', 'mailbox', 'add', who.user, '--password-stdin'],
        `${who.pass}\n`,
      );
      expect(r.code, r.stderr).toBe(0);
    }
  });

  afterAll(() => {
    if (REUSE) {
      onHost(['fail2ban-client', 'unban', '--all']);
      for (const who of [SENDER, LIMITED]) onHost(['mailctl', 'mailbox', 'remove', who.user]);
    } else mailctl(['lab', 'down', '--name', LAB]);
    rmSync(work, { recursive: true, force: true });
  });

  /** `mailctl audit --remote ADDRESS --json` from the internet or the VPN client. */
  const remoteAudit = (side: 'internet' | 'vpn', address: string, args: string[]) => {
    const r = labRun(
      LAB,
      side,
      ['node', BUNDLE, 'audit', '--remote', address, '--cluster', clusterCopy, '--json', ...args],
      { timeoutMs: 600_000 },
    );
    return { ...r, report: JSON.parse(r.stdout || '{}') as AuditJson };
  };

  it('shows the internet only SMTP, submission and HTTP(S), and the VPN client the VPN services too', () => {
    // Every port something listens on, on any address, plus the well-known range.
    const listening = onHost(['ss', '-Htln']).stdout.matchAll(/:(\d+)\s/g);
    const ports = [
      ...new Set([
        ...Array.from({ length: 1024 }, (_, i) => i + 1),
        ...[...listening].map((m) => Number(m[1])),
      ]),
    ];
    for (const target of [PUBLIC, PUBLIC6]) {
      const scan = tcpScan(NETNS.internet, target, ports);
      expect(scan.open, target).toEqual(PUBLIC_OPEN);
      // Nothing answers with a reset either: every other port is dropped unseen.
      expect(scan.closed, target).toEqual([]);
      for (const p of [22, 110, 143, 993, 995, 4190, 5432, 6379, 11332, 11334])
        expect(scan.filtered, `${target}:${p}`).toContain(p);
    }
    const vpn = tcpScan(NETNS.vpn, VPN, ports);
    expect(vpn.open).toEqual(VPN_OPEN);
    // The admin allow-list reaches SSH on the public address; nothing else opens for it.
    const admin = tcpScan(NETNS.vpn, PUBLIC, [22, 25, 143, 993, 5432]);
    expect(admin.open).toEqual([22, 25]);
  });

  it('passes mailctl audit --remote from the internet: exactly the public ports answer, the SMTP probes and TLS on 465 hold', () => {
    // One TLS port keeps the scan short; the on-host audit below scans all five.
    const r = remoteAudit('internet', PUBLIC, ['--tls-ports', '465']);
    expect(r.report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.remote).toEqual({ host: 'mx1', address: PUBLIC, side: 'internet' });
    expect(r.report.portScan?.expected).toEqual(PUBLIC_OPEN);
    expect(r.report.portScan?.open).toEqual(PUBLIC_OPEN);
    expect(r.report.checks.map((c) => c.id)).toEqual(['tcp-ports', ...SMTP_PROBE_IDS, 'tls-465']);
    // Bounded: some thousand ports in seconds, and the report says how long it took.
    expect(r.report.portScan?.seconds).toBeLessThan(60);
    expect(r.report.checks[0]?.detail).toMatch(/ \d{4} ports in [\d.]+ s \(128 at a time/);
    expect(r.report.tls.map((t) => [t.port, t.protocols])).toEqual([[465, ['TLS1.2', 'TLS1.3']]]);
  });

  it('passes mailctl audit --remote from the VPN client: the VPN services answer on the VPN address, SSH on the public one', () => {
    const r = labRun(
      LAB,
      'vpn',
      ['node', BUNDLE, 'audit', '--remote', VPN, '--cluster', clusterCopy, '--no-tls'],
      { timeoutMs: 300_000 },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      `audit of mx1 at ${VPN} from the vpn side (listening sockets and Lynis: run mailctl audit on the host)`,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `^PASS {2}tcp-ports +open exactly ${VPN_OPEN.join(', ')}, as intended for the vpn side;`,
        'm',
      ),
    );
    // The client's uplink is on ssh.admin_allow: from there the public address opens SSH too.
    const admin = remoteAudit('vpn', PUBLIC, ['--no-tls']);
    expect(admin.code, admin.stdout).toBe(0);
    expect(admin.report.remote?.side).toBe('admin');
    expect(admin.report.portScan?.open).toEqual([22, ...PUBLIC_OPEN]);
  });

  it('refuses bad mailctl audit --remote arguments with one line and exit 2, before sending anything', () => {
    for (const [args, code] of [
      [['--remote', PUBLIC, '--side', 'lan'], 'E_USAGE'],
      [['--remote', `${PUBLIC}:25`], 'E_USAGE'],
      [['--side', 'internet'], 'E_USAGE'],
      [['--remote', PUBLIC, '--no-tls', '--tls-ports', '465'], 'E_USAGE'],
      [['--remote', PUBLIC, '--tls-ports', '993'], 'E_USAGE'],
      [['--remote', '198.51.100.99'], 'E_AUDIT_TARGET'],
    ] as [string[], string][]) {
      const r = labRun(LAB, 'internet', [
        'node',
        BUNDLE,
        'audit',
        '--cluster',
        clusterCopy,
        ...args,
      ]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^mailctl: ${code}: [^\n]+\n$`));
    }
  });

  it('keeps the VPN path (WireGuard over the internet) open under the firewall', () => {
    expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W2', VPN]).code).toBe(0);
    const rules = onHost(['nft', 'list', 'table', 'inet', 'mailctl_firewall']).stdout;
    expect(rules).toContain('policy drop');
  });

  it('answers UDP from the internet on the WireGuard port only: a handshake comes through, other ports stay silent even where something listens', () => {
    const port = 9999;
    // A UDP echo on every address of the host: it answers any datagram, even an empty one.
    const echo = onHost([
      'systemd-run',
      '--unit=mailctl-e2e-udp-echo',
      'python3',
      '-c',
      [
        'import socket',
        's = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
        's.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)',
        `s.bind(('::', ${port}))`,
        'while True:',
        '    d, a = s.recvfrom(2048)',
        "    s.sendto(d or b'echo', a)",
      ].join('\n'),
    ]);
    expect(echo.code, echo.stderr).toBe(0);
    try {
      expect(
        waitFor(() => new RegExp(`:${port}\\s`).test(onHost(['ss', '-Hlun']).stdout), 10),
      ).toBe(true);
      // Over the VPN it answers, and a port with nothing behind it says so (ICMP port
      // unreachable): the scanner does hear what comes back.
      expect(udpScan(NETNS.vpn, VPN, [port]).open).toEqual([port]);
      // (53 is the VPN's resolver, unbound: it answers there.)
      expect(udpScan(NETNS.vpn, VPN, [123, 161]).closed).toEqual([123, 161]);
      // From the internet nothing answers at all, not even with an ICMP error: dropped unseen,
      // the listener too. (WireGuard answers only a valid handshake, so its port looks the same.)
      const probes = [53, 123, 161, 500, 4500, 5353, port, 51820];
      for (const target of [PUBLIC, PUBLIC6]) {
        const scan = udpScan(NETNS.internet, target, probes);
        expect(scan.open, target).toEqual([]);
        expect(scan.closed, target).toEqual([]);
        expect(scan.filtered, target).toEqual([...probes].sort((a, b) => a - b));
      }
    } finally {
      onHost(['systemctl', 'stop', 'mailctl-e2e-udp-echo']);
    }
    // The WireGuard port is open to the internet: the VPN client, whose uplink is a public
    // network (the admin allow-list widens SSH only), completes a fresh handshake through it.
    const ifname = labLayout(LAB).vpnClientInterface;
    const wg = (...args: string[]) => labRun(LAB, 'vpn', ['wg', ...args]);
    const field = (what: string) => wg('show', ifname, what).stdout.trim().split('\t')[1] ?? '';
    const peer = wg('show', ifname, 'peers').stdout.trim();
    const [endpoint = '', allowed = '', keepalive = ''] = [
      'endpoints',
      'allowed-ips',
      'persistent-keepalive',
    ].map(field);
    expect(endpoint).toBe(`${PUBLIC}:51820`);
    // The peer goes and comes back as it was, without its session: the next packet needs a
    // new handshake (wg counts in seconds of this machine's clock, which the lab shares).
    const forgotAt = Math.floor(Date.now() / 1000);
    // Back at once, before any assertion can stop the test: later tests need the VPN.
    const removed = wg('set', ifname, 'peer', peer, 'remove');
    const again = wg(
      'set',
      ifname,
      'peer',
      peer,
      'endpoint',
      endpoint,
      'allowed-ips',
      allowed,
      'persistent-keepalive',
      keepalive,
    );
    expect(removed.code, removed.stderr).toBe(0);
    expect(again.code, again.stderr).toBe(0);
    expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W5', VPN]).code).toBe(0);
    expect(Number(field('latest-handshakes'))).toBeGreaterThanOrEqual(forgotAt);
    expect(onHost(['wg', 'show', 'wg0', 'endpoints']).stdout).toContain(`\t${ADMIN_UPLINK}:`);
  });

  it('never offers AUTH before TLS on 587, and refuses it', () => {
    const r = dialogFrom(LAB, 'internet', {
      host: PUBLIC,
      port: 587,
      steps: [
        { send: 'EHLO client.example.org', until: '^\\d{3} ' },
        {
          send: `AUTH PLAIN ${Buffer.from(`\0${SENDER.user}\0${SENDER.pass}`).toString('base64')}`,
          until: '^\\d{3} ',
        },
      ],
    });
    expect(r.replies[0]).toMatch(/^250-STARTTLS/m);
    expect(r.replies[0]).not.toMatch(/AUTH/);
    expect(smtpCode(r.replies[1])).toBe(530);
  });

  it('does not execute a command pipelined behind STARTTLS once TLS is up', () => {
    const r = dialogFrom(LAB, 'internet', {
      host: PUBLIC,
      port: 587,
      steps: [
        { send: 'EHLO client.example.org', until: '^\\d{3} ' },
        // The injection: a plaintext command in the same packet as STARTTLS.
        { raw: 'STARTTLS\r\nRSET\r\n', until: '^\\d{3} ' },
        { starttls: true },
        { send: 'EHLO client.example.org', until: '^250 ' },
      ],
    });
    expect(smtpCode(r.replies[1])).toBe(220);
    // After the handshake the first reply is EHLO's; a "250 2.0.0 Ok" for RSET would mean
    // the plaintext command was carried into the TLS session.
    expect(r.replies[3]).toMatch(/^250-/);
    expect(r.replies[3]).not.toMatch(/2\.0\.0 Ok/);
  });

  it('refuses SMTP smuggling (bare LF end of data) and never delivers the smuggled message', () => {
    // Messages that Rspamd lets through as they are (no greylisting), so only the SMTP
    // layer decides whether the smuggled one arrives.
    const message = (t: string, what: string) =>
      testMessage('someone@example.org', SENDER.user, `${what}-${t}`).replace(/\r\n$/, '');
    // The second transaction goes in two writes, as a relay would stream it: its commands
    // right behind the end-of-data sequence under test, its content once DATA is answered
    // (Postfix refuses content that arrives before its 354 on its own: reject_unauth_pipelining).
    const session = (first: string, end: string, t: string, what: string) =>
      dialogFrom(LAB, 'internet', {
        host: PUBLIC,
        port: 25,
        timeoutMs: 5000,
        steps: [
          { send: 'EHLO client.example.org', until: '^\\d{3} ' },
          { send: 'MAIL FROM:<someone@example.org>', until: '^\\d{3} ' },
          { send: `RCPT TO:<${SENDER.user}>`, until: '^\\d{3} ' },
          { send: 'DATA', until: '^\\d{3} ' },
          {
            raw: `${first}${end}MAIL FROM:<someone@example.org>\r\nRCPT TO:<${SENDER.user}>\r\nDATA\r\n`,
            until: '^(354|5\\d\\d) ',
          },
          { raw: `${message(t, what)}\r\n.\r\n`, until: '^\\d{3} ' },
          { send: 'QUIT', until: '^\\d{3} ' },
        ],
      });
    for (const end of ['\n.\n', '\n.\r\n', '\r\n.\n']) {
      const t = tag();
      const r = session(message(t, 'carrier'), end, t, 'smuggled');
      expect(smtpCode(r.replies[2]), JSON.stringify(end)).toBe(250);
      // Postfix reads on to the real end of data and refuses the whole thing (550 bare
      // <LF>): the bare sequence never ended a message, so no second transaction began.
      const after = `${r.replies[4]}${r.replies[5]}`;
      expect(after, JSON.stringify(end)).not.toMatch(/queued|^354 /m);
      expect(smtpCode(r.replies[5]), JSON.stringify(end)).toBe(550);
      expect(delivered(SENDER, `smuggled-${t}`, 3), JSON.stringify(end)).toBe(false);
    }
    // The check above would see a second message: one streamed the same way behind a
    // proper end of data arrives.
    const t = tag();
    const control = session(message(t, 'first'), '\r\n.\r\n', t, 'second');
    expect(control.replies[4]).toMatch(/^354 /m);
    expect(smtpCode(control.replies[5])).toBe(250);
    expect(delivered(SENDER, `second-${t}`, 15)).toBe(true);
  });

  it('gives an authenticated user over the submission limit a temporary failure', () => {
    const send = () =>
      smtpSend(LAB, 'internet', {
        host: PUBLIC,
        port: 587,
        tls: 'starttls',
        auth: LIMITED,
        from: LIMITED.user,
        to: [SENDER.user],
        data: testMessage(LIMITED.user, SENDER.user, tag()),
      });
    const codes = Array.from({ length: BURST }, () => send().codes.end);
    expect(codes).toEqual(Array(BURST).fill(250));
    const over = send();
    expect(over.codes.end).toBeGreaterThanOrEqual(400);
    expect(over.codes.end).toBeLessThan(500);
    expect(over.result.replies.join('\n')).toMatch(/ratelimit/i);
    // Another user is not held back by this one's limit.
    const other = smtpSend(LAB, 'internet', {
      host: PUBLIC,
      port: 587,
      tls: 'starttls',
      auth: SENDER,
      from: SENDER.user,
      to: [LIMITED.user],
      data: testMessage(SENDER.user, LIMITED.user, tag()),
    });
    expect(other.codes.end).toBe(250);
  });

  it('requires a password of every Redis client; Rspamd has it and keeps its rate-limit buckets there', () => {
    // The password stays on the host: redis-cli reads it from the environment.
    const redis = (args: string, auth = true) =>
      onHost([
        'bash',
        '-c',
        `${auth ? 'REDISCLI_AUTH="$(cat /etc/mailctl/secrets/redis-password)" ' : ''}redis-cli ${args} 2>&1`,
      ]).stdout;
    expect(redis('ping', false)).toMatch(/NOAUTH/);
    expect(redis('ping').trim()).toBe('PONG');
    expect(redis('config get dir')).toMatch(/unknown command 'config'/);
    // The submission limit above was counted here: the ratelimit module's buckets.
    expect(redis("--scan --pattern 'RL*'")).toMatch(/^RL/m);
  });

  it('hardens local logins: umask 027, an idle timeout, password quality for root too, no core dumps, process accounting', () => {
    expect(onHost(['su', '-', 'root', '-c', 'umask']).stdout.trim()).toBe('0027');
    expect(onHost(['bash', '-lc', 'echo "$TMOUT"']).stdout.trim()).toBe('900');
    const user = `pw${Date.now().toString(36)}`;
    expect(onHost(['useradd', user]).code).toBe(0);
    try {
      const weak = onHost(['chpasswd'], `${user}:Summer2025!\n`);
      expect(weak.code).not.toBe(0);
      expect(weak.stderr).toMatch(/shorter than 14 characters/);
      expect(onHost(['chpasswd'], `${user}:violet staple lantern orbit\n`).code).toBe(0);
    } finally {
      onHost(['userdel', user]);
    }
    for (const unit of ['dovecot.service', 'postfix.service', 'nginx.service'])
      expect(onHost(['systemctl', 'show', '-p', 'LimitCORE', unit]).stdout.trim()).toBe(
        'LimitCORE=0',
      );
    // The su above ended, and the kernel recorded it.
    expect(onHost(['lastcomm', '--command', 'su']).stdout).toMatch(/^su\s/m);
    const modes = onHost([
      'bash',
      '-c',
      'cd /etc/postgresql/17/main && stat -c "%n %a %U" *.conf conf.d/*.conf',
    ]).stdout;
    // Only what pg_wrapper reads for every user who runs psql stays world-readable.
    expect(modes.trim().split('\n').sort()).toEqual([
      'conf.d/mailctl.conf 644 postgres',
      'pg_ctl.conf 640 postgres',
      'pg_hba.conf 640 postgres',
      'pg_ident.conf 640 postgres',
      'postgresql.conf 644 postgres',
      'start.conf 640 postgres',
    ]);
    // A daemon's role can still find the cluster with psql, by peer authentication.
    const peer = onHost([
      'runuser',
      '-u',
      'dovecot',
      '--',
      'psql',
      '-X',
      '-A',
      '-t',
      '-d',
      'mailctl',
      '-c',
      'SELECT 1',
    ]);
    expect(peer.stdout.trim(), peer.stderr).toBe('1');
  });

  it('takes SSH keys only, modern algorithms only, and not from the internet', () => {
    const key = join(work, 'id_ed25519');
    expect(sh(`ssh-keygen -q -t ed25519 -N '' -f ${key}`).code).toBe(0);
    const pub = readFileSync(`${key}.pub`, 'utf8');
    const auth = onHost(
      [
        'bash',
        '-c',
        'mkdir -p -m 700 /root/.ssh && cat > /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys',
      ],
      pub,
    );
    expect(auth.code, auth.stderr).toBe(0);
    const ssh = (ns: 'internet' | 'vpn', target: string, opts: string[]) =>
      labRun(
        LAB,
        ns,
        [
          'ssh',
          '-o',
          'BatchMode=yes',
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'ConnectTimeout=5',
          ...opts,
          `root@${target}`,
          'true',
        ],
        { timeoutMs: 30_000 },
      );
    expect(ssh('vpn', VPN, ['-i', key, '-o', 'IdentitiesOnly=yes']).code).toBe(0);
    const password = ssh('vpn', VPN, [
      '-o',
      'PubkeyAuthentication=no',
      '-o',
      'PreferredAuthentications=password,keyboard-interactive',
    ]);
    expect(password.code).toBe(255);
    // The server names the methods it would accept: public key, and nothing else.
    expect(password.stderr).toContain('Permission denied (publickey)');
    // Before authentication it shows the legal notice (Banner), which names no system.
    expect(password.stderr).toContain('Access is for authorised users only.');
    expect(password.stderr).not.toMatch(/debian/i);
    const oldKex = ssh('vpn', VPN, ['-i', key, '-o', 'KexAlgorithms=diffie-hellman-group14-sha1']);
    expect(oldKex.code).toBe(255);
    expect(oldKex.stderr).toMatch(/no matching key exchange method/);
    const cbc = ssh('vpn', VPN, ['-i', key, '-o', 'Ciphers=aes128-ctr']);
    expect(cbc.stderr).toMatch(/no matching cipher/);
    const internet = ssh('internet', PUBLIC, ['-i', key]);
    expect(internet.code).toBe(255);
    expect(internet.stderr).toMatch(/timed out/);
  });

  it('bans an address after repeated failed SMTP AUTH on 587 and 465, lifts the ban after bantime, and never bans the VPN or the admin network', () => {
    const logFrom = logMark();
    for (let i = 0; i < MAXRETRY + 1; i++) {
      expect(failAuth('vpn', VPN, i % 2 ? 465 : 587)).toBe(535);
      expect(failAuth('vpn', PUBLIC, i % 2 ? 465 : 587)).toBe(535);
    }
    for (let i = 0; i < MAXRETRY; i++)
      expect(failAuth('internet', PUBLIC, i % 2 ? 465 : 587)).toBe(535);
    expect(waitFor(() => banned('postfix-sasl').includes(ATTACKER), 20)).toBe(true);
    const bannedAt = Date.now();
    // Its next connection fails, on every mail port.
    for (const port of [25, 465, 587])
      expect(greets('internet', PUBLIC, port), String(port)).toBe(false);
    // The same failures (and more) from the VPN and from the admin allow-list banned no one.
    // Fail2ban saw every one of those failures, and let them go because of ignoreip.
    const log = logSince(logFrom);
    for (const who of [VPN_CLIENT, ADMIN_UPLINK])
      expect(log.split(`[postfix-sasl] Ignore ${who} by ip`).length - 1, who).toBe(MAXRETRY + 1);
    const all = `${banned('postfix-sasl')} ${banned('dovecot')}`;
    expect(all).not.toContain(VPN_CLIENT);
    expect(all).not.toContain(ADMIN_UPLINK);
    expect(greets('vpn', VPN, 587)).toBe(true);
    expect(greets('vpn', PUBLIC, 587)).toBe(true);
    // The ban ends after bantime, by itself.
    expect(waitFor(() => greets('internet', PUBLIC, 587), BANTIME + 30)).toBe(true);
    expect((Date.now() - bannedAt) / 1000).toBeGreaterThan(BANTIME - 5);
    expect(banned('postfix-sasl')).not.toContain(ATTACKER);
  });

  it('bans a flood of malformed HTTP requests from the internet on 80 and 443 only, never from the VPN', () => {
    const badRequest = (side: 'internet' | 'vpn', host: string, port: 80 | 443) =>
      dialogFrom(LAB, side, {
        host,
        port,
        tls: port === 443,
        greeting: '^',
        // No Host header: nginx answers 400 and logs it.
        steps: [{ raw: 'GET / HTTP/1.1\r\n\r\n', until: '^HTTP/1\\.1 \\d{3}' }],
        timeoutMs: 4000,
      }).replies[0] ?? '';
    const logFrom = logMark();
    for (let i = 0; i < MAXRETRY + 1; i++) {
      expect(badRequest('vpn', VPN, 443)).toMatch(/^HTTP\/1\.1 400/);
      expect(badRequest('vpn', PUBLIC, 80)).toMatch(/^HTTP\/1\.1 400/);
    }
    // Up to maxretry of them (fewer if an earlier run on a reused lab left failures on record).
    let answered = 0;
    for (let i = 0; i < MAXRETRY; i++)
      if (/^HTTP\/1\.1 400/.test(badRequest('internet', PUBLIC, 80))) answered++;
    expect(answered).toBeGreaterThan(0);
    expect(waitFor(() => banned('nginx-bad-request').includes(ATTACKER), 20)).toBe(true);
    expect(badRequest('internet', PUBLIC, 443)).toBe('');
    // The ban covers the web ports only: mail from the same address still gets through.
    expect(greets('internet', PUBLIC, 25)).toBe(true);
    // Seen and let go, as for SMTP AUTH.
    const log = logSince(logFrom);
    for (const who of [VPN_CLIENT, ADMIN_UPLINK])
      expect(log.split(`[nginx-bad-request] Ignore ${who} by ip`).length - 1, who).toBe(
        MAXRETRY + 1,
      );
    expect(banned('nginx-bad-request')).not.toContain(VPN_CLIENT);
    expect(banned('nginx-bad-request')).not.toContain(ADMIN_UPLINK);
    expect(badRequest('vpn', VPN, 443)).toMatch(/^HTTP\/1\.1 400/);
    expect(waitFor(() => badRequest('internet', PUBLIC, 80) !== '', BANTIME + 30)).toBe(true);
    onHost(['fail2ban-client', 'unban', '--all']);
  });

  it('watches SOGo logins with its own jail, and never bans the VPN client for failing them', () => {
    // SOGo is served on the VPN side only, so the VPN client is the only one who can fail.
    const logFrom = logMark();
    const login = () => sogoLogin(LAB, VPN, SENDER.user, 'not the password').status;
    for (let i = 0; i < MAXRETRY + 2; i++) expect(login()).toBe('403');
    const seen = () =>
      logSince(logFrom).split(`[mailctl-sogo] Ignore ${VPN_CLIENT} by ip`).length - 1;
    expect(
      waitFor(() => seen() === MAXRETRY + 2, 15),
      String(seen()),
    ).toBe(true);
    expect(banned('mailctl-sogo')).not.toContain(VPN_CLIENT);
    expect(login()).toBe('403');
  });

  it('bans an address banned three times within a day from every port for a week (recidive), and never the VPN client', () => {
    const inRecidive = (who: string) => banned('recidive').includes(who);
    const mailJails = ['postfix-sasl', 'dovecot'];
    try {
      // Each ban counts, the ones earlier tests gave this address too (SMTP AUTH, bad HTTP
      // requests): so between one and three more rounds of failed logins.
      for (let round = 0; round < RECIDIVE.bans && !inRecidive(ATTACKER); round++) {
        for (let i = 0; i < MAXRETRY; i++) failAuth('internet', PUBLIC, 587);
        expect(waitFor(() => banned('postfix-sasl').includes(ATTACKER), 20)).toBe(true);
        if (waitFor(() => inRecidive(ATTACKER), 3)) break;
        // Recidive counts bans in fail2ban's log: one lifted by hand counts as one that ran
        // out, and the test need not wait bantime each round.
        for (const jail of mailJails)
          if (banned(jail).includes(ATTACKER))
            onHost(['fail2ban-client', 'set', jail, 'unbanip', ATTACKER]);
      }
      expect(waitFor(() => inRecidive(ATTACKER), 10)).toBe(true);
      // Only recidive holds it now, for the long ban.
      for (const jail of mailJails)
        if (banned(jail).includes(ATTACKER))
          onHost(['fail2ban-client', 'set', jail, 'unbanip', ATTACKER]);
      const until = onHost(['fail2ban-client', 'get', 'recidive', 'banip', '--with-time']).stdout;
      expect(until).toMatch(
        new RegExp(`^${ATTACKER.replaceAll('.', '\\.')}\\s.*\\+ ${RECIDIVE.bantime} =`, 'm'),
      );
      const rule = /^.*@addr-set-recidive.*$/m.exec(
        onHost(['nft', 'list', 'table', 'inet', 'f2b-table']).stdout,
      )?.[0];
      expect(rule).toMatch(/reject/);
      expect(rule).not.toMatch(/dport/);
      // Every port: the mail ports the jail watched, and the web ports it never did.
      for (const port of [25, 587])
        expect(greets('internet', PUBLIC, port), String(port)).toBe(false);
      const web = (ns: 'internet' | 'vpn') =>
        labRun(LAB, ns, [
          'curl',
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '--max-time',
          '4',
          `http://${PUBLIC}/`,
        ]).stdout;
      expect(web('internet')).toBe('000');
      expect(web('vpn')).toBe('301');

      // A VPN client cannot earn a ban by failing logins (ignoreip), so it is banned by hand
      // three times: real bans in fail2ban's log, which recidive reads and lets go.
      const mark = logMark();
      for (let i = 0; i < RECIDIVE.bans; i++) {
        onHost(['fail2ban-client', 'set', 'postfix-sasl', 'banip', VPN_CLIENT]);
        onHost(['fail2ban-client', 'set', 'postfix-sasl', 'unbanip', VPN_CLIENT]);
      }
      const ignored = () =>
        logSince(mark).split(`[recidive] Ignore ${VPN_CLIENT} by ip`).length - 1;
      expect(
        waitFor(() => ignored() === RECIDIVE.bans, 15),
        String(ignored()),
      ).toBe(true);
      expect(inRecidive(VPN_CLIENT)).toBe(false);
      expect(greets('vpn', VPN, 587)).toBe(true);
    } finally {
      onHost(['fail2ban-client', 'unban', '--all']);
    }
    expect(greets('internet', PUBLIC, 25)).toBe(true);
  });

  it('never loads a ruleset nft refuses, and a failed apply puts the old ruleset back with the VPN up', () => {
    const fileBefore = onHost(['sha256sum', '/etc/mailctl/firewall.nft']).stdout;
    const liveBefore = onHost(['nft', 'list', 'table', 'inet', 'mailctl_firewall']).stdout;
    const refused = applyWithFault(
      '/etc/mailctl/firewall.nft',
      'table inet x { chain c { tcp dport nope accept; } }',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('E_CHECK_FAILED');
    expect(refused.stderr).toContain('nft -c -f');
    expect(onHost(['sha256sum', '/etc/mailctl/firewall.nft']).stdout).toBe(fileBefore);

    // A change to the firewall (one more admin network) goes live, then a later component
    // (sysctl: a value the kernel refuses, which the key check cannot see) fails to.
    const cluster = onHost(['cat', '/etc/mailctl/cluster.yaml']).stdout;
    const spec = parse(cluster) as { ssh?: { admin_allow?: string[] } };
    spec.ssh = { admin_allow: [...(spec.ssh?.admin_allow ?? []), '192.0.2.0/28'] };
    expect(onHost(['bash', '-c', 'cat > /etc/mailctl/cluster.yaml'], stringify(spec)).code).toBe(0);
    try {
      const failed = applyWithFault(
        '/etc/sysctl.d/90-mailctl-hardening.conf',
        'net.ipv4.tcp_syncookies = banana',
      );
      expect(failed.code, failed.stderr).toBe(1);
      expect(failed.stderr).toContain('E_APPLY_ROLLED_BACK');
      expect(onHost(['sha256sum', '/etc/mailctl/firewall.nft']).stdout).toBe(fileBefore);
      const liveAfter = onHost(['nft', 'list', 'table', 'inet', 'mailctl_firewall']).stdout;
      expect(liveAfter).not.toContain('192.0.2.0/28');
      expect(liveAfter).toBe(liveBefore);
      expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W2', VPN]).code).toBe(0);
      expect(greets('vpn', VPN, 587)).toBe(true);
    } finally {
      onHost(['bash', '-c', 'cat > /etc/mailctl/cluster.yaml'], cluster);
    }
    expect(onHost(['mailctl', 'apply']).stdout).toContain('No changes');
  });

  it('rotates the logs daemons write outside the journal, and nginx writes on into the new file', () => {
    expect(onHost(['systemctl', 'is-active', 'logrotate.timer']).stdout.trim()).toBe('active');
    // A dry run over every package's rules: each log a jail or an administrator reads is covered.
    const dry = onHost(['logrotate', '--debug', '/etc/logrotate.conf']);
    expect(dry.code, dry.stderr).toBe(0);
    for (const log of [
      '/var/log/nginx/access.log',
      '/var/log/fail2ban.log',
      '/var/log/sogo/sogo.log',
      '/var/log/redis/redis-server.log',
    ])
      expect(`${dry.stdout}${dry.stderr}`, log).toContain(log);
    // A request before and one after a forced rotation: nginx reopens its log (the package's
    // postrotate), so the second lands in the new file and the first stays in the old one.
    const request = (path: string) => httpFrom(LAB, 'vpn', `https://${VPN}${path}`);
    const logged = (file: string, path: string) =>
      waitFor(() => onHost(['cat', file]).stdout.includes(path), 10);
    const before = `/before-rotation-${tag()}`;
    request(before);
    expect(logged('/var/log/nginx/access.log', before)).toBe(true);
    const rotated = onHost(['logrotate', '--force', '/etc/logrotate.d/nginx']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(onHost(['cat', '/var/log/nginx/access.log.1']).stdout).toContain(before);
    const after = `/after-rotation-${tag()}`;
    request(after);
    expect(logged('/var/log/nginx/access.log', after)).toBe(true);
    expect(onHost(['cat', '/var/log/nginx/access.log']).stdout).not.toContain(before);
  });

  it('sets the network sysctls; machine-wide ones are left to the machine in the lab', () => {
    const r = onHost([
      'sysctl',
      '-n',
      'net.ipv4.conf.all.rp_filter',
      'net.ipv4.conf.all.accept_redirects',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.conf.all.accept_source_route',
    ]);
    expect(r.stdout.trim().split('\n')).toEqual(['1', '0', '1', '0']);
    expect(onHost(['systemctl', 'is-active', 'systemd-sysctl.service']).stdout.trim()).toBe(
      'active',
    );
    // The lab shares this machine's kernel: its kernel.* keys are not the lab's to change.
    const kernel = onHost(['bash', '-c', 'echo 2 > /proc/sys/kernel/kptr_restrict']);
    expect(kernel.stderr).toMatch(/Read-only file system/);
  });

  it('stops and masks services with no business on the host', () => {
    // A unit where a package would put it, under the name of one apply must not tolerate.
    const unit = '/usr/lib/systemd/system/avahi-daemon.service';
    const made = onHost([
      'bash',
      '-c',
      `printf '[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n' > ${unit} && systemctl daemon-reload && systemctl enable --now avahi-daemon.service`,
    ]);
    expect(made.code, made.stderr).toBe(0);
    try {
      const apply = onHost(['mailctl', 'apply']);
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stdout).toContain('stopped and masked avahi-daemon.service');
      expect(onHost(['systemctl', 'is-enabled', 'avahi-daemon.service']).stdout.trim()).toBe(
        'masked',
      );
      expect(onHost(['systemctl', 'is-active', 'avahi-daemon.service']).stdout.trim()).not.toBe(
        'active',
      );
      expect(onHost(['mailctl', 'apply']).stdout).toContain('No changes');
    } finally {
      onHost([
        'bash',
        '-c',
        `systemctl unmask avahi-daemon.service; rm -f ${unit}; systemctl daemon-reload`,
      ]);
    }
  });

  it('fails mailctl audit on a listener the cluster file does not intend, naming it', () => {
    withRogueListener(8081, () => {
      const r = onHost(['mailctl', 'audit', '--json', '--no-tls', '--no-lynis']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as {
        checks: { id: string; ok: boolean; detail: string }[];
      };
      const sockets = report.checks.find((c) => c.id === 'listening-sockets');
      expect(sockets?.ok).toBe(false);
      expect(sockets?.detail).toContain('unexpected tcp *:8081');
      // The other checks still ran and passed.
      expect(report.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['listening-sockets']);
    });
  });

  it('fails mailctl audit --remote from the internet on a port the cluster file does not open, naming it', () => {
    const before = onHost(['nft', 'list', 'table', 'inet', 'mailctl_firewall']).stdout;
    // 8443: 8080 is nginx's stub_status on loopback now, which a wildcard listener cannot share.
    withRogueListener(8443, () => {
      try {
        // A hole made by hand in mailctl's own table, as a quick fix on the host might leave.
        const hole = onHost([
          'nft',
          'insert',
          'rule',
          'inet',
          'mailctl_firewall',
          'input',
          'tcp',
          'dport',
          '8443',
          'accept',
        ]);
        expect(hole.code, hole.stderr).toBe(0);
        const r = remoteAudit('internet', PUBLIC, ['--no-tls']);
        expect(r.code, r.stderr).toBe(1);
        const ports = r.report.checks.find((c) => c.id === 'tcp-ports');
        expect(ports?.ok).toBe(false);
        expect(ports?.detail).toContain('unexpected open 8443');
        expect(r.report.portScan?.open).toEqual([...PUBLIC_OPEN, 8443]);
        // The other checks still ran and passed.
        expect(r.report.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['tcp-ports']);
      } finally {
        onHost(['nft', '-f', '/etc/mailctl/firewall.nft']);
      }
    });
    expect(onHost(['nft', 'list', 'table', 'inet', 'mailctl_firewall']).stdout).toBe(before);
  });

  it('passes mailctl audit: TLS 1.2/1.3 only and nothing above LOW on 443, 465, 587, 993 and 995, and the probes', () => {
    const r = labRun(LAB, 'host', ['mailctl', 'audit', '--json'], { timeoutMs: 1_200_000 });
    const report = JSON.parse(r.stdout) as AuditJson;
    // The figure goes to bench/RESULTS.md by hand; the test keeps the whole report.
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/audit.json', JSON.stringify(report, null, 2));
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['listening-sockets', ...SMTP_PROBE_IDS, 'lynis']),
    );
    expect(report.tls.map((t) => t.port).sort()).toEqual([443, 465, 587, 993, 995]);
    for (const t of report.tls) {
      expect(t.protocols.sort(), String(t.port)).toEqual(['TLS1.2', 'TLS1.3']);
      expect(
        t.findings.filter((f) => !['LOW', 'INFO', 'OK'].includes(f.severity)),
        String(t.port),
      ).toEqual([]);
      // The lab's certificate is self-signed (tls.mode: self-signed): only the
      // certificate's own findings may be set aside for that.
      expect(
        t.accepted.every((f) => f.id.startsWith('cert_')),
        String(t.port),
      ).toBe(true);
    }
    expect(report.lynis?.hardeningIndex).toBeGreaterThan(0);
    // testssl.sh on five ports and Lynis: 90 s on an idle machine, past 300 s on a loaded one.
  }, 1_200_000);
});
