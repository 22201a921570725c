/**
 * Runs regular expressions with a real PCRE2 engine, pcre2grep (Debian's pcre2-utils, which
 * `mailctl lab build` installs on this machine with the lab's other host tools), so that a
 * Wazuh decoder's `type="pcre2"` expression is tried by the library Wazuh links, not by
 * JavaScript's different dialect. The lines are plain text; no line may contain a newline.
 */
import { spawnSync } from 'node:child_process';

const SEPARATOR = '\x1f';

/** True when pcre2grep can run here. */
export function pcre2Available(): boolean {
  return spawnSync('pcre2grep', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * For each line, the captured groups 1..groups of the first match of `regex` (an empty
 * string for a group that took no part), or undefined where the line does not match.
 */
export function pcre2Match(
  regex: string,
  lines: readonly string[],
  groups = 0,
): (string[] | undefined)[] {
  // --output rather than -oN: -o drops a group that captured nothing, shifting the others.
  const output = ['m', ...Array.from({ length: groups }, (_, i) => `\${${i + 1}}`)].join(SEPARATOR);
  const r = spawnSync('pcre2grep', ['--line-number', `--output=${output}`, '-e', regex], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    timeout: 30_000,
  });
  // 0: some line matched, 1: none did; anything else is an error (a regex PCRE2 refuses).
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`pcre2grep failed (${r.status}) on ${regex}: ${r.stderr || r.error?.message}`);
  const out: (string[] | undefined)[] = lines.map(() => undefined);
  for (const row of r.stdout.split('\n').filter(Boolean)) {
    const colon = row.indexOf(':');
    const index = Number(row.slice(0, colon)) - 1;
    // --output prints every match of a line on its own row; a decoder takes the first.
    if (out[index] !== undefined) continue;
    out[index] = row
      .slice(colon + 1)
      .split(SEPARATOR)
      .slice(1);
  }
  return out;
}
