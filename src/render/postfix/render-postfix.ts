import type { MailHostContext } from '../host-context.js';
import { rootFile, type RenderedFile } from '../types.js';
import { RESOLV_CONF_PATH, renderResolvConf } from '../unbound/index.js';
import { renderPostfixMainCf } from './main-cf.js';
import { renderPostfixMasterCf } from './master-cf.js';
import { renderPostfixPgsqlMaps } from './pgsql-maps.js';
import { renderPostscreenAccess } from './postscreen.js';
import { renderPostfixDropin } from './systemd-dropin.js';

/** Every file Postfix needs on one mail host. */
export function renderPostfix(ctx: MailHostContext): RenderedFile[] {
  return [
    renderPostfixMainCf(ctx),
    renderPostfixMasterCf(ctx),
    renderPostscreenAccess(ctx),
    ...renderPostfixPgsqlMaps(ctx),
    renderPostfixDropin(),
    // The chrooted smtp client reads the queue directory's copy of resolv.conf, which Debian
    // refreshes only when Postfix starts: written here, a change reaches it with the reload.
    rootFile('postfix', `${ctx.paths.queue}${RESOLV_CONF_PATH}`, renderResolvConf()),
  ];
}
