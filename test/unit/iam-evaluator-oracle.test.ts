// The IAM policy evaluator against an independent one: @cloud-copilot/iam-simulate (AGPL, so a
// test-only oracle, never imported from src/). Thousands of requests and policies are drawn from a
// seeded PRNG out of small pools (actions, resources, principals, condition operators, keys,
// values), so that the same case is drawn on every run and pools are small enough for matches,
// near misses and conflicts to be frequent. Both evaluators must agree on Allow / ExplicitDeny /
// ImplicitDeny, an ExplicitDeny must name the statements the oracle found denying, and an Allow
// only statements the oracle found allowing. A disagreement is shrunk (policies, statements,
// conditions, values and context keys removed while it still disagrees) and the smallest shown.
//
// Shapes where the oracle departs from AWS's documentation are not generated (each says why at
// the pool or choice that avoids it); the focused tests in iam-evaluator.test.ts pin our side.
import { runSimulation, type RunSimulationResults, type Simulation } from '@cloud-copilot/iam-simulate';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyPolicy } from '../../src/aws/iam/policy-json.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import { effectiveContext, resourceAccountOf } from '../../src/iam/evaluator/context.ts';
import type { AccessRequest, Decision, NamedPolicy, PolicySet, RequestContext, RequestPrincipal } from '../../src/iam/evaluator/types.ts';

const SEED = 20240601;
const CASES = 3000;

// ---------- a seeded PRNG (mulberry32) ----------

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Between min and max distinct items. */
  some<T>(items: readonly T[], min: number, max: number): T[] {
    const n = Math.min(items.length, min + this.int(max - min + 1));
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n) out.push(pool.splice(this.int(pool.length), 1)[0]!);
    return out;
  }
}

// ---------- pools ----------

const A = '111122223333';
const B = '444455556666';
const HAIKU = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
const TITAN = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1';
const ROLE_A = `arn:aws:iam::${A}:role/agent-role`;
const ROLE_A2 = `arn:aws:iam::${A}:role/service-role/forge-lambda`;
const ROLE_B = `arn:aws:iam::${B}:role/other`;
const NEW_ROLE = `arn:aws:iam::${A}:role/forge-new`;
const USER_A = `arn:aws:iam::${A}:user/alice`;
const USER_B = `arn:aws:iam::${B}:user/bob`;
const FN_A = `arn:aws:lambda:us-east-1:${A}:function:approved-fn`;
const FN_B = `arn:aws:lambda:us-east-1:${B}:function:Other`;
const AGENT_A = `arn:aws:bedrock:us-east-1:${A}:agent/AGENT1`;
const AGENT_B = `arn:aws:bedrock:us-east-1:${B}:agent/AGENT2`;
const BOUNDARY = `arn:aws:iam::${A}:policy/forge-boundary`;

/** Requests the oracle accepts: real actions on resources of their types (it checks both against its catalogue). */
interface Target {
  action: string;
  resources: string[];
  /** Whether such a resource has a resource policy (trust policy, function policy). */
  resourcePolicy: boolean;
  /** Service principals that make such requests. */
  services: string[];
  /** Service-specific keys this action has (the oracle drops keys an action does not have). */
  keys: string[];
  /** Filled in below: the ACTIONS and RESOURCES of the target's service, and "*". */
  actionPatterns: string[];
  resourcePatterns: string[];
}
const TARGETS: Array<Omit<Target, 'actionPatterns' | 'resourcePatterns'>> = [
  { action: 'bedrock:InvokeModel', resources: [HAIKU, TITAN], resourcePolicy: false, services: [], keys: [] },
  { action: 'bedrock:ListFoundationModels', resources: ['*'], resourcePolicy: false, services: [], keys: [] },
  { action: 'sts:AssumeRole', resources: [ROLE_A, ROLE_A2, ROLE_B], resourcePolicy: true, services: ['bedrock.amazonaws.com', 'lambda.amazonaws.com'], keys: [] },
  { action: 'lambda:InvokeFunction', resources: [FN_A, FN_B], resourcePolicy: true, services: ['bedrock.amazonaws.com', 'lambda.amazonaws.com'], keys: [] },
  { action: 'lambda:GetFunction', resources: [FN_A, FN_B], resourcePolicy: true, services: [], keys: [] },
  { action: 'iam:PassRole', resources: [ROLE_A, ROLE_A2, ROLE_B], resourcePolicy: false, services: [], keys: ['iam:PassedToService'] },
  { action: 'iam:CreateRole', resources: [NEW_ROLE], resourcePolicy: false, services: [], keys: ['iam:PermissionsBoundary'] },
];

