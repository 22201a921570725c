import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secretRefsIn } from '../render/host-context.js';
import type { RenderedFile } from '../render/types.js';

/** Secrets live on the host only, one file each, readable by root alone. */
export const SECRETS_DIR = '/etc/mailctl/secrets';

/** How each kind of secret is made; a random password unless its name says otherwise. */
function generate(name: string): string {
  if (name === 'wireguard-private-key') {
    const d = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' }).d ?? '';
    return Buffer.from(d, 'base64url').toString('base64');
  }
  // URL-safe, no characters that need quoting in any of the daemons' config syntaxes.
  return randomBytes(24).toString('base64url');
}

/** Makes every secret the files refer to that does not exist yet. */
export async function ensureSecrets(
  files: readonly RenderedFile[],
  dir = SECRETS_DIR,
): Promise<string[]> {
  const created: string[] = [];
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of new Set(files.flatMap((f) => secretRefsIn(f.content)))) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    await writeFile(path, `${generate(name)}\n`, { mode: 0o600, flag: 'wx' });
    created.push(name);
  }
  return created;
}

/** A secret's value, for resolving tokens; never logged. */
export function readSecret(name: string, dir = SECRETS_DIR): string {
  return readFileSync(join(dir, name), 'utf8').trim();
}
