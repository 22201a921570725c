import type { ComponentDescriptor } from '../types.js';
import { CERTBOT_DEPLOY_HOOK_PATH } from './paths.js';

export const certbotComponent: ComponentDescriptor = {
  name: 'certbot',
  packages: ['certbot'],
  // Debian's certbot.timer runs `certbot renew` twice a day; it renews a certificate in its
  // last third of validity, and the deploy hook installs it.
  units: ['certbot.timer'],
  onChange: 'restart',
  // The hook is a shell script: at least it must parse.
  check: ['sh', '-n', CERTBOT_DEPLOY_HOOK_PATH],
};
