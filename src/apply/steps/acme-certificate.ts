import { acmeCertificateNeeds, acmeLeaveNeeds, ensureAcmeCertificate } from '../../ops/tls/acme.js';
import type { HostChange, HostStep } from '../../plan/host-steps.js';
import type { MailHostContext } from '../../render/host-context.js';

/**
 * With tls.mode acme, certbot's certificate for the host name, once nginx serves the
 * HTTP-01 challenge (after activation); without it, the way back to a self-signed one.
 */
export function acmeCertificateStep(ctx: MailHostContext): HostStep {
  return {
    name: 'acme-certificate',
    phase: 'after-activate',
    async observe() {
      const changes: HostChange[] = [];
      const acme = ctx.tls.acme;
      if (acme) {
        const needs = await acmeCertificateNeeds(ctx);
        if (needs.obtain)
          changes.push({
            kind: 'certificate',
            action: 'create',
            target: ctx.fqdn,
            detail: `for ${needs.names.join(', ')} from ${acme.directoryUrl}`,
          });
        if (needs.install)
          changes.push({
            kind: 'certificate',
            action: 'update',
            target: ctx.tls.certFile,
            detail: 'install the ACME certificate, reload its readers',
          });
        return changes;
      }
      const leave = await acmeLeaveNeeds(ctx);
      if (leave.stopTimer)
        changes.push({
          kind: 'unit',
          action: 'disable',
          target: 'certbot.timer',
          detail: 'tls.mode is self-signed',
        });
      if (leave.selfSigned)
        changes.push({
          kind: 'certificate',
          action: 'update',
          target: ctx.tls.certFile,
          detail: `self-signed for ${ctx.fqdn} instead of the ACME one`,
        });
      return changes;
    },
    async apply() {
      return ensureAcmeCertificate(ctx);
    },
  };
}
