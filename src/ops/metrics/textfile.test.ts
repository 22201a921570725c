import { describe, expect, it } from 'vitest';
import {
  lastHealthReport,
  parseJailList,
  parseQueueArrivals,
  parseTotalBanned,
  textfileMetrics,
} from './textfile.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');

describe('textfileMetrics', () => {
  it('writes each fact as a metric the alert rules read', () => {
    const text = textfileMetrics({
      now: NOW,
      certificateNotAfter: Date.parse('2026-12-17T10:00:00Z'),
      queueArrivals: [NOW - 90_000_000, NOW - 1000],
      fail2banBans: { sshd: 2, dovecot: 7 },
      backups: [{ repository: 'files', lastGoodAt: NOW - 3_600_000 }, { repository: 'database' }],
      walArchiveFailed: 2,
    });
    expect(text).toContain('\nmailctl_wal_archive_failed_total 2\n');
    expect(text).toContain('\nmailctl_certificate_expiry_timestamp_seconds 1797501600\n');
    expect(text).toContain('\nmailctl_queue_oldest_message_age_seconds 90000\n');
    expect(text).toContain(
      '\nmailctl_fail2ban_bans_total{jail="dovecot"} 7\nmailctl_fail2ban_bans_total{jail="sshd"} 2\n',
    );
    expect(text).toContain(
      `\nmailctl_backup_last_success_timestamp_seconds{repository="files"} ${(NOW - 3_600_000) / 1000}\n`,
    );
    // A repository with no good backup yet has no sample (and no fake age).
    expect(text).not.toContain('repository="database"');
    expect(text).toContain('# TYPE mailctl_fail2ban_bans_total counter\n');
  });

  it('says 0 for an empty queue and leaves out what it could not read', () => {
    const text = textfileMetrics({ now: NOW, queueArrivals: [], fail2banBans: {}, backups: [] });
    expect(text).toBe(
      "# HELP mailctl_queue_oldest_message_age_seconds age of the oldest message in Postfix's queue (0 when it is empty)\n" +
        '# TYPE mailctl_queue_oldest_message_age_seconds gauge\n' +
        'mailctl_queue_oldest_message_age_seconds 0\n',
    );
  });
});

describe('the WireGuard handshakes as metrics', () => {
  it("gives each peer's last handshake, and leaves out a peer that never shook hands", () => {
    const text = textfileMetrics({
      now: NOW,
      queueArrivals: [],
      fail2banBans: {},
      backups: [],
      wireguardHandshakes: [
        { publicKey: 'b+key/1=', latestHandshake: 1_796_637_500 },
        { publicKey: 'never+key=', latestHandshake: 0 },
      ],
    });
    expect(text).toContain(
      '\nmailctl_wireguard_peer_last_handshake_timestamp_seconds{peer="b+key/1="} 1796637500\n',
    );
    expect(text).not.toContain('never+key=');
  });
});

describe('the health checks as metrics', () => {
  const jsonl =
    '{"ts":"2026-12-07T09:55:00.000Z","status":"ok","checks":[]}\n' +
    '{"ts":"2026-12-07T10:00:00.000Z","status":"critical","checks":[' +
    '{"name":"imap","status":"critical","detail":"connect ECONNREFUSED","ms":4},' +
    '{"name":"queue","status":"warning","detail":"60 deferred","ms":9},' +
    '{"name":"smtp-25","status":"ok","detail":"220","ms":30}]}\n';

  it("exports the last run's status per check, and when it ran", () => {
    const health = lastHealthReport(jsonl);
    const text = textfileMetrics({
      now: NOW,
      queueArrivals: [],
      fail2banBans: {},
      backups: [],
      ...(health ? { health } : {}),
    });
    expect(text).toContain(
      'mailctl_health_check_status{check="imap"} 2\n' +
        'mailctl_health_check_status{check="queue"} 1\n' +
        'mailctl_health_check_status{check="smtp-25"} 0\n',
    );
    expect(text).toContain(`\nmailctl_health_last_run_timestamp_seconds ${NOW / 1000}\n`);
  });

  it('ignores a log that is empty or cut off mid-line', () => {
    expect(lastHealthReport('')).toBeUndefined();
    expect(lastHealthReport('{"ts":"2026-12-07T10:00:00.000Z","stat')).toBeUndefined();
  });
});

describe('the parsers of what the tools print', () => {
  it('reads arrival times from postqueue -j', () => {
    const out =
      '{"queue_name": "deferred", "queue_id": "4Xy", "arrival_time": 1796637600, "message_size": 512}\n' +
      '{"queue_name": "active", "queue_id": "4Xz", "arrival_time": 1796637660, "message_size": 300}\n';
    expect(parseQueueArrivals(out)).toEqual([1796637600000, 1796637660000]);
    expect(parseQueueArrivals('')).toEqual([]);
  });

  it("reads fail2ban-client's jail list and ban totals", () => {
    const status = 'Status\n|- Number of jail:\t3\n`- Jail list:\tdovecot, postfix-sasl, sshd\n';
    expect(parseJailList(status)).toEqual(['dovecot', 'postfix-sasl', 'sshd']);
    const jail =
      'Status for the jail: sshd\n|- Filter\n|  |- Currently failed:\t0\n|  `- Total failed:\t4\n' +
      '`- Actions\n   |- Currently banned:\t1\n   |- Total banned:\t3\n   `- Banned IP list:\t192.0.2.7\n';
    expect(parseTotalBanned(jail)).toBe(3);
    expect(parseTotalBanned('nothing')).toBeUndefined();
  });
});
