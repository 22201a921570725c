import { describe, expect, it } from 'vitest';
import { dict, formatPlist } from './plist.js';

describe('formatPlist', () => {
  it('writes dictionaries, arrays, quoted strings, integers and YES/NO in order', () => {
    const out = formatPlist(dict(['b', 'x'], ['a', [1, dict(['c', true])], ['why']], ['e', []]), [
      'header',
    ]);
    expect(out).toBe(
      '// header\n{\n  b = "x";\n  // why\n  a = (\n    1,\n    {\n      c = YES;\n    }\n  );\n  e = ();\n}\n',
    );
  });

  it('escapes quotes and backslashes so a value cannot end its string', () => {
    expect(formatPlist(dict(['k', 'a"; evil = "b\\']))).toContain('k = "a\\"; evil = \\"b\\\\";');
  });

  it('refuses control characters, bad keys and non-integers', () => {
    expect(() => formatPlist(dict(['k', 'a\nb']))).toThrow(/control character/);
    expect(() => formatPlist(dict(['a b', 'x']))).toThrow(/not a plist key/);
    expect(() => formatPlist(dict(['k', 1.5]))).toThrow(/not an integer/);
  });
});
