import { describe, expect, it } from 'vitest';
import {
  pgbackrestVerifyFindings,
  readDataSubset,
  resticCheckFindings,
  verifyLines,
} from './verify-report.js';

const PACK = 'aa41bed549bfe39320ec1af25745aa0550be9ec7c4899e78a8f6e4bac15715de';

describe('readDataSubset', () => {
  it('reads a different seventh each day and all of it in a week', () => {
    const day = Date.parse('2026-12-07T05:15:00Z');
    const week = Array.from({ length: 7 }, (_, i) => readDataSubset(day + i * 86_400_000));
    expect(new Set(week).size).toBe(7);
    expect(week.every((s) => /^[1-7]\/7$/.test(s))).toBe(true);
    // The same all day long.
    expect(readDataSubset(day + 3600_000)).toBe(readDataSubset(day));
  });
});

describe('resticCheckFindings', () => {
  it('is ok when restic check exits 0', () => {
    expect(resticCheckFindings(0, '{"message_type":"summary","num_errors":0}\n', '')).toEqual({
      ok: true,
      damaged: [],
    });
  });

  it('names each broken pack (restic 0.18 check --json), without restic’s advice', () => {
    const stdout = `{"message_type":"summary","num_errors":1,"broken_packs":["${PACK}"]}\n`;
    const stderr = [
      `{"message_type":"error","message":"pack ${PACK} contains 2 errors: [blob e04e: ciphertext verification failed]\\n"}`,
      '{"message_type":"error","message":"\\nThe repository contains damaged pack files. These damaged files must be removed.\\n"}',
      `{"message_type":"error","message":"restic repair packs ${PACK}\\nrestic repair snapshots --forget\\n"}`,
      '{"message_type":"error","message":"Damaged pack files can be caused by backend problems.\\n"}',
      '{"message_type":"exit_error","code":1,"message":"Fatal: repository contains errors"}',
    ].join('\n');
    expect(resticCheckFindings(1, stdout, stderr)).toEqual({
      ok: false,
      damaged: [`pack ${PACK}`],
    });
  });

  it('says why when it names nothing (a wrong password, no repository)', () => {
    const stderr =
      '{"message_type":"exit_error","code":12,"message":"Fatal: wrong password or no key found"}\n';
    expect(resticCheckFindings(12, '', stderr)).toEqual({
      ok: false,
      damaged: [],
      problem: 'Fatal: wrong password or no key found',
    });
  });
});

const VERIFY_BAD = `2026-12-07 09:43:14.301 P01   INFO: invalid checksum '20261207-093347F/pg_data/base/16384/2838.zst'
2026-12-07 09:43:14.512 P00   INFO: stanza: mail
                                    status: error
                                      archiveId: 17-1, total WAL checked: 14, total valid WAL: 14
                                        missing: 0, checksum invalid: 0, size invalid: 0, other: 0
                                      backup: 20261207-093347F, status: invalid, total files checked: 1318, total valid files: 1317
stanza: mail
status: error
  archiveId: 17-1, total WAL checked: 14, total valid WAL: 13
    missing: 1, checksum invalid: 0, size invalid: 0, other: 0
  backup: 20261207-093347F, status: invalid, total files checked: 1318, total valid files: 1317
    missing: 0, checksum invalid: 1, size invalid: 0, other: 0
  backup: 20261207-093347F_20261207-093537D, status: valid, total files checked: 1318, total valid files: 1318
    missing: 0, checksum invalid: 0, size invalid: 0, other: 0
2026-12-07 09:43:14.512 P00   INFO: verify command end: completed successfully (596ms)
`;

describe('pgbackrestVerifyFindings', () => {
  it('fails on status: error although pgBackRest exits 0, naming the file, the backup and the WAL', () => {
    expect(pgbackrestVerifyFindings(0, VERIFY_BAD, '')).toEqual({
      ok: false,
      damaged: [
        '20261207-093347F/pg_data/base/16384/2838.zst (invalid checksum)',
        'backup 20261207-093347F (invalid)',
        'WAL of 17-1 (1 of 14 segments invalid)',
      ],
    });
  });

  it('is ok on status: ok', () => {
    const good = VERIFY_BAD.replace(/status: error/g, 'status: ok')
      .replace(/^.*invalid checksum.*\n/m, '')
      .replace(/status: invalid/g, 'status: valid')
      .replace('total valid WAL: 13', 'total valid WAL: 14');
    expect(pgbackrestVerifyFindings(0, good, '')).toEqual({ ok: true, damaged: [] });
  });

  it('says why when verify itself fails', () => {
    const r = pgbackrestVerifyFindings(
      82,
      '',
      'ERROR: [082]: WAL segment 000000010000000000000001 was not archived\n',
    );
    expect(r).toEqual({
      ok: false,
      damaged: [],
      problem: 'ERROR: [082]: WAL segment 000000010000000000000001 was not archived',
    });
  });
});

describe('verifyLines', () => {
  it('prints one line per repository and one per damaged item', () => {
    expect(
      verifyLines([
        {
          repository: 'files',
          location: '/r',
          check: 'restic check --read-data',
          ok: true,
          damaged: [],
        },
        {
          repository: 'database',
          location: '/p',
          check: 'pgbackrest verify',
          ok: false,
          damaged: ['backup X (invalid)'],
        },
      ]),
    ).toEqual([
      'OK      files: /r (restic check --read-data)',
      'DAMAGED database: /p (pgbackrest verify)',
      '        damaged: backup X (invalid)',
    ]);
  });
});
