import { existsSync } from 'node:fs';
import { ensureSelfSignedCertificate } from '../../ops/tls/self-signed.js';
import type { HostStep } from '../../plan/host-steps.js';
import type { MailHostContext } from '../../render/host-context.js';

/**
 * Every TLS port works from the first apply on: a self-signed certificate for the host name
 * until certbot has the ACME one (acme-certificate.ts, once nginx serves the challenge).
 */
export function selfSignedCertificateStep(ctx: MailHostContext): HostStep {
  return {
    name: 'tls-certificate',
    phase: 'before-files',
    async observe() {
      if (existsSync(ctx.tls.certFile) && existsSync(ctx.tls.keyFile)) return [];
      return [
        {
          kind: 'certificate',
          action: 'create',
          target: ctx.tls.certFile,
          detail: `self-signed for ${ctx.fqdn}, key ${ctx.tls.keyFile}`,
        },
      ];
    },
    async apply() {
      return (await ensureSelfSignedCertificate(ctx.fqdn, ctx.tls.certFile, ctx.tls.keyFile))
        ? [`made a self-signed certificate for ${ctx.fqdn} (${ctx.tls.certFile})`]
        : [];
    },
  };
}
