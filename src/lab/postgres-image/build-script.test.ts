import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAB_POSTGRES_IMAGE, postgresImageScript } from './build-script.js';

const ENTRYPOINT = readFileSync(new URL('./entrypoint.sh', import.meta.url), 'utf8');

/**
 * The script's run on a lab host (buildah, the apt cache, podman's storage) is proven by
 * test/e2e/postgres-container.test.ts; here, what can break without a lab.
 */
describe('postgresImageScript', () => {
  const script = postgresImageScript(ENTRYPOINT);

  it('is one valid POSIX shell script', () => {
    const r = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('carries the entrypoint byte for byte, in a here-document nothing in it can end', () => {
    const body = /<<'MAILCTL_ENTRYPOINT'\n([\s\S]*?)\nMAILCTL_ENTRYPOINT\n/.exec(script)?.[1];
    expect(`${body}\n`).toBe(ENTRYPOINT);
    expect(ENTRYPOINT.split('\n')).not.toContain('MAILCTL_ENTRYPOINT');
  });

  it("keeps the official image's contract and tags the image the lab's cluster files name", () => {
    expect(script).toContain(`buildah commit --quiet --rm "$ctr" '${LAB_POSTGRES_IMAGE}'`);
    expect(script).toContain('--entrypoint \'["/usr/local/bin/docker-entrypoint.sh"]\'');
    expect(script).toContain('--env PGDATA=/var/lib/postgresql/data');
    expect(script).toContain('--stop-signal SIGINT');
    // postgres as uid and gid 70, as in postgres:17-alpine: apply's data directory suits both.
    expect(script).toContain('postgres:x:70:70:');
    expect(script).toContain('driver = "vfs"');
  });
});
