import { DOVECOT_CONF_PATH } from './dovecot-conf.js';
import { SIEVE_GLOBAL_DIR } from './junk-sieve.js';
import type { ComponentDescriptor } from '../types.js';

/**
 * `doveconf -n` parses the whole configuration (includes, every setting name and value,
 * the services) the way the daemon would; it reports unknown settings as errors and
 * deprecated ones as warnings, and both fail the check. Its stdout is the resolved
 * configuration, database password included, so it goes nowhere.
 */
export const DOVECOT_CHECK_SCRIPT =
  'w=$(doveconf -n 2>&1 >/dev/null) && [ -z "$w" ] || { printf "%s\\n" "$w" >&2; exit 1; }; ' +
  // The global Sieve scripts through Pigeonhole's own compiler, with this configuration's
  // extensions (vnd.dovecot.pipe, imapsieve): one that does not compile would make every
  // delivery, or every move into or out of Junk, fail at run time instead. `-c` makes it
  // parse the staged file; without it, it takes the running daemon's configuration.
  `b=$(mktemp) && for s in ${SIEVE_GLOBAL_DIR}/*.sieve; do ` +
  `sievec -c ${DOVECOT_CONF_PATH} "$s" "$b" || { rm -f "$b"; exit 1; }; done; rm -f "$b"`;

export const dovecotComponent: ComponentDescriptor = {
  name: 'dovecot',
  packages: [
    'dovecot-core',
    'dovecot-imapd',
    'dovecot-pop3d',
    'dovecot-lmtpd',
    'dovecot-pgsql',
    'dovecot-sieve',
    'dovecot-managesieved',
  ],
  units: ['dovecot.service'],
  // `doveadm reload` (the unit's ExecReload) re-reads the configuration, rebinds changed
  // listeners and lets logged-in IMAP sessions continue with their old settings.
  onChange: 'reload',
  check: ['sh', '-c', DOVECOT_CHECK_SCRIPT],
};
