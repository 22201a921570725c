import type { ComponentDescriptor } from '../types.js';

/**
 * Runs `postconf` over main.cf and master.cf (-n, -M, -P) and then `postfix check` (file
 * ownership, the chroot, the map types), failing on any warning as well as on an error:
 * Postfix logs a misspelt or unused parameter as a warning and otherwise ignores it, which
 * is how a restriction silently disappears. Only stderr counts: on Debian `postfix check`
 * also copies resolv.conf and friends into the chroot and says so on stdout.
 */
export const POSTFIX_CHECK_SCRIPT =
  'w=$( { postconf -n >/dev/null && postconf -M >/dev/null && postconf -P >/dev/null && ' +
  'postfix check >/dev/null; } 2>&1 ) && [ -z "$w" ] || { printf "%s\\n" "$w" >&2; exit 1; }';

export const postfixComponent: ComponentDescriptor = {
  name: 'postfix',
  // postfix-pgsql: the pgsql: map type; ca-certificates: smtp_tls_CAfile.
  packages: ['postfix', 'postfix-pgsql', 'ca-certificates'],
  units: ['postfix.service'],
  // `postfix reload` re-reads main.cf and master.cf, adds and removes listeners, and lets
  // running smtpd processes finish their sessions. Not enough for inet_protocols or
  // queue_directory, which only a stop and start applies (they change with the host's
  // address families or the plan's paths, not in normal operation).
  onChange: 'reload',
  check: ['sh', '-c', POSTFIX_CHECK_SCRIPT],
};
