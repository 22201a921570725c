import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labLayout } from '../../src/lab/layout.js';
import {
  authorizeLabSftpKey,
  LAB_BACKUP_HOST,
  LAB_SFTP_PATH,
  LAB_SFTP_USER,
  labSftpFiles,
  labSftpHostKey,
  resetLabOffsite,
  startLabSftp,
} from '../../src/lab/sftp-server.js';
import { readLabState } from '../../src/lab/state.js';
import { labRun, labSh, mailctl, sh, uniqueTag } from './support/cli.js';
import { dialogFrom, smtpSend, testMessage } from './support/mail.js';
import { imapInbox, imapSession, waitForInbox, type Inbox } from './support/imap-inbox.js';
import { PUBLIC, VPN, VPN_CLIENT } from './support/lab-world.js';
import { getContact, getEvent, putContact, putEvent } from './support/caldav-event.js';

// Issue 11, the disaster-recovery drill, on two labs of its own: lab A (the quick start)
// gets mail, an account whose password was changed and a DKIM key, a second domain with a
// mailbox and a message, a CalDAV event, a CardDAV contact and a VPN device added with the
// CLI, and backs up to the lab world's backup.example.org; A goes down; a fresh lab B,
// given A's cluster file and A's recovery kit, restores host from the off-site repositories
// alone. MAILCTL_E2E_LAB=<name> uses that lab as A (left up) and <name>b as B (taken down
// at the end, as in CI).
const REUSE = process.env.MAILCTL_E2E_LAB;
const A = REUSE ?? 'e2edra';
const B = REUSE ? `${REUSE}b`.slice(0, 8) : 'e2edrb';
const CLUSTER = '/etc/mailctl/cluster.yaml';
const KIT = '/root/recovery-kit';
const BUNDLE = resolve(import.meta.dirname, '../../dist/mailctl.mjs');
const USER = {
  user: 'dr-user@example.com',
  first: 'first password 11 dr',
  pass: 'changed password 11 dr',
};
const HOME = '/var/mail/vmail/example.com/dr-user';
/** A domain and mailbox added at run time (the database's, not the cluster file's). */
const DOMAIN2 = 'dr-two.example';
const USER2 = { user: `dr-second@${DOMAIN2}`, pass: 'second password 11 dr' };
const PEER = 'dr-laptop';

const host = (lab: string, cmd: string[], input?: string) =>
  labRun(lab, 'host', cmd, input === undefined ? {} : { input, timeoutMs: 900_000 });

/** Boots a lab in the background (the two boots overlap: most of a boot is waiting). */
const boot = (lab: string) =>
  new Promise<{ code: number; out: string }>((done) => {
    const p = spawn('node', [BUNDLE, 'lab', 'up', '--name', lab], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 1_500_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, out });
    });
  });

const deliver = (lab: string, tag: string, to = USER.user) =>
  smtpSend(lab, 'internet', {
    host: PUBLIC,
    port: 25,
    tls: 'starttls',
    from: 'someone@example.org',
    to: [to],
    data: testMessage('someone@example.org', to, tag, `Survives the loss of its host: ${tag}.`),
  });

/** A domain's DKIM record, as `mailctl dns` prints it. */
const dkimRecord = (lab: string, domain = 'example.com') =>
  host(lab, ['mailctl', 'dns', '--domain', domain])
    .stdout.split('\n')
    .filter((l) => /_domainkey/.test(l))
    .join('\n');

const archiveFailures = (lab: string) =>
  labSh(
    lab,
    'host',
    'runuser -u postgres -- psql -XAtq -c "SELECT failed_count FROM pg_stat_archiver"',
  ).stdout.trim();

