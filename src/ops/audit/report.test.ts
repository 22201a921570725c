import { describe, expect, it } from 'vitest';
import { buildReport, formatReport } from './report.js';

describe('formatReport of a remote audit', () => {
  it('says first what was audited from where, and what only the host can check', () => {
    const text = formatReport({
      ...buildReport([{ id: 'tcp-ports', ok: true, detail: 'open exactly 25' }], []),
      remote: { host: 'mx1', address: '192.0.2.10', side: 'internet' },
    });
    expect(text.split('\n')[0]).toBe(
      'audit of mx1 at 192.0.2.10 from the internet side (listening sockets and Lynis: run mailctl audit on the host)',
    );
    expect(text).toMatch(/^PASS {2}tcp-ports +open exactly 25$/m);
    expect(text).toContain('all 1 checks passed');
  });
});
