/**
 * `mailctl bench backup`'s pure parts: the script that seeds a mailbox with messages of
 * random text, and the report (figures come in, text goes out).
 */
import { shellQuote } from './bench-mailbox.js';

/** base64 lines of 76 characters (57 random bytes each) and their newline. */
const LINE = 77;

/**
 * A POSIX shell script that writes `count` messages of about `bytes` each straight into
 * the user's Maildir (tmp/, then renamed into new/, as a delivery does), then has Dovecot
 * index them so dovecot-uidlist is there to back up. One awk process writes every file: a
 * `doveadm save` per message (a process each) would take longer than the backup itself.
 * The bodies are base64 of /dev/urandom, like attachments: neither restic's deduplication
 * nor its compression gets anything for free.
 */
export function seedScript(user: string, count: number, bytes: number, tag: string): string {
  return [
    'set -e',
    `u=${shellQuote(user)}`,
    // Dovecot makes the Maildir on first access; its path from the user's home.
    'doveadm mailbox status -u "$u" messages INBOX >/dev/null',
    'md="$(doveadm user -f home "$u")/Maildir"',
    messageFiles('"$md/tmp"', user, count, bytes, tag),
    `find "$md/tmp" -name '*P${tag}.bench' -exec mv -t "$md/new" {} +`,
    'chown -R vmail:vmail "$md"',
    'doveadm mailbox status -u "$u" messages INBOX',
  ].join('\n');
}

/**
 * The pipeline that writes the message files into `dir` (a shell word): random bytes,
 * base64 in lines of 76, cut by awk into `count` messages of `bytes`, headers first.
 */
export function messageFiles(
  dir: string,
  user: string,
  count: number,
  bytes: number,
  tag: string,
): string {
  const lines = Math.max(1, Math.ceil(bytes / LINE));
  return [
    `head -c ${count * lines * 57} /dev/urandom | base64 -w 76 | awk -v lines=${lines} -v dir=${dir} -v u=${shellQuote(user)} -v tag=${tag} -v now="$(date +%s)" '`,
    '  (NR - 1) % lines == 0 {',
    '    if (f) close(f); n++',
    '    f = dir "/" now ".M" n "P" tag ".bench"',
    '    printf "From: bench@example.org\\nTo: %s\\nSubject: backup bench %s %d\\nMessage-ID: <%s.%d@bench>\\nContent-Type: text/plain\\n\\n", u, tag, n, tag, n > f',
    '  }',
    '  { print > f }',
    "'",
  ].join('\n');
}

export interface BackupRunFigures {
  /** `mailctl backup run` as a whole, seconds. */
  seconds: number;
  /** Each repository's unit, seconds. */
  units: { repository: string; seconds: number }[];
  /** restic's snapshot of the run: bytes it read and bytes it added to the repository. */
  filesProcessed?: number;
  filesAdded?: number;
}

export interface BackupBenchReport {
  date: string;
  lab: string;
  loadStart: number;
  loadEnd: number;
  messages: number;
  messageBytes: number;
  seedSeconds: number;
  first: BackupRunFigures;
  /** The local repositories' size on disk after the first run, bytes. */
  repositoryBytes: { restic: number; pgbackrest: number };
  changedMessages: number;
  incremental: BackupRunFigures;
  restore: { seconds: number; messages: number };
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

const runLine = (label: string, r: BackupRunFigures) =>
  `${label.padEnd(34)} ${r.seconds.toFixed(1).padStart(7)} s  (${r.units
    .map((u) => `${u.repository} ${u.seconds} s`)
    .join(', ')})` +
  (r.filesAdded === undefined
    ? ''
    : `; restic read ${mb(r.filesProcessed ?? 0)}, stored +${mb(r.filesAdded)}`);

export function formatBackupBench(r: BackupBenchReport): string {
  const total = r.messages * r.messageBytes;
  return [
    `${r.date}, lab ${r.lab}, load average ${r.loadStart} at the start, ${r.loadEnd} at the end`,
    `${r.messages} messages of ${(r.messageBytes / 1000).toFixed(0)} kB in one mailbox (${mb(total)})`,
    `${'seed (awk into the Maildir, indexed)'.padEnd(34)} ${r.seedSeconds.toFixed(1).padStart(7)} s`,
    runLine('backup run, first', r.first),
    `${'local repositories after it'.padEnd(34)} restic ${mb(r.repositoryBytes.restic)}, pgBackRest ${mb(r.repositoryBytes.pgbackrest)}`,
    runLine(`backup run, +${r.changedMessages} messages (1%)`, r.incremental),
    `${'restore mailbox --as'.padEnd(34)} ${r.restore.seconds.toFixed(1).padStart(7)} s  (${r.restore.messages} messages)`,
    '',
  ].join('\n');
}
