// Every field Bedrock Forge's models read (test/fixtures/bedrock-forge/model-fields.json, taken
// from its Go source by scripts/bedrock-forge-fields.ts, with the commit it came from) is one the
// CRD of its kind accepts, so that strict field validation never refuses a Bedrock Forge manifest
// for a field name. Kinds this operator does not have as CRDs are the converter's to report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdFor } from '../../src/api/crd.ts';
import { KINDS } from '../../src/api/kinds.ts';
import { schemaAccepts } from '../../src/convert/unknown-fields.ts';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'bedrock-forge', 'model-fields.json'), 'utf8')) as { commit: string; kinds: Record<string, string[]> };

/**
 * Fields the CRDs do not accept yet (issue 17): each has a meaning in AWS that the operator must
 * carry out before it may accept it. The test fails when this list is not exactly what is missing.
 */
const NOT_YET: Record<string, string[]> = {};

describe(`the CRDs accept every field of Bedrock Forge's models (commit ${fixture.commit.slice(0, 7)})`, () => {
  for (const def of KINDS.filter((k) => fixture.kinds[k.kind])) {
    it(`${def.kind}: ${fixture.kinds[def.kind]!.length} field paths`, () => {
      const schema = (crdFor(def) as { spec: { versions: { schema: { openAPIV3Schema: object } }[] } }).spec.versions[0]!.schema.openAPIV3Schema;
      const missing = fixture.kinds[def.kind]!.filter((path) => !schemaAccepts(schema, path));
      expect(missing).toEqual(NOT_YET[def.kind] ?? []);
    });
  }

  it('walks a path the way the apiserver prunes: unknown names fail, kept-unknown nodes pass', () => {
    const schema = { properties: { spec: { properties: { a: { items: { properties: { b: {} } } }, m: { additionalProperties: { properties: { c: {} } } }, free: { 'x-kubernetes-preserve-unknown-fields': true } } } } };
    expect(schemaAccepts(schema, 'spec.a[].b')).toBe(true);
    expect(schemaAccepts(schema, 'spec.a[].z')).toBe(false);
    expect(schemaAccepts(schema, 'spec.m.*.c')).toBe(true);
    expect(schemaAccepts(schema, 'spec.free.anything.at.all')).toBe(true);
    expect(schemaAccepts(schema, 'spec.nope')).toBe(false);
  });
});
