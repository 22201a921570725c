import type { Command } from 'commander';
import { UserError } from '../util/errors.js';

/**
 * Commands that work as any user: they read only the file they are given (validate) or
 * talk to a host over the network (bench, audit --remote), or read the lab's state, or
 * write files where the user says (provision).
 * Every other command reads or changes the mail host's configuration, secrets, database
 * or namespaces, which only root may.
 */
const ROOTLESS = ['validate', 'bench', 'lab status', 'provision', 'help'];

/** `mailctl vpn peer add` → `vpn peer add`. */
export function commandPath(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names.join(' ');
}

export function needsRoot(c: Command): boolean {
  const path = commandPath(c);
  if (path === 'audit') return c.opts<{ remote?: string }>().remote === undefined;
  return !ROOTLESS.some((r) => path === r || path.startsWith(`${r} `));
}

/**
 * Refuses up front, before a command reads or changes anything, what would otherwise fail
 * half-way with EACCES. `getuid` is the process's, or a test's.
 */
export function requireRoot(c: Command, getuid: () => number | undefined): void {
  const uid = getuid();
  if (uid === undefined || uid === 0 || !needsRoot(c)) return;
  throw new UserError(
    'E_NEED_ROOT',
    `mailctl ${commandPath(c)} changes or reads the mail host's configuration and must run as root (you are uid ${uid}): run it again with sudo`,
  );
}
