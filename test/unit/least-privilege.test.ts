// Least privilege, proven with the evaluator: every call the service needs with a generated role
// or resource policy is allowed, and its neighbours (another model, knowledge base, agent,
// account, function) are denied. And the access check names the call, resource and policy.
import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../src/api/agent.ts';
import type { AgentResource } from '../../src/api/kinds.ts';
import type { LambdaSpec } from '../../src/api/lambda.ts';
import type { IAMRoleSpec } from '../../src/api/iamrole.ts';
import { agentPermission } from '../../src/aws/lambda/permissions.ts';
import { accessVerdict } from '../../src/iam/access-check.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import type { AccessRequest, PolicySet } from '../../src/iam/evaluator/types.ts';
import { agentCalls } from '../../src/kinds/agent/agent-access.ts';
import { serviceRoleSpec } from '../../src/kinds/agent/service-role.ts';
import { executionRoleSpec } from '../../src/kinds/lambda/execution-role.ts';
import { lambdaCalls } from '../../src/kinds/lambda/lambda-access.ts';
import type { RoleDocuments } from '../../src/kinds/role-documents.ts';

const ACCOUNT = '123456789012';
const scope = { partition: 'aws', region: 'us-east-1', account: ACCOUNT };
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const AGENT_ARN = `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/AGENT12345`;
const KB = `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KB12345678`;

/** A role's documents as the access check reads them from an IAMRole spec. */
function documents(name: string, spec: IAMRoleSpec): RoleDocuments {
  const label = `role ${spec.roleName ?? name}`;
  return {
    label, arn: `arn:aws:iam::${ACCOUNT}:role/${spec.roleName ?? name}`, unreadable: [], boundary: undefined,
    trust: { name: `the trust policy of ${label}`, document: spec.assumeRolePolicy! },
    identity: (spec.inlinePolicies ?? []).map((p) => ({ name: `inline policy ${p.name} of ${label}`, document: p.policy })),
  };
}

const asRole = (role: RoleDocuments, action: string, resource: string, context: Record<string, string> = {}): [AccessRequest, PolicySet] =>
  [{ principal: { type: 'AWS', arn: role.arn, account: ACCOUNT }, action, resource, context }, { identity: role.identity }];
const asService = (service: string, role: RoleDocuments, context: Record<string, string>): [AccessRequest, PolicySet] =>
  [{ principal: { type: 'Service', service }, action: 'sts:AssumeRole', resource: role.arn, context }, { resource: role.trust! }];
const allowed = ([request, policies]: [AccessRequest, PolicySet]) => authorize(request, policies).decision === 'Allow';

