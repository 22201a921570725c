import type { ObservedState } from './desired-state.js';
import type { Plan } from './plan.js';

const UNIT_DIR = '/etc/systemd/system/';

/** What a failed apply does with each unit it touched, so that the host is as it was. */
export interface FailedApplyUnits {
  /**
   * Stopped and disabled before the files come back: units whose unit file this apply
   * created (systemd would keep one running from memory once its file is removed, with
   * nothing left to stop it: mailctl-firewall.service's table would stay loaded on a host
   * that never had mailctl's firewall), and units this apply enabled that were neither
   * enabled nor running (a package's own unit, enabled by its postinst, stays enabled).
   */
  disable: string[];
  /** Not running before this apply (a package's daemon on a first apply): stopped again. */
  stop: string[];
  /** Running before this apply: restarted on the restored files. */
  restart: string[];
}

/** Sorts the units of a failed apply's plan by what the host had when it began (pure). */
export function unitsAfterFailedApply(
  plan: Pick<Plan, 'files' | 'changedComponents' | 'unitsToEnable'>,
  before: Pick<ObservedState, 'enabledUnits' | 'activeUnits'>,
): FailedApplyUnits {
  const wasActive = before.activeUnits;
  const createdFiles = new Set(
    plan.files
      .filter((f) => f.kind === 'create' && f.file.path.startsWith(UNIT_DIR))
      .map((f) => f.file.path.slice(UNIT_DIR.length)),
  );
  const touched = [
    ...new Set([...plan.changedComponents.flatMap((c) => c.units), ...plan.unitsToEnable]),
  ].sort();
  const disable = touched.filter(
    (u) =>
      createdFiles.has(u) ||
      (plan.unitsToEnable.includes(u) && !wasActive.has(u) && !before.enabledUnits.has(u)),
  );
  const rest = touched.filter((u) => !disable.includes(u));
  return {
    disable,
    stop: rest.filter((u) => !wasActive.has(u)),
    restart: rest.filter((u) => wasActive.has(u)),
  };
}
