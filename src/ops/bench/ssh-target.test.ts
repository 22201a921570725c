import { describe, expect, it } from 'vitest';
import { sshArgv } from './ssh-target.js';

describe('sshArgv', () => {
  it('runs the script as one quoted word, key authentication only, connect bounded', () => {
    expect(sshArgv('root@10.100.0.1', "echo 'a b'; mailctl plan")).toEqual([
      'ssh',
      ...['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'],
      '--',
      'root@10.100.0.1',
      `sh -ec 'echo '\\''a b'\\''; mailctl plan'`,
    ]);
  });

  it('refuses a destination that ssh could read as an option or a second word', () => {
    for (const bad of ['-oProxyCommand=x', 'root@host x', '', 'root@'])
      expect(() => sshArgv(bad, 'true'), bad).toThrow(/--ssh: .* is not HOST or USER@HOST/);
    expect(sshArgv('mail.example.com', 'true')).toContain('mail.example.com');
  });
});
