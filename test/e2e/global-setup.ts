import { execFileSync } from 'node:child_process';

/** The end-to-end tests drive the bundled CLI, exactly what an administrator copies to a host. */
export function setup(): void {
  execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
}
