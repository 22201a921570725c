import { generatedHeader } from '../types.js';
import { USER_SETTINGS_DIR } from './user-settings.js';

/** Where the DKIM private keys live on the host, readable by Rspamd only. */
export const DKIM_KEY_DIR = '/var/lib/rspamd/dkim';
/** Every domain signs with this selector: its record is `mail._domainkey.<domain>`. */
export const DKIM_SELECTOR = 'mail';

/**
 * Rspamd's dkim_signing `path_map`: which domains it signs, and with which key. mailctl
 * writes it from the domains table after every domain change and on every apply, so a
 * domain added with `mailctl domain add` is signed as soon as it has its key, without a
 * reload (Rspamd re-reads a replaced file map by itself), and a removed one no longer is.
 */
export const DKIM_SIGNING_MAP = `${USER_SETTINGS_DIR}/dkim-signing.map`;

/** The file of a domain's private key (the name rspamadm dkim_keygen is given). */
export function dkimKeyFile(domain: string): string {
  return `${DKIM_KEY_DIR}/${domain}.${DKIM_SELECTOR}.key`;
}

/** The signing map: one `domain key-file` line per domain, sorted (pure). */
export function renderDkimSigningMap(domains: readonly string[]): string {
  const lines = [...new Set(domains)].sort().map((d) => `${d} ${dkimKeyFile(d)}\n`);
  return `${generatedHeader()}${lines.join('')}`;
}
