/**
 * SOGo's calendars, address books and preferences per user, as `sogo-tool backup` writes
 * them: one file per user, named by the user's login (c_uid, the full address here). The
 * same data is in PostgreSQL (pgBackRest has it), but only this dump lets one user's be
 * put back (`sogo-tool restore`) without rolling back everyone's.
 */
export const SOGO_DUMP_DIR = '/var/lib/mailctl/sogo-backup';
/** SOGo's system user (Debian's package), which sogo-tool runs as: it reads /etc/sogo. */
export const SOGO_USER = 'sogo';
export const SOGO_TOOL = '/usr/sbin/sogo-tool';

/** Where apply and cloud-init install mailctl (the units that run it name it so). */
const MAILCTL_BIN = '/usr/local/bin/mailctl';

/**
 * Before restic: `mailctl backup sogo-dump` (src/ops/backup/sogo-dump.ts) writes every
 * user's dump. `+` runs it with full privileges: it runs sogo-tool as SOGo's user through
 * runuser, which needs CAP_SETUID, withheld from restic by the unit's
 * CapabilityBoundingSet=. A failure fails the unit, which OnFailure= reports like any other.
 */
export const sogoDumpCommand = () => `ExecStartPre=+${MAILCTL_BIN} backup sogo-dump`;
