import { describe, expect, it } from 'vitest';
import { dovecotComponent } from './component.js';

describe('dovecotComponent', () => {
  it('reloads dovecot.service and checks with doveconf, discarding its output', () => {
    expect(dovecotComponent.units).toEqual(['dovecot.service']);
    expect(dovecotComponent.onChange).toBe('reload');
    expect(dovecotComponent.packages).toEqual(
      expect.arrayContaining(['dovecot-core', 'dovecot-pgsql', 'dovecot-sieve']),
    );
    expect(dovecotComponent.check?.join(' ')).toContain('doveconf -n 2>&1 >/dev/null');
  });
});
