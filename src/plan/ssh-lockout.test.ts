import { describe, expect, it } from 'vitest';
import { sshLockoutProblem } from './ssh-lockout.js';

describe('sshLockoutProblem', () => {
  it('lets an apply run outside SSH, from the VPN or from an allowed network', () => {
    expect(sshLockoutProblem(undefined, '10.100.0.0/24', [])).toBeUndefined();
    expect(sshLockoutProblem('10.100.0.2', '10.100.0.0/24', [])).toBeUndefined();
    expect(sshLockoutProblem('203.0.113.9', '10.100.0.0/24', ['203.0.113.0/24'])).toBeUndefined();
  });

  it('names the client, what SSH would be open to, and the ways out', () => {
    expect(sshLockoutProblem('198.51.100.77', '10.100.0.0/24', ['203.0.113.0/24'])).toBe(
      'this apply runs over SSH from 198.51.100.77, which the firewall would no longer let log in ' +
        '(SSH is open to the VPN 10.100.0.0/24 and 203.0.113.0/24 only): add your network to ' +
        "ssh.admin_allow, or join the VPN ('mailctl vpn peer add') and apply from there",
    );
  });
});
