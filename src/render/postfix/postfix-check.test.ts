/**
 * The rendered files through Postfix 3.10's own checker, in a Debian 13 root (see
 * test/support/debian13-root.ts); skipped where there is none.
 */
import { describe, expect, it } from 'vitest';
import { debian13Root, runInDebian13Root } from '../../../test/support/debian13-root.js';
import { resolveSecretRefs } from '../host-context.js';
import { testHostContext } from '../test-host-context.js';
import type { RenderedFile } from '../types.js';
import { postfixComponent } from './component.js';
import { renderPostfix } from './render-postfix.js';

const root = debian13Root('usr/sbin/postconf', 'usr/sbin/postfix');
// apply/ creates the plan's directories before it checks anything.
const SETUP = 'mkdir -p /var/mail/queue';

function check(files: readonly RenderedFile[]) {
  const resolved = files.map((f) => ({
    ...f,
    content: resolveSecretRefs(f.content, () => 'S3cret-from-host'),
  }));
  return runInDebian13Root(root ?? '', resolved, postfixComponent.check ?? [], SETUP);
}

describe.skipIf(!root)('Postfix 3.10 checks the rendered files', () => {
  it.each(['native', 'container'] as const)('passes without a warning (%s PostgreSQL)', (mode) => {
    const ctx = testHostContext({ postgres: { ...testHostContext().postgres, mode } });
    const r = check(renderPostfix(ctx));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('fails on a misspelt parameter, which Postfix itself would only warn about', () => {
    const files = renderPostfix(testHostContext()).map((f) =>
      f.path === '/etc/postfix/main.cf'
        ? { ...f, content: `${f.content}smtpd_tls_auth_onyl = yes\n` }
        : f,
    );
    const r = check(files);
    expect(r.stderr).toContain('unused parameter: smtpd_tls_auth_onyl=yes');
    expect(r.status).not.toBe(0);
  });

  it('fails on a broken master.cf', () => {
    const files = renderPostfix(testHostContext()).map((f) =>
      f.path === '/etc/postfix/master.cf' ? { ...f, content: `${f.content}smtpd inet n\n` } : f,
    );
    const r = check(files);
    expect(r.stderr).toContain('master.cf');
    expect(r.status).not.toBe(0);
  });
});
