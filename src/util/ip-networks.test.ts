import { describe, expect, it } from 'vitest';
import {
  canonicalNetwork,
  expandIpv6,
  hasHostBits,
  inNetwork,
  isHostInNetwork,
  networkInfo,
} from './ip-networks.js';

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

  it('takes an IPv4 network written in IPv6 notation as that IPv4 network', () => {
    expect(inNetwork('192.0.2.9', '::ffff:192.0.2.0/120')).toBe(true);
    expect(inNetwork('::ffff:192.0.2.9', '::ffff:192.0.2.0/120')).toBe(true);
    expect(inNetwork('192.0.3.9', '::ffff:192.0.2.0/120')).toBe(false);
  });
});

describe('isHostInNetwork', () => {
  it('refuses the network and broadcast addresses of an IPv4 network', () => {
    expect(isHostInNetwork('10.100.0.1', '10.100.0.0/24')).toBe(true);
    expect(isHostInNetwork('10.100.0.0', '10.100.0.0/24')).toBe(false);
    expect(isHostInNetwork('10.100.0.255', '10.100.0.0/24')).toBe(false);
    expect(isHostInNetwork('10.100.1.1', '10.100.0.0/24')).toBe(false);
    expect(isHostInNetwork('fd00::1', 'fd00::/64')).toBe(true);
  });
});

describe('hasHostBits', () => {
  it('finds bits beyond the prefix in either family', () => {
    expect(hasHostBits('192.0.2.0/24')).toBe(false);
    expect(hasHostBits('192.0.2.1/24')).toBe(true);
    expect(hasHostBits('192.0.2.16/28')).toBe(false);
    expect(hasHostBits('192.0.2.17/28')).toBe(true);
    expect(hasHostBits('2001:db8::/48')).toBe(false);
    expect(hasHostBits('2001:db8::1/48')).toBe(true);
  });

  it('reads an IPv4 address embedded in IPv6 as the low 32 bits', () => {
    expect(hasHostBits('::ffff:192.0.2.0/120')).toBe(false);
    expect(hasHostBits('::ffff:192.0.2.1/120')).toBe(true);
    expect(hasHostBits('64:ff9b::198.51.100.0/120')).toBe(false);
    expect(hasHostBits('64:ff9b::198.51.100.128/121')).toBe(false);
    expect(hasHostBits('64:ff9b::198.51.100.128/120')).toBe(true);
  });
});

describe('networkInfo', () => {
  it('gives the family and prefix length, or nothing for a non-network', () => {
    expect(networkInfo('10.0.0.0/8')).toEqual({ family: 4, bits: 8 });
    expect(networkInfo('::ffff:192.0.2.0/120')).toEqual({ family: 6, bits: 120 });
    expect(networkInfo('10.0.0.0')).toBeUndefined();
  });
});

describe('expandIpv6', () => {
  it('expands :: anywhere and dotted tails', () => {
    expect(expandIpv6('::1').join(':')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(expandIpv6('fe80::').join(':')).toBe('fe80:0000:0000:0000:0000:0000:0000:0000');
    expect(expandIpv6('::ffff:192.0.2.1').slice(-2)).toEqual(['c000', '0201']);
    expect(() => expandIpv6('1::2::3')).toThrow();
  });
});

describe('canonicalNetwork', () => {
  it('writes an IPv4-mapped network as IPv4 and leaves every other network alone', () => {
    expect(canonicalNetwork('::ffff:192.0.2.0/120')).toBe('192.0.2.0/24');
    expect(canonicalNetwork('::ffff:192.0.2.16/124')).toBe('192.0.2.16/28');
    expect(canonicalNetwork('64:ff9b::198.51.100.0/120')).toBe('64:ff9b::198.51.100.0/120');
    expect(canonicalNetwork('2001:db8::/48')).toBe('2001:db8::/48');
    expect(canonicalNetwork('192.0.2.0/24')).toBe('192.0.2.0/24');
  });
});
