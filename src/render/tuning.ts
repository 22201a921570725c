import type { MailHostContext } from './host-context.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** The daemons' process counts and memory settings for one machine (issue 14). */
export interface Tuning {
  /** Dovecot's auth_cache_size, bytes. */
  dovecotAuthCacheBytes: number;
}

/**
 * Settings derived from hosts[].size, so that a bigger machine gets a bigger configuration
 * and nothing is a constant tuned for one VPS. The seed's 2 CPU / 4 GB is the reference
 * the figures in bench/RESULTS.md were taken on.
 */
export function tuningFor(size: MailHostContext['size']): Tuning {
  const gib = size.memoryBytes / GiB;
  return {
    // A cached login is a few hundred bytes: 1 MiB per GiB holds thousands of users, and
    // Dovecot evicts the least recently used past it.
    dovecotAuthCacheBytes: Math.max(1, Math.floor(gib)) * MiB,
  };
}
