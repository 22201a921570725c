import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_NET, labLayout } from '../../src/lab/layout.js';
import { labHost, uniqueTag } from './support/cli.js';
import { imapFetchAll, smtpFromInternet, smtpSend, testMessage } from './support/mail.js';
import { VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 10, "Taking access away": a disabled, removed or re-passworded mailbox loses its
// sessions and logins at once; a removed VPN peer is out of wg0 at once, the others not
// disturbed.
const LAB = SHARED_LAB;
const NETNS_VPN = labLayout(LAB).netns.vpn;
const IVY = { user: 'ivy@example.net', pass: 'correct horse battery staple 31' };
const IVY_ALIAS = 'ivy-alias@example.net';
const PEER = 'access-e2e-phone';

const { run: onHost } = labHost(LAB);
const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

/** A message from the internet to the MX. */
const rcptFromInternet = (to: string, marker: string) =>
  smtpFromInternet(LAB, to, testMessage('someone@example.org', to, marker));

const submit = (who: { user: string; pass: string }) =>
  smtpSend(LAB, 'vpn', {
    host: VPN,
    port: 587,
    tls: 'starttls',
    auth: who,
    from: who.user,
    to: ['postmaster@example.net'],
    data: testMessage(who.user, 'postmaster@example.net', uniqueTag()),
  });

/** Waits (bounded) until IVY's INBOX holds a message with `marker`. */
function delivered(who: { user: string; pass: string }, marker: string): boolean {
  for (let i = 0; i < 40; i++) {
    const r = imapFetchAll(LAB, 'vpn', VPN, who.user, who.pass);
    if (r.messages.some((m) => m.includes(marker))) return true;
    spawnSync('sleep', ['0.5']);
  }
  return false;
}

/**
 * An IMAP session that stays open: it logs in, says "ready", and on each line of its stdin
 * sends a NOOP and prints the server's answer (or "closed").
 */
const HOLD_IMAP = `
const tls = require('node:tls');
const [host, user, pass] = process.argv.slice(1);
const q = (s) => '"' + s.replace(/[\\\\"]/g, '\\\\$&') + '"';
const s = tls.connect({ host, port: 993, rejectUnauthorized: false });
let buf = '', n = 0, want = null;
const check = () => { if (want && want.re.test(buf)) { const w = want; want = null; const b = buf; buf = ''; w.done(b); } };
s.on('data', (d) => { buf += d; check(); });
s.on('close', () => { if (want) { const w = want; want = null; w.done('closed'); } });
s.on('error', () => {});
const cmd = (line) => new Promise((done) => { const t = 'h' + ++n; want = { re: new RegExp('^' + t + ' ', 'm'), done }; if (s.destroyed) { want = null; done('closed'); } else s.write(t + ' ' + line + '\\r\\n'); });
s.once('secureConnect', async () => {
  const login = await cmd('LOGIN ' + q(user) + ' ' + q(pass));
  console.log(/^h1 OK/m.test(login) ? 'ready' : 'login failed');
  process.stdin.on('data', async () => console.log((await cmd('NOOP')).trim().split('\\r\\n').pop()));
});
`;

function holdImap(who: { user: string; pass: string }) {
  const child = spawn('ip', [
    'netns',
    'exec',
    NETNS_VPN,
    'node',
    '-e',
    HOLD_IMAP,
    VPN,
    who.user,
    who.pass,
  ]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const nextLine = async (after: number) => {
    for (let i = 0; i < 100; i++) {
      const lines = out.split('\n').filter(Boolean);
      if (lines.length > after) return lines[after] ?? '';
      await new Promise((r) => setTimeout(r, 100));
    }
    return '(no answer)';
  };
  return {
    ready: () => nextLine(0),
    noop: async (n: number) => {
      child.stdin.write('\n');
      return nextLine(n);
    },
    end: () => child.kill(),
  };
}

describe('taking a mailbox away', () => {
  beforeAll(() => {
    useSharedLab();
    onHost(['mailctl', 'mailbox', 'remove', IVY.user]);
    ok(onHost(['mailctl', 'mailbox', 'add', IVY.user, '--password-stdin'], `${IVY.pass}\n`));
    ok(onHost(['mailctl', 'alias', 'add', IVY_ALIAS, IVY.user]));
  });

  afterAll(() => {
    onHost(['mailctl', 'mailbox', 'remove', IVY.user]);
  });

  it('disables a mailbox: no IMAP login, no submission, mail to it refused with 550 5.2.1; enable restores it with its mail', () => {
    const kept = uniqueTag('kept');
    expect(rcptFromInternet(IVY.user, kept).codes.end).toBe(250);
    expect(delivered(IVY, kept)).toBe(true);

    const off = JSON.parse(ok(onHost(['mailctl', 'mailbox', 'disable', IVY.user, '--json']))) as {
      active: boolean;
    };
    expect(off).toEqual({ address: IVY.user, active: false });
    const imap = imapFetchAll(LAB, 'vpn', VPN, IVY.user, IVY.pass);
    expect(imap.loginOk).toBe(false);
    expect(imap.result.replies[0]).toMatch(/^a1 NO /m);
    expect(submit(IVY).codes.auth).toBe(535);
    const refused = rcptFromInternet(IVY.user, uniqueTag());
    expect(refused.codes.rcpt).toEqual([550]);
    expect(refused.result.replies.join('')).toMatch(/550 5\.2\.1 .*Mailbox disabled/);
    // An alias that delivers only to it is refused at RCPT too, not accepted and bounced.
    expect(rcptFromInternet(IVY_ALIAS, uniqueTag()).codes.rcpt).toEqual([550]);
    const list = JSON.parse(ok(onHost(['mailctl', 'mailbox', 'list', '--json']))) as {
      address: string;
      active: boolean;
    }[];
    expect(list.find((m) => m.address === IVY.user)?.active).toBe(false);

    ok(onHost(['mailctl', 'mailbox', 'enable', IVY.user]));
    expect(delivered(IVY, kept)).toBe(true);
    expect(submit(IVY).codes.auth).toBe(235);
    const again = uniqueTag('again');
    expect(rcptFromInternet(IVY_ALIAS, again).codes.end).toBe(250);
    expect(delivered(IVY, again)).toBe(true);
  });

  it('ends an open IMAP session when the password changes: the next command is refused', async () => {
    const session = holdImap(IVY);
    try {
      expect(await session.ready()).toBe('ready');
      expect(await session.noop(1)).toMatch(/^h2 OK/);
      const next = { user: IVY.user, pass: 'another horse battery staple 32' };
      const said = ok(
        onHost(['mailctl', 'mailbox', 'passwd', IVY.user, '--password-stdin'], `${next.pass}\n`),
      );
      expect(said).toContain('ended its 1 IMAP/POP3 connection(s) (doveadm kick)');
      expect(await session.noop(2)).not.toMatch(/^h3 OK/);
      expect(imapFetchAll(LAB, 'vpn', VPN, IVY.user, IVY.pass).loginOk).toBe(false);
      expect(imapFetchAll(LAB, 'vpn', VPN, next.user, next.pass).loginOk).toBe(true);
      IVY.pass = next.pass;
    } finally {
      session.end();
    }
  });
});

/** Whether a TCP connection from `source` (an address in the VPN client namespace) opens. */
function reaches(source: string, port: number): boolean {
  const script =
    "const s = require('node:net').connect({ host: process.argv[1], port: +process.argv[2], localAddress: process.argv[3] });" +
    "s.setTimeout(4000, () => { console.log('timeout'); process.exit(0); });" +
    "s.on('connect', () => { console.log('open'); process.exit(0); });" +
    "s.on('error', (e) => { console.log(e.code); process.exit(0); });";
  const r = spawnSync(
    'ip',
    ['netns', 'exec', NETNS_VPN, 'node', '-e', script, VPN, String(port), source],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return r.stdout.trim() === 'open';
}

describe('taking a device off the VPN', () => {
  // The second peer is a wireguard-go interface of its own in the VPN client namespace;
  // traffic from its address leaves through it (a routing rule), the rest through the lab's.
  const ifname = `mc${LAB}w2`;
  const table = '1002';
  const work = mkdtempSync(join(tmpdir(), 'mailctl-access-'));
  let wgGo: ReturnType<typeof spawn> | undefined;
  let address = '';
  const ns = (...args: string[]) =>
    spawnSync('ip', ['netns', 'exec', NETNS_VPN, ...args], { encoding: 'utf8', timeout: 30_000 });
  const handshakes = () =>
    new Map(
      ok(onHost(['wg', 'show', 'wg0', 'latest-handshakes']))
        .trim()
        .split('\n')
        .map((l) => l.split('\t') as [string, string]),
    );
  /** Bytes received and sent per peer: a peer wg0 made anew would count from zero again. */
  const transfers = () =>
    new Map(
      ok(onHost(['wg', 'show', 'wg0', 'transfer']))
        .trim()
        .split('\n')
        .map((l) => {
          const [key = '', rx = '0', tx = '0'] = l.split('\t');
          return [key, Number(rx) + Number(tx)] as const;
        }),
    );
  const wgStarted = () =>
    ok(onHost(['systemctl', 'show', '-P', 'ActiveEnterTimestampMonotonic', 'wg-quick@wg0'])).trim();

  beforeAll(() => {
    useSharedLab();
    onHost(['mailctl', 'vpn', 'peer', 'remove', PEER]);
  });

  afterAll(() => {
    wgGo?.kill();
    ns('ip', 'rule', 'del', 'from', address, 'lookup', table);
    onHost(['mailctl', 'vpn', 'peer', 'remove', PEER]);
    rmSync(work, { recursive: true, force: true });
  });

  it('lets a second peer in, lists it, and takes it out at once without disturbing the first', async () => {
    const added = JSON.parse(ok(onHost(['mailctl', 'vpn', 'peer', 'add', PEER, '--json']))) as {
      name: string;
      address: string;
      publicKey: string;
      config: string;
    };
    address = added.address;
    const privateKey = /^PrivateKey = (\S+)$/m.exec(added.config)?.[1] ?? '';
    const hostKey = /^PublicKey = (\S+)$/m.exec(added.config)?.[1] ?? '';
    expect(privateKey).not.toBe('');
    const keyFile = join(work, 'key');
    writeFileSync(keyFile, `${privateKey}\n`, { mode: 0o600 });

    wgGo = spawn('ip', ['netns', 'exec', NETNS_VPN, 'wireguard-go', '--foreground', ifname], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50 && ns('wg', 'show', ifname).status !== 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    for (const args of [
      [
        'wg',
        'set',
        ifname,
        'private-key',
        keyFile,
        'peer',
        hostKey,
        'endpoint',
        `${LAB_NET.hostPublic4}:${LAB_NET.vpnPort}`,
        'allowed-ips',
        LAB_NET.vpnSubnet,
        'persistent-keepalive',
        '5',
      ],
      ['ip', 'addr', 'add', `${address}/32`, 'dev', ifname],
      ['ip', 'link', 'set', ifname, 'up'],
      ['ip', 'route', 'add', LAB_NET.vpnSubnet, 'dev', ifname, 'table', table],
      ['ip', 'rule', 'add', 'from', address, 'lookup', table],
    ]) {
      const r = ns(...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }

    // In: IMAP, SOGo (HTTPS) and SSH answer the new peer.
    let inside = false;
    for (let i = 0; i < 20 && !inside; i++) inside = reaches(address, 143);
    expect(inside).toBe(true);
    for (const port of [443, 22]) expect(reaches(address, port), `port ${port}`).toBe(true);
    const listed = JSON.parse(ok(onHost(['mailctl', 'vpn', 'peer', 'list', '--json']))) as {
      name: string;
      address: string;
      owner: string;
      latestHandshake: string | null;
    }[];
    const mine = listed.find((p) => p.name === PEER);
    expect(mine).toMatchObject({ address, owner: 'cli' });
    expect(mine?.latestHandshake).not.toBeNull();
    const text = ok(onHost(['mailctl', 'vpn', 'peer', 'list']));
    expect(text).toMatch(
      new RegExp(`^${PEER}\\t${address.replaceAll('.', '\\.')}\\tcli\\t\\d{4}-`, 'm'),
    );

    // The first peer (the lab's own client) before the removal.
    const firstKey = ns(
      'wg',
      'show',
      labLayout(LAB).vpnClientInterface,
      'public-key',
    ).stdout.trim();
    const firstBefore = transfers().get(firstKey) ?? 0;
    expect(firstBefore).toBeGreaterThan(0);
    const startedBefore = wgStarted();

    const removed = ok(onHost(['mailctl', 'vpn', 'peer', 'remove', PEER]));
    expect(removed).toContain(`removed VPN peer ${PEER} (${address})`);
    expect(handshakes().has(added.publicKey)).toBe(false);
    for (const port of [143, 443, 22]) expect(reaches(address, port), `port ${port}`).toBe(false);
    expect(ok(onHost(['mailctl', 'vpn', 'peer', 'list']))).not.toContain(PEER);

    // The tunnel was not restarted, and the first peer was not made anew: its byte counts
    // went on growing (its handshake time is no witness: WireGuard rekeys every 2 minutes
    // of traffic, at any moment of this test), and it still reaches IMAP.
    expect(wgStarted()).toBe(startedBefore);
    expect(transfers().get(firstKey)).toBeGreaterThanOrEqual(firstBefore);
    expect(reaches(LAB_NET.vpnClient4, 143)).toBe(true);

    const unknown = onHost(['mailctl', 'vpn', 'peer', 'remove', PEER]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('E_UNKNOWN_VPN_PEER');
  });
});
