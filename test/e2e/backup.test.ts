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
  stopLabSftp,
} from '../../src/lab/sftp-server.js';
import { readLabState } from '../../src/lab/state.js';
import type { BackupBenchReport } from '../../src/ops/bench/backup-bench-report.js';
import { labHost, labSh, mailctl, sh, uniqueTag } from './support/cli.js';
import { smtpSend, testMessage } from './support/mail.js';
import {
  imapInbox as sharedInbox,
  imapSession,
  waitForInbox,
  type Account,
} from './support/imap-inbox.js';
import { PUBLIC } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';
import { deleteEvent, getEvent, putEvent } from './support/caldav-event.js';

// Issue 11, first slice: pgBackRest's WAL archive and backups, restic's snapshots of the
// Maildirs, `backup run|list|status` and `restore mailbox [--as|--at]` with SOGo's per-user
// dumps (sogo-tool), on the shared lab.
const LAB = SHARED_LAB;
const PITR = 'bk-pitr@example.com';
const LATER = 'bk-later@example.com';
const ORIG = { user: 'bk-orig@example.com', pass: 'correct horse battery staple 11' };
const COPY = { user: 'bk-copy@example.com', pass: 'correct horse battery staple 12' };
// Fresh SOGo users each run: sogod may still cache the folders of a same-named user that
// an earlier run removed (mailbox remove deletes them under it), and would write there.
const RUN = Date.now().toString(36);
const CAL = { user: `bk-cal${RUN}@example.com`, pass: 'correct horse battery staple 15' };
const CAL_COPY = { user: `bk-calc${RUN}@example.com`, pass: 'correct horse battery staple 16' };
const HOMES = ['bk-orig', 'bk-copy', `bk-cal${RUN}`, `bk-calc${RUN}`].map(
  (m) => `/var/mail/vmail/example.com/${m}`,
);
const RESTIC_REPO = '/var/mail/backups/restic';
const RESTIC_ENV = `RESTIC_REPOSITORY=${RESTIC_REPO} RESTIC_PASSWORD_FILE=/etc/mailctl/secrets/restic-password RESTIC_CACHE_DIR=/var/cache/restic`;

const { run: onHost } = labHost(LAB);

/** Removes the test mailboxes and their mail on disk (mailbox remove leaves the Maildir). */
function cleanUp() {
  for (const m of [ORIG.user, COPY.user, CAL.user, CAL_COPY.user, PITR, LATER])
    onHost(['mailctl', 'mailbox', 'remove', m]);
  labSh(
    LAB,
    'host',
    `rm -rf ${HOMES.map((h) => `${h} ${h}.before-restore-*`).join(' ')} /var/lib/mailctl/sogo-backup.before-restore-*`,
  );
}

/** The INBOX as an IMAP client on the VPN sees it: UIDVALIDITY, UIDs, flags and messages. */
const imapInbox = (who: Account) => sharedInbox(LAB, who);
const waitForCount = (who: Account, count: number) => waitForInbox(LAB, who, count);

const deliver = (to: string, tag: string) =>
  smtpSend(LAB, 'internet', {
    host: PUBLIC,
    port: 25,
    tls: 'starttls',
    from: 'someone@example.org',
    to: [to],
    data: testMessage('someone@example.org', to, tag, `Backed up, then restored: ${tag}.`),
  });

const json = <T>(args: string[]) => {
  const r = onHost(['mailctl', ...args, '--json']);
  return { ...r, value: JSON.parse(r.stdout || '{}') as T };
};

const psql = (sql: string) =>
  labSh(LAB, 'host', `runuser -u postgres -- psql -XAtq -d postgres -c "${sql}"`);

/**
 * Damage in a restic repository and a pgBackRest one (shell scripts, for the lab host or
 * the off-site server's disk): `pick` prints the biggest pack and the biggest file of the
 * newest full backup; `damage` keeps both aside in `keep` and flips four bytes in each;
 * `repair` puts the originals back byte for byte.
 */