const PRINCIPALS: RequestPrincipal[] = [
  { type: 'AWS', arn: ROLE_A, account: A },
  { type: 'AWS', arn: ROLE_A2, account: A },
  { type: 'AWS', arn: USER_A, account: A },
  { type: 'AWS', arn: ROLE_B, account: B },
  { type: 'AWS', arn: USER_B, account: B },
];

const ACTIONS = [
  '*', 'bedrock:*', 'bedrock:InvokeModel', 'bedrock:invoke*', 'BEDROCK:InvokeModel', 'bedrock:Invoke?odel', 'bedrock:List*',
  'sts:AssumeRole', 'sts:Assume*', 'STS:assumerole', 'lambda:InvokeFunction', 'lambda:*Function', 'lambda:Get*',
  'iam:PassRole', 'iam:*Role', 'iam:Create*', 's3:GetObject',
];

// Wildcards and variables only in the part after the resource type, and no case variants before
// it: the oracle compares partition, service, region and account case-insensitively (ARNs are
// case-sensitive), splits `${aws:x}` at its colon there, and never matches short ARNs.
// Variable defaults are written `, '…'` (comma and space), the only spelling the oracle reads.
const RESOURCES = [
  '*',
  'arn:aws:bedrock:*::foundation-model/*', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.*',
  'arn:aws:bedrock:us-east-1::foundation-model/Anthropic.*', HAIKU,
  `arn:aws:iam::${A}:role/*`, 'arn:aws:iam::*:role/agent-role', `arn:aws:iam::${A}:role/agent-?ole`, `arn:aws:iam::${A}:role/service-role/*`,
  `arn:aws:iam::${B}:role/*`, `arn:aws:iam::${A}:role/forge-*`, `arn:aws:iam::${A}:role/\${aws:username}`,
  `arn:aws:lambda:us-east-1:${A}:function:approved-*`, 'arn:aws:lambda:*:*:function:*', FN_B,
  `arn:aws:lambda:us-east-1:${A}:function:\${aws:PrincipalTag/team}-*`, `arn:aws:lambda:us-east-1:${A}:function:\${aws:PrincipalTag/team, 'approved'}-fn`,
];

const serviceOf = (arnOrAction: string) => (arnOrAction.startsWith('arn:') ? arnOrAction.split(':')[2] : arnOrAction.split(':')[0])?.toLowerCase();
const FULL_TARGETS: Target[] = TARGETS.map((t) => {
  const service = serviceOf(t.action);
  const resourceServices = new Set(t.resources.map(serviceOf));
  return {
    ...t,
    actionPatterns: ACTIONS.filter((a) => a === '*' || serviceOf(a) === service),
    resourcePatterns: RESOURCES.filter((r) => r === '*' || resourceServices.has(serviceOf(r))),
  };
});

// Service names only in lower case: the oracle compares them exactly.
const POLICY_PRINCIPALS: Array<'*' | Record<string, string[]>> = [
  '*', { AWS: ['*'] }, { AWS: [A] }, { AWS: [`arn:aws:iam::${A}:root`] }, { AWS: [B] }, { AWS: [ROLE_A] }, { AWS: [USER_A] },
  { AWS: [ROLE_B] }, { AWS: [ROLE_A2, USER_B] }, { Service: ['bedrock.amazonaws.com'] }, { Service: ['lambda.amazonaws.com'] },
  { Service: ['bedrock.amazonaws.com'], AWS: [B] },
];

