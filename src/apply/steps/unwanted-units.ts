import type { HostStep } from '../../plan/host-steps.js';
import { UNWANTED_UNITS } from '../../plan/unwanted-units.js';
import { mustRun, run } from '../../util/exec.js';

/** Stops and masks the unwanted units this host has; none on a minimal Debian 13. */
export const unwantedUnitsStep: HostStep = {
  name: 'unwanted-units',
  phase: 'after-activate',
  async observe() {
    const listed = await run('systemctl', [
      'list-unit-files',
      '--no-legend',
      '--plain',
      ...UNWANTED_UNITS,
    ]);
    return listed.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([unit, state]) => unit && state !== 'masked')
      .map(([unit]) => ({
        kind: 'unit' as const,
        action: 'mask' as const,
        target: unit ?? '',
        detail: 'stopped and masked: no business on a mail host',
      }));
  },
  async apply(changes) {
    const units = changes.map((c) => c.target);
    await mustRun('systemctl', ['disable', '--now', ...units]);
    await mustRun('systemctl', ['mask', ...units]);
    return [`stopped and masked ${units.join(', ')} (no business on a mail host)`];
  },
};
