import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBackupBench, messageFiles, seedScript } from './backup-bench-report.js';

describe('bench backup', () => {
  it('writes COUNT messages of about SIZE bytes, each with its headers and random text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkbench-'));
    try {
      const r = spawnSync(
        'sh',
        ['-ec', messageFiles(`'${dir}'`, 'u@example.com', 25, 4000, 'ab12')],
        {
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const files = readdirSync(dir);
      expect(files).toHaveLength(25);
      for (const f of files) {
        expect(f).toMatch(/^\d+\.M\d+Pab12\.bench$/);
        const size = statSync(join(dir, f)).size;
        expect(size).toBeGreaterThan(4000);
        expect(size).toBeLessThan(4300);
      }
      const [a = '', b = ''] = files.map((f) => readFileSync(join(dir, f), 'utf8'));
      expect(a).toMatch(
        /^From: bench@example\.org\nTo: u@example\.com\nSubject: backup bench ab12 \d+\n/,
      );
      // No two bodies alike: restic must not get the data for free.
      expect(a.split('\n\n')[1]).not.toBe(b.split('\n\n')[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes the user for the shell', () => {
    expect(seedScript("o'brien@example.com", 1, 100, 'x')).toContain(`u='o'\\''brien@example.com'`);
  });

  it('reports the figures with the date, the load and the sizes', () => {
    const text = formatBackupBench({
      date: '2026-12-07 17:00 UTC',
      lab: 'bakops',
      loadStart: 14.2,
      loadEnd: 15,
      messages: 1000,
      messageBytes: 100_000,
      seedSeconds: 12.34,
      first: {
        seconds: 45,
        units: [
          { repository: 'database', seconds: 4.1 },
          { repository: 'files', seconds: 40.2 },
        ],
        filesProcessed: 100_300_000,
        filesAdded: 95_100_000,
      },
      repositoryBytes: { restic: 120_400_000, pgbackrest: 40_100_000 },
      changedMessages: 10,
      incremental: { seconds: 5.2, units: [{ repository: 'files', seconds: 3.1 }] },
      restore: { seconds: 20.3, messages: 1010 },
    });
    expect(text).toContain('2026-12-07 17:00 UTC, lab bakops, load average 14.2 at the start');
    expect(text).toContain('1000 messages of 100 kB in one mailbox (100.0 MB)');
    expect(text).toMatch(
      /backup run, first +45\.0 s {2}\(database 4\.1 s, files 40\.2 s\); restic read 100\.3 MB, stored \+95\.1 MB/,
    );
    expect(text).toContain('restic 120.4 MB, pgBackRest 40.1 MB');
    expect(text).toMatch(/backup run, \+10 messages \(1%\) +5\.2 s/);
    expect(text).toMatch(/restore mailbox --as +20\.3 s {2}\(1010 messages\)/);
  });
});
