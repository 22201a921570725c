import { describe, expect, it } from 'vitest';
import { checkThresholdOrder, parseScore, parseSender } from './store.js';

describe('spam settings input', () => {
  it('takes scores from 0 to 1000 and names the option it refuses', () => {
    expect(parseScore('--reject', '7.5')).toBe(7.5);
    expect(parseScore('--reject', '0')).toBe(0);
    for (const bad of ['', 'ten', '-1', '1001', 'Infinity'])
      expect(() => parseScore('--reject', bad)).toThrow(/--reject: .* is not a score/);
  });

  it('keeps greylist <= add-header <= reject among the scores that are set', () => {
    expect(() => checkThresholdOrder({ reject: 10, addHeader: 5, greylist: 3 })).not.toThrow();
    expect(() => checkThresholdOrder({ reject: 10, addHeader: null, greylist: 3 })).not.toThrow();
    expect(() => checkThresholdOrder({ reject: 4, addHeader: 5, greylist: null })).toThrow(
      /add-header score \(5\) must not be above the reject score \(4\)/,
    );
    expect(() => checkThresholdOrder({ reject: 4, addHeader: null, greylist: 6 })).toThrow(
      /greylist score \(6\) must not be above the reject score/,
    );
  });

  it('accepts whole addresses and @domain as senders, lower-cased', () => {
    expect(parseSender('Bad@Example.ORG')).toBe('bad@example.org');
    expect(parseSender('@spam.example')).toBe('@spam.example');
    expect(() => parseSender('nobody')).toThrow(/not a mail address/);
  });
});
