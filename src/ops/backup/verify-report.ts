/**
 * What `mailctl backup verify` makes of the tools' own checks (pure: the clock comes in as
 * `now`, the tools' output as text).
 */

import type { RepositoryFacts } from './assess.js';

/** How many parts restic's data is read in by default: all of it once a week, run daily. */
export const READ_DATA_PARTS = 7;

/**
 * restic's `--read-data-subset=k/n` for a day: a different seventh each day, so that a
 * daily verify reads every pack once a week without reading the whole repository daily.
 */
export function readDataSubset(now: number, parts = READ_DATA_PARTS): string {
  const day = Math.floor(now / 86_400_000);
  return `${(day % parts) + 1}/${parts}`;
}

export interface VerifyResult {
  /** The local repositories, and with backup.offsite their off-site copies. */
  repository: RepositoryFacts['name'];
  location: string;
  /** The tool's check that ran, e.g. `restic check --read-data-subset=3/7`. */
  check: string;
  ok: boolean;
  /** What is damaged, each named as the tool names it (a pack, a backup's file, a WAL range). */
  damaged: string[];
  /** Why the check could not say, when it failed without naming damage. */
  problem?: string;
}

interface ResticJsonLine {
  message_type?: string;
  message?: string;
  broken_packs?: string[] | null;
  num_errors?: number;
}

const jsonLines = (text: string): ResticJsonLine[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as ResticJsonLine];
      } catch {
        return [];
      }
    });

/**
 * `restic check --json`: the summary on stdout lists the broken packs; the errors on stderr
 * say what else is wrong (a tree that names a missing blob, a snapshot that cannot be
 * read). restic's advice (repair commands, where to file a bug) is left out.
 */
export function resticCheckFindings(
  code: number,
  stdout: string,
  stderr: string,
): Pick<VerifyResult, 'ok' | 'damaged' | 'problem'> {
  const out = jsonLines(stdout);
  const err = jsonLines(stderr);
  const packs = out.flatMap((l) => l.broken_packs ?? []).map((p) => `pack ${p}`);
  const errors = err
    .filter((l) => l.message_type === 'error' && l.message)
    .map((l) => (l.message ?? '').trim())
    .filter(
      (m) => m && !/^The repository contains damaged|^restic repair|^Damaged pack files/.test(m),
    )
    .filter((m) => !packs.some((p) => m.startsWith(p)));
  const damaged = [...packs, ...errors];
  if (code === 0) return { ok: true, damaged: [] };
  const fatal = err.find((l) => l.message_type === 'exit_error')?.message?.trim();
  const raw = stderr.trim().split('\n').at(-1);
  return {
    ok: false,
    damaged,
    ...(damaged.length ? {} : { problem: fatal ?? raw ?? `restic check exited ${code}` }),
  };
}

/**
 * `pgbackrest verify --output=text --verbose` with info on the console. pgBackRest exits 0 even when
 * it finds damage (2.55), so the report decides: `status: error` with each invalid backup
 * and WAL range, and the info lines that name each bad file ("invalid checksum '<file>'").
 */
export function pgbackrestVerifyFindings(
  code: number,
  stdout: string,
  stderr: string,
): Pick<VerifyResult, 'ok' | 'damaged' | 'problem'> {
  const text = `${stdout}\n${stderr}`;
  const files = [...text.matchAll(/ INFO: ((?:invalid|missing|file)[^'\n]*) '([^'\n]+)'$/gm)].map(
    (m) => `${m[2]} (${m[1]})`,
  );
  const backups = [...text.matchAll(/^\s*backup: (\S+), status: (?!valid\b)(\w+)/gm)].map(
    (m) => `backup ${m[1]} (${m[2]})`,
  );
  const wal = [
    ...text.matchAll(/^\s*archiveId: (\S+), total WAL checked: (\d+), total valid WAL: (\d+)/gm),
  ]
    .filter((m) => m[2] !== m[3])
    .map((m) => `WAL of ${m[1]} (${Number(m[2]) - Number(m[3])} of ${m[2]} segments invalid)`);
  const damaged = [...new Set([...files, ...backups, ...wal])];
  const status = /^status: (\w+)/m.exec(stdout)?.[1];
  if (code === 0 && status === 'ok' && !damaged.length) return { ok: true, damaged: [] };
  const last = stderr.trim().split('\n').at(-1);
  return {
    ok: false,
    damaged,
    ...(damaged.length
      ? {}
      : { problem: code ? (last ?? `pgbackrest verify exited ${code}`) : `status: ${status}` }),
  };
}

/** The report's text lines: one per repository, then one per damaged item. */
export function verifyLines(results: readonly VerifyResult[]): string[] {
  return results.flatMap((r) => [
    `${r.ok ? 'OK     ' : 'DAMAGED'} ${r.repository}: ${r.location} (${r.check})` +
      `${r.problem ? `: ${r.problem}` : ''}`,
    ...r.damaged.map((d) => `        damaged: ${d}`),
  ]);
}
