import { describe, expect, it } from 'vitest';
import { hostContextFromSpec, parseClusterFile } from './index.js';
import { clusterProblems as problems, minimalCluster } from '../../test/support/cluster-text.js';

describe('backup in the cluster file', () => {
  it('keeps 7 daily, 4 weekly and 6 monthly backups unless told otherwise', () => {
    const ctx = hostContextFromSpec(parseClusterFile(minimalCluster(), 't.yaml'));
    expect(ctx.backup.retention).toEqual({ daily: 7, weekly: 4, monthly: 6 });
    const told = hostContextFromSpec(
      parseClusterFile(
        minimalCluster('backup: { retention: { daily: 14, monthly: 0 } }\n'),
        't.yaml',
      ),
    );
    expect(told.backup.retention).toEqual({ daily: 14, weekly: 4, monthly: 0 });
  });

  it('refuses a retention that would keep nothing, or is not a count, with its path', () => {
    expect(
      problems(
        minimalCluster(
          'backup: { retention: { daily: 0, weekly: 1.5, monthly: -1, yearly: 2 } }\n',
        ),
      ).map((p) => p.split(':')[0]),
    ).toEqual(
      expect.arrayContaining([
        'backup.retention.daily',
        'backup.retention.weekly',
        'backup.retention.monthly',
        'backup.retention',
      ]),
    );
  });

  it('reads backup.offsite into the account, host, port, path and host key', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOUMmymwF8wBajZxfhHtjLkJVSq3zmEMwkb1oIaRxBfy';
    const ctx = hostContextFromSpec(
      parseClusterFile(
        minimalCluster(
          `backup:\n  offsite: { sftp: "mailbackup@backup.example.org:/srv/repo/", host_key: "${key}" }\n`,
        ),
        't.yaml',
      ),
    );
    expect(ctx.backup.offsite).toEqual({
      user: 'mailbackup',
      host: 'backup.example.org',
      port: 22,
      path: '/srv/repo',
      hostKey: key,
    });
    expect(
      hostContextFromSpec(parseClusterFile(minimalCluster(), 't.yaml')).backup.offsite,
    ).toBeUndefined();
  });

  it('refuses an off-site target that is not user@host:/path, and a host key that is not one', () => {
    expect(
      problems(
        minimalCluster(
          'backup:\n  offsite: { sftp: "backup.example.org:repo", host_key: "AAAA", port: 0 }\n',
        ),
      ).map((p) => p.split(':')[0]),
    ).toEqual(
      expect.arrayContaining([
        'backup.offsite.sftp',
        'backup.offsite.host_key',
        'backup.offsite.port',
      ]),
    );
  });
});
