import { describe, expect, it } from 'vitest';
import { formatMemory, pssByUnit } from './memory.js';

describe('bench memory', () => {
  const cgroups = [
    '/proc/10/cgroup:0::/system.slice/rspamd.service',
    '/proc/11/cgroup:0::/system.slice/rspamd.service',
    '/proc/20/cgroup:0::/system.slice/system-postgresql.slice/postgresql@17-main.service',
    '/proc/30/cgroup:0::/init.scope',
    '/proc/40/cgroup:0::/user.slice',
  ].join('\n');
  const rollups = [
    '/proc/10/smaps_rollup:Pss:              204800 kB',
    '/proc/11/smaps_rollup:Pss:               71680 kB',
    '/proc/20/smaps_rollup:Pss:               10240 kB',
    '/proc/30/smaps_rollup:Pss:                5120 kB',
    '/proc/40/smaps_rollup:Pss:                1024 kB',
    '/proc/99/smaps_rollup:Pss:                 512 kB',
  ].join('\n');

  it('sums PSS per systemd unit, a process that left between the two reads as unknown', () => {
    expect(pssByUnit(cgroups, rollups)).toEqual({
      units: [
        { unit: 'rspamd.service', processes: 2, pssMiB: 270 },
        { unit: 'postgresql@17-main.service', processes: 1, pssMiB: 10 },
        { unit: 'init.scope', processes: 1, pssMiB: 5 },
        { unit: '/user.slice', processes: 1, pssMiB: 1 },
        { unit: 'unknown', processes: 1, pssMiB: 0.5 },
      ],
      totalMiB: 286.5,
    });
  });

  it('prints one line per unit and the total', () => {
    const out = formatMemory({ date: 'D', load: 1.5, ...pssByUnit(cgroups, rollups) });
    expect(out.split('\n')[1]).toBe(
      'rspamd.service                               270 MiB  2 processes',
    );
    expect(out).toMatch(/^total\s+286\.5 MiB$/m);
  });
});
