import { describe, expect, it } from 'vitest';
import { renderSsh } from './sshd-config.js';

describe('renderSsh', () => {
  const [file] = renderSsh();

  it('renders the sshd drop-in as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/sshd_config.d_mailctl.conf');
    expect(file?.path).toBe('/etc/ssh/sshd_config.d/mailctl.conf');
  });

  it('allows keys only, and root only with a key', () => {
    const text = file?.content ?? '';
    for (const l of [
      'AuthenticationMethods publickey',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
    ])
      expect(text).toContain(`\n${l}\n`);
  });

  it('offers no SHA-1, CBC or NIST-curve algorithms', () => {
    const algorithms = (file?.content ?? '')
      .split('\n')
      .filter((l) => /^(KexAlgorithms|Ciphers|MACs|HostKeyAlgorithms) /.test(l))
      .join('\n');
    expect(algorithms).not.toMatch(/sha1|-cbc|nistp|ssh-rsa,|diffie-hellman/);
  });
});
