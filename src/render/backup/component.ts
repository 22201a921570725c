import type { MailHostContext } from '../host-context.js';
import type { ComponentDescriptor } from '../types.js';
import { backupTimers, backupUnitPaths } from './units.js';

/**
 * systemd-analyze verify fails on a unit it cannot load or a program that is not there,
 * but only warns (exit 0) about an unknown key or a bad calendar, and writes to the
 * console only when told so: every line it prints fails the check here.
 */
const VERIFY_STRICTLY =
  'out=$(SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$@" 2>&1); ' +
  'status=$?; [ -z "$out" ] || printf "%s\\n" "$out" >&2; [ "$status" -eq 0 ] && [ -z "$out" ]';

/**
 * Backups: pgBackRest (point-in-time recovery of PostgreSQL, native mode) and restic
 * (Maildirs, configuration, keys), both from Debian 13. The check is systemd's own
 * verification of the units (syntax, the programs they run, the users they run as).
 */
export function backupComponentFor(
  mode: MailHostContext['postgres']['mode'],
  offsite = false,
): ComponentDescriptor {
  return {
    name: 'backup',
    packages: [
      ...(mode === 'native' ? ['pgbackrest', 'restic'] : ['restic']),
      // restic's sftp backend runs ssh; ssh-keygen makes the host's key for the server.
      ...(offsite ? ['openssh-client'] : []),
    ],
    units: backupTimers(mode, offsite),
    onChange: 'restart',
    check: ['sh', '-c', VERIFY_STRICTLY, 'sh', ...backupUnitPaths(mode, offsite)],
  };
}
