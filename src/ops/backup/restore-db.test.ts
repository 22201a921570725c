import { describe, expect, it } from 'vitest';
import { recoveryTarget } from './restore-db.js';

describe('recoveryTarget', () => {
  const now = Date.parse('2026-12-07T07:00:00Z');

  it('takes an ISO time and gives PostgreSQL a UTC timestamp', () => {
    expect(recoveryTarget('2026-12-07T06:50:01.250Z', now)).toEqual({
      iso: '2026-12-07T06:50:01.250Z',
      target: '2026-12-07 06:50:01.250+00',
    });
    expect(recoveryTarget('2026-12-07T07:50:00+01:00', now).target).toBe(
      '2026-12-07 06:50:00.000+00',
    );
  });

  it('refuses what is not a time, and the future', () => {
    expect(() => recoveryTarget('yesterday', now)).toThrow(/E_BAD_TIME|not a point in time/);
    expect(() => recoveryTarget('2026-12-07T07:00:01Z', now)).toThrow(/not in the past/);
  });
});
