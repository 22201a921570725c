import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

export const PWQUALITY_DROPIN_PATH = '/etc/security/pwquality.conf.d/mailctl.conf';

/**
 * Local account passwords: nobody logs in over SSH with one, but root's console password
 * (the provider's web console) and an administrator's sudo password are still passwords.
 * Installing libpam-pwquality puts pam_pwquality in front of pam_unix in
 * common-password (pam-auth-update), so passwd refuses what these settings refuse.
 * Mailbox passwords are not local accounts: they live in PostgreSQL.
 */
export function renderPwqualityConf(): string {
  return `${generatedHeader()}
# Length is what makes a password hard to guess; no rules about character classes.
minlen = 14
# No word from the cracklib dictionary, nor the user's own name.
dictcheck = 1
usercheck = 1
maxrepeat = 3
# root is held to the same rules when it sets a password, its own or another's.
enforce_for_root
`;
}

export function renderPwquality(): RenderedFile[] {
  return [rootFile('pwquality', PWQUALITY_DROPIN_PATH, renderPwqualityConf())];
}

export const pwqualityComponent: ComponentDescriptor = {
  name: 'pwquality',
  // cracklib-runtime holds the dictionary that dictcheck needs: without it (it is only
  // recommended) every password would fail the check. libpwquality-tools for pwmake, the
  // check below.
  packages: ['libpam-pwquality', 'cracklib-runtime', 'libpwquality-tools'],
  // Read by pam_pwquality at each password change: nothing to reload.
  units: [],
  onChange: 'restart',
  // pwmake reads pwquality.conf and every file in pwquality.conf.d with the library's own
  // parser before it makes a password, and exits non-zero on a setting it does not know.
  check: ['sh', '-c', 'pwmake 128 >/dev/null'],
};
