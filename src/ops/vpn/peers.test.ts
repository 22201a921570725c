import { describe, expect, it } from 'vitest';
import { parseLatestHandshakes } from './peers.js';

describe('parseLatestHandshakes', () => {
  it('maps each public key to its latest handshake, leaving out peers that never had one', () => {
    const text = 'H4lPDgsHnTrz+key1=\t1796623938\nQm9i+key2=\t0\n\n';
    expect(parseLatestHandshakes(text)).toEqual(new Map([['H4lPDgsHnTrz+key1=', 1796623938]]));
    expect(parseLatestHandshakes('')).toEqual(new Map());
  });
});
