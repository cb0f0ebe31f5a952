// Building blocks for the API schemas. Every schema written with these is at once
//  - a TypeBox schema, so `Static<typeof X>` gives the TypeScript type the controllers use, and
//  - a Kubernetes structural OpenAPI v3 schema, so the CRDs in crds/ are generated from it.
// Kubernetes structural schemas forbid `const`, `patternProperties`, `$ref` and types inside
// `anyOf`/`oneOf`, so unions of different JSON types (IAM's "string or list") are written as
// typeless nodes with `x-kubernetes-preserve-unknown-fields` plus keyword guards that only apply
// to the JSON types they reject.
import { Type, type Static, type TSchema, type TUnsafe, type SchemaOptions } from '@sinclair/typebox';

export type { Static, TSchema };
export { Type };

/** A CEL rule in `x-kubernetes-validations`. */
export interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** Schema options every field of this API sets: a description, so `kubectl explain` documents it. */
export interface FieldOptions extends SchemaOptions {
  description: string;
}

/** Attaches CEL rules to a schema's options. */
export function cel(...rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}

/** A list whose items are unique by `key`, enforced by the apiserver (`x-kubernetes-list-type: map`). */
export function uniqueBy(key: string) {
  return { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] };
}

/** Requires exactly one of the named (possibly typeless) fields: OpenAPI `oneOf` of `required`. */
export function exactlyOneOf(...names: string[]): { oneOf: { required: string[] }[] } {
  return { oneOf: names.map((name) => ({ required: [name] })) };
}

/** Several of the constraints above on one schema, which may hold only one oneOf (or not) itself. */
export function allOf(...constraints: object[]): { allOf: object[] } {
  return { allOf: constraints };
}

/**
 * Forbids setting two fields of any group together: `not: {anyOf: [{required: [a, b]}…]}`. The
 * way to say it of typeless fields (`reference()`), which CEL rules cannot name; several groups
 * go in one `not`, since a schema has only one.
 */
export function atMostOneOfEach(...groups: string[][]): { not: { anyOf: { required: string[] }[] } } {
  const pairs: { required: string[] }[] = [];
  for (const names of groups) names.forEach((a, i) => names.slice(i + 1).forEach((b) => pairs.push({ required: [a, b] })));
  return { not: { anyOf: pairs } };
}

export function str(options: FieldOptions & { maxLength?: number; minLength?: number; pattern?: string }) {
  return Type.String(options);
}

export function int(options: FieldOptions & { minimum?: number; maximum?: number }) {
  return Type.Integer({ format: 'int32', ...options });
}

export function bool(options: FieldOptions) {
  return Type.Boolean(options);
}

/** A string restricted to the given values (OpenAPI `enum`, which Kubernetes reports by value). */
export function oneOfStrings<const V extends readonly string[]>(values: V, options: FieldOptions): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/** A list of strings. */
export function strings(options: FieldOptions & { maxItems?: number; minItems?: number; itemPattern?: string; itemMaxLength?: number }) {
  const { itemPattern, itemMaxLength, ...rest } = options;
  const item: Record<string, unknown> = {};
  if (itemPattern) item.pattern = itemPattern;
  if (itemMaxLength) item.maxLength = itemMaxLength;
  return Type.Array(Type.String(item), rest);
}

/** A map of string to string (`additionalProperties`, never `patternProperties`). */
export function stringMap(options: FieldOptions & { maxProperties?: number; valueMaxLength?: number }) {
  const { valueMaxLength, ...rest } = options;
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: { type: 'string', ...(valueMaxLength ? { maxLength: valueMaxLength } : {}) },
    ...rest,
  });
}

/** A map whose values follow `value`. */
export function mapOf<T extends TSchema>(value: T, options: FieldOptions & { maxProperties?: number }) {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...options });
}

/**
 * Keyword guards for a typeless node that must hold a string or a list: objects fail
 * `maxProperties: 0` together with `minProperties: 1`, numbers fail `maximum: 0` with
 * `minimum: 1`, booleans fail `not enum`. Strings and arrays pass all of them.
 */
const onlyStringOrList = {
  allOf: [{ maxProperties: 0 }, { minProperties: 1 }, { maximum: 0 }, { minimum: 1 }],
  not: { enum: [true, false] },
};

/** IAM's "a string or a list of strings" (Action, Resource, principal values). */
export function stringOrList(options: FieldOptions & { pattern?: string; maxLength?: number; maxItems?: number }) {
  const { pattern, maxLength, maxItems, ...rest } = options;
  const scalar = { ...(pattern ? { pattern } : {}), ...(maxLength ? { maxLength } : {}) };
  return Type.Unsafe<string | string[]>({
    'x-kubernetes-preserve-unknown-fields': true,
    ...scalar,
    items: { type: 'string', ...scalar },
    ...(maxItems ? { maxItems } : {}),
    ...onlyStringOrList,
    ...rest,
  });
}

/** A condition value: a string, number or boolean, or a list of them (IAM accepts all). */
export function scalarOrList(options: FieldOptions) {
  return Type.Unsafe<string | number | boolean | (string | number | boolean)[]>({
    'x-kubernetes-preserve-unknown-fields': true,
    allOf: [{ maxProperties: 0 }, { minProperties: 1 }],
    ...options,
  });
}

/**
 * A typeless node that holds either a string (checked by `pattern` and `maxLength`) or an object
 * with the given properties. Used where Bedrock Forge accepts both forms (`iamRole`, references).
 */
export function stringOrObject<P extends Record<string, TSchema>>(
  properties: P,
  options: FieldOptions & { pattern?: string; maxLength?: number },
) {
  const object = Type.Object(properties);
  return Type.Unsafe<string | Static<typeof object>>({
    'x-kubernetes-preserve-unknown-fields': true,
    properties,
    allOf: [{ maxItems: 0 }, { minItems: 1 }, { maximum: 0 }, { minimum: 1 }],
    not: { enum: [true, false] },
    ...options,
  });
}
