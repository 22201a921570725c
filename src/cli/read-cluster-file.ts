import { readFile } from 'node:fs/promises';
import { UserError } from '../util/errors.js';

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
