import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SOGO_DUMP_DIR, SOGO_USER } from '../../render/backup/index.js';
import { waitForPort } from '../../apply/apply.js';
import { sogoComponent } from '../../render/sogo/component.js';
import { MEMCACHED_LISTEN, SOGO_LISTEN } from '../../render/sogo/sogo-conf.js';
import { UserError } from '../../util/errors.js';
import { mustRun } from '../../util/exec.js';
import type { MailAddress } from '../accounts/address.js';
import { sogoDir, sogoTool } from './sogo-dump.js';

/** A user's file in a restored snapshot tree: sogo-tool names it by the login (c_uid). */
export const sogoDumpIn = (root: string, who: MailAddress) =>
  join(root, SOGO_DUMP_DIR, who.address);

export interface SogoRestore {
  /** The folders put back, as sogo-tool lists them: "Calendar/personal (Personal Calendar)". */
  folders: string[];
  /** sogo-tool's dump of what the user had before, kept. */
  movedAside: string;
}

/**
 * Puts one user's calendars, address books and preferences back from their dump, in place:
 * sogo-tool restores a folder to the path it was dumped from (/Users/<login>/...), so it
 * cannot restore them to another user. What the user has now is dumped aside first, since
 * `restore -F ALL` replaces each folder whole (the snapshot's state, not a merge).
 */
export async function restoreSogoUser(
  dump: string,
  who: MailAddress,
  stamp: string,
): Promise<SogoRestore> {
  // sogo-tool reads the dump as sogo: a directory of its own, not root's restore scratch.
  const work = `${SOGO_DUMP_DIR}.restore-${stamp}`;
  const aside = `${SOGO_DUMP_DIR}.before-restore-${stamp}`;
  await sogoDir(work);
  await sogoDir(aside);
  try {
    await mustRun('install', [
      '-o',
      SOGO_USER,
      '-g',
      SOGO_USER,
      '-m',
      '0600',
      dump,
      join(work, who.address),
    ]);
    await sogoTool(['backup', aside, who.address]);
    const listed = await sogoTool(['restore', '-l', work, who.address]);
    await sogoTool(['restore', '-F', 'ALL', work, who.address]);
    await sogoTool(['restore', '-p', work, who.address]);
    // sogod caches folder ids, in memcached and in each worker, and -F made the folders
    // anew: until both caches go, it answers 404 for what is back in the database. Both
    // are rebuilt from it; SOGo is away for the seconds of its restart.
    await flushMemcached();
    await mustRun('systemctl', ['restart', sogoComponent.units[0] ?? 'sogo.service']);
    if (!(await waitForPort(`${SOGO_LISTEN.host}:${SOGO_LISTEN.port}`, 120_000)))
      throw new UserError(
        'E_RESTORE_FAILED',
        `the SOGo data of ${who.address} is back, but sogod does not answer on ${SOGO_LISTEN.host}:${SOGO_LISTEN.port} after its restart (journalctl -u sogo)`,
        { exitCode: 1 },
      );
    return {
      folders: restorableFolders(listed.stdout + listed.stderr),
      movedAside: existsSync(join(aside, who.address)) ? join(aside, who.address) : aside,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The folders in `sogo-tool restore -l`'s log lines ("  Calendar/personal (Personal Calendar)"). */
export function restorableFolders(log: string): string[] {
  return [...log.matchAll(/^\S+ \S+ sogo-tool\[[\d:]+\] {3}(\S.*)$/gm)].map((m) => m[1] ?? '');
}

/** memcached's flush_all, over its text protocol on loopback (it has no client in Debian's package). */
function flushMemcached(): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(MEMCACHED_LISTEN.port, MEMCACHED_LISTEN.host);
    let reply = '';
    s.setTimeout(10_000, () => s.destroy(new Error('memcached did not answer flush_all')));
    s.on('connect', () => s.write('flush_all\r\n'));
    s.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.includes('\r\n')) s.end();
    });
    s.on('error', reject);
    s.on('close', () =>
      reply.startsWith('OK') ? resolve() : reject(new Error(`memcached: ${reply.trim()}`)),
    );
  });
}
