import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostChange, HostStep } from '../../plan/host-steps.js';
import {
  CLAMAV_BASE_PACKAGE,
  CLAMAV_DATABASE_DIR,
  CLAMAV_PACKAGES,
  CLAMD_SERVICE,
  CLAMD_SOCKET_UNIT,
  dropinPath,
  FRESHCLAM_SERVICE,
} from '../../render/clamav/index.js';
import { mustRun, run } from '../../util/exec.js';

const UNITS = [FRESHCLAM_SERVICE, CLAMD_SOCKET_UNIT, CLAMD_SERVICE];
const PACKAGES = [...CLAMAV_PACKAGES, CLAMAV_BASE_PACKAGE];

/**
 * What freshclam fetches and keeps (several hundred MB): clamav-base's purge removes the
 * .cvd files only, not the .cld ones freshclam patches them into, nor its state.
 */
const FRESHCLAM_FILES = ['main', 'daily', 'bytecode']
  .flatMap((db) => [`${db}.cvd`, `${db}.cld`])
  .concat('freshclam.dat');

/** The units of UNITS that are enabled or running, from one `systemctl show`. */
async function liveUnits(): Promise<string[]> {
  const r = await run('systemctl', ['show', '-p', 'Id,UnitFileState,ActiveState', ...UNITS]);
  return r.stdout
    .split('\n\n')
    .map((block) => Object.fromEntries(block.split('\n').map((l) => l.split('=', 2))))
    .filter((u) => u.UnitFileState === 'enabled' || u.ActiveState === 'active')
    .map((u) => String(u.Id));
}

/** The packages of PACKAGES that dpkg has, installed or as configuration left after a remove. */
async function presentPackages(): Promise<string[]> {
  const r = await run('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...PACKAGES]);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([, status]) => status && status !== 'not-installed')
    .map(([name]) => name ?? '');
}

/**
 * mail.antivirus back to none: freshclam and clamd are stopped and disabled and ClamAV's
 * packages purged, with the signatures freshclam fetched, before apt
 * installs anything. Apply then removes antivirus.conf and the drop-ins like any file no
 * longer rendered. Only a ClamAV that mailctl set up (its drop-in is there) is removed: one
 * an administrator installed for something else is not this step's business.
 */
export function antivirusRemovalStep(antivirusWanted: boolean): HostStep {
  return {
    name: 'antivirus-removal',
    phase: 'before-packages',
    async observe() {
      if (antivirusWanted || !existsSync(dropinPath(CLAMD_SERVICE))) return [];
      const why = 'mail.antivirus is none';
      const changes: HostChange[] = (await liveUnits()).map((unit) => ({
        kind: 'unit',
        action: 'disable',
        target: unit,
        detail: `stopped: ${why}`,
      }));
      for (const pkg of await presentPackages())
        changes.push({ kind: 'package', action: 'remove', target: pkg, detail: `purged: ${why}` });
      return changes;
    },
    async apply(changes) {
      const notes: string[] = [];
      const units = changes.filter((c) => c.kind === 'unit').map((c) => c.target);
      if (units.length) {
        await mustRun('systemctl', ['disable', '--now', ...units]);
        notes.push(`stopped and disabled ${units.join(', ')}`);
      }
      const packages = changes.filter((c) => c.kind === 'package').map((c) => c.target);
      if (packages.length) {
        await mustRun('apt-get', ['purge', '-y', '-q', ...packages], {
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
          timeoutMs: 10 * 60_000,
        });
        for (const f of FRESHCLAM_FILES) await rm(join(CLAMAV_DATABASE_DIR, f), { force: true });
        notes.push(`purged ${packages.join(', ')} and removed freshclam's signatures`);
      }
      return notes;
    },
  };
}
