import type { MailHostContext } from '../host-context.js';
import { rootFile, type RenderedFile } from '../types.js';
import { renderDeployHook } from './deploy-hook.js';
import { CERTBOT_DEPLOY_HOOK_PATH, CERTBOT_DROPIN_PATH } from './paths.js';
import { renderCertbotDropin } from './systemd-dropin.js';

/** certbot's files when the host's certificate comes from ACME (tls.mode: acme); else none. */
export function renderCertbot(ctx: MailHostContext): RenderedFile[] {
  if (!ctx.tls.acme) return [];
  const file = (path: string, content: string, mode: number) =>
    rootFile('certbot', path, content, mode);
  return [
    file(CERTBOT_DEPLOY_HOOK_PATH, renderDeployHook(ctx), 0o755),
    file(CERTBOT_DROPIN_PATH, renderCertbotDropin(ctx), 0o644),
  ];
}
