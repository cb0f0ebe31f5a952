// IAM policy documents: from the API's spelling (lowercase keys) to the JSON IAM takes, and a
// canonical form in which two documents IAM treats alike are equal. IAM rewrites what it stores
// (whitespace, key and array order, one-element arrays as strings, account IDs as root ARNs,
// URL-encoding on the way out), so documents are never compared as strings.
import type { ConditionBlock, PrincipalMap } from '../../api/policy-document.ts';

/** A statement in any of the spellings this project meets: the API's and IAM's own. */
export type AnyStatement = Record<string, unknown>;
export interface AnyPolicy {
  version?: string;
  Version?: string;
  statement?: AnyStatement[] | AnyStatement;
  Statement?: AnyStatement[] | AnyStatement;
}

export interface IamStatement {
  Sid?: string;
  Effect: string;
  Principal?: '*' | Record<string, string[]>;
  NotPrincipal?: '*' | Record<string, string[]>;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface IamPolicy {
  Version: string;
  Statement: IamStatement[];
}

const DEFAULT_VERSION = '2012-10-17';
/** What IAM assumes when a stored document has no Version. */
const IAM_IMPLICIT_VERSION = '2008-10-17';

const PRINCIPAL_TYPES: Record<string, string> = {
  service: 'Service', Service: 'Service',
  aws: 'AWS', AWS: 'AWS',
  federated: 'Federated', Federated: 'Federated',
  canonicalUser: 'CanonicalUser', CanonicalUser: 'CanonicalUser',
};

const ACCOUNT_ID = /^\d{12}$/;

function field(statement: AnyStatement, name: string): unknown {
  return statement[name] ?? statement[name.charAt(0).toLowerCase() + name.slice(1)];
}

function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

function principal(value: unknown): IamStatement['Principal'] {
  if (value === undefined || value === null) return undefined;
  if (value === '*') return '*';
  const out: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(value as PrincipalMap)) {
    const type = PRINCIPAL_TYPES[key] ?? key;
    out[type] = [...(out[type] ?? []), ...(list(values) ?? [])];
  }
  return out;
}

function condition(value: unknown): IamStatement['Condition'] {
  if (value === undefined || value === null) return undefined;
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries(value as ConditionBlock)) {
    out[operator] = Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, list(values) ?? []]));
  }
  return out;
}

function statementToIam(statement: AnyStatement): IamStatement {
  const out: IamStatement = { Effect: String(field(statement, 'Effect')) };
  const sid = field(statement, 'Sid');
  if (sid !== undefined && sid !== '') out.Sid = String(sid);
  const p = principal(field(statement, 'Principal'));
  if (p) out.Principal = p;
  const np = principal(field(statement, 'NotPrincipal'));
  if (np) out.NotPrincipal = np;
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const values = list(field(statement, key));
    if (values) out[key] = values;
  }
  const c = condition(field(statement, 'Condition'));
  if (c) out.Condition = c;
  return out;
}

function statements(policy: AnyPolicy): AnyStatement[] {
  const s = policy.Statement ?? policy.statement ?? [];
  return Array.isArray(s) ? s : [s];
}

/** The document to send to IAM for a policy of the API (Version defaults to 2012-10-17). */
export function toIamPolicy(policy: AnyPolicy): IamPolicy {
  return { Version: policy.Version ?? policy.version ?? DEFAULT_VERSION, Statement: statements(policy).map(statementToIam) };
}

/** JSON text of a policy for IAM, with single values unwrapped from their lists, as people write them. */
export function iamPolicyText(policy: AnyPolicy): string {
  const unwrap = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.length === 1 ? v[0] : v;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
    return v;
  };
  const doc = toIamPolicy(policy);
  return JSON.stringify({ Version: doc.Version, Statement: doc.Statement.map((s) => unwrap(s)) });
}

/** Parses a document as IAM returns it (URL-encoded JSON) or as written (JSON). */
export function parseIamPolicy(text: string): AnyPolicy {
  const decoded = text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
  return JSON.parse(decoded) as AnyPolicy;
}

const sortedUnique = (values: string[], fold?: (s: string) => string) =>
  [...new Set(values.map((v) => (fold ? fold(v) : v)))].sort();

/** An AWS principal as IAM stores it: an account ID becomes that account's root ARN. */
const awsPrincipal = (value: string) => (ACCOUNT_ID.test(value) ? `arn:aws:iam::${value}:root` : value);

function canonicalPrincipal(p: IamStatement['Principal']): IamStatement['Principal'] {
  if (p === undefined || p === '*') return p;
  return Object.fromEntries(Object.keys(p).sort().map((type) => [
    type,
    sortedUnique(p[type]!, type === 'AWS' ? awsPrincipal : type === 'Service' ? (s) => s.toLowerCase() : undefined),
  ]));
}

function canonicalStatement(s: IamStatement): IamStatement {
  const out: IamStatement = { Effect: s.Effect };
  if (s.Sid) out.Sid = s.Sid;
  if (s.Principal) out.Principal = canonicalPrincipal(s.Principal);
  if (s.NotPrincipal) out.NotPrincipal = canonicalPrincipal(s.NotPrincipal);
  // Action names are case-insensitive in IAM; resources are not.
  if (s.Action) out.Action = sortedUnique(s.Action, (a) => a.toLowerCase());
  if (s.NotAction) out.NotAction = sortedUnique(s.NotAction, (a) => a.toLowerCase());
  if (s.Resource) out.Resource = sortedUnique(s.Resource);
  if (s.NotResource) out.NotResource = sortedUnique(s.NotResource);
  if (s.Condition) {
    // Operators and condition keys are case-insensitive; values keep their case.
    const operators: Record<string, Record<string, string[]>> = {};
    for (const [operator, keys] of Object.entries(s.Condition)) {
      const target = (operators[operator.toLowerCase()] ??= {});
      for (const [key, values] of Object.entries(keys)) {
        const k = key.toLowerCase();
        target[k] = sortedUnique([...(target[k] ?? []), ...values]);
      }
    }
    out.Condition = Object.fromEntries(Object.keys(operators).sort().map((op) => [
      op,
      Object.fromEntries(Object.keys(operators[op]!).sort().map((k) => [k, operators[op]![k]!])),
    ]));
  }
  return out;
}

/** The canonical form: equal for any two documents IAM treats alike. */
export function canonicalPolicy(policy: AnyPolicy, implicitVersion = IAM_IMPLICIT_VERSION): IamPolicy {
  const doc = toIamPolicy({ ...policy, Version: policy.Version ?? policy.version ?? implicitVersion });
  const canonical = doc.Statement.map(canonicalStatement);
  return { Version: doc.Version, Statement: canonical.sort((a, b) => stableJson(a).localeCompare(stableJson(b))) };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether IAM treats the desired document (API spelling) and the observed one (as IAM returned it) alike. */
export function policiesEqual(desired: AnyPolicy, observed: AnyPolicy | string): boolean {
  const actual = typeof observed === 'string' ? parseIamPolicy(observed) : observed;
  return stableJson(canonicalPolicy(desired, DEFAULT_VERSION)) === stableJson(canonicalPolicy(actual));
}
