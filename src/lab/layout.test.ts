import { describe, expect, it } from 'vitest';
import { labLayout, validateLabName } from './layout.js';

describe('lab layout', () => {
  it('keeps every interface name within the kernel limit of 15 characters', () => {
    const l = labLayout('abcdefgh');
    for (const name of [...Object.values(l.vethTemp), l.vpnClientInterface]) {
      expect(name.length).toBeLessThanOrEqual(15);
    }
  });

  it('gives two labs disjoint names for everything shared on the machine', () => {
    const a = labLayout('one');
    const b = labLayout('two');
    const shared = (l: typeof a) => [
      ...Object.values(l.netns),
      ...Object.values(l.vethTemp),
      l.vpnClientInterface,
      l.dirs.state,
    ];
    const names = shared(a);
    for (const n of shared(b)) expect(names).not.toContain(n);
  });

  it('refuses names that would not fit or are unsafe in paths and interfaces', () => {
    for (const bad of ['', 'Lab', '1lab', 'toolongname', 'la-b', '../x']) {
      expect(() => validateLabName(bad)).toThrow(/lab name/);
    }
    expect(validateLabName('lab2')).toBe('lab2');
  });
});
