import { isMap, parseDocument, stringify } from 'yaml';
import { UserError } from '../../util/errors.js';

/**
 * The recovery kit: the three secrets a fresh host needs to read this host's backups, in
 * one small file for the operator to keep off the host (a password manager, a sealed
 * envelope). Every other secret is inside the backups and comes back with them; these
 * cannot, since they are what opens the backups (restic's password is not in its own
 * snapshots) or reaches them (the off-site server's SSH key).
 */
export interface RecoveryKit {
  /** The host it was made on, as its cluster file names it. */
  host: string;
  resticPassword: string;
  pgbackrestCipherPass: string;
  /** The host's SSH key for the off-site server (OpenSSH private key), when there is one. */
  offsiteSshKey?: string;
}

const KIND = 'mailctl-recovery-kit';

/** The kit as the file the operator keeps (YAML, so that the SSH key stays one readable block). */
export function formatRecoveryKit(kit: RecoveryKit): string {
  return [
    `# mailctl recovery kit of ${kit.host}: whoever holds it can read this host's backups.`,
    '# Keep it off the host; give it to `mailctl restore host --kit FILE` (or --kit - on stdin).',
    stringify({
      kind: KIND,
      host: kit.host,
      restic_password: kit.resticPassword,
      pgbackrest_cipher_pass: kit.pgbackrestCipherPass,
      ...(kit.offsiteSshKey ? { offsite_ssh_key: kit.offsiteSshKey } : {}),
    }),
  ].join('\n');
}

const bad = (why: string) =>
  new UserError(
    'E_BAD_RECOVERY_KIT',
    `this is not a usable recovery kit (${why}); make one with 'mailctl backup recovery-kit' on the old host`,
  );

/** Reads a kit back; every problem is E_BAD_RECOVERY_KIT (exit 2), never echoing a value. */
/**
 * The first line of an OpenSSH private key file. Joined from two parts so that the source
 * holds no key-shaped literal: secret scanners then flag only real keys.
 */
export const OPENSSH_KEY_ARMOUR = ['-----BEGIN OPENSSH', 'PRIVATE KEY-----'].join(' ');

export function parseRecoveryKit(text: string): RecoveryKit {
  const doc = parseDocument(text);
  if (doc.errors.length || !isMap(doc.contents)) throw bad('not YAML');
  const v = doc.toJS() as Record<string, unknown>;
  if (v.kind !== KIND) throw bad(`no 'kind: ${KIND}'`);
  const str = (k: string, required: boolean): string | undefined => {
    const x = v[k];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || !x.trim()) throw bad(`'${k}' is missing or empty`);
    return x.trim();
  };
  const key = str('offsite_ssh_key', false);
  if (key !== undefined && !key.startsWith(OPENSSH_KEY_ARMOUR))
    throw bad("'offsite_ssh_key' is not an OpenSSH private key");
  return {
    host: str('host', true) ?? '',
    resticPassword: str('restic_password', true) ?? '',
    pgbackrestCipherPass: str('pgbackrest_cipher_pass', true) ?? '',
    ...(key ? { offsiteSshKey: `${key}\n` } : {}),
  };
}
