import { mustRun } from '../../util/exec.js';

/**
 * A SHA512-CRYPT hash in Dovecot's {SCHEME} form. Node's crypto has no crypt(3), and the npm
 * ports of it are small one-author packages; Debian's OpenSSL is on every host and gets
 * security updates. `openssl passwd -6` is glibc's SHA512-CRYPT, which Dovecot and SOGo
 * both verify. The password travels on its stdin and the hash comes back on its stdout:
 * neither is ever in an argv (/proc/<pid>/cmdline).
 */
export async function hashPassword(password: string): Promise<string> {
  const r = await mustRun('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n` });
  return `{SHA512-CRYPT}${r.stdout.trim()}`;
}
