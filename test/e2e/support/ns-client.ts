import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const TSX = resolve(import.meta.dirname, '../../../node_modules/tsx/dist/esm/index.mjs');

/**
 * Runs one of the client scripts next to this file (webmail-client.ts, dav-client.ts,
 * eas-client.ts) in a network namespace and returns the JSON it prints.
 */
export function clientIn<T>(
  ns: string,
  script: string,
  req: object,
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
): T {
  const r = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'node',
      '--import',
      TSX,
      resolve(import.meta.dirname, script),
      JSON.stringify(req),
    ],
    { encoding: 'utf8', timeout: opts.timeoutMs ?? 180_000, env: { ...process.env, ...opts.env } },
  );
  if (r.status !== 0) throw new Error(`${script} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
