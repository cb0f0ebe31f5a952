// Whether a field path (`spec.a.b[].c`, `[]` a list item, `*` a map value) is one a CRD's schema
// accepts: each step a declared property, list item or map value, or anywhere below a node that
// keeps unknown fields.
type Schema = { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; 'x-kubernetes-preserve-unknown-fields'?: boolean };

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
