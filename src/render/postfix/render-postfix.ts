import type { MailHostContext } from '../host-context.js';
import type { RenderedFile } from '../types.js';
import { renderPostfixMainCf } from './main-cf.js';
import { renderPostfixMasterCf } from './master-cf.js';
import { renderPostfixPgsqlMaps } from './pgsql-maps.js';
import { renderPostfixDropin } from './systemd-dropin.js';

/** Every file Postfix needs on one mail host. */
export function renderPostfix(ctx: MailHostContext): RenderedFile[] {
  return [
    renderPostfixMainCf(ctx),
    renderPostfixMasterCf(ctx),
    ...renderPostfixPgsqlMaps(ctx),
    renderPostfixDropin(),
  ];
}
