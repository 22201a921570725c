import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAB_STATE_ROOT } from './layout.js';

/** What `lab up` records so that status, exec and down can find the lab again. */
export interface LabState {
  name: string;
  fqdn: string;
  /** Host PID of the `unshare` that created the lab's namespaces. */
  unsharePid: number;
  /** Host PID of the lab's systemd (PID 1 inside). */
  initPid: number;
  /** Host PID of the VPN client's wireguard-go. */
  vpnClientPid?: number;
  rootfsKey: string;
  rootfsDir: string;
  startedAt: string;
  hostPublicKey: string;
  clientPublicKey: string;
}

export function labStatePath(name: string): string {
  return join(LAB_STATE_ROOT, name, 'state.json');
}

export async function readLabState(name: string): Promise<LabState | undefined> {
  const path = labStatePath(name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LabState;
  } catch {
    // A state file cut short by a crash describes nothing we can trust; down cleans by name.
    return undefined;
  }
}

export async function writeLabState(state: LabState): Promise<void> {
  await writeFile(labStatePath(state.name), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
