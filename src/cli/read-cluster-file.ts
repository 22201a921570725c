import { readFile } from 'node:fs/promises';
import { UserError } from '../util/errors.js';

/** Where `mailctl apply` and the day-two commands find the cluster file on a host. */
export const DEFAULT_CLUSTER_FILE = '/etc/mailctl/cluster.yaml';

/** The cluster file's text, or a one-line user error naming the file. */
export async function readClusterFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UserError(
      'E_SPEC_UNREADABLE',
      `cannot read the cluster file ${path}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}
