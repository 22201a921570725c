import type { MailHostContext } from '../host-context.js';
import type { RenderedFile } from '../types.js';
import { renderMemcachedConf } from './memcached-conf.js';
import { renderSogoConf } from './sogo-conf.js';
import { renderSogoDropin } from './systemd-dropin.js';

/** SOGo's own files (its nginx locations come from renderSogoNginx, for the nginx component). */
export function renderSogo(ctx: MailHostContext): RenderedFile[] {
  return [renderSogoConf(ctx), renderSogoDropin(ctx)];
}

/** Memcached, SOGo's cache. */
export function renderMemcached(): RenderedFile[] {
  return [renderMemcachedConf()];
}
