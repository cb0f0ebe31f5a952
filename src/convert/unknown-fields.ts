// The fields of a manifest that its kind's schema does not have, found the way the apiserver's
// pruning finds them: each step a declared property, a list item or a map value, anything below a
// node that keeps unknown fields. The CRDs accept every field Bedrock Forge's models read (held by
// test/unit/bedrock-forge-fields.test.ts against its Go source), so what is found here is a field
// Bedrock Forge itself ignores too: its documentation writes some (dependsOn, an inline OpenAPI
// document, parameter enums) that its code never reads.
type Schema = { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; 'x-kubernetes-preserve-unknown-fields'?: boolean };

export type FieldPath = (string | number)[];

/** The paths (below `value`) of the fields `schema` does not have, outermost only. */
export function unknownFields(value: unknown, schema: Schema, at: FieldPath = []): FieldPath[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((item, i) => unknownFields(item, schema.items!, [...at, i])) : [];
  if (!value || typeof value !== 'object') return [];
  const found: FieldPath[] = [];
  for (const [key, child] of Object.entries(value)) {
    const declared = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (declared) found.push(...unknownFields(child, declared, [...at, key]));
    else if (!schema['x-kubernetes-preserve-unknown-fields']) found.push([...at, key]);
  }
  return found;
}

/** `spec.a[0].b`, as kubectl names a field. */
export function fieldName(path: FieldPath): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');
}

/** Whether a field path (`spec.a.b[].c`, `[]` a list item, `*` a map value) is one the schema accepts. */
export function schemaAccepts(root: Schema, path: string): boolean {
  let node: Schema | undefined = root;
  for (const step of path.split(/\.|(?=\[\])/).filter(Boolean)) {
    if (!node) return false;
    if (node['x-kubernetes-preserve-unknown-fields'] && !node.properties?.[step]) return true;
    if (step === '[]') node = node.items;
    else if (step === '*') node = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
    else node = node.properties?.[step] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return node !== undefined;
}
