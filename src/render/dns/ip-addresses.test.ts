import { describe, expect, it } from 'vitest';
import { reverseName } from './ip-addresses.js';

describe('reverseName', () => {
  it('names the PTR of IPv4 and IPv6 addresses', () => {
    expect(reverseName('203.0.113.10')).toBe('10.113.0.203.in-addr.arpa');
    expect(reverseName('2001:db8::10')).toBe(
      '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
  });
});
