import { describe, expect, it } from 'vitest';
import { expandIpv6, reverseName } from './ip-addresses.js';

describe('reverseName', () => {
  it('names the PTR of IPv4 and IPv6 addresses', () => {
    expect(reverseName('203.0.113.10')).toBe('10.113.0.203.in-addr.arpa');
    expect(reverseName('2001:db8::10')).toBe(
      '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
  });

  it('expands :: anywhere and dotted tails', () => {
    expect(expandIpv6('::1').join(':')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(expandIpv6('fe80::').join(':')).toBe('fe80:0000:0000:0000:0000:0000:0000:0000');
    expect(expandIpv6('::ffff:192.0.2.1').slice(-2)).toEqual(['c000', '0201']);
    expect(() => expandIpv6('1::2::3')).toThrow();
  });
});
