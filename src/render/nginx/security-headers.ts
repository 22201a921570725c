import { generatedHeader } from '../types.js';

// nginx drops every add_header of the server for a location that has one of its own: such
// a location includes the matching file again.

const common = [
  // Two years, as browsers' preload lists ask; the host never serves plain http pages.
  'add_header Strict-Transport-Security "max-age=63072000" always;',
  'add_header X-Content-Type-Options "nosniff" always;',
];

/**
 * Public side: static text only, so the strictest policy; no page may frame it, load
 * anything, or post a form.
 */
export function renderPublicHeaders(): string {
  return `${generatedHeader()}${[
    ...common,
    'add_header X-Frame-Options "DENY" always;',
    'add_header Referrer-Policy "no-referrer" always;',
    `add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" always;`,
  ].join('\n')}\n`;
}

/**
 * VPN side: web applications (SOGo, Rspamd's UI) with their own scripts and frames, so no
 * content policy here; only their own origin may frame them.
 */
export function renderVpnHeaders(): string {
  return `${generatedHeader()}${[
    ...common,
    'add_header X-Frame-Options "SAMEORIGIN" always;',
    'add_header Referrer-Policy "same-origin" always;',
    `add_header Content-Security-Policy "frame-ancestors 'self'" always;`,
  ].join('\n')}\n`;
}
