import { readFile } from 'node:fs/promises';
import { dbSettingsFor, useDatabase } from '../../db/index.js';
import {
  clusterDeclarations,
  hostContextFromSpec,
  parseClusterFile,
  type ClusterDeclarations,
} from '../../spec/index.js';
import { UserError } from '../../util/errors.js';

/**
 * What the host's cluster file declares. The CLI may not remove or change those items (the
 * file owns them; apply would only make them again), so every such command reads it first.
 * An unreadable file is refused rather than taken as "declares nothing": that would let the
 * CLI remove what the next apply brings back.
 */
export async function readDeclarations(file: string): Promise<ClusterDeclarations> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(
      'E_SPEC_UNREADABLE',
      `cannot read the cluster file ${file} (pass --cluster): ${(e as Error).message}`,
      { cause: e, exitCode: 1 },
    );
  }
  const declarations = clusterDeclarations(text, file);
  // The command then changes the mail database this file names, not the default one's.
  useDatabase(dbSettingsFor(hostContextFromSpec(parseClusterFile(text, file))));
  return declarations;
}
