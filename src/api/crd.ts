// Generates the CustomResourceDefinitions from the kinds in kinds.ts. The schemas are TypeBox
// schemas; a JSON round trip drops TypeBox's symbols and leaves plain OpenAPI v3.
import { CATEGORY, GROUP, KINDS, VERSION, type KindDefinition } from './kinds.ts';

export type JsonSchema = { [key: string]: unknown };

/** Keywords Kubernetes structural schemas do not accept; the generator refuses them. */
const FORBIDDEN = ['$ref', '$id', 'const', 'patternProperties', 'definitions', '$defs'];

function plain(schema: unknown, path: string): JsonSchema {
  const json = JSON.parse(JSON.stringify(schema)) as JsonSchema;
  assertStructural(json, path);
  return json;
}

function assertStructural(node: unknown, path: string): void {
  if (Array.isArray(node)) return node.forEach((item, i) => assertStructural(item, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (FORBIDDEN.includes(key)) throw new Error(`${path}: keyword ${key} is not allowed in a CRD schema`);
    assertStructural(value, `${path}.${key}`);
  }
}

export function crdFor(def: KindDefinition): JsonSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: [CATEGORY],
      },
      versions: [{
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: def.printerColumns,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: def.description,
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string', description: 'The API version: bedrockforge.io/v1alpha1.' },
              kind: { type: 'string', description: `The kind: ${def.kind}.` },
              metadata: { type: 'object' },
              spec: plain(def.spec, `${def.kind}.spec`),
              status: plain(def.status, `${def.kind}.status`),
            },
            ...(def.rootRules.length > 0 ? { 'x-kubernetes-validations': def.rootRules } : {}),
          },
        },
      }],
    },
  };
}

export function allCrds(): { file: string; crd: JsonSchema }[] {
  return KINDS.map((def) => ({ file: `${GROUP}_${def.plural}.yaml`, crd: crdFor(def) }));
}
