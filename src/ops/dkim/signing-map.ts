import { existsSync } from 'node:fs';
import {
  DKIM_SIGNING_MAP,
  dkimKeyFile,
  renderDkimSigningMap,
} from '../../render/rspamd/dkim-signing.js';
import { isUserError } from '../../util/errors.js';
import { listDomains } from '../accounts/store.js';
import { mapFileDiffers, writeRspamdMap } from '../rspamd/map-file.js';

/**
 * The domains in the mail database; none while it cannot be reached yet (before the first
 * apply has installed PostgreSQL, made the database and its roles, and our pg_ident map).
 */
export async function databaseDomains(): Promise<string[]> {
  try {
    return (await listDomains()).map((d) => d.domain);
  } catch (e) {
    if (isUserError(e) && e.code === 'E_DB_UNAVAILABLE') return [];
    throw e;
  }
}

/**
 * Every domain this host serves: those in the database, however they were added, and those
 * the cluster file declares (on a first apply they are not in the database yet).
 */
export async function servedDomains(declared: readonly string[] = []): Promise<string[]> {
  return [...new Set([...(await databaseDomains()), ...declared])].sort();
}

/** The signing map for these domains: those among them that have a key. */
function signingMap(domains: readonly string[]): string {
  return renderDkimSigningMap(domains.filter((d) => existsSync(dkimKeyFile(d))));
}

/** Whether the signing map would change if these domains were signed (their keys made). */
export function signingMapDiffers(domains: readonly string[]): boolean {
  return mapFileDiffers(DKIM_SIGNING_MAP, renderDkimSigningMap(domains));
}

/**
 * Brings Rspamd's DKIM signing map in line with the served domains; Rspamd re-reads it
 * by itself. Returns whether it changed.
 */
export async function syncDkimSigningMap(declared: readonly string[] = []): Promise<boolean> {
  return writeRspamdMap(DKIM_SIGNING_MAP, signingMap(await servedDomains(declared)));
}
