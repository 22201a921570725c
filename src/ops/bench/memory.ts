import { benchDate, loadAverage } from './bench-mailbox.js';
import type { BenchTarget } from './lab-target.js';

export interface MemoryReport {
  date: string;
  load: number;
  /** PSS per systemd unit, largest first: shared pages are counted once, split by sharers. */
  units: { unit: string; processes: number; pssMiB: number }[];
  totalMiB: number;
}

/**
 * Sums `Pss:` of /proc/PID/smaps_rollup by the systemd unit each PID's cgroup names
 * (pure). RSS would count a library or a preforked worker's shared pages once per process:
 * Rspamd's RSS sum is several times its real share.
 */
export function pssByUnit(cgroups: string, rollups: string): Omit<MemoryReport, 'date' | 'load'> {
  const unitOf = new Map<string, string>();
  for (const m of cgroups.matchAll(/^\/proc\/(\d+)\/cgroup:0::(\S*)$/gm)) {
    const path = m[2] ?? '';
    const unit = path.split('/').findLast((p) => /\.(service|scope)$/.test(p)) ?? (path || '/');
    unitOf.set(m[1] ?? '', unit);
  }
  const kb = new Map<string, { processes: number; kb: number }>();
  for (const m of rollups.matchAll(/^\/proc\/(\d+)\/smaps_rollup:Pss:\s+(\d+) kB$/gm)) {
    const unit = unitOf.get(m[1] ?? '') ?? 'unknown';
    const u = kb.get(unit) ?? { processes: 0, kb: 0 };
    kb.set(unit, { processes: u.processes + 1, kb: u.kb + Number(m[2]) });
  }
  const mib = (n: number) => Math.round((n / 1024) * 10) / 10;
  const units = [...kb]
    .map(([unit, u]) => ({ unit, processes: u.processes, pssMiB: mib(u.kb) }))
    .sort((a, b) => b.pssMiB - a.pssMiB || a.unit.localeCompare(b.unit));
  return { units, totalMiB: mib([...kb.values()].reduce((s, u) => s + u.kb, 0)) };
}

/** `mailctl bench memory`: the host's memory as its processes really share it. */
export async function measureMemory(t: BenchTarget): Promise<MemoryReport> {
  const cgroups = await t.host('grep -H "^0::" /proc/[0-9]*/cgroup 2>/dev/null || true');
  const rollups = await t.host('grep -H "^Pss:" /proc/[0-9]*/smaps_rollup 2>/dev/null || true');
  return { date: benchDate(), load: loadAverage(), ...pssByUnit(cgroups, rollups) };
}

export function formatMemory(r: MemoryReport): string {
  return [
    `${r.date}, load average ${r.load}; PSS from /proc/*/smaps_rollup by systemd unit`,
    ...r.units.map(
      (u) => `${u.unit.padEnd(40)} ${String(u.pssMiB).padStart(7)} MiB  ${u.processes} processes`,
    ),
    `${'total'.padEnd(40)} ${String(r.totalMiB).padStart(7)} MiB`,
    '',
  ].join('\n');
}
