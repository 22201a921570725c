import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { mtaStsPolicyId, renderMtaStsPolicy } from './policy.js';

describe('the MTA-STS policy', () => {
  it('names this host as the one MX, with CRLF line ends (RFC 8461 section 3.2)', () => {
    expect(renderMtaStsPolicy(testHostContext())).toBe(
      'version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n',
    );
  });

  it('lists no MX in mode none, which only withdraws a cached policy', () => {
    const ctx = testHostContext({ mtaSts: { mode: 'none', maxAgeSeconds: 86_400 } });
    expect(renderMtaStsPolicy(ctx)).toBe('version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n');
  });

  it('has an id that changes with the policy and only with it', () => {
    const testing = renderMtaStsPolicy(testHostContext());
    const enforce = renderMtaStsPolicy(
      testHostContext({ mtaSts: { mode: 'enforce', maxAgeSeconds: 604_800 } }),
    );
    expect(mtaStsPolicyId(testing)).toMatch(/^[0-9a-f]{20}$/);
    expect(mtaStsPolicyId(testing)).toBe(mtaStsPolicyId(renderMtaStsPolicy(testHostContext())));
    expect(mtaStsPolicyId(enforce)).not.toBe(mtaStsPolicyId(testing));
  });
});
