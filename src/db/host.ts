import { DEFAULT_CLUSTER_FILE, readClusterFile } from '../cli/read-cluster-file.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { inTransaction, withConnection, type Db } from './client.js';
import { dbLogin, dbSettingsFor, type DbRole, type DbSettings } from './settings.js';

/**
 * The mail database this process works on. A command that has loaded a cluster file (apply,
 * plan, dns with --cluster) sets it; the account commands, which take no cluster file,
 * read the default one on first use. Tests point it at their own server.
 */
let current: DbSettings | undefined;

export function useDatabase(settings: DbSettings): void {
  current = settings;
}

export async function hostDatabase(): Promise<DbSettings> {
  if (current) return current;
  const path = DEFAULT_CLUSTER_FILE;
  current = dbSettingsFor(hostContextFromSpec(parseClusterFile(await readClusterFile(path), path)));
  return current;
}

/** One transaction on the host's mail database, as mailctl_admin unless said otherwise. */
export async function hostTransaction<T>(
  fn: (db: Db) => Promise<T>,
  role: DbRole = 'admin',
): Promise<T> {
  return inTransaction(dbLogin(await hostDatabase(), role), fn);
}

/** One connection outside a transaction (CREATE DATABASE cannot run inside one). */
export async function hostConnection<T>(
  fn: (db: Db) => Promise<T>,
  role: DbRole,
  database?: string,
): Promise<T> {
  return withConnection(dbLogin(await hostDatabase(), role, database), fn);
}