const agentSpec = {
  foundationModel: MODEL, instruction: 'x'.repeat(40),
  actionGroups: [{ name: 'orders', apiSchema: { s3: { s3BucketName: 'schemas', s3ObjectKey: 'orders.yaml' } } }],
  knowledgeBases: [{ knowledgeBaseId: 'KB12345678', description: 'FAQ' }],
  guardrail: { identifier: 'gr1abc', version: '1' },
  customerEncryptionKey: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`,
} as unknown as AgentSpec;

describe('the generated agent service role', () => {
  const role = documents('r', serviceRoleSpec('orders', agentSpec, scope, AGENT_ARN));

  it('allows every call Bedrock makes for the agent', () => {
    const verdict = accessVerdict(agentCalls(agentSpec, role, scope, AGENT_ARN));
    expect(verdict).toMatchObject({ outcome: 'allowed' });
    expect(agentCalls(agentSpec, role, scope, AGENT_ARN).map((c) => c.request.action).sort()).toEqual(
      ['bedrock:ApplyGuardrail', 'bedrock:InvokeModel', 'bedrock:Retrieve', 'kms:Decrypt', 's3:GetObject', 'sts:AssumeRole']);
  });

  it('denies the neighbours: another model, knowledge base, guardrail, key, schema, agent, account', () => {
    expect(allowed(asRole(role, 'bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0'))).toBe(false);
    expect(allowed(asRole(role, 'bedrock:Retrieve', `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KBOTHER000`))).toBe(false);
    expect(allowed(asRole(role, 'bedrock:ApplyGuardrail', `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/other`))).toBe(false);
    expect(allowed(asRole(role, 'kms:Decrypt', `arn:aws:kms:us-east-1:${ACCOUNT}:key/k2`))).toBe(false);
    expect(allowed(asRole(role, 's3:GetObject', 'arn:aws:s3:::schemas/other.yaml', { 'aws:ResourceAccount': ACCOUNT }))).toBe(false);
    expect(allowed(asRole(role, 's3:GetObject', 'arn:aws:s3:::schemas/orders.yaml', { 'aws:ResourceAccount': '210987654321' }))).toBe(false);
    expect(allowed(asService('bedrock.amazonaws.com', role, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/OTHERAGENT` }))).toBe(false);
    expect(allowed(asService('bedrock.amazonaws.com', role, { 'aws:SourceAccount': '210987654321', 'aws:SourceArn': AGENT_ARN.replace(ACCOUNT, '210987654321') }))).toBe(false);
    expect(allowed(asService('lambda.amazonaws.com', role, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': AGENT_ARN }))).toBe(false);
  });

  it('before the agent exists, trusts this account\'s agents only', () => {
    const early = documents('r', serviceRoleSpec('orders', agentSpec, scope, undefined));
    expect(allowed(asService('bedrock.amazonaws.com', early, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': AGENT_ARN }))).toBe(true);
    expect(allowed(asService('bedrock.amazonaws.com', early, { 'aws:SourceAccount': '210987654321', 'aws:SourceArn': AGENT_ARN.replace(ACCOUNT, '210987654321') }))).toBe(false);
  });

  it('for a cross-region inference profile: the profile and the model behind it, not another model', () => {
    const spec = { ...agentSpec, foundationModel: `us.${MODEL}` } as AgentSpec;
    const profiled = documents('r', serviceRoleSpec('orders', spec, scope, AGENT_ARN));
    expect(accessVerdict(agentCalls(spec, profiled, scope, AGENT_ARN)).outcome).toBe('allowed');
    expect(allowed(asRole(profiled, 'bedrock:InvokeModel', `arn:aws:bedrock:us-west-2::foundation-model/${MODEL}`))).toBe(true);
    expect(allowed(asRole(profiled, 'bedrock:InvokeModel', 'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-opus-20240229-v1:0'))).toBe(false);
    expect(allowed(asRole(profiled, 'bedrock:InvokeModel', `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/eu.${MODEL}`))).toBe(false);
  });
});

describe('the generated Lambda execution role and resource policy', () => {
  const spec = { runtime: 'python3.12', handler: 'a.b', vpcConfig: { subnetIds: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] } } as unknown as LambdaSpec;
  const role = documents('f-execution', executionRoleSpec('orders-fn', spec, scope));
  const logGroup = (fn: string) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/${fn}`;
  const agent = (arn: string | undefined, name = 'orders') => ({ metadata: { name, namespace: 'default' }, spec: {}, status: arn ? { agentArn: arn } : {} }) as unknown as AgentResource;

  it('lets Lambda assume it for this account\'s function, and write its own logs', () => {
    expect(accessVerdict(lambdaCalls('orders-fn', role, [], [], scope)).outcome).toBe('allowed');
    expect(allowed(asRole(role, 'logs:CreateLogGroup', `${logGroup('orders-fn')}:*`))).toBe(true);
    expect(allowed(asRole(role, 'logs:PutLogEvents', `${logGroup('orders-fn')}:log-stream:2026/12/01/[$LATEST]abc`))).toBe(true);
    expect(allowed(asRole(role, 'ec2:CreateNetworkInterface', `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/subnet-0abc`))).toBe(true);
  });

  it('denies the neighbours: another function\'s log group, another subnet, another account, another service', () => {
    expect(allowed(asRole(role, 'logs:PutLogEvents', `${logGroup('other-fn')}:log-stream:x`))).toBe(false);
    expect(allowed(asRole(role, 'logs:CreateLogGroup', `${logGroup('orders-fn-2')}:*`))).toBe(false);
    expect(allowed(asRole(role, 'ec2:CreateNetworkInterface', `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/subnet-0other`))).toBe(false);
    expect(allowed(asService('lambda.amazonaws.com', role, { 'aws:SourceAccount': '210987654321' }))).toBe(false);
    expect(allowed(asService('bedrock.amazonaws.com', role, { 'aws:SourceAccount': ACCOUNT }))).toBe(false);
  });

  it('the resource policy lets the agent that calls it invoke it, and no other agent or account', () => {
    const permissions = [agentPermission(AGENT_ARN, ACCOUNT)];
    expect(accessVerdict(lambdaCalls('orders-fn', role, permissions, [agent(AGENT_ARN)], scope)).outcome).toBe('allowed');
    const other = accessVerdict(lambdaCalls('orders-fn', role, permissions, [agent(`arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/OTHERAGENT`, 'other')], scope));
    expect(other.outcome).toBe('denied');
    expect(other.message).toBe(`the resource policy of Lambda orders-fn does not allow bedrock.amazonaws.com lambda:InvokeFunction for agent default/other (arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/OTHERAGENT)`);
  });
});

describe('the access check on a user\'s role', () => {
  // The seed's custom-agent-role, as examples/seed writes it (without its managed policy, which AWS does not have).
  const seedRole = documents('custom-agent-role', {
    assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] },
    inlinePolicies: [{ name: 'CustomPermissions', policy: { version: '2012-10-17', statement: [{ effect: 'Allow', action: ['bedrock:InvokeModel'], resource: 'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0' }] } }],
  });

  it('names the model the role does not allow', () => {
    const spec = { foundationModel: MODEL, instruction: 'x'.repeat(40) } as AgentSpec;
    expect(accessVerdict(agentCalls(spec, seedRole, scope, AGENT_ARN))).toEqual({
      outcome: 'denied',
      message: `role custom-agent-role does not allow bedrock:InvokeModel on arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`,
    });
  });

  it('clears once the model is the one the role allows', () => {
    const spec = { foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0', instruction: 'x'.repeat(40) } as AgentSpec;
    expect(accessVerdict(agentCalls(spec, seedRole, scope, AGENT_ARN)).outcome).toBe('allowed');
  });

  it('says it cannot tell when a policy that might allow could not be read', () => {
    const spec = { foundationModel: MODEL, instruction: 'x'.repeat(40) } as AgentSpec;
    const verdict = accessVerdict(agentCalls(spec, { ...seedRole, unreadable: ['managed policy arn:aws:iam::aws:policy/X (AccessDenied: …)'] }, scope, AGENT_ARN));
    expect(verdict.outcome).toBe('unknown');
    expect(verdict.message).toContain('cannot read managed policy arn:aws:iam::aws:policy/X');
  });

  it('names the statement of an explicit deny', () => {
    const denying = { ...seedRole, identity: [...seedRole.identity, { name: 'inline policy Guard of role custom-agent-role', document: { statement: [{ sid: 'NoHaiku', effect: 'Deny', action: 'bedrock:InvokeModel', resource: '*' }] } }] };
    expect(accessVerdict(agentCalls({ foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0', instruction: 'x' } as AgentSpec, denying, scope, AGENT_ARN)).message)
      .toContain('is denied by statement 0 (Sid NoHaiku) of inline policy Guard of role custom-agent-role');
  });
});
