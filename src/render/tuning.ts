import type { MailHostContext } from './host-context.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** The daemons' process counts and memory settings for one machine (issue 14). */
export interface Tuning {
  /** Dovecot's auth_cache_size, bytes. */
  dovecotAuthCacheBytes: number;
  /** PostgreSQL's shared_buffers, effective_cache_size, work_mem, maintenance_work_mem (MiB). */
  postgres: {
    sharedBuffersMiB: number;
    effectiveCacheSizeMiB: number;
    workMemMiB: number;
    maintenanceWorkMemMiB: number;
  };
  /** Postfix's default_process_limit and smtpd_client_connection_count_limit. */
  postfix: { processLimit: number; clientConnectionLimit: number };
  /** Rspamd's normal workers (the scanners; the proxy hands them the milter's mail). */
  rspamdNormalWorkers: number;
  /** SOGo's WOWorkersCount (sogod processes serving requests). */
  sogoWorkers: number;
}

const atLeast = (min: number, n: number) => Math.max(min, Math.floor(n));

/**
 * Settings derived from hosts[].size, so that a bigger machine gets a bigger configuration
 * and nothing is a constant tuned for one VPS. The seed's 2 CPU / 4 GB is the reference the
 * figures in bench/RESULTS.md were taken on, and gets what it was measured with; each rule
 * scales from there.
 */
export function tuningFor(size: MailHostContext['size']): Tuning {
  const gib = size.memoryBytes / GiB;
  const mib = size.memoryBytes / MiB;
  // Postfix's own default (100) at 2 CPUs; no more than 25 per GiB: an smtpd with its
  // milter connection costs a few MiB of its own.
  const processLimit = atLeast(20, Math.min(50 * size.cpus, 25 * gib));
  return {
    // A cached login is a few hundred bytes: 1 MiB per GiB holds thousands of users, and
    // Dovecot evicts the least recently used past it.
    dovecotAuthCacheBytes: atLeast(1, gib) * MiB,
    postgres: {
      // PostgreSQL shares the machine with Rspamd, Redis, SOGo and ClamAV: 1/32 of it (its
      // 128 MB default at 4 GB, which holds the whole accounts database) rather than the
      // quarter a dedicated server would take. The page cache is what the rest leaves:
      // effective_cache_size a quarter of the memory, not the 4 GB default that assumes
      // all of it.
      sharedBuffersMiB: atLeast(32, mib / 32),
      effectiveCacheSizeMiB: atLeast(128, mib / 4),
      workMemMiB: atLeast(4, mib / 1024),
      maintenanceWorkMemMiB: atLeast(32, mib / 64),
    },
    // smtpd_client_connection_count_limit at half of them, as Postfix's defaults (50 of 100).
    postfix: { processLimit, clientConnectionLimit: atLeast(10, processLimit / 2) },
    // One scanner per CPU (Rspamd's own default is the CPUs it sees, which in a container
    // or on an oversized host is not the VPS's share); each costs about 50 MiB, so no
    // more than one per GiB.
    rspamdNormalWorkers: atLeast(1, Math.min(size.cpus, gib)),
    // Debian's three (PREFORK) at 2 CPUs, one more per CPU beyond, one per GiB at most:
    // a sogod worker grows to tens of MiB, and an ActiveSync client holds one while it
    // waits.
    sogoWorkers: atLeast(2, Math.min(size.cpus + 1, gib)),
  };
}