const damageScripts = (resticDir: string, pgbackrestDir: string, keep: string) => {
  const flip = (f: string) =>
    `printf '\\377\\377\\377\\377' | dd of=${f} bs=1 seek=200 conv=notrunc status=none`;
  const biggest = (dir: string) =>
    `$(find ${dir} -type f -printf '%s %p\\n' | sort -n | tail -1 | cut -d' ' -f2)`;
  return {
    pick: [
      `pack=${biggest(`${resticDir}/data`)}`,
      `full=$(ls -d ${pgbackrestDir}/backup/mail/*F | tail -1)`,
      `pg=${biggest('$full/pg_data')}`,
      'echo $pack; echo $pg',
    ].join('; '),
    damage: (pack: string, pg: string) =>
      `mkdir -p ${keep} && cp -p ${pack} ${keep}/pack && cp -p ${pg} ${keep}/pg && ${flip(pack)} && ${flip(pg)}`,
    repair: (pack: string, pg: string) =>
      `cp -p ${keep}/pack ${pack}; cp -p ${keep}/pg ${pg}; rm -rf ${keep}`,
  };
};

/** What `pick` printed, checked, with the names `backup verify` gives them. */
function picked(stdout: string) {
  const [pack = '', pgFile = ''] = stdout.trim().split('\n');
  expect(pack).toMatch(/\/data\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  expect(pgFile).toMatch(/\/backup\/mail\/\d{8}-\d{6}F\/pg_data\/.+/);
  return {
    pack,
    pgFile,
    packId: pack.split('/').at(-1) ?? '',
    pgName: pgFile.replace(/^.*\/backup\/mail\//, ''),
  };
}

describe('backups and restores', () => {
  beforeAll(() => {
    useSharedLab();
    cleanUp();
    for (const m of [ORIG, COPY, CAL, CAL_COPY]) {
      const r = onHost(['mailctl', 'mailbox', 'add', m.user, '--password-stdin'], `${m.pass}\n`);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  afterAll(() => {
    labSh(LAB, 'host', `find ${RESTIC_REPO} -type d -exec chmod 0700 {} +`);
    cleanUp();
  });

  it('restores a mailbox --as another one: the same messages byte for byte, with their UIDs; the original untouched', () => {
    for (let i = 0; i < 3; i++) expect(deliver(ORIG.user, uniqueTag('bk')).codes.end).toBe(250);
    const before = waitForCount(ORIG, 3);
    expect(before.messages.size).toBe(3);

    const run = json<{ ok: boolean; runs: { repository: string; ok: boolean; stored: string }[] }>([
      'backup',
      'run',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.value.runs.map((o) => [o.repository, o.ok])).toEqual([
      ['database', true],
      ['files', true],
    ]);
    const listed = json<{ repository: string; id: string }[]>(['backup', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    for (const o of run.value.runs)
      expect(listed.value).toContainEqual(
        expect.objectContaining({ repository: o.repository, id: o.stored }),
      );

    // The user deletes everything.
    const del = imapSession(LAB, ORIG, ['STORE 1:* +FLAGS.SILENT (\\Deleted)', 'EXPUNGE']);
    expect(del.replies[3]).toMatch(/^c1 OK/m);
    expect(imapInbox(ORIG).messages.size).toBe(0);

    // Without --yes and without a terminal nothing happens.
    const unasked = onHost(['mailctl', 'restore', 'mailbox', ORIG.user, '--as', COPY.user]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('E_CONFIRMATION_REQUIRED');
    expect(imapInbox(COPY).messages.size).toBe(0);

    const restored = onHost([
      'mailctl',
      'restore',
      'mailbox',
      ORIG.user,
      '--as',
      COPY.user,
      '--yes',
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`restored 3 message(s) of ${ORIG.user} from snapshot`);
    const copy = imapInbox(COPY);
    expect(copy.uidValidity).toBe(before.uidValidity);
    expect([...copy.messages.entries()]).toEqual([...before.messages.entries()]);
    expect(imapInbox(ORIG).messages.size).toBe(0);

    // Over mail that is there now: refused, and the mailbox stays as it is.
    const again = onHost(['mailctl', 'restore', 'mailbox', ORIG.user, '--as', COPY.user, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('E_RESTORE_OVER_LIVE_DATA');
    expect(imapInbox(COPY).messages.size).toBe(3);
    // A mailbox that does not exist is no target.
    const nobody = onHost([
      'mailctl',
      'restore',
      'mailbox',
      ORIG.user,
      '--as',
      'bk-nobody@example.com',
      '--yes',
    ]);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('E_UNKNOWN_MAILBOX');
  });

  it('restores a mailbox in place with its SOGo calendar: an event deleted after the backup is back over CalDAV; refused without --force, asked without --yes', () => {
    const event = uniqueTag('bk-ev');
    expect(putEvent(LAB, CAL, event, `Backed up ${event}`).status).toBe('201');
    expect(deliver(CAL.user, uniqueTag('cal')).codes.end).toBe(250);
    const before = waitForCount(CAL, 1);
    const run = onHost(['mailctl', 'backup', 'run']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // sogo-tool's dump of the user, in the snapshot beside the Maildir.
    const dumped = labSh(
      LAB,
      'host',
      `${RESTIC_ENV} restic ls --no-lock latest /var/lib/mailctl/sogo-backup/${CAL.user}`,
    );
    expect(dumped.stdout, dumped.stderr).toContain(`/var/lib/mailctl/sogo-backup/${CAL.user}`);

    // After the backup: the event deleted, a new message in.
    expect(deleteEvent(LAB, CAL, event).status).toBe('204');
    expect(getEvent(LAB, CAL, event).status).toBe('404');
    expect(deliver(CAL.user, uniqueTag('cal')).codes.end).toBe(250);
    expect(waitForCount(CAL, 2).messages.size).toBe(2);

    // Over the live mailbox: refused without --force, before anything is asked; with it
    // but without --yes and a terminal, asked and so refused. Nothing changed.
    for (const args of [[], ['--yes']]) {
      const r = onHost(['mailctl', 'restore', 'mailbox', CAL.user, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`E_RESTORE_OVER_LIVE_DATA: ${CAL.user} is a live mailbox`);
    }
    const unasked = onHost(['mailctl', 'restore', 'mailbox', CAL.user, '--force']);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('E_CONFIRMATION_REQUIRED');
    expect(getEvent(LAB, CAL, event).status).toBe('404');
    expect(imapInbox(CAL).messages.size).toBe(2);

    const r = onHost(['mailctl', 'restore', 'mailbox', CAL.user, '--yes', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`restored 1 message(s) of ${CAL.user} from snapshot`);
    expect(r.stdout).toContain(
      `restored the SOGo data of ${CAL.user}: Calendar/personal (Personal Calendar), and its preferences`,
    );
    const aside = /held before is in (\S+)/.exec(r.stdout)?.[1] ?? '';
    expect(aside).toContain(`/bk-cal${RUN}.before-restore-`);
    expect(r.stdout).toMatch(/its SOGo data before \(sogo-tool backup\) is in \S+/);

    const back = getEvent(LAB, CAL, event);
    expect(back.status).toBe('200');
    expect(back.body).toContain(`UID:${event}`);
    expect(back.body).toContain(`SUMMARY:Backed up ${event}`);
    const after = imapInbox(CAL);
    expect(after.uidValidity).toBe(before.uidValidity);
    expect([...after.messages.entries()]).toEqual([...before.messages.entries()]);
    // The two messages it held are kept where it said.
    expect(
      labSh(
        LAB,
        'host',
        `find ${aside}/Maildir/new ${aside}/Maildir/cur -type f | wc -l`,
      ).stdout.trim(),
    ).toBe('2');
  });

  it('restore mailbox --at T takes the snapshot at or before T; --as another mailbox says SOGo data stays behind', () => {
    const later = uniqueTag('bk-ev');
    const t = labSh(
      LAB,
      'host',
      'sleep 1.2; date -u +%Y-%m-%dT%H:%M:%S.%3NZ; sleep 1.2',
    ).stdout.trim();
    expect(putEvent(LAB, CAL, later, `Later ${later}`).status).toBe('201');
    // A second snapshot today, as the timer's would be tomorrow's: the units' forget keeps
    // one a day (--keep-daily), so this one is taken without it, after the units' SOGo dump.
    const dump = onHost(['mailctl', 'backup', 'sogo-dump']);
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stdout).toMatch(
      /^dumped the SOGo data of \d+ user\(s\) into \/var\/lib\/mailctl\/sogo-backup$/m,
    );
    const second = labSh(
      LAB,
      'host',
      `${RESTIC_ENV} restic backup --json --tag mailctl --host mail.example.com /var/mail/vmail /var/lib/mailctl/sogo-backup | tail -1`,
    );
    expect(second.code, second.stderr).toBe(0);
    const newest = (JSON.parse(second.stdout) as { snapshot_id: string }).snapshot_id.slice(0, 8);
    const snapshots = JSON.parse(
      labSh(LAB, 'host', `${RESTIC_ENV} restic snapshots --no-lock --json --tag mailctl`).stdout,
    ) as { short_id: string; time: string }[];
    const atT = snapshots.filter((s) => Date.parse(s.time) <= Date.parse(t)).at(-1)?.short_id;
    expect(atT).toBeDefined();
    expect(atT).not.toBe(newest);

    // A time before any snapshot, and one that is not a time, are refused.
    const tooEarly = onHost([
      'mailctl',
      'restore',
      'mailbox',
      CAL.user,
      '--at',
      '2001-01-01T00:00:00Z',
      '--yes',
      '--force',
    ]);
    expect(tooEarly.code).toBe(1);
    expect(tooEarly.stderr).toContain(
      'E_NO_BACKUP: no snapshot was taken at or before 2001-01-01T00:00:00.000Z',
    );
    const notATime = onHost([
      'mailctl',
      'restore',
      'mailbox',
      CAL.user,
      '--at',
      'last tuesday',
      '--yes',
      '--force',
    ]);
    expect(notATime.code).toBe(2);
    expect(notATime.stderr).toContain('E_BAD_TIME');

    const r = onHost(['mailctl', 'restore', 'mailbox', CAL.user, '--at', t, '--yes', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`from snapshot ${atT} (`);
    // The state at T: the event made after it is gone (kept in the dump aside), the one before is there.
    expect(getEvent(LAB, CAL, later).status).toBe('404');
    expect(r.stdout).toContain('restored the SOGo data');

    // --as another mailbox: the mail goes, the calendar cannot, and the output says so.
    const as = onHost(['mailctl', 'restore', 'mailbox', CAL.user, '--as', CAL_COPY.user, '--yes']);
    expect(as.code, as.stderr).toBe(0);
    expect(as.stdout).toContain(`restored 1 message(s) of ${CAL.user} from snapshot ${newest} (`);
    expect(as.stdout).toContain(
      "SOGo data not restored: sogo-tool restores a user's calendars and contacts only to that user",
    );
    expect(imapInbox(CAL_COPY).messages.size).toBe(1);
    expect(getEvent(LAB, CAL_COPY, later).status).toBe('404');
  });

  it('status is 0 when fresh; with the repository unwritable a run fails loudly and status exits 1, while mail flows', () => {
    const fresh = json<{ ok: boolean }>(['backup', 'status']);
    expect(fresh.code, fresh.stdout).toBe(0);
    expect(fresh.value.ok).toBe(true);

    const since = labSh(LAB, 'host', 'date +%s').stdout.trim();
    // The backup unit runs without CAP_DAC_OVERRIDE, so root's own 0500 directories stop it.
    const dirs = (mode: string) =>
      labSh(LAB, 'host', `find ${RESTIC_REPO} -type d -exec chmod ${mode} {} +`);
    expect(dirs('0500').code).toBe(0);
    try {
      const failed = onHost(['mailctl', 'backup', 'run']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        /E_BACKUP_FAILED: files backup \(mailctl-backup-files\.service\) failed: .*permission denied/,
      );
      // One line at priority err with the stable tag, from the unit's OnFailure=.
      let logged = '';
      for (let i = 0; i < 20 && !logged; i++) {
        logged = labSh(
          LAB,
          'host',
          `sleep 0.5; journalctl -q -t mailctl-backup -p err --since @${since} -o cat`,
        ).stdout;
      }
      expect(logged).toContain('backup failed: unit=mailctl-backup-files.service');

      const status = json<{
        ok: boolean;
        repositories: { name: string; state: string; problem?: string }[];
      }>(['backup', 'status']);
      expect(status.code).toBe(1);
      expect(status.value.repositories).toContainEqual(
        expect.objectContaining({ name: 'files', state: 'failing' }),
      );
      expect(status.value.repositories).toContainEqual(
        expect.objectContaining({ name: 'database', state: 'ok' }),
      );

      // Mail keeps flowing meanwhile.
      expect(deliver(ORIG.user, uniqueTag('ro')).codes.end).toBe(250);
      expect(waitForCount(ORIG, 1).messages.size).toBe(1);
    } finally {
      dirs('0700');
    }
    const healed = onHost(['mailctl', 'backup', 'run']);
    expect(healed.code, healed.stderr).toBe(0);
    expect(onHost(['mailctl', 'backup', 'status']).code).toBe(0);
  });

  it('archives a forced WAL switch with pgBackRest, with no failure in pg_stat_archiver', () => {
    const failedBefore = psql('SELECT failed_count FROM pg_stat_archiver').stdout.trim();
    // Some WAL to switch away from, then the switch; the segment is archived at once.
    const seg = psql(
      "SELECT pg_logical_emit_message(false, 'mailctl-test', 'x'); SELECT pg_walfile_name(pg_switch_wal())",
    )
      .stdout.trim()
      .split('\n')
      .at(-1);
    expect(seg).toMatch(/^[0-9A-F]{24}$/);
    let archived = '';
    for (let i = 0; i < 60 && archived !== seg; i++) {
      archived = psql('SELECT last_archived_wal FROM pg_stat_archiver').stdout.trim();
      if (archived !== seg) labSh(LAB, 'host', 'sleep 1');
    }
    expect(archived).toBe(seg);
    expect(psql('SELECT failed_count FROM pg_stat_archiver').stdout.trim()).toBe(failedBefore);
    // In pgBackRest's repository, and no longer copied by cp to the old archive directory.
    const inRepo = labSh(
      LAB,
      'host',
      `ls /var/mail/backups/pgbackrest/archive/mail/*/*/ | grep -c '^${seg}-'`,
    );
    expect(inRepo.stdout.trim()).toBe('1');
    expect(onHost(['test', '-e', `/opt/postgres/wal_archive/${seg}`]).code).not.toBe(0);
    const status = json<{ walArchive: { state: string; failedCount: number } }>([
      'backup',
      'status',
    ]);
    expect(status.value.walArchive.state).toBe('ok');
  });

  it('verify reads both repositories back and, with bytes flipped in a restic pack and a pgBackRest file, exits 1 naming them', () => {
    const good = json<{ ok: boolean; repositories: { repository: string; ok: boolean }[] }>([
      'backup',
      'verify',
    ]);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.value.repositories.map((r) => [r.repository, r.ok])).toEqual([
      ['files', true],
      ['database', true],
    ]);

    // The biggest restic pack and the biggest file of the newest full pgBackRest backup, kept
    // aside byte for byte and put back afterwards: the shared lab's repositories stay sound.
    const d = damageScripts(
      RESTIC_REPO,
      '/var/mail/backups/pgbackrest',
      '/var/tmp/bk-verify-originals',
    );
    const { pack, pgFile, packId, pgName } = picked(labSh(LAB, 'host', d.pick).stdout);
    const saved = labSh(LAB, 'host', d.damage(pack, pgFile));
    expect(saved.code, saved.stderr).toBe(0);
    try {
      const bad = onHost(['mailctl', 'backup', 'verify', '--read-data']);
      expect(bad.code, bad.stdout).toBe(1);
      expect(bad.stdout).toContain(`damaged: pack ${packId}`);
      expect(bad.stdout).toContain(`damaged: ${pgName} (invalid checksum)`);
      expect(bad.stderr).toMatch(
        new RegExp(
          `E_BACKUP_DAMAGED: files repository ${RESTIC_REPO}: damaged: pack ${packId}.*database repository .*${pgName}`,
        ),
      );
      const asJson = json<{ ok: boolean; repositories: { ok: boolean; damaged: string[] }[] }>([
        'backup',
        'verify',
        '--read-data',
      ]);
      expect(asJson.code).toBe(1);
      expect(asJson.value.ok).toBe(false);
      expect(asJson.value.repositories.map((r) => r.ok)).toEqual([false, false]);
    } finally {
      labSh(LAB, 'host', d.repair(pack, pgFile));
    }
    const healed = onHost(['mailctl', 'backup', 'verify', '--read-data']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);
  });

  it('restore db --to T brings back a mailbox removed after T and undoes later changes; mail flows after', () => {
    const add = (a: string) =>
      onHost(
        ['mailctl', 'mailbox', 'add', a, '--password-stdin'],
        'correct horse battery staple 13\n',
      );
    expect(add(PITR).code).toBe(0);
    const t = labSh(
      LAB,
      'host',
      'sleep 1.5; date -u +%Y-%m-%dT%H:%M:%S.%3NZ; sleep 1.5',
    ).stdout.trim();
    expect(onHost(['mailctl', 'mailbox', 'remove', PITR]).code).toBe(0);
    expect(add(LATER).code).toBe(0);

    const unasked = onHost(['mailctl', 'restore', 'db', '--to', t]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('E_CONFIRMATION_REQUIRED');
    // Before it asks: each account change after T, which it undoes, and none from before.
    expect(unasked.stderr).toMatch(new RegExp(`Z mailbox removed ${PITR}\\n`));
    expect(unasked.stderr).toMatch(new RegExp(`Z mailbox added ${LATER}\\n`));
    expect(unasked.stderr).not.toContain(`mailbox added ${PITR}`);

    const r = labSh(LAB, 'host', `mailctl restore db --to ${t} --yes`, 600_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`restored the mail database to ${t}`);
    const boxes = json<{ address: string }[]>(['mailbox', 'list']).value.map((m) => m.address);
    expect(boxes).toContain(PITR);
    expect(boxes).not.toContain(LATER);
    // The daemons are back on the restored database.
    expect(deliver(ORIG.user, uniqueTag('pitr')).codes.rcpt).toEqual([250]);
  });
});

describe('mailctl bench backup', () => {
  beforeAll(() => {
    useSharedLab();
  });

  it('times backup run, the 1% incremental and restore mailbox --as on seeded mail, and removes its mailboxes', () => {
    const refused = mailctl(['bench', 'backup', '--lab', LAB, '--messages', '5']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--messages: '5' is not a whole number from 10 to 100000");

    const r = mailctl(
      ['bench', 'backup', '--lab', LAB, '--messages', '100', '--size', '2', '--json'],
      { timeoutMs: 900_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BackupBenchReport;
    expect(report.messageBytes).toBe(20_000);
    // restic read the new mail and stored about as much (random text compresses little).
    expect(report.first.filesProcessed).toBeGreaterThan(2_000_000);
    expect(report.first.filesAdded).toBeGreaterThan(1_000_000);
    expect(report.changedMessages).toBe(1);
    expect(report.incremental.filesAdded).toBeLessThan(report.first.filesAdded ?? 0);
    expect(report.restore.messages).toBe(101);
    expect(report.repositoryBytes.restic).toBeGreaterThan(2_000_000);
    const left = labSh(LAB, 'host', 'mailctl mailbox list --json; ls /var/mail/vmail/*/');
    expect(left.stdout).not.toContain('bkbench-');
  });
});

describe('off-site backups over SFTP (backup.example.org in the lab world)', () => {
  const l = labLayout(LAB);
  const CLUSTER = '/etc/mailctl/cluster.yaml';
  const SAVED = '/root/cluster.before-offsite.yaml';
  const BOX = { user: 'bk-offsite@example.com', pass: 'correct horse battery staple 14' };
  const KEYS =
    '/etc/mailctl/secrets/offsite-ssh-key /etc/mailctl/secrets/offsite-ssh-key.pub /var/lib/postgresql/.ssh/mailctl-offsite /var/lib/postgresql/.ssh/mailctl-offsite.pub';
  let rootfs = '';

  type Status = { ok: boolean; repositories: { name: string; state: string }[] };

  beforeAll(async () => {
    useSharedLab();
    rootfs = (await readLabState(LAB))?.rootfsDir ?? '';
    // A server with an empty directory, and a host that has never met it.
    await resetLabOffsite(l);
    await startLabSftp(l, rootfs);
    labSh(LAB, 'host', `rm -f ${KEYS}; cp ${CLUSTER} ${SAVED}`);
    onHost(['mailctl', 'mailbox', 'remove', BOX.user]);
    const r = onHost(['mailctl', 'mailbox', 'add', BOX.user, '--password-stdin'], `${BOX.pass}\n`);
    expect(r.code, r.stderr).toBe(0);
  });

  afterAll(async () => {
    await startLabSftp(l, rootfs);
    labSh(LAB, 'host', `cp ${SAVED} ${CLUSTER} && rm -f ${SAVED} ${KEYS}`);
    const back = labSh(LAB, 'host', 'mailctl apply', 600_000);
    expect(back.code, back.stderr).toBe(0);
    onHost(['mailctl', 'mailbox', 'remove', BOX.user]);
    labSh(LAB, 'host', 'rm -rf /var/mail/vmail/example.com/bk-offsite');
  });

  it('both tools write to both repositories; with the server down the run fails loudly and status exits 1 while mail flows; up again, green', async () => {
    const hostKey = await labSftpHostKey(l);
    const add = labSh(
      LAB,
      'host',
      `printf 'backup:\\n  offsite: { sftp: "${LAB_SFTP_USER}@${LAB_BACKUP_HOST}:${LAB_SFTP_PATH}", host_key: "${hostKey}" }\\n' >> ${CLUSTER}`,
    );
    expect(add.code).toBe(0);
    // The first apply makes the host's key and prints its public part once; the server
    // does not know it yet, so the repositories wait (a warning, not a failed apply).
    const first = labSh(LAB, 'host', 'mailctl apply', 600_000);
    expect(first.code, first.stderr).toBe(0);
    const pub =
      /authorize its public part for mailbackup on backup\.example\.org \(this is said once\): (ssh-ed25519 \S+)/.exec(
        first.stdout,
      )?.[1];
    expect(pub, first.stdout).toBeDefined();
    expect(first.stdout).toContain('WARNING: restic cannot use the off-site server');
    expect(onHost(['mailctl', 'backup', 'status']).code).toBe(1);
    // archive-push fails while repo2 refuses this host (pg_stat_archiver counts it), yet
    // the local repository gets every new segment, not only the first PostgreSQL retries.
    const failed = () => Number(psql('SELECT failed_count FROM pg_stat_archiver').stdout.trim());
    const failedBefore = failed();
    const segs = [1, 2, 3].map(
      () =>
        psql(
          "SELECT pg_logical_emit_message(false, 'mailctl-test', 'x'); SELECT pg_walfile_name(pg_switch_wal())",
        )
          .stdout.trim()
          .split('\n')
          .at(-1) ?? '',
    );
    const inLocalRepo = () =>
      labSh(LAB, 'host', 'ls /var/mail/backups/pgbackrest/archive/mail/*/*/').stdout;
    let local = inLocalRepo();
    for (let i = 0; i < 60 && !segs.every((g) => local.includes(`${g}-`)); i++) {
      labSh(LAB, 'host', 'sleep 1');
      local = inLocalRepo();
    }
    for (const g of segs) expect(local).toContain(`${g}-`);
    expect(failed()).toBeGreaterThan(failedBefore);

    await authorizeLabSftpKey(l, pub ?? '');
    const second = labSh(LAB, 'host', 'mailctl apply', 600_000);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(
      'made the off-site restic repository sftp:mailbackup@backup.example.org:/repo/restic',
    );
    expect(second.stdout).toContain("made pgBackRest's stanza in repo2 on backup.example.org");
    expect(second.stdout).not.toContain(pub ?? '-');

    const run = json<{ runs: { repository: string; ok: boolean }[] }>(['backup', 'run']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.value.runs.map((o) => [o.repository, o.ok])).toEqual([
      ['database', true],
      ['files', true],
      ['database-offsite', true],
      ['files-offsite', true],
    ]);
    // On the server, in the directory that outlives the lab.
    const served = sh(
      `ls ${labSftpFiles(l).data}/restic/config ${labSftpFiles(l).data}/pgbackrest/backup/mail/backup.info`,
    );
    expect(served.code, served.stderr).toBe(0);
    const green = json<Status>(['backup', 'status']);
    expect(green.code, green.stdout).toBe(0);
    expect(green.value.repositories.map((r) => [r.name, r.state])).toEqual([
      ['files', 'ok'],
      ['database', 'ok'],
      ['files-offsite', 'ok'],
      ['database-offsite', 'ok'],
    ]);

    await stopLabSftp(l);
    const since = labSh(LAB, 'host', 'date +%s').stdout.trim();
    // What the timer starts.
    const timerRun = onHost(['systemctl', 'start', 'mailctl-backup-offsite-files.service']);
    expect(timerRun.code).not.toBe(0);
    let logged = '';
    for (let i = 0; i < 20 && !logged; i++)
      logged = labSh(
        LAB,
        'host',
        `sleep 0.5; journalctl -q -t mailctl-backup -p err --since @${since} -o cat`,
      ).stdout;
    expect(logged).toContain('backup failed: unit=mailctl-backup-offsite-files.service');
    const down = json<Status>(['backup', 'status']);
    expect(down.code).toBe(1);
    expect(down.value.repositories).toContainEqual(
      expect.objectContaining({ name: 'files-offsite', state: 'failing' }),
    );
    expect(down.value.repositories.find((r) => r.name === 'files')?.state).toBe('ok');
    expect(deliver(BOX.user, uniqueTag('off')).codes.end).toBe(250);
    const box = waitForCount(BOX, 1);
    expect(box.messages.size).toBe(1);

    await startLabSftp(l, rootfs);
    const again = onHost(['mailctl', 'backup', 'run']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // PostgreSQL retries the WAL segment it could not archive meanwhile: bounded wait.
    let healed = json<Status>(['backup', 'status']);
    for (let i = 0; i < 45 && healed.code !== 0; i++) {
      labSh(LAB, 'host', 'sleep 2');
      healed = json<Status>(['backup', 'status']);
    }
    expect(healed.code, healed.stdout).toBe(0);
  });

  it('list and verify cover the off-site copies: bytes flipped on the server are named as off-site damage; the server down, list says which repositories it could not read', async () => {
    type Verified = { repository: string; ok: boolean }[];
    // The schedule as docs/backup-and-restore.md shows it: each repository its timers.
    const timers = onHost(['systemctl', 'list-timers', 'mailctl-backup*']).stdout;
    for (const t of [
      'db-full',
      'db-diff',
      'db-check',
      'files',
      'offsite-db-full',
      'offsite-db',
      'offsite-files',
    ])
      expect(timers).toContain(` mailctl-backup-${t}.timer `);
    const listed = json<{ repository: string }[]>(['backup', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect([...new Set(listed.value.map((b) => b.repository))].sort()).toEqual([
      'database',
      'database-offsite',
      'files',
      'files-offsite',
    ]);
    // On the server's disk: its biggest restic pack and the biggest file of its newest full
    // pgBackRest backup, kept aside byte for byte and put back afterwards.
    const data = labSftpFiles(l).data;
    const d = damageScripts(`${data}/restic`, `${data}/pgbackrest`, sh('mktemp -d').stdout.trim());
    const { pack, pgFile, packId, pgName } = picked(sh(d.pick).stdout);
    const saved = sh(d.damage(pack, pgFile));
    expect(saved.code, saved.stderr).toBe(0);
    try {
      const bad = onHost(['mailctl', 'backup', 'verify', '--read-data']);
      expect(bad.code, bad.stdout).toBe(1);
      // The local repositories are sound; the damage is named in the off-site ones.
      expect(bad.stdout).toMatch(/^OK +files: /m);
      expect(bad.stdout).toMatch(/^OK +database: /m);
      expect(bad.stdout).toMatch(
        new RegExp(`^DAMAGED files-offsite: .*\\n +damaged: pack ${packId}$`, 'm'),
      );
      expect(bad.stdout).toMatch(
        new RegExp(
          `^DAMAGED database-offsite: .*\\n +damaged: ${pgName} \\(invalid checksum\\)$`,
          'm',
        ),
      );
      expect(bad.stderr).toMatch(
        new RegExp(
          `E_BACKUP_DAMAGED: files-offsite repository sftp:${LAB_SFTP_USER}@${LAB_BACKUP_HOST}:\\S+: damaged: pack ${packId}; database-offsite repository sftp://\\S+: damaged: .*${pgName}`,
        ),
      );
    } finally {
      sh(d.repair(pack, pgFile));
    }
    // Put back byte for byte: every repository reads as sound again (pgBackRest verify reads
    // every file; restic the day's seventh), all four on their own line.
    const healed = json<{ repositories: Verified }>(['backup', 'verify']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);
    expect(healed.value.repositories.map((r) => [r.repository, r.ok])).toEqual([
      ['files', true],
      ['database', true],
      ['files-offsite', true],
      ['database-offsite', true],
    ]);

    // The server down: what is local is still listed; the off-site repositories are named.
    await stopLabSftp(l);
    try {
      const partial = onHost(['mailctl', 'backup', 'list']);
      expect(partial.code).toBe(1);
      expect(partial.stdout).toMatch(/^files\t/m);
      expect(partial.stdout).not.toMatch(/^files-offsite\t/m);
      expect(partial.stderr).toMatch(
        /E_BACKUP_UNREADABLE: database-offsite repository sftp:\/\/\S+ could not be read: .+; files-offsite repository sftp:\S+ could not be read: /,
      );
    } finally {
      await startLabSftp(l, rootfs);
    }
  });
});
