import { describe, expect, it } from 'vitest';
import { DKIM_RSA2048 } from './test-keys.js';
import { quoteTxtString, splitTxtValue } from './txt-strings.js';

describe('splitTxtValue', () => {
  it('splits a DKIM RSA-2048 record at 255 bytes and the strings join back to the value', () => {
    const value = `v=DKIM1; k=rsa; p=${DKIM_RSA2048}`;
    const parts = splitTxtValue(value);
    expect(parts.map((p) => p.length)).toEqual([255, value.length - 255]);
    expect(parts.join('')).toBe(value);
    expect(parts.join('').slice('v=DKIM1; k=rsa; p='.length)).toBe(DKIM_RSA2048);
  });

  it('keeps short values whole and cuts exact multiples without an empty tail', () => {
    expect(splitTxtValue('v=spf1 -all')).toEqual(['v=spf1 -all']);
    expect(splitTxtValue('a'.repeat(510))).toEqual(['a'.repeat(255), 'a'.repeat(255)]);
    expect(splitTxtValue('')).toEqual(['']);
  });

  it('counts bytes, not characters, and never cuts inside a UTF-8 sequence', () => {
    const parts = splitTxtValue(`${'a'.repeat(254)}é${'b'.repeat(10)}`);
    expect(parts.map((p) => Buffer.byteLength(p))).toEqual([254, 12]);
    expect(parts.join('')).toBe(`${'a'.repeat(254)}é${'b'.repeat(10)}`);
  });
});

describe('quoteTxtString', () => {
  it('escapes quotes and backslashes', () => {
    expect(quoteTxtString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});
