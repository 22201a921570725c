import { run } from '../util/exec.js';

/** Unmounts everything at or below dir, deepest first (a killed debootstrap leaves proc mounted). */
export async function unmountUnder(dir: string): Promise<void> {
  const r = await run('findmnt', ['-rn', '-o', 'TARGET']);
  const targets = r.stdout
    .split('\n')
    .filter((t) => t === dir || t.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const t of targets) await run('umount', ['-l', t]);
}
