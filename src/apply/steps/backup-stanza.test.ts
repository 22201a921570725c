import { describe, expect, it } from 'vitest';
import { firstStanzaConf } from '../../ops/backup/stanza-first.js';
import { testHostContext } from '../../render/test-host-context.js';
import type { ClusterDeclarations } from '../../spec/index.js';
import { mailHostSteps } from './index.js';

const native = testHostContext();
const offsite = testHostContext({
  backup: {
    ...native.backup,
    offsite: {
      user: 'mailbackup',
      host: 'backup.example.org',
      port: 22,
      path: '/repo',
      hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE1abc',
    },
  },
});
const declared: ClusterDeclarations = {
  file: 'cluster.yaml',
  domains: [],
  mailboxes: [],
  aliases: [],
  vpnPeers: [],
  sendAs: [],
};

describe("pgBackRest's stanza comes before PostgreSQL archives with it", () => {
  it('is made before the files go live, so that no archive_command runs without it', () => {
    const steps = mailHostSteps(native, declared);
    const stanza = steps.find((s) => s.name === 'backup-stanza');
    expect(stanza?.phase).toBe('before-files');
    // The postgresql.conf with archive_command goes live between the two phases; the rest
    // of the backups (first full backup, off-site repositories) need PostgreSQL running.
    expect(steps.find((s) => s.name === 'backup')?.phase).toBe('after-activate');
    const order = steps.map((s) => s.name);
    expect(order.indexOf('backup-stanza')).toBeLessThan(order.indexOf('database'));
  });

  it('names the local repository alone: the off-site server may not accept the new key yet', () => {
    const conf = firstStanzaConf(offsite).content;
    expect(conf).toContain('repo1-path=/var/mail/backups/pgbackrest\n');
    expect(conf).not.toMatch(/^repo2-/m);
    expect(conf).toMatch(/^\[mail\]\npg1-path=\/var\/lib\/postgresql\/17\/main$/m);
  });

  it('is not a step in container mode, which has no pgBackRest', () => {
    const container = testHostContext({ postgres: { ...native.postgres, mode: 'container' } });
    expect(mailHostSteps(container, declared).map((s) => s.name)).not.toContain('backup-stanza');
  });
});
