import { generatedHeader } from '../types.js';

/** The force_actions rule that refuses a DMARC p=reject failure with its reason. */
export const DMARC_REJECT_RULE = 'MAILCTL_DMARC_REJECT';

/**
 * force_actions.conf: DMARC_POLICY_REJECT is only inserted for a failure the policy
 * applies to (a message sampled out by pct gets DMARC_POLICY_QUARANTINE instead), so the
 * rule refuses exactly what the dmarc module's `actions` would, with a message.
 */
export function renderDmarcRejectRule(): string {
  return `${generatedHeader()}rules {
  ${DMARC_REJECT_RULE} {
    action = "reject";
    expression = "DMARC_POLICY_REJECT";
    message = "the From: domain \${from('mime'):domain} publishes DMARC p=reject, and this message passes neither its aligned SPF nor its aligned DKIM";
  }
}
`;
}
