import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderLocalDecoders, WAZUH_DECODERS } from './decoders.js';
import { DEFAULT_WAZUH_THRESHOLDS, renderLocalRules, wazuhRules } from './rules.js';

/** A strict XML parser's verdict (true, or the error with its line). */
const wellFormed = (xml: string) => XMLValidator.validate(xml);

const rules = wazuhRules();
const children = new Map(WAZUH_DECODERS.filter((d) => d.parent).map((d) => [d.name, d]));

describe('local_decoder.xml and local_rules.xml', () => {
  it('are as in the golden files', async () => {
    await expect(renderLocalDecoders()).toMatchFileSnapshot('golden/local_decoder.xml');
    await expect(renderLocalRules()).toMatchFileSnapshot('golden/local_rules.xml');
  });

  it('are well-formed XML', () => {
    expect(wellFormed(renderLocalRules())).toBe(true);
    // Decoders are top-level elements one after another, as Wazuh reads them; wrapped in
    // one root, the file is a well-formed document.
    expect(wellFormed(`<decoders>${renderLocalDecoders()}</decoders>`)).toBe(true);
  });

  it('carry no <, > or & in any expression (Wazuh decodes no entities)', () => {
    const decoders = renderLocalDecoders();
    for (const m of decoders.matchAll(/<(program_name|prematch|regex)[^>]*>(.*)<\/\1>/g))
      expect(m[2]).not.toMatch(/[<>&]/);
  });
});

describe('the Wazuh rules', () => {
  it('use unique ids in the range Wazuh leaves to local rules', () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toBeGreaterThanOrEqual(100000);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('refer only to decoders, rules and groups that exist, rules defined before them', () => {
    const before = new Set<number>();
    const groups = new Set(rules.flatMap((r) => r.groups));
    for (const r of rules) {
      if (r.decodedAs && r.decodedAs !== 'json')
        expect(children.has(r.decodedAs), r.decodedAs).toBe(true);
      for (const sid of [r.ifSid, r.burst?.ofSid].filter((s) => s !== undefined))
        expect(before.has(sid), `${r.id} refers to ${sid}`).toBe(true);
      if (r.burst?.ofGroup) expect(groups.has(r.burst.ofGroup)).toBe(true);
      expect(r.decodedAs ?? r.ifSid ?? r.burst, `${r.id} matches something`).toBeDefined();
      before.add(r.id);
    }
  });

  it('name in their descriptions only fields their decoder extracts', () => {
    const byId = new Map(rules.map((r) => [r.id, r]));
    const decoderOf = (r: (typeof rules)[number]): string | undefined =>
      r.decodedAs ?? (r.burst?.ofSid ? decoderOf(byId.get(r.burst.ofSid) ?? r) : undefined);
    for (const r of rules) {
      const decoder = children.get(decoderOf(r) ?? '');
      const used = [...r.description.matchAll(/\$\((\w+)\)/g)].map((m) => m[1]);
      // The group bursts span decoders; the fields they name are in every member's order.
      const members = r.burst?.ofGroup
        ? rules
            .filter((m) => m.groups.includes(r.burst?.ofGroup ?? ''))
            .map((m) => children.get(m.decodedAs ?? ''))
        : [decoder];
      for (const m of members)
        for (const f of used) expect(m?.order, `${r.id}: $(${f})`).toContain(f);
    }
  });

  it('carry the thresholds as frequency rules', () => {
    const t = {
      ...DEFAULT_WAZUH_THRESHOLDS,
      authFailures: { count: 4, seconds: 60 },
      bans: { count: 30, seconds: 300 },
    };
    const xml = renderLocalRules(t);
    expect(xml).toMatch(
      /<rule id="100900" level="10" frequency="4" timeframe="60">\n {4}<if_matched_group>mailctl_auth_failure<\/if_matched_group>\n {4}<same_source_ip \/>/,
    );
    expect(xml).toMatch(/<rule id="100510" level="10" frequency="30" timeframe="300">/);
    expect(renderLocalRules()).toContain(
      '<rule id="100900" level="10" frequency="8" timeframe="120">',
    );
  });

  it('count each failed login once towards a burst', () => {
    const counted = rules
      .filter((r) => r.groups.includes('mailctl_auth_failure'))
      .map((r) => r.decodedAs);
    expect(counted).toEqual(['dovecot-login-failed', 'postfix-sasl-failed', 'sogo-login-failed']);
  });
});
