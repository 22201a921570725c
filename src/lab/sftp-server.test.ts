import { describe, expect, it } from 'vitest';
import { dnsmasqConfig } from './dns.js';
import { labLayout } from './layout.js';
import { LAB_BACKUP_HOST, LAB_OFFSITE_ROOT, labSftpFiles, labSshdConfig } from './sftp-server.js';

describe("the lab world's off-site backup server", () => {
  const l = labLayout('t1');

  it('is backup.example.org in the lab DNS, on the internet router', () => {
    expect(LAB_BACKUP_HOST).toBe('backup.example.org');
    expect(dnsmasqConfig(l, [])).toContain('host-record=backup.example.org,198.51.100.1\n');
  });

  it('takes keys only, for one chrooted account that gets SFTP and nothing else', () => {
    const c = labSshdConfig(l);
    expect(c).toContain('ListenAddress 198.51.100.1\n');
    expect(c).toContain('PasswordAuthentication no\nKbdInteractiveAuthentication no\n');
    expect(c).toContain('AllowUsers mailbackup\n');
    expect(c).toMatch(
      /Match User mailbackup\n {2}ChrootDirectory \/srv\/offsite\n {2}ForceCommand internal-sftp\n$/,
    );
    expect(c).toContain('PermitTTY no\n');
  });

  it('serves a directory outside every lab, its own by default, another lab’s when told', () => {
    expect(labSftpFiles(l).data).toBe(`${LAB_OFFSITE_ROOT}/t1`);
    expect(labSftpFiles(l, 'old').data).toBe(`${LAB_OFFSITE_ROOT}/old`);
    expect(labSftpFiles(l).dir.startsWith(l.dirs.state)).toBe(true);
  });
});
