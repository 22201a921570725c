import { describe, expect, it } from 'vitest';
import { UserError } from '../../util/errors.js';
import { snapshotAt } from './snapshot-at.js';
import { restorableFolders } from './sogo-restore.js';

const snap = (short_id: string, time: string) => ({ id: short_id, short_id, time, paths: [] });
// restic lists them oldest first, with nanoseconds.
const SNAPSHOTS = [
  snap('aaaa', '2026-12-05T02:30:11.123456789Z'),
  snap('bbbb', '2026-12-06T02:31:40.000000001Z'),
  snap('cccc', '2026-12-07T02:29:05.5Z'),
];

describe('snapshotAt', () => {
  it('takes the newest without a time, and with one the newest taken at or before it', () => {
    expect(snapshotAt(SNAPSHOTS).short_id).toBe('cccc');
    expect(snapshotAt(SNAPSHOTS, { iso: '2026-12-06T12:00:00.000Z' }).short_id).toBe('bbbb');
    expect(snapshotAt(SNAPSHOTS, { iso: '2026-12-06T02:31:40.000Z' }).short_id).toBe('bbbb');
    expect(snapshotAt([...SNAPSHOTS].reverse(), { iso: '2026-12-08T00:00:00.000Z' }).short_id).toBe(
      'cccc',
    );
  });

  it('refuses a time before the oldest snapshot, and an empty repository, naming why', () => {
    const early = () => snapshotAt(SNAPSHOTS, { iso: '2026-12-05T02:30:00.000Z' });
    expect(early).toThrow(UserError);
    expect(early).toThrow(
      'no snapshot was taken at or before 2026-12-05T02:30:00.000Z (the oldest is from 2026-12-05T02:30:11.123Z)',
    );
    expect(() => snapshotAt([])).toThrow('the restic repository has no snapshot yet');
  });
});

describe('restorableFolders', () => {
  it("reads the folders from sogo-tool restore -l's log lines", () => {
    const log = [
      "<0x0x5637[SOGoCache]> Using host(s) '127.0.0.1:11211' as server(s)",
      '2026-12-07 16:22:25.670 sogo-tool[15269:15269] Restorable folders:',
      '2026-12-07 16:22:25.671 sogo-tool[15269:15269]   Calendar/personal (Personal Calendar)',
      '2026-12-07 16:22:25.671 sogo-tool[15269:15269]   Contacts/personal (Personal Address Book)',
    ].join('\n');
    expect(restorableFolders(log)).toEqual([
      'Calendar/personal (Personal Calendar)',
      'Contacts/personal (Personal Address Book)',
    ]);
  });
});
