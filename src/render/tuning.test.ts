import { describe, expect, it } from 'vitest';
import { tuningFor, type Tuning } from './tuning.js';

const GiB = 1024 ** 3;
const seed = tuningFor({ cpus: 2, memoryBytes: 4 * GiB });

/** Every figure of a tuning, by name, for comparing two machines. */
const figures = (t: Tuning): Record<string, number> => ({
  authCache: t.dovecotAuthCacheBytes,
  ...t.postgres,
  ...t.postfix,
  rspamd: t.rspamdNormalWorkers,
  sogo: t.sogoWorkers,
});

describe('tuningFor', () => {
  it("gives the seed's 2 CPU / 4 GB host what it was measured with", () => {
    expect(seed).toEqual({
      dovecotAuthCacheBytes: 4 * 1024 ** 2,
      postgres: {
        sharedBuffersMiB: 128,
        effectiveCacheSizeMiB: 1024,
        workMemMiB: 4,
        maintenanceWorkMemMiB: 64,
      },
      postfix: { processLimit: 100, clientConnectionLimit: 50 },
      rspamdNormalWorkers: 2,
      sogoWorkers: 3,
    });
  });

  it('gives a bigger machine a bigger configuration in every figure', () => {
    const big = figures(tuningFor({ cpus: 8, memoryBytes: 32 * GiB }));
    for (const [name, value] of Object.entries(figures(seed)))
      expect(big[name], name).toBeGreaterThan(value);
  });

  it('never gives a smaller machine more, and keeps a floor on a tiny one', () => {
    const tiny = figures(tuningFor({ cpus: 1, memoryBytes: GiB / 2 }));
    for (const [name, value] of Object.entries(figures(seed))) {
      expect(tiny[name], name).toBeLessThanOrEqual(value);
      expect(tiny[name], name).toBeGreaterThan(0);
    }
    expect(tuningFor({ cpus: 1, memoryBytes: GiB / 2 })).toMatchObject({
      dovecotAuthCacheBytes: 1024 ** 2,
      rspamdNormalWorkers: 1,
      sogoWorkers: 2,
    });
  });

  it('lets memory, not CPUs alone, bound the process counts', () => {
    const manyCpus = tuningFor({ cpus: 16, memoryBytes: 2 * GiB });
    expect(manyCpus.postfix.processLimit).toBe(50);
    expect(manyCpus.rspamdNormalWorkers).toBe(2);
    expect(manyCpus.sogoWorkers).toBe(2);
  });
});
