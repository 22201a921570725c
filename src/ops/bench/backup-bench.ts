import { randomBytes } from 'node:crypto';
import { UserError } from '../../util/errors.js';
import {
  addBenchMailboxes,
  benchDate,
  loadAverage,
  removeBenchMailboxes,
  shellQuote,
} from './bench-mailbox.js';
import {
  seedScript,
  type BackupBenchReport,
  type BackupRunFigures,
} from './backup-bench-report.js';
import type { BenchTarget } from './lab-target.js';

interface RunJson {
  ok: boolean;
  runs: { repository: string; ok: boolean; seconds: number; stored?: string; error?: string }[];
}
interface Listed {
  repository: string;
  id: string;
  size?: number;
  stored?: number;
}

const HOUR = 3600_000;

/**
 * `mailctl bench backup`: one mailbox seeded with `messages` messages, `backup run` timed,
 * 1% more messages and `backup run` again, then `restore mailbox --as` into a second
 * mailbox, timed. Both mailboxes and their Maildirs are removed at the end; the snapshots
 * stay in the repositories until the retention lets them go.
 */
export async function runBackupBench(
  t: BenchTarget,
  lab: string,
  opts: { messages: number; messageBytes: number },
  progress: (line: string) => void,
): Promise<BackupBenchReport> {
  const loadStart = loadAverage();
  const date = benchDate();
  const { users } = await addBenchMailboxes(t, 'bkbench', 2);
  const [from = '', to = ''] = users;
  try {
    const seed = async (count: number) => {
      const started = Date.now();
      const tag = randomBytes(4).toString('hex');
      await t.host(seedScript(from, count, opts.messageBytes, tag), { timeoutMs: 2 * HOUR });
      return (Date.now() - started) / 1000;
    };
    progress(`seeding ${opts.messages} messages into ${from}`);
    const seedSeconds = await seed(opts.messages);
    progress('backup run (first)');
    const first = await backupRun(t);
    const sizes = await t.host(
      'du -sb /var/mail/backups/restic /var/mail/backups/pgbackrest | cut -f1',
    );
    const [restic = 0, pgbackrest = 0] = sizes.trim().split('\n').map(Number);
    const changedMessages = Math.max(1, Math.round(opts.messages / 100));
    progress(`adding ${changedMessages} messages (1%), backup run again`);
    await seed(changedMessages);
    const incremental = await backupRun(t);
    progress(`restore mailbox ${from} --as ${to}`);
    const started = Date.now();
    const out = await t.host(
      `mailctl restore mailbox ${shellQuote(from)} --as ${shellQuote(to)} --yes`,
      { timeoutMs: 2 * HOUR },
    );
    const seconds = (Date.now() - started) / 1000;
    const restored = Number(/restored (\d+) message/.exec(out)?.[1] ?? NaN);
    if (restored !== opts.messages + changedMessages)
      throw new UserError(
        'E_BENCH_RESTORE',
        `restore mailbox put back ${restored} message(s), not ${opts.messages + changedMessages}: ${out.trim()}`,
        { exitCode: 1 },
      );
    return {
      date,
      lab,
      loadStart,
      loadEnd: loadAverage(),
      messages: opts.messages,
      messageBytes: opts.messageBytes,
      seedSeconds,
      first,
      repositoryBytes: { restic, pgbackrest },
      changedMessages,
      incremental,
      restore: { seconds, messages: restored },
    };
  } finally {
    progress('removing the benchmark mailboxes and their mail');
    const homes = await t.host(
      users.map((u) => `doveadm user -f home ${shellQuote(u)} || true`).join('\n'),
    );
    await removeBenchMailboxes(t, users);
    const dirs = homes.split('\n').filter((h) => h.startsWith('/var/mail/vmail/'));
    if (dirs.length)
      await t.host(
        `rm -rf ${dirs.map((d) => `${shellQuote(d)} ${shellQuote(d)}.before-restore-*`).join(' ')}`,
      );
  }
}

/** `mailctl backup run --json` on the host, and what restic's snapshot says it read and added. */
async function backupRun(t: BenchTarget): Promise<BackupRunFigures> {
  const started = Date.now();
  const raw = await t.host('mailctl backup run --json || true', { timeoutMs: 2 * HOUR });
  const seconds = (Date.now() - started) / 1000;
  const run = JSON.parse(raw) as RunJson;
  if (!run.ok)
    throw new UserError(
      'E_BENCH_BACKUP',
      `backup run failed: ${run.runs
        .filter((r) => !r.ok)
        .map((r) => `${r.repository}: ${r.error ?? '?'}`)
        .join('; ')}`,
      { exitCode: 1 },
    );
  const snap = run.runs.find((r) => r.repository === 'files')?.stored;
  const listed = JSON.parse(await t.host('mailctl backup list --json || true')) as Listed[];
  const s = listed.find((b) => b.repository === 'files' && b.id === snap);
  return {
    seconds,
    units: run.runs.map((r) => ({ repository: r.repository, seconds: r.seconds })),
    ...(s?.size === undefined ? {} : { filesProcessed: s.size }),
    ...(s?.stored === undefined ? {} : { filesAdded: s.stored }),
  };
}
