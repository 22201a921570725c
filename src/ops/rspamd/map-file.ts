import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mustRun } from '../../util/exec.js';

/** Whether writing `content` to a map file would change it. */
export function mapFileDiffers(file: string, content: string): boolean {
  return !existsSync(file) || readFileSync(file, 'utf8') !== content;
}

/**
 * Writes one of the file maps mailctl keeps for Rspamd if its content changed; Rspamd
 * notices the new file by itself, so no reload is needed. The file is replaced by rename so
 * that Rspamd never reads half of it; the directory is root's, the file readable by Rspamd's
 * group only. Returns whether it changed.
 */
export async function writeRspamdMap(file: string, content: string): Promise<boolean> {
  if (!mapFileDiffers(file, content)) return false;
  await mkdir(dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, content, { mode: 0o640 });
  await mustRun('chgrp', ['_rspamd', tmp]);
  await rename(tmp, file);
  return true;
}
