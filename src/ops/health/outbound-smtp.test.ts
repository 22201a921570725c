import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostContextFromSpec, parseClusterFile } from '../../spec/index.js';
import { healthChecks } from './checks.js';
import { assessOutbound, reusableOutbound } from './outbound-smtp.js';

describe('the outbound port 25 check', () => {
  const mx = 'gmail-smtp-in.l.google.com';

  it('warns when the MX does not answer in time, naming the likely cause and the guide', () => {
    const f = assessOutbound('gmail.com', { kind: 'timeout', mx, ms: 8_000 });
    expect(f.status).toBe('warning');
    expect(f.detail).toContain(`${mx}:25 (MX of gmail.com) did not answer within 8 s`);
    expect(f.detail).toContain('Vultr');
    expect(f.detail).toContain('docs/install.md');
  });

  it('is ok when the MX answers, even with a refusal: the way out is open', () => {
    const greeting = '220 mx.google.com ESMTP ready\r\n';
    expect(assessOutbound('gmail.com', { kind: 'answered', mx, greeting })).toEqual({
      status: 'ok',
      detail: `${mx}:25 (MX of gmail.com) answered: 220 mx.google.com ESMTP ready`,
    });
    expect(assessOutbound('gmail.com', { kind: 'refused', mx }).status).toBe('ok');
  });

  it('warns when it cannot try at all, or the connection fails otherwise', () => {
    const noMx = assessOutbound('example.net', {
      kind: 'no-mx',
      reason: 'example.net has a null MX',
    });
    expect(noMx).toEqual({
      status: 'warning',
      detail: 'cannot try outbound port 25: example.net has a null MX',
    });
    expect(assessOutbound('gmail.com', { kind: 'failed', mx, reason: 'EHOSTUNREACH' }).status).toBe(
      'warning',
    );
  });

  it("is in the health report, gmail.com's MX by default, unless the cluster file says false", () => {
    const example = readFileSync(
      new URL('../../../examples/cluster.yaml', import.meta.url),
      'utf8',
    );
    const names = (probe: string) => {
      const text = example.replace('outbound_probe: example.org', probe);
      const ctx = hostContextFromSpec(parseClusterFile(text, 'cluster.yaml'));
      return { probe: ctx.monitoring.outboundProbe, names: healthChecks(ctx).map((c) => c.name) };
    };
    expect(names('outbound_probe: example.org')).toMatchObject({ probe: 'example.org' });
    expect(names('').probe).toBe('gmail.com');
    expect(names('').names).toContain('outbound-25');
    expect(names('outbound_probe: false').names).not.toContain('outbound-25');
  });
});

describe("the timer's reuse of an outbound port 25 attempt", () => {
  const mx = 'gmail-smtp-in.l.google.com';
  const open = { kind: 'answered', mx, greeting: '220 ready' } as const;
  const hour = 60 * 60_000;
  const at = 1_000_000_000;

  it('reuses an open way for the same domain within the time given', () => {
    const r = { at, domain: 'gmail.com', attempt: open };
    expect(reusableOutbound(r, 'gmail.com', at + hour - 1, hour)).toEqual(open);
    const refused = { ...r, attempt: { kind: 'refused', mx } as const };
    expect(reusableOutbound(refused, 'gmail.com', at + 1, hour)?.kind).toBe('refused');
  });

  it('tries again when older, for another domain, from the future, or nothing recorded', () => {
    const r = { at, domain: 'gmail.com', attempt: open };
    expect(reusableOutbound(r, 'gmail.com', at + hour + 1, hour)).toBeUndefined();
    expect(reusableOutbound(r, 'example.org', at + 1, hour)).toBeUndefined();
    expect(reusableOutbound(r, 'gmail.com', at - 1, hour)).toBeUndefined();
    expect(reusableOutbound(undefined, 'gmail.com', at, hour)).toBeUndefined();
    expect(reusableOutbound(r, 'gmail.com', at + 1, 0)).toBeUndefined();
  });

  it('never reuses a blocked or failed try', () => {
    for (const attempt of [
      { kind: 'timeout', mx, ms: 8_000 },
      { kind: 'failed', mx, reason: 'EHOSTUNREACH' },
      { kind: 'no-mx', reason: 'no MX' },
    ] as const)
      expect(
        reusableOutbound({ at, domain: 'gmail.com', attempt }, 'gmail.com', at + 1, hour),
      ).toBe(undefined);
  });
});
