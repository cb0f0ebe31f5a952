// The base condition operators: how one request value compares with one policy value.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//
// Each test answers true (matches), false (does not match) or undefined (the policy or request
// value is not of the operator's type, or a policy variable has no value). A positive operator
// holds when some policy value matches; a negated one (StringNotEquals, NotIpAddress, …) when
// every policy value is of the right type and does not match, so a malformed value never grants.
import type { ContextLookup } from './context.ts';
import { inRange, parseAddress, parseRange } from './ip.ts';
import { compile, matchPieces } from './pattern.ts';

export type ValueTest = (requestValue: string, policyValue: string, variables: ContextLookup | undefined) => boolean | undefined;

export interface BaseOperator {
  /** The name as IAM writes it. */
  name: string;
  negated: boolean;
  test: ValueTest;
}

/** A policy string against a request string; an unresolved variable makes the comparison unknown. */
function stringTest(wildcards: boolean, ignoreCase: boolean): ValueTest {
  return (requestValue, policyValue, variables) => {
    const { pieces, unresolved } = compile(policyValue, { wildcards, variables });
    if (unresolved.length > 0) return undefined;
    return matchPieces(pieces, requestValue, ignoreCase);
  };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const parseNumber = (text: string) => (NUMBER.test(text) ? Number(text) : undefined);

/** Dates: an integer is seconds since the epoch; otherwise W3C ISO 8601 (a time needs its zone). */
const ISO_DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
function parseDate(text: string): number | undefined {
  if (/^-?\d+$/.test(text)) return Number(text) * 1000;
  if (!ISO_DATE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function compareTest(parse: (text: string) => number | undefined, compare: (request: number, policy: number) => boolean): ValueTest {
  return (requestValue, policyValue) => {
    const r = parse(requestValue);
    const p = parse(policyValue);
    return r === undefined || p === undefined ? undefined : compare(r, p);
  };
}

const boolTest: ValueTest = (requestValue, policyValue, variables) => {
  const { pieces, unresolved } = compile(policyValue, { wildcards: false, variables });
  if (unresolved.length > 0) return undefined;
  const p = pieces.map((x) => (x.kind === 'char' ? x.char : '')).join('').toLowerCase();
  const r = requestValue.toLowerCase();
  if ((p !== 'true' && p !== 'false') || (r !== 'true' && r !== 'false')) return undefined;
  return p === r;
};

const ipTest: ValueTest = (requestValue, policyValue) => {
  const address = parseAddress(requestValue);
  const range = parseRange(policyValue);
  return address && range ? inRange(address, range) : undefined;
};

/**
 * The six colon-separated parts of an ARN. The resource part keeps its colons; a colon inside
 * `${…}` does not separate (it belongs to a variable's name, as in `${aws:username}`).
 */
function arnParts(text: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < text.length && parts.length < 5; i++) {
    if (text[i] === '$' && text[i + 1] === '{') depth = 1;
    else if (text[i] === '}') depth = 0;
    else if (text[i] === ':' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (parts.length < 5) return undefined;
  parts.push(text.slice(start));
  return parts;
}

/**
 * ArnLike/ArnEquals: each of the six parts compared on its own, case-sensitively, with wildcards.
 * A part that differs decides, whatever the variables of the other parts; otherwise a variable
 * without a value leaves the comparison unknown.
 */
const arnTest: ValueTest = (requestValue, policyValue, variables) => {
  const p = arnParts(policyValue);
  const r = requestValue.split(':');
  if (!p || r.length < 6) return undefined;
  const request = [...r.slice(0, 5), r.slice(5).join(':')];
  let unknown = false;
  for (let i = 0; i < 6; i++) {
    const { pieces, unresolved } = compile(p[i]!, { wildcards: true, variables });
    if (unresolved.length > 0) unknown = true;
    else if (!matchPieces(pieces, request[i]!)) return false;
  }
  return unknown ? undefined : true;
};

const base = (name: string, test: ValueTest): BaseOperator => ({ name, negated: false, test });
const not = (name: string, test: ValueTest): BaseOperator => ({ name, negated: true, test });

const OPERATORS: BaseOperator[] = [
  base('StringEquals', stringTest(false, false)),
  not('StringNotEquals', stringTest(false, false)),
  base('StringEqualsIgnoreCase', stringTest(false, true)),
  not('StringNotEqualsIgnoreCase', stringTest(false, true)),
  base('StringLike', stringTest(true, false)),
  not('StringNotLike', stringTest(true, false)),
  base('NumericEquals', compareTest(parseNumber, (r, p) => r === p)),
  not('NumericNotEquals', compareTest(parseNumber, (r, p) => r === p)),
  base('NumericLessThan', compareTest(parseNumber, (r, p) => r < p)),
  base('NumericLessThanEquals', compareTest(parseNumber, (r, p) => r <= p)),
  base('NumericGreaterThan', compareTest(parseNumber, (r, p) => r > p)),
  base('NumericGreaterThanEquals', compareTest(parseNumber, (r, p) => r >= p)),
  base('DateEquals', compareTest(parseDate, (r, p) => r === p)),
  not('DateNotEquals', compareTest(parseDate, (r, p) => r === p)),
  base('DateLessThan', compareTest(parseDate, (r, p) => r < p)),
  base('DateLessThanEquals', compareTest(parseDate, (r, p) => r <= p)),
  base('DateGreaterThan', compareTest(parseDate, (r, p) => r > p)),
  base('DateGreaterThanEquals', compareTest(parseDate, (r, p) => r >= p)),
  base('Bool', boolTest),
  // Base64 text, compared as written.
  base('BinaryEquals', (r, p) => r === p),
  base('IpAddress', ipTest),
  not('NotIpAddress', ipTest),
  base('ArnEquals', arnTest),
  base('ArnLike', arnTest),
  not('ArnNotEquals', arnTest),
  not('ArnNotLike', arnTest),
];

/** Base operators by name, as IAM writes them (case-sensitive). */
export const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map(OPERATORS.map((o) => [o.name, o]));

/** Whether a request value satisfies the operator over all the policy values of a key. */
export function valueSatisfies(operator: BaseOperator, requestValue: string, policyValues: string[], variables: ContextLookup | undefined): boolean {
  return operator.negated
    ? policyValues.every((v) => operator.test(requestValue, v, variables) === false)
    : policyValues.some((v) => operator.test(requestValue, v, variables) === true);
}
