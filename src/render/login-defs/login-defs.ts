import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

export const LOGIN_DEFS_PATH = '/etc/login.defs';

/**
 * The shadow suite's defaults for local accounts (useradd, passwd, login, su). The file has
 * no drop-in directory, so it is rendered whole: Debian 13's values, except where a
 * comment says otherwise.
 */
export function renderLoginDefs(): string {
  return `${generatedHeader()}
MAIL_DIR		/var/mail
LOG_UNKFAIL_ENAB	no
LOG_OK_LOGINS		no
HUSHLOGIN_FILE		.hushlogin
ENV_SUPATH		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV_PATH		PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
TTYPERM			0600
ERASECHAR		0177
KILLCHAR		025
HOME_MODE		0700

# pam_umask (common-session) takes a login's umask from here: files an administrator
# creates are not readable by every other account (Debian: 022). mailctl itself sets 022
# for what it writes, whatever the shell's. With USERGROUPS_ENAB, a user whose group is
# their own gets 007.
UMASK			027
USERGROUPS_ENAB		yes

# No forced periodic change: NIST SP 800-63B advises against it, and an expiry would
# lock out a key-only account with no password to change (sshd would demand one).
PASS_MAX_DAYS		99999
PASS_MIN_DAYS		0
PASS_WARN_AGE		7

UID_MIN			1000
UID_MAX			60000
SUB_UID_MIN		100000
SUB_UID_MAX		600100000
SUB_UID_COUNT		65536
GID_MIN			1000
GID_MAX			60000
SUB_GID_MIN		100000
SUB_GID_MAX		600100000
SUB_GID_COUNT		65536

LOGIN_RETRIES		5
LOGIN_TIMEOUT		60
CHFN_RESTRICT		rwh
DEFAULT_HOME		yes
NONEXISTENT		/nonexistent

# yescrypt (memory-hard) stays the method for local passwords. chpasswd and newusers may
# still be told to make SHA-512 hashes (-c SHA512): those then take 65536 rounds, not
# glibc's 5000.
ENCRYPT_METHOD		YESCRYPT
SHA_CRYPT_MIN_ROUNDS	65536
SHA_CRYPT_MAX_ROUNDS	65536
`;
}

export function renderLoginDefsFiles(): RenderedFile[] {
  return [rootFile('login-defs', LOGIN_DEFS_PATH, renderLoginDefs())];
}

export const loginDefsComponent: ComponentDescriptor = {
  name: 'login-defs',
  packages: ['login.defs'],
  // Read by each shadow program and PAM session as it starts: nothing to reload.
  units: [],
  onChange: 'restart',
  // The shadow suite has no check mode, but its loader names every item it does not know
  // ("configuration error - unknown item") whenever one of its programs starts; useradd -D
  // only prints the defaults. (Debian 13's login is util-linux's, which never says so.)
  check: [
    'sh',
    '-c',
    'out=$(useradd -D 2>&1 >/dev/null); case "$out" in *"configuration error"*) echo "$out" >&2; exit 1;; esac',
  ],
};