type KeyType = 'string' | 'arn' | 'list' | 'iso' | 'epoch' | 'number' | 'bool' | 'ip';
interface KeySpec {
  key: string;
  type: KeyType;
  /** Values a request may carry (the derived keys' values come from the request itself). */
  values: string[];
  /** Values a policy compares with: the request's, near misses, wildcards, variables. */
  policyValues: string[];
  /** Set by the evaluator from the request (effectiveContext), never drawn. */
  derived?: boolean;
  /** Only with these actions. */
  actions?: string[];
}
// No empty strings anywhere: the oracle reads an empty context value as a missing one in variables.
// Dates keep one format per key: the oracle compares epoch seconds with ISO dates' milliseconds.
// Numbers and dates are well formed: the oracle's parseInt/Date.parse also read "12abc" or "ops 1".
// ARNs in conditions have six parts: the oracle reads a five-part one as having an empty resource.
const KEYS: KeySpec[] = [
  { key: 'aws:SourceAccount', type: 'string', values: [A, B], policyValues: [A, B, '*3333', '${aws:PrincipalAccount}'] },
  { key: 'aws:SourceArn', type: 'arn', values: [AGENT_A, AGENT_B, FN_A], policyValues: [AGENT_A, `arn:aws:bedrock:us-east-1:${A}:agent/*`, `arn:aws:bedrock:*:${B}:agent/*`, 'arn:aws:bedrock:us-east-?:*:agent/AGENT*', 'arn:aws:lambda:*:*:function:*', `arn:aws:bedrock:us-east-1:${A}:agent/\${aws:PrincipalTag/team}`] },
  { key: 'aws:PrincipalTag/team', type: 'string', values: ['approved', 'Approved', 'ops'], policyValues: ['approved', 'APPROVED', 'appr*', 'A?proved', 'ops', '*', '${aws:username}', "${aws:PrincipalTag/dept, 'ops'}", 'a${*}'] },
  { key: 'aws:PrincipalTag/dept', type: 'string', values: ['ops', 'approved'], policyValues: ['ops', '${aws:PrincipalTag/team}', 'o*'] },
  { key: 'aws:RequestedRegion', type: 'string', values: ['us-east-1', 'us-west-2'], policyValues: ['us-east-1', 'us-*', 'US-EAST-1', 'eu-west-1'] },
  { key: 'aws:TagKeys', type: 'list', values: ['env', 'team', 'Team'], policyValues: ['env', 'team', 'te*', 'TEAM', '${aws:PrincipalTag/team}'] },
  { key: 'aws:CurrentTime', type: 'iso', values: ['2024-01-01T00:00:00Z', '2024-06-01T12:00:00Z', '2025-01-01'], policyValues: ['2024-06-01T12:00:00Z', '2024-06-01T14:00:00+02:00', '2024-03-01', '2025-01-01T00:00:00Z'] },
  { key: 'aws:EpochTime', type: 'epoch', values: ['1700000000', '1717243200', '1800000000'], policyValues: ['1717243200', '1750000000', '1600000000'] },
  { key: 'aws:MultiFactorAuthAge', type: 'number', values: ['0', '3600', '86400', '12.5'], policyValues: ['0', '3600', '3600.0', '100', '-1', '12.5'] },
  { key: 'aws:SecureTransport', type: 'bool', values: ['true', 'false', 'TRUE'], policyValues: ['true', 'false', 'True'] },
  // CIDRs only: for a plain address the oracle never finds an address of the other family "not in" it.
  // No 0.0.0.0/0: the oracle's 32-bit shift makes its mask match nothing but 0.0.0.0.
  { key: 'aws:SourceIp', type: 'ip', values: ['10.0.0.5', '192.168.1.1', '2001:db8::1', '2001:db9::1'], policyValues: ['10.0.0.0/8', '10.0.0.5/32', '192.168.0.0/16', '128.0.0.0/1', '2001:db8::/32', '::/0'] },
  { key: 'iam:PassedToService', type: 'string', values: ['bedrock.amazonaws.com', 'lambda.amazonaws.com', 'ec2.amazonaws.com'], policyValues: ['bedrock.amazonaws.com', 'lambda.amazonaws.com', '*.amazonaws.com'], actions: ['iam:PassRole'] },
  { key: 'iam:PermissionsBoundary', type: 'arn', values: [BOUNDARY, `arn:aws:iam::${A}:policy/other`], policyValues: [BOUNDARY, `arn:aws:iam::${A}:policy/forge-*`, `arn:aws:iam::*:policy/*`], actions: ['iam:CreateRole'] },
  { key: 'aws:PrincipalArn', type: 'arn', values: [], policyValues: [ROLE_A, `arn:aws:iam::${A}:role/*`, `arn:aws:iam::*:user/\${aws:username}`, `arn:aws:iam::${B}:*`], derived: true },
  { key: 'aws:PrincipalAccount', type: 'string', values: [], policyValues: [A, B], derived: true },
  { key: 'aws:username', type: 'string', values: [], policyValues: ['alice', 'bob', 'a*'], derived: true },
  { key: 'aws:ResourceAccount', type: 'string', values: [], policyValues: [A, B, '${aws:PrincipalAccount}'], derived: true },
  { key: 'aws:PrincipalServiceName', type: 'string', values: [], policyValues: ['bedrock.amazonaws.com', '*.amazonaws.com'], derived: true },
];

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'];
const NUMERIC_OPS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'];
const DATE_OPS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'];
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];
/**
 * Operators for each type of key: its own family, the string family (any value is a string),
 * and families whose parse both evaluators refuse alike for these values. No Date operators on
 * non-date keys (V8's Date.parse reads odd strings as dates), no Numeric ones on ISO dates (the
 * oracle's parseInt reads "2024-…" as 2024).
 */
