// The generated CRDs document every field (kubectl explain) and stay structural.
import { describe, expect, it } from 'vitest';
import { allCrds, type JsonSchema } from '../../src/api/crd.ts';

/** Paths of properties (below spec and status) that have no description. */
function undocumented(node: JsonSchema, path: string): string[] {
  const missing: string[] = [];
  const props = (node.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, child] of Object.entries(props)) {
    const childPath = `${path}.${name}`;
    if (typeof child.description !== 'string' || child.description.length === 0) missing.push(childPath);
    missing.push(...undocumented(child, childPath));
  }
  if (node.items && typeof node.items === 'object') missing.push(...undocumented(node.items as JsonSchema, `${path}[]`));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    missing.push(...undocumented(node.additionalProperties as JsonSchema, `${path}{}`));
  }
  return missing;
}

function schemaOf(crd: JsonSchema): JsonSchema {
  const spec = crd.spec as { versions: { schema: { openAPIV3Schema: JsonSchema } }[] };
  return spec.versions[0]!.schema.openAPIV3Schema;
}

describe('generated CRDs', () => {
  for (const { file, crd } of allCrds()) {
    it(`${file} describes every field of spec and status`, () => {
      const root = schemaOf(crd);
      const props = root.properties as Record<string, JsonSchema>;
      expect([...undocumented(props.spec!, 'spec'), ...undocumented(props.status!, 'status')]).toEqual([]);
    });

    it(`${file} has the status subresource, the bedrockforge category and Ready/Synced/Age columns, with the ARN (or for a part, its Agent)`, () => {
      const spec = crd.spec as { names: { categories: string[]; shortNames: string[] }; versions: { subresources: unknown; additionalPrinterColumns: { name: string }[] }[] };
      expect(spec.names.categories).toContain('bedrockforge');
      expect(spec.names.shortNames.length).toBeGreaterThan(0);
      expect(spec.versions[0]!.subresources).toEqual({ status: {} });
      const columns = spec.versions[0]!.additionalPrinterColumns.map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(['Ready', 'Synced', 'Age']));
      expect(columns.includes('ARN') || columns.includes('Agent')).toBe(true);
    });
  }
});
