import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../util/errors.js';
import {
  formatRecoveryKit,
  OPENSSH_KEY_ARMOUR,
  parseRecoveryKit,
  type RecoveryKit,
} from './recovery-kit.js';

/** A throwaway key made for this run (never one kept in the repository). */
function throwawayKey(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kit-key-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    return readFileSync(join(dir, 'k'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const key = throwawayKey();
const kit: RecoveryKit = {
  host: 'mail.example.com',
  resticPassword: 'r3st1c-pa55',
  pgbackrestCipherPass: 'c1pher-pa55',
  offsiteSshKey: key,
};

const refusal = (text: string) => {
  try {
    parseRecoveryKit(text);
  } catch (e) {
    return isUserError(e) ? `${e.code} ${e.exitCode} ${e.message}` : String(e);
  }
  return 'accepted';
};

describe('the recovery kit', () => {
  it('reads back what it wrote, the SSH key as one block', () => {
    const text = formatRecoveryKit(kit);
    expect(text).toMatch(/^# mailctl recovery kit of mail\.example\.com/);
    expect(text).toContain(`offsite_ssh_key: |\n  ${OPENSSH_KEY_ARMOUR}\n`);
    expect(parseRecoveryKit(text)).toEqual(kit);
    const local: RecoveryKit = { ...kit, offsiteSshKey: undefined };
    delete local.offsiteSshKey;
    expect(parseRecoveryKit(formatRecoveryKit(local))).toEqual(local);
  });

  it('refuses what is not a kit, with E_BAD_RECOVERY_KIT (exit 2) and without echoing a value', () => {
    expect(refusal('just a password')).toMatch(/^E_BAD_RECOVERY_KIT 2 .*not YAML/);
    expect(refusal('kind: something-else\nrestic_password: x\n')).toMatch(
      /no 'kind: mailctl-recovery-kit'/,
    );
    const noCipher = formatRecoveryKit(kit).replace(/pgbackrest_cipher_pass: .*\n/, '');
    expect(refusal(noCipher)).toMatch(/'pgbackrest_cipher_pass' is missing/);
    const badKey = formatRecoveryKit({ ...kit, offsiteSshKey: 'ssh-ed25519 AAAA public\n' });
    const why = refusal(badKey);
    expect(why).toMatch(/'offsite_ssh_key' is not an OpenSSH private key/);
    expect(why).not.toContain('AAAA');
  });
});