const OPS_FOR: Record<KeyType, string[]> = {
  string: [...STRING_OPS, ...NUMERIC_OPS, 'Bool', ...ARN_OPS],
  arn: [...ARN_OPS, ...STRING_OPS],
  list: STRING_OPS,
  iso: [...DATE_OPS, ...STRING_OPS],
  epoch: [...DATE_OPS, ...NUMERIC_OPS, ...STRING_OPS],
  number: [...NUMERIC_OPS, ...STRING_OPS],
  bool: ['Bool', ...STRING_OPS, 'BinaryEquals'],
  ip: ['IpAddress', 'NotIpAddress', ...STRING_OPS],
};

// ---------- cases ----------

type Condition = Record<string, Record<string, string[]>>;
// Type aliases, not interfaces, so that they are assignable to the evaluator's AnyPolicy.
type Statement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Principal?: '*' | Record<string, string[]>;
  NotPrincipal?: Record<string, string[]>;
  Condition?: Condition;
};
type Doc = { Version: '2012-10-17'; Statement: Statement[] };
interface Case {
  request: AccessRequest;
  identity: Doc[];
  boundary?: Doc;
  resource?: Doc;
  /** Give our evaluator the project's lowercase API spelling (the oracle always gets IAM's). */
  apiSpelling: boolean;
}

function drawCondition(rng: Rng, target: Target): Condition {
  const condition: Condition = {};
  for (let i = rng.chance(0.7) ? 1 : 2; i > 0; i--) {
    const spec = rng.pick(KEYS.filter((k) => !k.actions || k.actions.includes(target.action)));
    let operator: string;
    if (rng.chance(0.08)) operator = 'Null';
    else {
      const base = rng.pick(OPS_FOR[spec.type]);
      const qualifier = spec.type === 'list' ? (rng.chance(0.85) ? rng.pick(['ForAnyValue:', 'ForAllValues:']) : '') : rng.chance(0.1) ? rng.pick(['ForAnyValue:', 'ForAllValues:']) : '';
      // Not ForAnyValue with IfExists: for a missing key the oracle does not let IfExists hold.
      const ifExists = qualifier !== 'ForAnyValue:' && rng.chance(0.2) ? 'IfExists' : '';
      operator = `${qualifier}${base}${ifExists}`;
    }
    const values = operator === 'Null' ? rng.some(['true', 'false', 'TRUE'], 1, 1) : rng.some(spec.policyValues, 1, 3);
    const key = rng.chance(0.15) ? spec.key.toUpperCase() : spec.key;
    (condition[operator] ??= {})[key] = values;
  }
  return condition;
}

