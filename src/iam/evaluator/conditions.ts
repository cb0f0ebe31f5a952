// A statement's Condition block against the request context.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
//
// Every operator must hold, and within an operator every key (AND); a key's values are
// alternatives (OR; for a negated operator: none of them may match). Keys are case-insensitive.
// When the request lacks the key: `…IfExists` holds, a negated operator holds, `ForAllValues:`
// holds, Null compares presence, and anything else does not hold. A multivalued key (a list in
// the context) needs `ForAnyValue:` or `ForAllValues:`; a single-valued operator never matches it.
import type { ContextLookup } from './context.ts';
import { BASE_OPERATORS, valueSatisfies, type BaseOperator } from './operators.ts';

export type Qualifier = 'ForAnyValue' | 'ForAllValues';

export interface ParsedOperator {
  qualifier?: Qualifier;
  /** undefined for Null, which compares presence only. */
  base?: BaseOperator;
  ifExists: boolean;
}

const QUALIFIERS: ReadonlySet<string> = new Set<Qualifier>(['ForAnyValue', 'ForAllValues']);
const isQualifier = (text: string): text is Qualifier => QUALIFIERS.has(text);

/**
 * Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined for an operator IAM does not
 * have. Case matters, as in IAM, which refuses `stringEquals` (see conditionOperatorValid in
 * src/iam/iam-rules.ts): such a statement is reported, not guessed at.
 */
export function parseOperator(operator: string): ParsedOperator | undefined {
  let name = operator;
  let qualifier: Qualifier | undefined;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    const prefix = name.slice(0, colon);
    if (!isQualifier(prefix)) return undefined;
    qualifier = prefix;
    name = name.slice(colon + 1);
  }
  if (name === 'Null') return { ...(qualifier && { qualifier }), ifExists: false };
  const ifExists = name.endsWith('IfExists');
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  const base = BASE_OPERATORS.get(name);
  return base ? { ...(qualifier && { qualifier }), base, ifExists } : undefined;
}

/** Whether one operator holds for one key and its policy values. */
function keyHolds(op: ParsedOperator, value: string | string[] | undefined, policyValues: string[], variables: ContextLookup | undefined): boolean {
  if (!op.base) {
    // Null: "true" asks for the key to be absent, "false" for it to be present.
    const wanted = value === undefined ? 'true' : 'false';
    return policyValues.some((v) => v.toLowerCase() === wanted);
  }
  const base = op.base;
  if (value === undefined) {
    if (op.ifExists) return true;
    if (op.qualifier === 'ForAllValues') return true;
    if (op.qualifier === 'ForAnyValue') return false;
    return base.negated;
  }
  const each = (v: string) => valueSatisfies(base, v, policyValues, variables);
  if (op.qualifier === 'ForAnyValue') return (Array.isArray(value) ? value : [value]).some(each);
  if (op.qualifier === 'ForAllValues') return (Array.isArray(value) ? value : [value]).every(each);
  return typeof value === 'string' && each(value);
}

export interface ConditionResult {
  holds: boolean;
  /** Operators IAM does not have; the block does not hold when there is one. */
  unknownOperators: string[];
}

/**
 * Evaluates a Condition block. `variables` resolves `${…}` in values (absent for 2008-10-17
 * policies, where such text is literal).
 */
export function evaluateConditions(
  block: Record<string, Record<string, string[]>> | undefined,
  lookup: ContextLookup,
  variables: ContextLookup | undefined,
): ConditionResult {
  const unknownOperators: string[] = [];
  let holds = true;
  for (const [operator, keys] of Object.entries(block ?? {})) {
    const op = parseOperator(operator);
    if (!op) {
      unknownOperators.push(operator);
      holds = false;
      continue;
    }
    for (const [key, values] of Object.entries(keys)) {
      if (holds && !keyHolds(op, lookup(key), values, variables)) holds = false;
    }
  }
  return { holds, unknownOperators };
}
