import type { ComponentDescriptor } from '../types.js';

/**
 * `doveconf -n` parses the whole configuration (includes, every setting name and value,
 * the services) the way the daemon would; it reports unknown settings as errors and
 * deprecated ones as warnings, and both fail the check. Its stdout is the resolved
 * configuration, database password included, so it goes nowhere.
 */
export const DOVECOT_CHECK_SCRIPT =
  'w=$(doveconf -n 2>&1 >/dev/null) && [ -z "$w" ] || { printf "%s\\n" "$w" >&2; exit 1; }';

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