function drawStatement(rng: Rng, kind: 'identity' | 'boundary' | 'resource', target: Target, index: number): Statement {
  const allowShare = kind === 'boundary' ? 0.85 : 0.75;
  const s: Statement = { Effect: rng.chance(allowShare) ? 'Allow' : 'Deny' };
  if (rng.chance(0.2)) s.Sid = `S${index}`;
  // Mostly patterns of the requested service, so that statements often apply (and conflict).
  const actions = rng.some(rng.chance(0.75) ? target.actionPatterns : ACTIONS, 1, 3);
  if (rng.chance(0.8)) s.Action = actions;
  else s.NotAction = actions;
  // A resource policy's statements may leave Resource out.
  if (kind !== 'resource' || rng.chance(0.5)) {
    const resources = rng.some(rng.chance(0.75) ? target.resourcePatterns : RESOURCES, 1, 3);
    if (rng.chance(0.8)) s.Resource = resources;
    else s.NotResource = resources;
  }
  if (kind === 'resource') {
    const p = rng.pick(POLICY_PRINCIPALS);
    if (p !== '*' && rng.chance(0.15)) s.NotPrincipal = p;
    else s.Principal = p;
  }
  if (rng.chance(0.45)) s.Condition = drawCondition(rng, target);
  return s;
}

function drawDoc(rng: Rng, kind: 'identity' | 'boundary' | 'resource', target: Target): Doc {
  const n = 1 + rng.int(kind === 'boundary' ? 2 : 3);
  return { Version: '2012-10-17', Statement: Array.from({ length: n }, (_, i) => drawStatement(rng, kind, target, i)) };
}

function drawContext(rng: Rng, target: Target): RequestContext {
  const context: RequestContext = {};
  for (const spec of KEYS) {
    if (spec.derived || (spec.actions && !spec.actions.includes(target.action))) continue;
    if (!rng.chance(spec.actions ? 0.7 : 0.55)) continue;
    context[spec.key] = spec.type === 'list' ? rng.some(spec.values, 0, 3) : rng.pick(spec.values);
  }
  return context;
}

function drawCase(rng: Rng): Case {
  const target = rng.pick(FULL_TARGETS);
  const isService = target.services.length > 0 && rng.chance(0.3);
  const principal: RequestPrincipal = isService ? { type: 'Service', service: rng.pick(target.services) } : rng.pick(PRINCIPALS);
  const request: AccessRequest = { principal, action: target.action, resource: rng.pick(target.resources), context: drawContext(rng, target) };
  // A service principal has only the resource policy; only resources that have one get one.
  const c: Case = { request, identity: [], apiSpelling: rng.chance(0.3) };
  if (!isService) {
    c.identity = Array.from({ length: rng.chance(0.1) ? 0 : 1 + rng.int(2) }, () => drawDoc(rng, 'identity', target));
    if (rng.chance(0.35)) c.boundary = drawDoc(rng, 'boundary', target);
  }
  if (target.resourcePolicy && (isService || rng.chance(0.7))) c.resource = drawDoc(rng, 'resource', target);
  return c;
}

// ---------- both evaluators ----------

const lowerFirst = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);
/** The project's API spelling of a document: lowercase element names and principal types. */
function apiSpelling(doc: Doc): AnyPolicy {
  return {
    version: doc.Version,
    statement: doc.Statement.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => {
      if ((k === 'Principal' || k === 'NotPrincipal') && v !== '*') {
        return [lowerFirst(k), Object.fromEntries(Object.entries(v as Record<string, string[]>).map(([t, l]) => [t === 'AWS' ? 'aws' : lowerFirst(t), l]))];
      }
      return [lowerFirst(k), v];
    }))),
  };
}

const IDENTITY_NAME = (i: number) => `identity-${i}`;
function policySet(c: Case): PolicySet {
  const spell = (d: Doc): AnyPolicy => (c.apiSpelling ? apiSpelling(d) : d);
  const set: PolicySet = { identity: c.identity.map((d, i): NamedPolicy => ({ name: IDENTITY_NAME(i), document: spell(d) })) };
  if (c.boundary) set.boundary = { name: 'boundary', document: spell(c.boundary) };
  if (c.resource) set.resource = { name: 'resource', document: spell(c.resource) };
  return set;
}

