/**
 * Every resource, data source and argument the module uses, and every attribute it reads,
 * checked against the provider's documentation at the pinned version (no Terraform binary
 * exists here to run `terraform validate`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  exampleClusterText,
  exampleProvisionInput,
} from '../../../test/support/provision-input.js';
import { renderProvisionModule } from '../index.js';
import { VULTR_PROVIDER } from './provider.js';

interface Documented {
  arguments: string[];
  attributes: string[];
  blocks?: Record<string, string[]>;
}
const fixture = JSON.parse(
  readFileSync(
    new URL(
      `../../../test/fixtures/provision/vultr-provider-${VULTR_PROVIDER.version}.json`,
      import.meta.url,
    ),
    'utf8',
  ),
) as {
  version: string;
  provider_arguments: string[];
  resources: Record<string, Documented>;
  data_sources: Record<string, Documented>;
};

// Terraform's own: meta-arguments of every resource and JSON syntax's comment property.
const META = ['//', 'count', 'for_each', 'depends_on', 'provider', 'lifecycle'];
const TOP_LEVEL = ['//', 'terraform', 'variable', 'provider', 'data', 'resource', 'output'];

type Doc = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** Each resource or data block as [kind, type, name, body]. */
function blocks(docs: readonly Doc[]) {
  return docs.flatMap((d) =>
    (['resource', 'data'] as const).flatMap((kind) =>
      Object.entries(d[kind] ?? {}).flatMap(([type, byName]) =>
        Object.entries(byName).map(([name, body]) => ({ kind, type, name, body })),
      ),
    ),
  );
}

function modulesOf(text: string) {
  const { files } = renderProvisionModule(exampleProvisionInput(text));
  return files.filter((f) => f.path.endsWith('.tf.json')).map((f) => JSON.parse(f.content) as Doc);
}

// The example as is, and with several SSH keys and admin networks, DNS off.
const variants = [
  exampleClusterText(),
  exampleClusterText((d) => {
    d.setIn(['provision', 'provider_dns'], 'none');
    d.setIn(['ssh', 'admin_allow'], d.createNode(['203.0.113.7/32']));
  }),
];

describe(`the module against vultr/vultr ${fixture.version}'s documented arguments`, () => {
  it('is written for the version the fixture documents', () => {
    expect(fixture.version).toBe(VULTR_PROVIDER.version);
  });

  for (const [i, text] of variants.entries()) {
    const docs = modulesOf(text);
    const all = blocks(docs);

    it(`variant ${i}: uses only documented types and arguments`, () => {
      for (const d of docs) for (const k of Object.keys(d)) expect(TOP_LEVEL).toContain(k);
      for (const d of docs)
        for (const k of Object.keys((d.provider?.vultr ?? {}) as object))
          expect(fixture.provider_arguments).toContain(k);
      expect(all.length).toBeGreaterThan(10);
      for (const { kind, type, name, body } of all) {
        const documented = (kind === 'data' ? fixture.data_sources : fixture.resources)[type];
        expect(documented, `${kind} ${type} is not in the provider's documentation`).toBeDefined();
        for (const [arg, value] of Object.entries(body)) {
          if (META.includes(arg)) continue;
          expect(documented?.arguments, `${type}.${name}: ${arg}`).toContain(arg);
          const sub = documented?.blocks?.[arg];
          if (sub)
            for (const b of value as Record<string, unknown>[])
              for (const k of Object.keys(b))
                expect(sub, `${type}.${name}.${arg}: ${k}`).toContain(k);
        }
      }
    });

    it(`variant ${i}: reads only documented attributes of blocks it declares`, () => {
      const text = JSON.stringify(docs);
      const refs = [
        ...text.matchAll(/\b(data\.)?(vultr_[a-z0-9_]+)\.([a-z0-9_-]+)\.([a-z0-9_]+)/g),
      ];
      expect(refs.length).toBeGreaterThan(5);
      for (const [ref, data, type = '', name, attr = ''] of refs) {
        const kind = data ? 'data' : 'resource';
        expect(
          all.some((b) => b.kind === kind && b.type === type && b.name === name),
          ref,
        ).toBe(true);
        const documented = (data ? fixture.data_sources : fixture.resources)[type];
        expect(documented?.attributes, ref).toContain(attr);
      }
    });
  }
});
