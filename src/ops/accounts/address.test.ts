import { describe, expect, it } from 'vitest';
import { parseAddress, parseDomain, parseSize } from './address.js';

describe('account input', () => {
  it('normalises addresses to lower case and splits them', () => {
    expect(parseAddress(' Alice@Example.COM ')).toEqual({
      address: 'alice@example.com',
      localPart: 'alice',
      domain: 'example.com',
    });
  });

  it('refuses malformed addresses and domains, naming them', () => {
    for (const bad of [
      'alice',
      'alice@',
      '@example.com',
      'a..b@example.com',
      'al ice@example.com',
      'alice@ex_ample.com',
      'alice@localhost',
    ]) {
      expect(() => parseAddress(bad)).toThrow(/not a (valid )?mail address|not a valid domain/);
    }
    expect(() => parseDomain('-bad.example')).toThrow(/'-bad.example' is not a valid domain/);
  });

  it('accepts a catch-all source only where asked', () => {
    expect(parseAddress('@example.com', { allowCatchAll: true }).address).toBe('@example.com');
    expect(() => parseAddress('@example.com')).toThrow();
  });

  it('parses sizes', () => {
    expect(parseSize('40K')).toBe(40 * 1024);
    expect(parseSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseSize('0')).toBe(0);
    expect(() => parseSize('lots')).toThrow(/not a size/);
  });
});
