import { describe, expect, it } from 'vitest';
import { renderLoginDefsFiles } from './index.js';

/** The value of a login.defs item, as shadow's loader reads it (first whitespace-separated word). */
const item = (text: string, key: string) =>
  text
    .split('\n')
    .find((l) => l.split(/\s+/)[0] === key)
    ?.split(/\s+/)[1];

describe('renderLoginDefsFiles', () => {
  const [file] = renderLoginDefsFiles();
  const text = file?.content ?? '';

  it('renders /etc/login.defs as in the golden file', async () => {
    await expect(text).toMatchFileSnapshot('golden/login.defs');
    expect([file?.path, file?.mode.toString(8)]).toEqual(['/etc/login.defs', '644']);
  });

  it('gives logins umask 027 (pam_umask reads UMASK here)', () => {
    expect(item(text, 'UMASK')).toBe('027');
  });

  it('keeps yescrypt and gives SHA-512 hashes many rounds', () => {
    expect(item(text, 'ENCRYPT_METHOD')).toBe('YESCRYPT');
    expect(Number(item(text, 'SHA_CRYPT_MIN_ROUNDS'))).toBeGreaterThanOrEqual(65536);
    expect(Number(item(text, 'SHA_CRYPT_MAX_ROUNDS'))).toBeGreaterThanOrEqual(
      Number(item(text, 'SHA_CRYPT_MIN_ROUNDS')),
    );
  });

  it('forces no periodic password change, which would lock out key-only accounts', () => {
    expect(item(text, 'PASS_MAX_DAYS')).toBe('99999');
  });

  it('sets each item once', () => {
    const keys = text
      .split('\n')
      .filter((l) => /^[A-Z]/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
