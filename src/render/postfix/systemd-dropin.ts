import { generatedHeader, type RenderedFile } from '../types.js';

export const POSTFIX_DROPIN_PATH = '/etc/systemd/system/postfix.service.d/mailctl.conf';

/**
 * master.cf binds the VPN address, which exists only once wg0 is up: without the ordering
 * master(8) would fail to bind at boot and Postfix would not start.
 */
export function renderPostfixDropin(): RenderedFile {
  return {
    path: POSTFIX_DROPIN_PATH,
    content: `${generatedHeader()}[Unit]\nWants=wg-quick@wg0.service\nAfter=wg-quick@wg0.service\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    component: 'postfix',
  };
}
