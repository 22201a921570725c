import { describe, expect, it } from 'vitest';
import { tuningFor } from './tuning.js';

const GiB = 1024 ** 3;

describe('tuningFor', () => {
  it("gives the seed's 2 CPU / 4 GB host a 4 MiB auth cache", () => {
    expect(tuningFor({ cpus: 2, memoryBytes: 4 * GiB }).dovecotAuthCacheBytes).toBe(4 * 1024 ** 2);
  });

  it('gives a bigger machine a bigger cache, and a tiny one at least 1 MiB', () => {
    const small = tuningFor({ cpus: 1, memoryBytes: GiB / 2 });
    const big = tuningFor({ cpus: 8, memoryBytes: 32 * GiB });
    expect(small.dovecotAuthCacheBytes).toBe(1024 ** 2);
    expect(big.dovecotAuthCacheBytes).toBeGreaterThan(
      tuningFor({ cpus: 2, memoryBytes: 4 * GiB }).dovecotAuthCacheBytes,
    );
  });
});
