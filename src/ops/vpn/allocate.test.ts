import { describe, expect, it } from 'vitest';
import { nextFreeAddress } from './allocate.js';

describe('nextFreeAddress', () => {
  it('hands out the lowest free host address, skipping used ones', () => {
    expect(nextFreeAddress('10.100.0.0/24', ['10.100.0.1'])).toBe('10.100.0.2');
    expect(nextFreeAddress('10.100.0.0/24', ['10.100.0.1', '10.100.0.2', '10.100.0.4'])).toBe(
      '10.100.0.3',
    );
  });

  it('never hands out the network or broadcast address, and says when the subnet is full', () => {
    expect(() => nextFreeAddress('10.0.0.0/30', ['10.0.0.1', '10.0.0.2'])).toThrow(
      /no free address/,
    );
    expect(nextFreeAddress('10.0.0.0/30', ['10.0.0.1'])).toBe('10.0.0.2');
  });

  it('refuses what is not an IPv4 network', () => {
    expect(() => nextFreeAddress('fd00::/64', [])).toThrow(/E_VPN_SUBNET|not an IPv4/);
    expect(() => nextFreeAddress('10.100.0.0', [])).toThrow(/not an IPv4/);
  });
});
