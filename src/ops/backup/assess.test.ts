import { describe, expect, it } from 'vitest';
import { assessArchive, assessBackups, assessRepository, statusLines } from './assess.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const hoursAgo = (h: number) => NOW - h * 36e5;
const ok = { unit: 'mailctl-backup-files.service', result: 'success' };
const files = { name: 'files' as const, location: '/var/mail/backups/restic', units: [ok] };

describe('assessRepository', () => {
  it('is ok with a backup younger than 26 h and a last run that succeeded', () => {
    expect(assessRepository({ ...files, lastGoodAt: hoursAgo(25) }, NOW)).toMatchObject({
      state: 'ok',
      ageHours: 25,
      lastGood: '2026-12-06T11:00:00.000Z',
    });
  });

  it('is stale with no backup, or one older than 26 h', () => {
    expect(assessRepository(files, NOW)).toMatchObject({
      state: 'stale',
      problem: 'no backup yet',
    });
    expect(assessRepository({ ...files, lastGoodAt: hoursAgo(27) }, NOW).state).toBe('stale');
  });

  it('is failing when the last run failed, however fresh the last good backup', () => {
    const r = assessRepository(
      { ...files, lastGoodAt: hoursAgo(1), units: [{ ...ok, result: 'exit-code' }] },
      NOW,
    );
    expect(r.state).toBe('failing');
    expect(r.problem).toBe('the last run of mailctl-backup-files.service failed (exit-code)');
  });

  it('is failing when the repository cannot be read', () => {
    const r = assessRepository({ ...files, lastGoodAt: hoursAgo(1), error: 'wrong password' }, NOW);
    expect(r).toMatchObject({ state: 'failing', problem: 'wrong password' });
  });
});

describe('assessArchive', () => {
  const base = { archivedCount: 10, lastArchivedWal: 'A', failedCount: 0 };

  it('is ok when the latest attempt succeeded, even after earlier failures', () => {
    expect(assessArchive({ ...base, lastArchivedAt: hoursAgo(1) }).state).toBe('ok');
    const healed = {
      ...base,
      failedCount: 3,
      lastFailedWal: 'B',
      lastFailedAt: hoursAgo(2),
      lastArchivedAt: hoursAgo(1),
    };
    expect(assessArchive(healed)).toMatchObject({ state: 'ok', failedCount: 3 });
  });

  it('is failing when the latest attempt failed, naming the segment', () => {
    const r = assessArchive({
      ...base,
      failedCount: 1,
      lastFailedWal: '000000010000000000000007',
      lastFailedAt: hoursAgo(1),
      lastArchivedAt: hoursAgo(2),
    });
    expect(r.state).toBe('failing');
    expect(r.problem).toContain('000000010000000000000007');
  });
});

describe('assessBackups', () => {
  it('is ok only when every repository and the archive are', () => {
    const good = { ...files, lastGoodAt: hoursAgo(1) };
    const archive = { archivedCount: 1, failedCount: 0, lastArchivedAt: hoursAgo(1) };
    expect(assessBackups([good], archive, NOW).ok).toBe(true);
    expect(assessBackups([good, { ...files, name: 'database' }], archive, NOW).ok).toBe(false);
    const failing = { ...archive, failedCount: 1, lastFailedAt: NOW };
    const s = assessBackups([good], failing, NOW);
    expect(s.ok).toBe(false);
    expect(statusLines(s)).toEqual([
      'OK      files: /var/mail/backups/restic, last good backup 2026-12-07T11:00:00.000Z (1 h ago)',
      expect.stringMatching(
        /^FAILING wal-archive: 1 archived, last none; 1 failed, last none: archiving WAL segment \? failed/,
      ),
    ]);
  });
});
