import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HostStep } from '../../plan/host-steps.js';
import { SOGO_LOG_FILE } from '../../render/sogo/index.js';
import { mustRun } from '../../util/exec.js';

/**
 * Fail2ban's SOGo jail reads sogod's log file, and Fail2ban refuses a jail whose log does
 * not exist (in its check and at start), while sogod creates it only once it runs: an
 * empty one, as sogod itself would make it, lets the first apply through.
 */
export const sogoLogStep: HostStep = {
  name: 'sogo-log',
  phase: 'before-files',
  async observe() {
    if (existsSync(SOGO_LOG_FILE)) return [];
    return [
      {
        kind: 'file',
        action: 'create',
        target: SOGO_LOG_FILE,
        detail: "empty, for Fail2ban's sogo jail",
      },
    ];
  },
  async apply() {
    await mkdir(dirname(SOGO_LOG_FILE), { recursive: true });
    await writeFile(SOGO_LOG_FILE, '', { mode: 0o640, flag: 'a' });
    await mustRun('chown', ['sogo:adm', SOGO_LOG_FILE]);
    return [`made the empty SOGo log ${SOGO_LOG_FILE}`];
  },
};
