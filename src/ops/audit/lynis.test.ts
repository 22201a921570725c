import { describe, expect, it } from 'vitest';
import { evaluateLynis, parseLynisReport } from './lynis.js';
import { buildReport, formatReport } from './report.js';

describe('Lynis and the report', () => {
  it('reads the hardening index from the report file', () => {
    expect(
      parseLynisReport('report_version_major=1\nhardening_index=67\nlynis_tests_done=250\n'),
    ).toBe(67);
    expect(parseLynisReport('report_version_major=1\n')).toBeUndefined();
  });

  it('reports the index against the target without failing on it; no index fails', () => {
    expect(evaluateLynis(67)).toEqual({
      id: 'lynis',
      ok: true,
      detail: 'hardening index 67 (target 80, not met)',
    });
    expect(evaluateLynis(undefined).ok).toBe(false);
  });

  it('fails the whole report when one check fails, and prints a line per check', () => {
    const report = buildReport(
      [
        { id: 'open-relay', ok: true, detail: 'refused' },
        { id: 'tls-465', ok: false, detail: 'offers TLS1.0' },
      ],
      [],
    );
    expect(report.ok).toBe(false);
    const text = formatReport(report);
    expect(text).toMatch(/^PASS {2}open-relay/m);
    expect(text).toMatch(/^FAIL {2}tls-465 +offers TLS1\.0$/m);
    expect(text).toContain('1 of 2 checks FAILED');
  });
});
