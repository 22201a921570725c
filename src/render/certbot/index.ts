export { certbotComponent } from './component.js';
export {
  CERTBOT_DEPLOY_HOOK_PATH,
  CERTBOT_DROPIN_PATH,
  certbotLineage,
  certbotRenewalConf,
  CERTIFICATE_READERS,
} from './paths.js';
export { renderCertbot } from './render-certbot.js';
