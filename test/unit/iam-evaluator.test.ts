// The IAM policy evaluator, case by case: the product's own questions (Bedrock assuming an agent
// role, a role invoking a model within its boundary, Bedrock invoking a Lambda, the operator's own
// IAM policy), then each rule of IAM's evaluation logic on its own. The generated comparison with
// an independent evaluator is in iam-evaluator-oracle.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyPolicy, AnyStatement } from '../../src/aws/iam/policy-json.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import { parseOperator } from '../../src/iam/evaluator/conditions.ts';
import { effectiveContext } from '../../src/iam/evaluator/context.ts';
import { describeDecision } from '../../src/iam/evaluator/explain.ts';
import type { AccessRequest, Decision, PolicySet, RequestContext, RequestPrincipal } from '../../src/iam/evaluator/types.ts';

const root = join(import.meta.dirname, '..', '..');
const A = '111122223333';
const B = '444455556666';
const role = (name: string, account = A): RequestPrincipal => ({ type: 'AWS', arn: `arn:aws:iam::${account}:role/${name}`, account });
const user = (name: string, account = A): RequestPrincipal => ({ type: 'AWS', arn: `arn:aws:iam::${account}:user/${name}`, account });
const service = (name: string): RequestPrincipal => ({ type: 'Service', service: name });
const AGENT_ROLE = `arn:aws:iam::${A}:role/custom-agent-role`;
const agentRole = role('custom-agent-role');
const HAIKU = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
const FUNCTION = `arn:aws:lambda:us-east-1:${A}:function:approved-orders`;
const AGENT = `arn:aws:bedrock:us-east-1:${A}:agent/AGENT12345`;

const doc = (...Statement: AnyStatement[]): AnyPolicy => ({ Version: '2012-10-17', Statement });
const named = (name: string, ...statements: AnyStatement[]) => ({ name, document: doc(...statements) });
const req = (principal: RequestPrincipal, action: string, resource: string, context: RequestContext = {}, extra: Partial<AccessRequest> = {}): AccessRequest =>
  ({ principal, action, resource, context, ...extra });
const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };

/** The decision alone, or with the statements that made it as `policy#index`. */
const outcome = (d: Decision) => d.decision;
function by(d: Decision): string[] {
  if (d.decision === 'Allow') return d.allowedBy.map((s) => `${s.policy}#${s.index}`);
  if (d.decision === 'ExplicitDeny') return d.deniedBy.map((s) => `${s.policy}#${s.index}`);
  return d.missing;
}
/** Identity policy with one statement, evaluated for `agentRole` on HAIKU. */
const identityOnly = (statement: AnyStatement, request: Partial<AccessRequest> = {}) =>
  authorize({ ...req(agentRole, 'bedrock:InvokeModel', HAIKU), ...request }, { identity: [named('id', statement)] });
/** Whether a condition block holds: an identity Allow with it decides. */
const holds = (condition: Record<string, Record<string, unknown>>, context: RequestContext = {}, version = '2012-10-17') =>
  authorize(req(agentRole, 'bedrock:InvokeModel', HAIKU, context), {
    identity: [{ name: 'id', document: { Version: version, Statement: [{ ...allowAll, Condition: condition }] } }],
  }).decision === 'Allow';

