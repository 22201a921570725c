import { describe, expect, it } from 'vitest';
import { labCgroupDir, unifiedCgroupRoot } from './cgroup.js';

const HYBRID = [
  '25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
  '28 27 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw',
  '29 27 0:27 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,name=systemd',
].join('\n');

describe('the lab cgroup', () => {
  it('finds the unified hierarchy on a hybrid host and on a v2 host', () => {
    expect(unifiedCgroupRoot(HYBRID)).toBe('/sys/fs/cgroup/unified');
    expect(
      unifiedCgroupRoot('30 1 0:26 / /sys/fs/cgroup rw shared:4 - cgroup2 cgroup2 rw,nsdelegate'),
    ).toBe('/sys/fs/cgroup');
  });

  it('has none where the machine mounts no cgroup2', () => {
    expect(unifiedCgroupRoot(HYBRID.split('\n').slice(2).join('\n'))).toBeUndefined();
  });

  it('gives each lab its own cgroup, named for it', () => {
    expect(labCgroupDir('dev', '/sys/fs/cgroup/unified')).toBe(
      '/sys/fs/cgroup/unified/mailctl-lab-dev',
    );
  });
});