interface Verdict {
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** `policy#index` of the deciding statements (ours) or of every applicable statement (oracle's). */
  allows: string[];
  denies: string[];
  error?: string;
}

function ours(c: Case): Verdict {
  const d: Decision = authorize(c.request, policySet(c));
  const key = (r: { policy: string; index: number }) => `${r.policy}#${r.index}`;
  return {
    decision: d.decision,
    allows: d.decision === 'Allow' ? d.allowedBy.map(key) : [],
    denies: d.decision === 'ExplicitDeny' ? d.deniedBy.map(key) : [],
    ...(d.unsupported && { error: d.unsupported.join('; ') }),
  };
}

async function oracle(c: Case): Promise<Verdict> {
  const p = c.request.principal;
  const simulation: Simulation = {
    request: {
      principal: p.type === 'AWS' ? p.arn : p.type === 'Service' ? p.service : p.provider,
      action: c.request.action,
      resource: { resource: c.request.resource, accountId: resourceAccountOf(c.request) ?? '' },
      // The same context our evaluator sees, with the keys it derives from the request.
      contextVariables: effectiveContext(c.request),
    },
    identityPolicies: c.identity.map((policy, i) => ({ name: IDENTITY_NAME(i), policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(c.boundary && { permissionBoundaryPolicies: [{ name: 'boundary', policy: c.boundary }] }),
    ...(c.resource && { resourcePolicy: c.resource }),
  };
  const result: RunSimulationResults = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (result.resultType !== 'single') return { decision: 'ImplicitDeny', allows: [], denies: [], error: `oracle ${result.resultType}: ${JSON.stringify(result.resultType === 'error' ? result.errors : result.overallResult)}` };
  const a = result.result.analysis;
  if ((result.result.ignoredContextKeys ?? []).length > 0) return { decision: 'ImplicitDeny', allows: [], denies: [], error: `oracle ignored context keys ${result.result.ignoredContextKeys?.join(', ')}` };
  // The oracle numbers statements from 1 and does not name a resource policy.
  const refs = (list: Array<{ policyId?: string | undefined; statement: { index(): number } }> | undefined, name?: string) =>
    (list ?? []).map((s) => `${name ?? s.policyId}#${s.statement.index() - 1}`);
  const groups = [
    [a.identityAnalysis, undefined],
    [a.permissionBoundaryAnalysis, undefined],
    [a.resourceAnalysis, 'resource'],
  ] as const;
  return {
    decision: a.result === 'Allowed' ? 'Allow' : a.result === 'ExplicitlyDenied' ? 'ExplicitDeny' : 'ImplicitDeny',
    allows: groups.flatMap(([g, name]) => refs(g?.allowStatements, name)),
    denies: groups.flatMap(([g, name]) => refs(g?.denyStatements, name)),
  };
}

/** Why the two disagree, or undefined when they agree. */
async function disagreement(c: Case): Promise<string | undefined> {
  const mine = ours(c);
  const theirs = await oracle(c);
  if (theirs.error) return theirs.error;
  if (mine.error) return `ours reported ${mine.error}`;
  if (mine.decision !== theirs.decision) return `ours ${mine.decision}, oracle ${theirs.decision}`;
  if (mine.decision === 'ExplicitDeny' && [...mine.denies].sort().join() !== [...new Set(theirs.denies)].sort().join()) {
    return `denied by ${mine.denies.join(', ')} here, by ${theirs.denies.join(', ')} in the oracle`;
  }
  const unknown = mine.allows.filter((s) => !theirs.allows.includes(s));
  if (unknown.length > 0) return `allowed by ${unknown.join(', ')}, which the oracle does not find allowing`;
  return undefined;
}

// ---------- shrinking ----------

const clone = <T>(x: T): T => structuredClone(x);

/** Every case one step smaller than `c`. */
function* smaller(c: Case): Generator<Case> {
  const docs: Array<[string, (x: Case) => Doc | undefined]> = [
    ...c.identity.map((_, i): [string, (x: Case) => Doc | undefined] => [`identity ${i}`, (x) => x.identity[i]]),
    ['boundary', (x) => x.boundary],
    ['resource', (x) => x.resource],
  ];
  for (let i = 0; i < c.identity.length; i++) yield { ...clone(c), identity: c.identity.filter((_, j) => j !== i) };
  if (c.boundary) { const x = clone(c); delete x.boundary; yield x; }
  if (c.resource) { const x = clone(c); delete x.resource; yield x; }
  if (c.apiSpelling) yield { ...clone(c), apiSpelling: false };
  for (const key of Object.keys(c.request.context)) {
    const x = clone(c);
    delete x.request.context[key];
    yield x;
    const v = c.request.context[key];
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) { const y = clone(c); y.request.context[key] = v.filter((_, j) => j !== i); yield y; }
  }
  for (const [, get] of docs) {
    const doc = get(c);
    if (!doc) continue;
    for (let si = 0; si < doc.Statement.length; si++) {
      if (doc.Statement.length > 1) { const x = clone(c); get(x)!.Statement.splice(si, 1); yield x; }
      const s = doc.Statement[si]!;
      const lists = ['Action', 'NotAction', 'Resource', 'NotResource'] as const;
      for (const field of lists) {
        const list = s[field];
        if (list && list.length > 1) for (let i = 0; i < list.length; i++) { const x = clone(c); get(x)!.Statement[si]![field] = list.filter((_, j) => j !== i); yield x; }
      }
      if (s.Sid) { const x = clone(c); delete get(x)!.Statement[si]!.Sid; yield x; }
      if (!s.Condition) continue;
      { const x = clone(c); delete get(x)!.Statement[si]!.Condition; yield x; }
      for (const [op, keys] of Object.entries(s.Condition)) {
        if (Object.keys(s.Condition).length > 1) { const x = clone(c); delete get(x)!.Statement[si]!.Condition![op]; yield x; }
        for (const [key, values] of Object.entries(keys)) {
          if (Object.keys(keys).length > 1) { const x = clone(c); delete get(x)!.Statement[si]!.Condition![op]![key]; yield x; }
          for (let i = 0; values.length > 1 && i < values.length; i++) { const x = clone(c); get(x)!.Statement[si]!.Condition![op]![key] = values.filter((_, j) => j !== i); yield x; }
        }
      }
    }
  }
}

/** Greedily removes parts of a disagreeing case while it still disagrees. */
async function shrink(c: Case): Promise<Case> {
  let current = c;
  for (let progress = true; progress;) {
    progress = false;
    for (const candidate of smaller(current)) {
      if (await disagreement(candidate)) {
        current = candidate;
        progress = true;
        break;
      }
    }
  }
  return current;
}

const size = (c: Case) => JSON.stringify(c).length;

describe('the IAM evaluator agrees with iam-simulate', () => {
  it('which only tests import (AGPL: nothing the product ships may)', () => {
    const src = join(import.meta.dirname, '..', '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|js|mjs|json)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => readFileSync(join(src, f), 'utf8').includes('@cloud-copilot/iam-simulate'))).toEqual([]);
  });

  it(`on ${CASES} generated cases (seed ${SEED})`, { timeout: 60_000 }, async () => {
    const rng = new Rng(SEED);
    const failing: Case[] = [];
    const tally = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
    for (let i = 0; i < CASES; i++) {
      const c = drawCase(rng);
      if (await disagreement(c)) failing.push(c);
      else tally[ours(c).decision] += 1;
    }
    if (failing.length > 0) {
      const smallest = await shrink(failing.reduce((a, b) => (size(b) < size(a) ? b : a)));
      const why = await disagreement(smallest);
      expect.fail(`${failing.length} of ${CASES} cases disagree; the smallest, shrunk: ${why}\n${JSON.stringify(smallest, null, 2)}`);
    }
    // Every outcome is drawn often enough to mean something.
    for (const count of Object.values(tally)) expect(count).toBeGreaterThan(CASES / 20);
  });
});
