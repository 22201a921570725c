import { describe, expect, it } from 'vitest';
import { inNetwork, sshLockoutProblem } from './ssh-lockout.js';

describe('inNetwork', () => {
  it('matches IPv4, IPv6 and IPv4-mapped addresses by prefix', () => {
    expect(inNetwork('10.100.0.7', '10.100.0.0/24')).toBe(true);
    expect(inNetwork('10.100.1.7', '10.100.0.0/24')).toBe(false);
    expect(inNetwork('::ffff:10.100.0.7', '10.100.0.0/24')).toBe(true);
    expect(inNetwork('2001:db8:1::5', '2001:db8::/32')).toBe(true);
    expect(inNetwork('2001:db9::5', '2001:db8::/32')).toBe(false);
    expect(inNetwork('2001:db8::5', '10.0.0.0/8')).toBe(false);
    expect(inNetwork('192.0.2.4', '192.0.2.4')).toBe(true);
    expect(inNetwork('not-an-ip', '10.0.0.0/8')).toBe(false);
  });
});

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
