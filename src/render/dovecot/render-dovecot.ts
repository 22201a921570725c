import type { MailHostContext } from '../host-context.js';
import type { RenderedFile } from '../types.js';
import { renderDovecotConf } from './dovecot-conf.js';
import { renderJunkSieve } from './junk-sieve.js';
import { renderDovecotSqlConf } from './sql-conf.js';
import { renderDovecotDropins } from './systemd-dropins.js';

/** Every file Dovecot needs on one mail host. */
export function renderDovecot(ctx: MailHostContext): RenderedFile[] {
  return [
    renderDovecotConf(ctx),
    renderDovecotSqlConf(ctx),
    ...renderJunkSieve(),
    ...renderDovecotDropins(ctx),
  ];
}
