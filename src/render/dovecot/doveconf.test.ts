/**
 * The rendered files through Dovecot 2.4's own parser, and the password schemes the
 * database is assumed to hold through Dovecot's own verifier, in a Debian 13 root (see
 * test/support/debian13-root.ts); skipped where there is none.
 */
import { describe, expect, it } from 'vitest';
import { debian13Root, runInDebian13Root } from '../../../test/support/debian13-root.js';
import { resolveSecretRefs } from '../host-context.js';
import { testHostContext } from '../test-host-context.js';
import type { RenderedFile } from '../types.js';
import { dovecotComponent } from './component.js';
import { SPAM_TO_JUNK_SCRIPT } from './junk-sieve.js';
import { renderDovecot } from './render-dovecot.js';

const root = debian13Root('usr/bin/doveconf', 'usr/bin/doveadm');

function check(files: readonly RenderedFile[]) {
  const resolved = files.map((f) => ({
    ...f,
    content: resolveSecretRefs(f.content, () => 'S3cret-from-host'),
  }));
  return runInDebian13Root(root ?? '', resolved, dovecotComponent.check ?? []);
}

describe.skipIf(!root)('Dovecot 2.4 checks the rendered files', () => {
  it.each(['native', 'container'] as const)('passes without a warning (%s PostgreSQL)', (mode) => {
    const ctx = testHostContext({ postgres: { ...testHostContext().postgres, mode } });
    const r = check(renderDovecot(ctx));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(''); // the resolved configuration, password included, stays out of logs
    expect(r.status).toBe(0);
  });

  it('fails on a setting Dovecot 2.4 does not know (a 2.3 one)', () => {
    const files = renderDovecot(testHostContext()).map((f) =>
      f.path === '/etc/dovecot/dovecot.conf'
        ? { ...f, content: `${f.content}disable_plaintext_auth = yes\n` }
        : f,
    );
    const r = check(files);
    expect(r.stderr).toContain('disable_plaintext_auth');
    expect(r.status).not.toBe(0);
  });

  it('fails on a global Sieve script that Pigeonhole does not compile', () => {
    const files = renderDovecot(testHostContext()).map((f) =>
      f.path === SPAM_TO_JUNK_SCRIPT
        ? { ...f, content: `${f.content}fileinto :copy "Junk";\n` }
        : f,
    );
    const r = check(files);
    expect(r.stderr).toContain('spam-to-junk');
    expect(r.status).not.toBe(0);
  });

  // "correct horse", hashed by libxcrypt (Python's crypt) and OpenSSL, not by Dovecot.
  it.each([
    '{BLF-CRYPT}$2b$10$abcdefghijklmnopqrstuu23JPZtHcGhwXSF41f93o/7vBdDut3Xu',
    '{BLF-CRYPT}$2y$10$abcdefghijklmnopqrstuu23JPZtHcGhwXSF41f93o/7vBdDut3Xu',
    '{SHA512-CRYPT}$6$saltsaltsalt$Cy2drr8kDRji6smvDcT28wkqtq0R0VzVL5CkrjPQCITc5d/31j94knt9rGTcVSyjLXfjsiIsBh5ee8qR/3QDx1',
  ])('verifies a stored %s hash', (hash) => {
    const run = (password: string) =>
      runInDebian13Root(root ?? '', [], ['doveadm', 'pw', '-t', hash, '-p', password]);
    const good = run('correct horse');
    expect(good.stdout).toContain('(verified)');
    expect(good.status).toBe(0);
    expect(run('wrong horse').status).not.toBe(0);
  });
});
