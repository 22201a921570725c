export { MTA_STS_POLICY_PATH, mtaStsHost, mtaStsPolicyId, renderMtaStsPolicy } from './policy.js';