describe('the product\'s questions', () => {
  const trust = {
    name: 'role custom-agent-role, trust policy',
    document: {
      version: '2012-10-17',
      statement: [{
        sid: 'BedrockAssumes', effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole',
        condition: { StringEquals: { 'aws:SourceAccount': A }, ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${A}:agent/*` } },
      }],
    },
  };
  const assume = (context: RequestContext) => authorize(req(service('bedrock.amazonaws.com'), 'sts:AssumeRole', AGENT_ROLE, context), { resource: trust });

  it('Bedrock may assume the agent role for an agent of the account (API spelling)', () => {
    const d = assume({ 'aws:SourceAccount': A, 'aws:SourceArn': AGENT });
    expect(d).toEqual({ decision: 'Allow', allowedBy: [{ policy: trust.name, index: 0, sid: 'BedrockAssumes', kind: 'resource' }] });
  });

  it('but not for another account\'s agent, nor without the source keys', () => {
    expect(assume({ 'aws:SourceAccount': B, 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${B}:agent/X` })).toEqual({ decision: 'ImplicitDeny', missing: ['resource'] });
    expect(outcome(assume({}))).toBe('ImplicitDeny');
  });

  it('a role invokes a foundation model when its inline policy and its boundary allow it', () => {
    const inline = named('role custom-agent-role, inline policy bedrock', { Sid: 'Invoke', Effect: 'Allow', Action: 'bedrock:InvokeModel*', Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.*' });
    const boundary = named('boundary forge-boundary', { Effect: 'Allow', Action: ['bedrock:*', 'lambda:*'], Resource: '*' });
    const d = authorize(req(agentRole, 'bedrock:InvokeModel', HAIKU), { identity: [inline], boundary });
    expect(by(d)).toEqual(['role custom-agent-role, inline policy bedrock#0', 'boundary forge-boundary#0']);
    const narrow = named('boundary forge-boundary', { Effect: 'Allow', Action: 'lambda:*', Resource: '*' });
    expect(authorize(req(agentRole, 'bedrock:InvokeModel', HAIKU), { identity: [inline], boundary: narrow })).toEqual({ decision: 'ImplicitDeny', missing: ['boundary'] });
    expect(authorize(req(agentRole, 'bedrock:InvokeModel', HAIKU), { identity: [], boundary })).toEqual({ decision: 'ImplicitDeny', missing: ['identity'] });
  });

  it('Bedrock may invoke a Lambda whose function policy names the agent', () => {
    const policy = named(`function approved-orders, policy`, {
      Sid: 'AgentInvokes', Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FUNCTION,
      Condition: { ArnLike: { 'AWS:SourceArn': AGENT } },
    });
    expect(outcome(authorize(req(service('bedrock.amazonaws.com'), 'lambda:InvokeFunction', FUNCTION, { 'aws:SourceArn': AGENT }), { resource: policy }))).toBe('Allow');
    expect(outcome(authorize(req(service('bedrock.amazonaws.com'), 'lambda:InvokeFunction', FUNCTION, { 'aws:SourceArn': `${AGENT}X` }), { resource: policy }))).toBe('ImplicitDeny');
    expect(outcome(authorize(req(service('lambda.amazonaws.com'), 'lambda:InvokeFunction', FUNCTION, { 'aws:SourceArn': AGENT }), { resource: policy }))).toBe('ImplicitDeny');
  });

  it('an explicit Deny names its statement, Sid and policy', () => {
    const request = req(agentRole, 'iam:DeleteRole', AGENT_ROLE);
    const d = authorize(request, {
      identity: [named('operator', allowAll, { Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }, { Sid: 'NoDelete', Effect: 'Deny', Action: 'iam:Delete*', Resource: '*' })],
    });
    expect(d).toEqual({ decision: 'ExplicitDeny', deniedBy: [{ policy: 'operator', index: 2, sid: 'NoDelete', kind: 'identity' }] });
    expect(describeDecision(request, d)).toBe(`role custom-agent-role is denied iam:DeleteRole on ${AGENT_ROLE} by statement 2 (Sid NoDelete) of operator`);
  });

  it('a decision reads as a sentence', () => {
    const request = req(agentRole, 'bedrock:InvokeModel', HAIKU);
    expect(describeDecision(request, authorize(request, { identity: [] }))).toBe(`no identity policy of role custom-agent-role allows bedrock:InvokeModel on ${HAIKU}`);
    const inline = named('role custom-agent-role, inline policy bedrock', { Sid: 'Invoke', Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' });
    expect(describeDecision(request, authorize(request, { identity: [inline] })))
      .toBe(`role custom-agent-role is allowed bedrock:InvokeModel on ${HAIKU} by statement 0 (Sid Invoke) of role custom-agent-role, inline policy bedrock`);
    const fn = req(service('bedrock.amazonaws.com'), 'lambda:InvokeFunction', FUNCTION);
    expect(describeDecision(fn, authorize(fn, {}))).toBe(`the resource policy does not allow bedrock.amazonaws.com lambda:InvokeFunction on ${FUNCTION}`);
  });

  describe('the operator\'s IAM policy, as the emulator uses it', () => {
    const boundaryArn = `arn:aws:iam::${A}:policy/forge-boundary`;
    const text = readFileSync(join(root, 'policies', 'operator-iam-policy.json'), 'utf8')
      .replaceAll('${AWS_ACCOUNT_ID}', A).replaceAll('${AWS_REGION}', 'us-east-1').replaceAll('${PERMISSIONS_BOUNDARY_ARN}', boundaryArn);
    const policies: PolicySet = { identity: [{ name: 'operator policy', document: JSON.parse(text) as AnyPolicy }] };
    const operator = role('bedrock-forge-operator');
    const newRole = `arn:aws:iam::${A}:role/forge-new-role`;
    const decide = (action: string, resource: string, context: RequestContext = {}) => authorize(req(operator, action, resource, context), policies);

    it('creates roles only with the boundary', () => {
      expect(outcome(decide('iam:CreateRole', newRole, { 'iam:PermissionsBoundary': boundaryArn }))).toBe('Allow');
      expect(outcome(decide('iam:CreateRole', newRole, { 'iam:PermissionsBoundary': `arn:aws:iam::${A}:policy/other` }))).toBe('ImplicitDeny');
      expect(outcome(decide('iam:CreateRole', newRole))).toBe('ImplicitDeny');
    });
    it('passes roles to Lambda and Bedrock only', () => {
      expect(outcome(decide('iam:PassRole', newRole, { 'iam:PassedToService': 'bedrock.amazonaws.com' }))).toBe('Allow');
      expect(outcome(decide('iam:PassRole', newRole, { 'iam:PassedToService': 'ec2.amazonaws.com' }))).toBe('ImplicitDeny');
    });
    it('never removes a boundary, and stays in its account', () => {
      expect(by(decide('iam:DeleteRolePermissionsBoundary', newRole))).toEqual(['operator policy#3']);
      expect(outcome(decide('iam:GetRole', `arn:aws:iam::${B}:role/x`))).toBe('ImplicitDeny');
      expect(outcome(decide('lambda:GetFunction', FUNCTION))).toBe('Allow');
    });
    it('reads Lambda code from S3 in its own account (aws:ResourceAccount)', () => {
      expect(outcome(decide('s3:GetObject', 'arn:aws:s3:::code-bucket/fn.zip'))).toBe('Allow');
      expect(outcome(authorize(req(operator, 's3:GetObject', 'arn:aws:s3:::theirs/fn.zip', {}, { resourceAccount: B }), policies))).toBe('ImplicitDeny');
    });
  });
});

describe('Action and NotAction', () => {
  const action = (Action: string | string[], requested = 'bedrock:InvokeModel') => outcome(identityOnly({ Effect: 'Allow', Action, Resource: '*' }, { action: requested }));
  it('match case-insensitively, with * and ? wildcards in the action name', () => {
    expect(action('BEDROCK:invokemodel')).toBe('Allow');
    expect(action('bedrock:Invoke*')).toBe('Allow');
    expect(action('bedrock:Invoke?odel')).toBe('Allow');
    expect(action('bedrock:Invoke?')).toBe('ImplicitDeny');
    expect(action('*')).toBe('Allow');
    expect(action('lambda:InvokeModel')).toBe('ImplicitDeny');
    expect(action(['s3:GetObject', 'bedrock:*'])).toBe('Allow');
  });
  it('NotAction applies to every other action', () => {
    expect(outcome(identityOnly({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }))).toBe('Allow');
    expect(outcome(identityOnly({ Effect: 'Allow', NotAction: ['iam:*', 'bedrock:Invoke*'], Resource: '*' }))).toBe('ImplicitDeny');
  });
});

describe('Resource and NotResource', () => {
  const resource = (Resource: string | string[], requested = HAIKU) => outcome(identityOnly({ Effect: 'Allow', Action: '*', Resource }, { resource: requested }));
  it('match case-sensitively, with * (across colons) and ? wildcards', () => {
    expect(resource('arn:aws:bedrock:us-east-1::foundation-model/anthropic.*')).toBe('Allow');
    expect(resource('arn:aws:bedrock:us-east-1::foundation-model/Anthropic.*')).toBe('ImplicitDeny');
    expect(resource('arn:aws:bedrock:*')).toBe('Allow');
    expect(resource('arn:aws:bedrock:us-east-?::foundation-model/*')).toBe('Allow');
    expect(resource('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0')).toBe('Allow');
    expect(resource('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1')).toBe('ImplicitDeny');
  });
  it('a request on "*" (an action with no resource type) needs Resource "*"', () => {
    expect(resource('*', '*')).toBe('Allow');
    expect(resource('arn:aws:bedrock:*', '*')).toBe('ImplicitDeny');
  });
  it('NotResource applies to every other resource', () => {
    expect(outcome(identityOnly({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:iam::*:role/*' }))).toBe('Allow');
    expect(outcome(identityOnly({ Effect: 'Allow', Action: '*', NotResource: ['arn:aws:iam::*', 'arn:aws:bedrock:*'] }))).toBe('ImplicitDeny');
  });
  it('resolve policy variables; an unresolvable one matches nothing, and NotResource does not apply either', () => {
    const own = `arn:aws:lambda:us-east-1:${A}:function:\${aws:PrincipalTag/team}-*`;
    const on = (context: RequestContext, statement: AnyStatement) => outcome(identityOnly(statement, { action: 'lambda:InvokeFunction', resource: FUNCTION, context }));
    expect(on({ 'aws:PrincipalTag/team': 'approved' }, { Effect: 'Allow', Action: '*', Resource: own })).toBe('Allow');
    expect(on({ 'aws:PrincipalTag/team': 'other' }, { Effect: 'Allow', Action: '*', Resource: own })).toBe('ImplicitDeny');
    expect(on({}, { Effect: 'Allow', Action: '*', Resource: own })).toBe('ImplicitDeny');
    expect(on({}, { Effect: 'Allow', Action: '*', NotResource: own })).toBe('ImplicitDeny');
    // Whatever the variable were, this pattern could not match a function: NotResource applies.
    expect(on({}, { Effect: 'Allow', Action: '*', NotResource: `arn:aws:iam::${A}:role/\${aws:PrincipalTag/team}` })).toBe('Allow');
    expect(on({}, { Effect: 'Allow', Action: '*', Resource: `arn:aws:lambda:us-east-1:${A}:function:\${aws:PrincipalTag/team, 'approved'}-orders` })).toBe('Allow');
  });
});

describe('Principal and NotPrincipal (resource policies)', () => {
  const invoke = (principal: RequestPrincipal, statement: AnyStatement, resource = FUNCTION) =>
    outcome(authorize(req(principal, 'lambda:InvokeFunction', resource), { resource: named('function policy', { Effect: 'Allow', Action: 'lambda:InvokeFunction', ...statement }) }));
  it('"*" and {AWS: "*"} name everyone, services included', () => {
    expect(invoke(role('x'), { Principal: '*' })).toBe('Allow');
    expect(invoke(role('x', B), { Principal: { AWS: '*' } }, FUNCTION)).toBe('ImplicitDeny'); // cross-account: identity must allow too
    expect(invoke(service('bedrock.amazonaws.com'), { Principal: { AWS: '*' } })).toBe('Allow');
  });
  it('a role ARN names that role alone', () => {
    expect(invoke(role('x'), { Principal: { AWS: `arn:aws:iam::${A}:role/x` } })).toBe('Allow');
    expect(invoke(role('y'), { Principal: { AWS: `arn:aws:iam::${A}:role/x` } })).toBe('ImplicitDeny');
  });
  it('an account (ID or root ARN) names its principals, who then need their identity policies too', () => {
    for (const account of [A, `arn:aws:iam::${A}:root`]) {
      expect(invoke(role('x'), { Principal: { AWS: account } })).toBe('ImplicitDeny');
      const withIdentity = authorize(req(role('x'), 'lambda:InvokeFunction', FUNCTION), {
        resource: named('function policy', { Effect: 'Allow', Principal: { AWS: account }, Action: '*' }),
        identity: [named('id', allowAll)],
      });
      expect(outcome(withIdentity)).toBe('Allow');
    }
  });
  it('service names compare case-insensitively, in API spelling too', () => {
    expect(invoke(service('bedrock.amazonaws.com'), { Principal: { Service: 'Bedrock.AmazonAWS.com' } })).toBe('Allow');
    expect(outcome(authorize(req(service('bedrock.amazonaws.com'), 'lambda:InvokeFunction', FUNCTION), {
      resource: { name: 'p', document: { statement: [{ effect: 'Allow', principal: { service: ['lambda.amazonaws.com', 'bedrock.amazonaws.com'] }, action: 'lambda:*' }] } },
    }))).toBe('Allow');
  });
  it('NotPrincipal applies to everyone it does not list', () => {
    expect(invoke(role('x'), { NotPrincipal: { AWS: `arn:aws:iam::${A}:role/y` } })).toBe('Allow');
    expect(invoke(role('y'), { NotPrincipal: { AWS: `arn:aws:iam::${A}:role/y` } })).toBe('ImplicitDeny');
    expect(invoke(role('y'), { NotPrincipal: { AWS: A } })).toBe('ImplicitDeny');
  });
  it('a service principal is decided by the resource policy alone', () => {
    const d = authorize(req(service('bedrock.amazonaws.com'), 'lambda:InvokeFunction', FUNCTION), { identity: [named('id', { ...allowAll, Effect: 'Deny' })] });
    expect(d).toEqual({ decision: 'ImplicitDeny', missing: ['resource'] });
  });
});

describe('same account, cross account, trust policies and boundaries', () => {
  const fnPolicy = (Principal: unknown) => named('function policy', { Effect: 'Allow', Principal, Action: 'lambda:InvokeFunction' });
  const id = named('id', { Effect: 'Allow', Action: 'lambda:*', Resource: '*' });
  const boundaryWithout = named('boundary', { Effect: 'Allow', Action: 's3:*', Resource: '*' });
  const boundaryWith = named('boundary', { Effect: 'Allow', Action: 'lambda:*', Resource: '*' });
  const invoke = (principal: RequestPrincipal, policies: PolicySet, resource = FUNCTION) => authorize(req(principal, 'lambda:InvokeFunction', resource), policies);

  it('same account: identity policies alone suffice; so does a resource policy naming the caller', () => {
    expect(outcome(invoke(role('x'), { identity: [id] }))).toBe('Allow');
    expect(outcome(invoke(role('x'), { resource: fnPolicy({ AWS: `arn:aws:iam::${A}:role/x` }) }))).toBe('Allow');
  });
  it('cross account: both sides must allow', () => {
    const theirs = `arn:aws:lambda:us-east-1:${B}:function:theirs`;
    expect(invoke(role('x'), { identity: [id] }, theirs)).toEqual({ decision: 'ImplicitDeny', missing: ['resource'] });
    expect(invoke(role('x'), { resource: fnPolicy({ AWS: A }) }, theirs)).toEqual({ decision: 'ImplicitDeny', missing: ['identity'] });
    expect(by(invoke(role('x'), { identity: [id], resource: fnPolicy({ AWS: A }) }, theirs))).toEqual(['id#0', 'function policy#0']);
    expect(outcome(invoke(role('x'), { identity: [id], resource: fnPolicy({ AWS: A }), boundary: boundaryWithout }, theirs))).toBe('ImplicitDeny');
  });
  it('resourceAccount overrides the ARN\'s account', () => {
    expect(outcome(authorize(req(role('x'), 'lambda:InvokeFunction', FUNCTION, {}, { resourceAccount: B }), { identity: [id] }))).toBe('ImplicitDeny');
  });
  it('a trust policy must name the caller or its account even in the same account', () => {
    const target = `arn:aws:iam::${A}:role/target`;
    const trust = (Principal: unknown) => named('trust', { Effect: 'Allow', Principal, Action: 'sts:AssumeRole' });
    const assume = (policies: PolicySet) => outcome(authorize(req(role('x'), 'sts:AssumeRole', target), policies));
    expect(assume({ identity: [named('id', allowAll)], resource: trust({ Service: 'bedrock.amazonaws.com' }) })).toBe('ImplicitDeny');
    expect(assume({ identity: [named('id', allowAll)], resource: trust({ AWS: A }) })).toBe('Allow');
    expect(assume({ resource: trust({ AWS: A }) })).toBe('ImplicitDeny');
    expect(assume({ resource: trust({ AWS: `arn:aws:iam::${A}:role/x` }) })).toBe('Allow');
    expect(assume({ identity: [named('id', allowAll)] })).toBe('Allow'); // no trust policy given: identity decides
  });
  it('a boundary limits identity grants and grants to a role ARN, not grants to "*" or to an IAM user', () => {
    expect(invoke(role('x'), { identity: [id], boundary: boundaryWithout })).toEqual({ decision: 'ImplicitDeny', missing: ['boundary'] });
    expect(outcome(invoke(role('x'), { identity: [id], boundary: boundaryWith }))).toBe('Allow');
    expect(outcome(invoke(role('x'), { resource: fnPolicy({ AWS: `arn:aws:iam::${A}:role/x` }), boundary: boundaryWithout }))).toBe('ImplicitDeny');
    expect(outcome(invoke(role('x'), { resource: fnPolicy({ AWS: `arn:aws:iam::${A}:role/x` }), boundary: boundaryWith }))).toBe('Allow');
    expect(outcome(invoke(role('x'), { resource: fnPolicy('*'), boundary: boundaryWithout }))).toBe('Allow');
    expect(outcome(invoke(user('alice'), { resource: fnPolicy({ AWS: `arn:aws:iam::${A}:user/alice` }), boundary: boundaryWithout }))).toBe('Allow');
  });
  it('an explicit Deny anywhere wins, in the boundary too', () => {
    const denyAll = named('deny', { Effect: 'Deny', Action: '*', Resource: '*' });
    expect(by(invoke(role('x'), { identity: [id], boundary: denyAll }))).toEqual(['deny#0']);
    expect(outcome(invoke(role('x'), { identity: [id, denyAll] }))).toBe('ExplicitDeny');
    const rpDeny = named('function policy', { Effect: 'Allow', Principal: '*', Action: '*' }, { Effect: 'Deny', Principal: { AWS: A }, Action: '*' });
    expect(by(invoke(role('x'), { identity: [id], resource: rpDeny }))).toEqual(['function policy#1']);
  });
  it('a Deny with NotPrincipal in a resource policy denies every principal with a boundary', () => {
    const rp = named('function policy', { Effect: 'Allow', Principal: '*', Action: '*' }, { Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${A}:role/x` }, Action: '*' });
    expect(outcome(invoke(role('x'), { resource: rp }))).toBe('Allow');
    expect(outcome(invoke(role('x'), { resource: rp, boundary: boundaryWith }))).toBe('ExplicitDeny');
  });
});

describe('condition operators', () => {
  it('every operator IAM has is implemented, with IfExists and the multivalue qualifiers', () => {
    const rules = JSON.parse(readFileSync(join(root, 'src', 'iam', 'iam-rules.json'), 'utf8')) as { conditionOperators: string[]; operatorsWithoutIfExists: string[]; multivalueQualifiers: string[] };
    for (const op of [...rules.conditionOperators, ...rules.operatorsWithoutIfExists]) {
      const forms = rules.operatorsWithoutIfExists.includes(op) ? [op] : [op, `${op}IfExists`];
      for (const form of [...forms, ...rules.multivalueQualifiers.flatMap((q) => forms.map((f) => `${q}:${f}`))]) {
        expect(parseOperator(form), form).toBeDefined();
      }
    }
    expect(parseOperator('NullIfExists')).toBeUndefined();
    expect(parseOperator('ForSomeValues:StringEquals')).toBeUndefined();
  });

  it('strings: exact, ignoring case, with wildcards, and their negations', () => {
    const ctx = { 'aws:PrincipalTag/team': 'Orders' };
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'Orders' } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'orders' } }, ctx)).toBe(false);
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'Ord*' } }, ctx)).toBe(false);
    expect(holds({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'ORDERS' } }, ctx)).toBe(true);
    expect(holds({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'ORDERS' } }, ctx)).toBe(false);
    expect(holds({ StringLike: { 'aws:PrincipalTag/team': 'Ord?rs' } }, ctx)).toBe(true);
    expect(holds({ StringLike: { 'aws:PrincipalTag/team': 'ord*' } }, ctx)).toBe(false);
    expect(holds({ StringNotLike: { 'aws:PrincipalTag/team': ['x*', 'y*'] } }, ctx)).toBe(true);
    expect(holds({ StringNotLike: { 'aws:PrincipalTag/team': ['x*', 'O*'] } }, ctx)).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:PrincipalTag/team': 'Sales' } }, ctx)).toBe(true);
  });

  it('numbers', () => {
    const ctx = { 'aws:MultiFactorAuthAge': '3600' };
    expect(holds({ NumericEquals: { 'aws:MultiFactorAuthAge': '3600.0' } }, ctx)).toBe(true);
    expect(holds({ NumericNotEquals: { 'aws:MultiFactorAuthAge': ['1', '2'] } }, ctx)).toBe(true);
    expect(holds({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, ctx)).toBe(false);
    expect(holds({ NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' } }, ctx)).toBe(true);
    expect(holds({ NumericGreaterThan: { 'aws:MultiFactorAuthAge': '-1' } }, ctx)).toBe(true);
    expect(holds({ NumericGreaterThanEquals: { 'aws:MultiFactorAuthAge': '4000' } }, ctx)).toBe(false);
    expect(holds({ NumericEquals: { 'aws:MultiFactorAuthAge': 'many' } }, ctx)).toBe(false);
    expect(holds({ NumericNotEquals: { 'aws:MultiFactorAuthAge': 'many' } }, ctx)).toBe(false); // a malformed value never grants
  });

  it('dates: ISO 8601 and epoch seconds', () => {
    const ctx = { 'aws:CurrentTime': '2024-06-01T12:00:00Z', 'aws:EpochTime': '1717243200' };
    expect(holds({ DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, ctx)).toBe(true);
    expect(holds({ DateLessThan: { 'aws:CurrentTime': '2024-06-01' } }, ctx)).toBe(false);
    expect(holds({ DateEquals: { 'aws:CurrentTime': '2024-06-01T14:00:00+02:00' } }, ctx)).toBe(true);
    expect(holds({ DateNotEquals: { 'aws:CurrentTime': '2024-06-01T12:00:01Z' } }, ctx)).toBe(true);
    expect(holds({ DateLessThanEquals: { 'aws:EpochTime': '2024-06-01T12:00:00Z' } }, ctx)).toBe(true);
    expect(holds({ DateGreaterThanEquals: { 'aws:CurrentTime': '1717243201' } }, ctx)).toBe(false);
  });

  it('booleans, binary, IP addresses', () => {
    expect(holds({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'TRUE' })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' })).toBe(false);
    expect(holds({ Bool: { 'aws:SecureTransport': 'yes' } }, { 'aws:SecureTransport': 'true' })).toBe(false);
    expect(holds({ BinaryEquals: { 'x:blob': 'QmVkcm9jaw==' } }, { 'x:blob': 'QmVkcm9jaw==' })).toBe(true);
    const ip = (address: string) => ({ 'aws:SourceIp': address });
    expect(holds({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } }, ip('10.1.2.3'))).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, ip('2001:db8:0:0::1'))).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ip('11.0.0.1'))).toBe(false);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ip('2001:db8::1'))).toBe(true);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ip('10.9.9.9'))).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.1' } }, ip('10.0.0.1'))).toBe(true);
  });

  it('ARNs: each part on its own, wildcards within a part', () => {
    const ctx = { 'aws:SourceArn': AGENT };
    expect(holds({ ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:*:${A}:agent/*` } }, ctx)).toBe(true);
    expect(holds({ ArnEquals: { 'aws:SourceArn': AGENT } }, ctx)).toBe(true);
    // A * does not reach across a colon: region and account are separate parts.
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:*:agent/*' } }, ctx)).toBe(false);
    expect(holds({ ArnNotLike: { 'aws:SourceArn': `arn:aws:bedrock:*:${B}:agent/*` } }, ctx)).toBe(true);
    expect(holds({ ArnNotEquals: { 'aws:SourceArn': AGENT } }, ctx)).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'not-an-arn' } }, ctx)).toBe(false);
    // A part that differs decides whatever a variable without a value elsewhere would be; otherwise it is unknown.
    expect(holds({ ArnNotLike: { 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${B}:agent/\${aws:PrincipalTag/team}` } }, ctx)).toBe(true);
    expect(holds({ ArnNotLike: { 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${A}:agent/\${aws:PrincipalTag/team}` } }, ctx)).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${A}:agent/\${aws:PrincipalTag/team}` } }, ctx)).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${A}:agent/\${aws:PrincipalTag/team}` } }, { ...ctx, 'aws:PrincipalTag/team': 'AGENT12345' })).toBe(true);
  });

  it('Null compares presence; IfExists and negated operators hold when the key is missing', () => {
    expect(holds({ Null: { 'aws:SourceArn': 'true' } })).toBe(true);
    expect(holds({ Null: { 'aws:SourceArn': 'false' } })).toBe(false);
    expect(holds({ Null: { 'aws:SourceArn': 'false' } }, { 'aws:SourceArn': AGENT })).toBe(true);
    expect(holds({ StringEquals: { 'aws:SourceAccount': A } })).toBe(false);
    expect(holds({ StringEqualsIfExists: { 'aws:SourceAccount': A } })).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'aws:SourceAccount': A } }, { 'aws:SourceAccount': B })).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:SourceAccount': A } })).toBe(true);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })).toBe(true);
  });

  it('ForAnyValue and ForAllValues over multivalued keys', () => {
    const tags = (...keys: string[]) => ({ 'aws:TagKeys': keys });
    expect(holds({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'cost'] } }, tags('env', 'team'))).toBe(true);
    expect(holds({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['cost'] } }, tags('env', 'team'))).toBe(false);
    expect(holds({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['cost'] } })).toBe(false);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }, tags('env', 'team'))).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } }, tags('env', 'team'))).toBe(false);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } })).toBe(true); // missing key: vacuously true
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } }, tags())).toBe(true);
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['env'] } }, tags('env', 'team'))).toBe(true);
    expect(holds({ 'ForAllValues:StringNotLike': { 'aws:TagKeys': ['e*'] } }, tags('env', 'team'))).toBe(false);
    expect(holds({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['env'] } })).toBe(true);
    // A single-valued operator never matches a multivalued key, even with one value.
    expect(holds({ StringEquals: { 'aws:TagKeys': 'env' } }, tags('env'))).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:TagKeys': 'x' } }, tags('env'))).toBe(false);
    // A single value is a one-element set for the qualifiers.
    expect(holds({ 'ForAnyValue:StringLike': { 'aws:PrincipalTag/team': ['ord*'] } }, { 'aws:PrincipalTag/team': 'orders' })).toBe(true);
  });

  it('keys AND, values OR, key names case-insensitive, operator names not', () => {
    const ctx = { 'aws:SourceAccount': A, 'AWS:SourceArn': AGENT };
    expect(holds({ StringEquals: { 'aws:sourceaccount': [B, A] }, ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:*:${A}:agent/*` } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { 'aws:SourceAccount': A, 'aws:PrincipalTag/team': 'x' } }, ctx)).toBe(false);
    expect(holds({ StringEquals: { 'AWS:SOURCEACCOUNT': A } }, ctx)).toBe(true);
    expect(holds({ stringEquals: { 'aws:SourceAccount': A } }, ctx)).toBe(false); // IAM refuses it: reported, see below
    expect(parseOperator('forAnyValue:StringEquals')).toBeUndefined();
    expect(parseOperator('StringEqualsifexists')).toBeUndefined();
  });

  it('policy variables in values: resolved, with defaults, literal escapes, and never in 2008-10-17 policies', () => {
    const ctx = { 'aws:PrincipalTag/team': 'orders', 'aws:RequestTag/team': 'orders', 'aws:TagKeys': ['a', 'b'] };
    expect(holds({ StringEquals: { 'aws:RequestTag/team': '${aws:PrincipalTag/team}' } }, ctx)).toBe(true);
    expect(holds({ StringLike: { 'aws:RequestTag/team': '${aws:PrincipalTag/Team}*' } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { 'aws:RequestTag/team': "${aws:PrincipalTag/dept, 'orders'}" } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { 'aws:RequestTag/team': '${aws:PrincipalTag/dept}' } }, ctx)).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:RequestTag/team': '${aws:PrincipalTag/dept}' } }, ctx)).toBe(false); // unresolvable: no match either way
    expect(holds({ StringEquals: { 'aws:RequestTag/team': '${aws:TagKeys}' } }, ctx)).toBe(false); // multivalued: cannot be put in a string
    expect(holds({ StringEquals: { 'x:k': 'a${*}b${?}${$}' } }, { 'x:k': 'a*b?$' })).toBe(true);
    expect(holds({ StringEquals: { 'x:k': '${aws:PrincipalTag/team}' } }, { 'x:k': '${aws:PrincipalTag/team}', ...ctx }, '2008-10-17')).toBe(true);
    expect(holds({ StringEquals: { 'aws:username': 'alice' } })).toBe(false);
  });

  it('an unknown operator makes its statement match nothing, and is reported', () => {
    const d = authorize(req(agentRole, 'bedrock:InvokeModel', HAIKU), {
      identity: [named('id', allowAll, { Sid: 'Typo', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualz: { 'aws:SourceAccount': A } } })],
    });
    expect(d).toEqual({
      decision: 'Allow',
      allowedBy: [{ policy: 'id', index: 0, kind: 'identity' }],
      unsupported: ['id, statement 1 (Sid Typo): unknown condition operator "StringEqualz"'],
    });
  });

  it('other statements IAM would refuse are reported too', () => {
    const d = authorize(req(agentRole, 'bedrock:InvokeModel', HAIKU), { identity: [named('id', { Effect: 'Allow', Resource: '*' }, { Effect: 'allow', Action: '*', Resource: '*' })] });
    expect(d).toEqual({ decision: 'ImplicitDeny', missing: ['identity'], unsupported: ['id, statement 0: no Action or NotAction', 'id, statement 1: Effect "allow" is neither Allow nor Deny'] });
  });
});

describe('the context AWS always sets', () => {
  it('adds who calls and which account owns the resource, unless the request says otherwise', () => {
    expect(effectiveContext(req(user('alice'), 'lambda:GetFunction', FUNCTION))).toEqual({
      'aws:PrincipalArn': `arn:aws:iam::${A}:user/alice`, 'aws:PrincipalAccount': A, 'aws:PrincipalIsAWSService': 'false', 'aws:username': 'alice', 'aws:ResourceAccount': A,
    });
    expect(effectiveContext(req(service('bedrock.amazonaws.com'), 'sts:AssumeRole', `arn:aws:iam::${B}:role/r`, { 'AWS:ResourceAccount': A }))).toEqual({
      'AWS:ResourceAccount': A, 'aws:PrincipalServiceName': 'bedrock.amazonaws.com', 'aws:PrincipalIsAWSService': 'true',
    });
    expect(effectiveContext(req(agentRole, 'bedrock:InvokeModel', HAIKU))['aws:ResourceAccount']).toBe(A);
  });
  it('so an IAM user\'s own resources can be written with ${aws:username}', () => {
    const d = authorize(req(user('alice'), 'iam:GetUser', `arn:aws:iam::${A}:user/alice`), { identity: [named('id', { Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${A}:user/\${aws:username}` })] });
    expect(outcome(d)).toBe('Allow');
  });
});