describe('disaster recovery: a lost host restored onto a fresh one from the off-site repositories', () => {
  const la = labLayout(A);
  const lb = labLayout(B);
  const saved = mkdtempSync(join(tmpdir(), 'mailctl-dr-'));
  let bootB: Promise<{ code: number; out: string }>;
  const before: {
    inbox?: Inbox;
    inbox2?: Inbox;
    dkim?: string;
    dkim2?: string;
    hostPublicKey?: string;
    event?: string;
    contact?: string;
    peer?: { address: string; privateKey: string };
  } = {};

  beforeAll(async () => {
    // B boots while A is brought up and used: two fresh hosts, as after the loss.
    mailctl(['lab', 'down', '--name', B]);
    bootB = boot(B);
    if (!REUSE) {
      const up = await boot(A);
      expect(up.code, up.out).toBe(0);
    }
  });

  afterAll(() => {
    mailctl(['lab', 'down', '--name', B]);
    rmSync(saved, { recursive: true, force: true });
  });

  it('lab A: mail with flags in two domains, a changed password, DKIM keys, a CalDAV event, a CardDAV contact and a VPN peer, backed up off-site', async () => {
    const rootfs = (await readLabState(A))?.rootfsDir ?? '';
    await resetLabOffsite(la);
    await startLabSftp(la, rootfs);
    const hostKey = await labSftpHostKey(la);
    const cluster = host(A, ['cat', CLUSTER]).stdout.replace(/\nbackup:\n(?: .*\n?)*/m, '\n');
    const withOffsite = `${cluster.trimEnd()}\nbackup:\n  offsite: { sftp: "${LAB_SFTP_USER}@${LAB_BACKUP_HOST}:${LAB_SFTP_PATH}", host_key: "${hostKey}" }\n`;
    expect(host(A, ['sh', '-c', `cat > ${CLUSTER}`], withOffsite).code).toBe(0);
    // The first apply makes A's key for the server, which the server's owner authorizes.
    const first = host(A, ['mailctl', 'apply']);
    expect(first.code, first.stderr).toBe(0);
    const pub = host(A, ['ssh-keygen', '-y', '-f', '/etc/mailctl/secrets/offsite-ssh-key']);
    expect(pub.stdout).toMatch(/^ssh-ed25519 /);
    await authorizeLabSftpKey(la, pub.stdout);
    const second = host(A, ['mailctl', 'apply']);
    expect(second.code, second.stderr).toBe(0);

    host(A, ['mailctl', 'mailbox', 'remove', USER.user]);
    labSh(A, 'host', `rm -rf ${HOME}`);
    const add = host(
      A,
      ['mailctl', 'mailbox', 'add', USER.user, '--password-stdin'],
      `${USER.first}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    const pw = host(
      A,
      ['mailctl', 'mailbox', 'passwd', USER.user, '--password-stdin'],
      `${USER.pass}\n`,
    );
    expect(pw.code, pw.stderr).toBe(0);
    for (let i = 0; i < 3; i++) expect(deliver(A, uniqueTag('dr')).codes.end).toBe(250);
    expect(waitForInbox(A, USER, 3).messages.size).toBe(3);
    const flag = imapSession(A, USER, ['STORE 1 +FLAGS.SILENT (\\Flagged \\Seen)']);
    expect(flag.replies[2]).toMatch(/^c0 OK/m);
    before.inbox = imapInbox(A, USER);
    before.dkim = dkimRecord(A);
    expect(before.dkim).toMatch(/v=DKIM1/);

    // A second domain with a mailbox and a message, all made at run time.
    host(A, ['mailctl', 'domain', 'remove', DOMAIN2, '--force']);
    labSh(A, 'host', `rm -rf /var/mail/vmail/${DOMAIN2}`);
    expect(host(A, ['mailctl', 'domain', 'add', DOMAIN2]).code).toBe(0);
    const add2 = host(
      A,
      ['mailctl', 'mailbox', 'add', USER2.user, '--password-stdin'],
      `${USER2.pass}\n`,
    );
    expect(add2.code, add2.stderr).toBe(0);
    expect(deliver(A, uniqueTag('dr2'), USER2.user).codes.end).toBe(250);
    before.inbox2 = waitForInbox(A, USER2, 1);
    before.dkim2 = dkimRecord(A, DOMAIN2);
    expect(before.dkim2).toMatch(/v=DKIM1/);
    // A calendar event, as a calendar app writes it (CalDAV through nginx).
    before.event = uniqueTag('dr-ev');
    expect(putEvent(A, USER, before.event, `Drill ${before.event}`).status).toBe('201');
    // And a contact, as an address book app writes it (CardDAV).
    before.contact = uniqueTag('dr-card');
    expect(putContact(A, USER, before.contact, `Drill ${before.contact}`).status).toBe('201');
    // A device added with the CLI: its configuration, with its private key, is printed once.
    host(A, ['mailctl', 'vpn', 'peer', 'remove', PEER]);
    const peer = host(A, ['mailctl', 'vpn', 'peer', 'add', PEER, '--json']);
    expect(peer.code, peer.stderr).toBe(0);
    const added = JSON.parse(peer.stdout) as { address: string; config: string };
    before.peer = {
      address: added.address,
      privateKey: /^PrivateKey = (\S+)$/m.exec(added.config)?.[1] ?? '',
    };
    expect(before.peer.privateKey).not.toBe('');

    const run = host(A, ['mailctl', 'backup', 'run']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The kit, as the runbook keeps it: off the host (here, on this machine).
    const kit = host(A, ['mailctl', 'backup', 'recovery-kit']);
    expect(kit.code, kit.stderr).toBe(0);
    expect(kit.stdout).toContain('offsite_ssh_key: |');
    writeFileSync(join(saved, 'kit'), kit.stdout, { mode: 0o600 });
    writeFileSync(join(saved, 'cluster.yaml'), withOffsite);
    // The off-site server outlives A: its key and the authorized A key, and A's VPN device.
    cpSync(labSftpFiles(la).etc, join(saved, 'sftp-etc'), { recursive: true });
    cpSync(join(la.dirs.state, 'vpn-client.key'), join(saved, 'vpn-client.key'));
    before.hostPublicKey = (await readLabState(A))?.hostPublicKey;
  }, 900_000);

  it('lab A is gone; lab B, fresh (no archive failure on record), restores host from off-site alone', async () => {
    if (!REUSE) expect(mailctl(['lab', 'down', '--name', A]).code).toBe(0);
    const up = await bootB;
    expect(up.code, up.out).toBe(0);
    // A fresh host archives its WAL from the first segment on without one failure.
    expect(archiveFailures(B)).toBe('0');

    // The same off-site server, serving A's repositories, with its own key and accounts.
    cpSync(join(saved, 'sftp-etc'), labSftpFiles(lb).etc, { recursive: true });
    await startLabSftp(lb, (await readLabState(B))?.rootfsDir ?? '', A);
    // The runbook: the same cluster file, applied once (B's own off-site key stays unauthorized).
    const cluster = readFileSync(join(saved, 'cluster.yaml'), 'utf8');
    expect(host(B, ['sh', '-c', `cat > ${CLUSTER}`], cluster).code).toBe(0);
    const applied = host(B, ['mailctl', 'apply']);
    expect(applied.code, applied.stderr).toBe(0);
    const kit = readFileSync(join(saved, 'kit'), 'utf8');
    expect(host(B, ['sh', '-c', `umask 077; cat > ${KIT}`], kit).code).toBe(0);

    // Asked first; without a terminal and without --yes, nothing happens.
    const unasked = host(B, ['mailctl', 'restore', 'host', '--from', 'offsite', '--kit', KIT]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('E_CONFIRMATION_REQUIRED');
    // A kit that does not open the repositories changes nothing either.
    const wrong = kit.replace(/restic_password: .*/, 'restic_password: not-the-password');
    const refused = host(
      B,
      ['mailctl', 'restore', 'host', '--from', 'offsite', '--kit', '-', '--yes'],
      wrong,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /E_RESTORE_FAILED: restic cannot read sftp:.* with the recovery kit/,
    );
    expect(refused.stderr).not.toContain('not-the-password');

    const t0 = Date.now();
    const r = labSh(B, 'host', `mailctl restore host --from offsite --kit ${KIT} --yes`, 1_200_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/restored host mail\.example\.com from the offsite repositories/);
    console.log(`restore host took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }, 1_800_000);

  it("lab B: the same messages, UIDs, UIDVALIDITY and flags in both domains; the changed password; the DKIM keys; the CalDAV event and the CardDAV contact; A's VPN devices; new mail flows", async () => {
    // The restored host holds A's WireGuard key and peers: A's VPN device connects to it.
    const ifname = lb.vpnClientInterface;
    const vpn = (cmd: string) => sh(`ip netns exec ${lb.netns.vpn} ${cmd}`);
    const bPeer = vpn(`wg show ${ifname} peers`).stdout.trim();
    expect(
      vpn(`wg set ${ifname} private-key ${join(saved, 'vpn-client.key')} peer ${bPeer} remove`)
        .code,
    ).toBe(0);
    const aPeer = vpn(
      `wg set ${ifname} peer ${before.hostPublicKey ?? '-'} endpoint ${PUBLIC}:${lb.net.vpnPort} allowed-ips ${lb.net.vpnSubnet} persistent-keepalive 15`,
    );
    expect(aPeer.code, aPeer.stderr).toBe(0);
    let ping = vpn(`ping -c1 -W2 ${VPN}`);
    for (let i = 0; i < 10 && ping.code !== 0; i++) ping = vpn(`ping -c1 -W2 ${VPN}`);
    expect(ping.code, `the VPN client ${VPN_CLIENT} cannot reach ${VPN}`).toBe(0);

    const after = imapInbox(B, USER);
    expect(after.uidValidity).toBe(before.inbox?.uidValidity);
    expect([...after.messages.entries()]).toEqual([...(before.inbox?.messages.entries() ?? [])]);
    expect([...after.messages.values()][0]?.flags).toContain('\\Flagged');
    // The first password was changed on A: it stays refused.
    const old = dialogFrom(B, 'vpn', {
      host: VPN,
      port: 993,
      tls: true,
      steps: [{ send: `a1 LOGIN "${USER.user}" "${USER.first}"`, until: '^a1 ' }],
    });
    expect(old.replies[0]).toMatch(/^a1 NO/m);

    expect(dkimRecord(B)).toBe(before.dkim);
    expect(deliver(B, uniqueTag('after')).codes.end).toBe(250);
    expect(waitForInbox(B, USER, 4).messages.size).toBe(4);

    // The second domain: its mail and its DKIM key.
    const after2 = imapInbox(B, USER2);
    expect(after2.uidValidity).toBe(before.inbox2?.uidValidity);
    expect([...after2.messages.entries()]).toEqual([...(before.inbox2?.messages.entries() ?? [])]);
    expect(dkimRecord(B, DOMAIN2)).toBe(before.dkim2);
    // The calendar event, read over CalDAV.
    const event = getEvent(B, USER, before.event ?? '-');
    expect(event.status, event.body).toBe('200');
    expect(event.body).toContain(`SUMMARY:Drill ${before.event}`);
    // The contact, read over CardDAV.
    const card = getContact(B, USER, before.contact ?? '-');
    expect(card.status, card.body).toBe('200');
    expect(card.body).toContain(`FN:Drill ${before.contact}`);

    const status = host(B, ['mailctl', 'backup', 'status']);
    expect(status.code, status.stdout).toBe(0);
    expect(archiveFailures(B)).toBe('0');
    expect(host(B, ['mailctl', 'plan']).stdout).toContain('No changes');

    // Last (the VPN client becomes that device): the peer added with the CLI on A connects.
    const peer = before.peer ?? { address: '-', privateKey: '-' };
    writeFileSync(join(saved, 'peer.key'), `${peer.privateKey}\n`, { mode: 0o600 });
    expect(vpn(`wg set ${ifname} private-key ${join(saved, 'peer.key')}`).code).toBe(0);
    expect(vpn(`ip addr add ${peer.address}/32 dev ${ifname}`).code).toBe(0);
    let peerPing = vpn(`ping -c1 -W2 -I ${peer.address} ${VPN}`);
    for (let i = 0; i < 10 && peerPing.code !== 0; i++)
      peerPing = vpn(`ping -c1 -W2 -I ${peer.address} ${VPN}`);
    expect(peerPing.code, `${PEER} (${peer.address}) cannot reach ${VPN}`).toBe(0);
    const listed = JSON.parse(host(B, ['mailctl', 'vpn', 'peer', 'list', '--json']).stdout) as {
      name: string;
      latestHandshake: string | null;
    }[];
    expect(listed.find((p) => p.name === PEER)?.latestHandshake).toBeTruthy();
  }, 600_000);
});
