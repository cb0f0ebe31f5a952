// Least privilege of the roles the operator generates for an Agent on AgentCore, proven with the
// policy evaluator as test/unit/least-privilege.test.ts does for Classic: every call AgentCore makes
// with the harness's execution role and the gateway's role is allowed, and its neighbours (another
// model, gateway, runtime's logs, memory, function, knowledge base, key, account) are denied; the
// trust policies let AgentCore assume each role for its own resource only. And the policy analysis
// (src/iam/findings.ts) finds nothing of medium or high severity in any of them.
import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../src/api/agent.ts';
import type { IAMRoleSpec } from '../../src/api/iamrole.ts';
import { accessVerdict } from '../../src/iam/access-check.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import type { AccessRequest, PolicySet } from '../../src/iam/evaluator/types.ts';
import { analysePolicies, atOrAbove } from '../../src/iam/findings.ts';
import { harnessCalls } from '../../src/kinds/agent/agentcore/agentcore-access.ts';
import { AGENTCORE_SERVICE, gatewayRoleSpec, harnessRoleSpec, type HarnessFacts } from '../../src/kinds/agent/agentcore/agentcore-roles.ts';
import { desiredTargets, type DesiredTarget } from '../../src/kinds/agent/agentcore/desired-agentcore.ts';
import { gatewayNameOf, harnessNameOf } from '../../src/kinds/agent/agentcore/names.ts';
import { roleDocuments } from '../../src/kinds/iamrole/iamrole-client.ts';
import type { RoleDocuments } from '../../src/kinds/role-documents.ts';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const scope = { partition: 'aws', region: 'us-east-1', account: ACCOUNT };
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const OTHER_MODEL = 'anthropic.claude-3-opus-20240229-v1:0';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const AC = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}`;
const LOGS = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes`;

const AGENT = 'orders';
const HARNESS = harnessNameOf(AGENT);
const HARNESS_ARN = `${AC}:harness/${HARNESS}-AbCdEf1234`;
const RUNTIME_ID = `harness_${HARNESS}-XyZ0123456`;
const RUNTIME_ARN = `${AC}:runtime/${RUNTIME_ID}`;
const MEMORY_ARN = `${AC}:memory/harness_${HARNESS}_mem-QwErTy1234`;
const GATEWAY = gatewayNameOf(AGENT);
const GATEWAY_ARN = `${AC}:gateway/${GATEWAY}-abcdefghij`;
const FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:order-lookup`;
const REFUNDS = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:refunds`;
const KB = `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KB12345678`;

/** A role's documents as the access check reads them from an IAMRole spec. */
function documents(spec: IAMRoleSpec): RoleDocuments {
  const label = `role ${spec.roleName!}`;
  return {
    label, arn: `arn:aws:iam::${ACCOUNT}:role/${spec.roleName!}`, unreadable: [], boundary: undefined,
    trust: { name: `the trust policy of ${label}`, document: spec.assumeRolePolicy! },
    identity: (spec.inlinePolicies ?? []).map((p) => ({ name: `inline policy ${p.name} of ${label}`, document: p.policy })),
  };
}

const asRole = (role: RoleDocuments, action: string, resource: string, context: Record<string, string> = {}): [AccessRequest, PolicySet] =>
  [{ principal: { type: 'AWS', arn: role.arn, account: ACCOUNT }, action, resource, context }, { identity: role.identity }];
const asService = (role: RoleDocuments, context: Record<string, string>, service = AGENTCORE_SERVICE): [AccessRequest, PolicySet] =>
  [{ principal: { type: 'Service', service }, action: 'sts:AssumeRole', resource: role.arn, context }, { resource: role.trust! }];
const allowed = ([request, policies]: [AccessRequest, PolicySet]) => authorize(request, policies).decision === 'Allow';
const from = (sourceArn: string, account = ACCOUNT) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': sourceArn });

const lookupOrder = {
  name: 'orders', actionGroupExecutor: { lambdaArn: FUNCTION },
  functionSchema: { functions: [{ name: 'lookup_order', parameters: { order_id: { type: 'string' as const, required: true } } }] },
};
const agentSpec: AgentSpec = {
  foundationModel: MODEL, instruction: 'x'.repeat(40),
  memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 30 },
  actionGroups: [lookupOrder, { name: 'code', parentActionGroupSignature: 'AMAZON.CodeInterpreter' }],
  knowledgeBases: [{ knowledgeBaseId: 'KB12345678', description: 'FAQ' }],
};
const known: HarnessFacts = {
  harnessName: HARNESS, harnessArn: HARNESS_ARN, runtimeArn: RUNTIME_ARN, memoryArn: MEMORY_ARN, gatewayArn: GATEWAY_ARN, usesGateway: true, managedMemory: true,
};
const before: HarnessFacts = { harnessName: HARNESS, usesGateway: true, managedMemory: true };

describe('the harness execution role, once the harness exists', () => {
  const role = documents(harnessRoleSpec(AGENT, agentSpec, scope, known));

  it('allows what the access check predicts AgentCore does: assume it for the harness, invoke the model streaming or not, call the gateway', () => {
    const calls = harnessCalls(agentSpec, role, scope, { harnessArn: HARNESS_ARN, gatewayArn: GATEWAY_ARN });
    expect(calls.map((c) => `${c.request.action} ${c.request.resource}`)).toEqual([
      `sts:AssumeRole ${role.arn}`,
      `bedrock:InvokeModel arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`,
      `bedrock:InvokeModelWithResponseStream arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`,
      `bedrock-agentcore:InvokeGateway ${GATEWAY_ARN}`,
    ]);
    expect(accessVerdict(calls)).toMatchObject({ outcome: 'allowed' });
  });

  it('allows the runtime\'s logs, traces and metrics, its workload identity\'s tokens, its managed memory and the code interpreter', () => {
    const logGroup = `${LOGS}/${RUNTIME_ID}-DEFAULT`;
    const calls: [string, string, Record<string, string>?][] = [
      ['logs:CreateLogGroup', logGroup],
      ['logs:DescribeLogStreams', logGroup],
      ['logs:CreateLogStream', `${logGroup}:log-stream:2026/12/01/[runtime-logs]abc`],
      ['logs:PutLogEvents', `${logGroup}:log-stream:2026/12/01/[runtime-logs]abc`],
      ['xray:PutTraceSegments', '*'],
      ['xray:GetSamplingRules', '*'],
      ['cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'bedrock-agentcore' }],
      ['bedrock-agentcore:GetWorkloadAccessToken', `${AC}:workload-identity-directory/default`],
      ['bedrock-agentcore:GetWorkloadAccessToken', `${AC}:workload-identity-directory/default/workload-identity/harness_${HARNESS}-XyZ0123456`],
      ['bedrock-agentcore:GetWorkloadAccessTokenForJWT', `${AC}:workload-identity-directory/default/workload-identity/harness_${HARNESS}-XyZ0123456`],
      ...['CreateEvent', 'GetEvent', 'ListEvents', 'DeleteEvent', 'RetrieveMemoryRecords'].map((a): [string, string] => [`bedrock-agentcore:${a}`, MEMORY_ARN]),
      ...['StartCodeInterpreterSession', 'InvokeCodeInterpreter', 'StopCodeInterpreterSession'].map((a): [string, string] => [`bedrock-agentcore:${a}`, 'arn:aws:bedrock-agentcore:us-east-1:aws:code-interpreter/aws.codeinterpreter.v1']),
    ];
    const denied = calls.filter(([action, resource, context]) => !allowed(asRole(role, action, resource, context))).map(([a, r]) => `${a} ${r}`);
    expect(denied).toEqual([]);
  });

  it('denies the neighbours: another model, gateway, runtime\'s logs, workload identity, memory, code interpreter, account, metric namespace', () => {
    const neighbours: [string, string, Record<string, string>?][] = [
      ['bedrock:InvokeModel', `arn:aws:bedrock:us-east-1::foundation-model/${OTHER_MODEL}`],
      ['bedrock:InvokeModelWithResponseStream', `arn:aws:bedrock:us-east-1::foundation-model/${OTHER_MODEL}`],
      ['bedrock:InvokeModel', `arn:aws:bedrock:us-west-2::foundation-model/${MODEL}`],
      ['bedrock:InvokeModel', `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.${MODEL}`],
      ['bedrock-agentcore:InvokeGateway', `${AC}:gateway/others-abcdefghij`],
      ['bedrock-agentcore:InvokeGateway', GATEWAY_ARN.replace(ACCOUNT, OTHER_ACCOUNT)],
      ['logs:PutLogEvents', `${LOGS}/harness_others-XyZ0123456-DEFAULT:log-stream:x`],
      ['logs:PutLogEvents', `${LOGS}/harness_${HARNESS}-OtHeR12345-DEFAULT:log-stream:x`],
      ['logs:CreateLogGroup', `${LOGS}/harness_${HARNESS}2-XyZ0123456-DEFAULT`],
      ['logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/order-lookup:log-stream:x`],
      ['logs:PutLogEvents', `${LOGS.replace(ACCOUNT, OTHER_ACCOUNT)}/${RUNTIME_ID}-DEFAULT:log-stream:x`],
      ['bedrock-agentcore:GetWorkloadAccessToken', `${AC}:workload-identity-directory/default/workload-identity/harness_others-XyZ0123456`],
      ['bedrock-agentcore:GetWorkloadAccessToken', `${AC}:workload-identity-directory/default/workload-identity/harness_${HARNESS}2-XyZ0123456`],
      ['bedrock-agentcore:GetWorkloadAccessToken', `${AC.replace(ACCOUNT, OTHER_ACCOUNT)}:workload-identity-directory/default`],
      ['bedrock-agentcore:CreateEvent', `${AC}:memory/harness_others_mem-QwErTy1234`],
      ['bedrock-agentcore:RetrieveMemoryRecords', `${AC}:memory/harness_${HARNESS}2_mem-QwErTy1234`],
      ['bedrock-agentcore:CreateEvent', MEMORY_ARN.replace(ACCOUNT, OTHER_ACCOUNT)],
      ['bedrock-agentcore:DeleteMemory', MEMORY_ARN],
      ['bedrock-agentcore:StartCodeInterpreterSession', `${AC}:code-interpreter/custom_interpreter-AbCdEf1234`],
      ['bedrock-agentcore:StartBrowserSession', 'arn:aws:bedrock-agentcore:us-east-1:aws:browser/aws.browser.v1'],
      ['bedrock-agentcore:InvokeAgentRuntime', RUNTIME_ARN],
      ['cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'AWS/Lambda' }],
      ['lambda:InvokeFunction', FUNCTION],
      ['bedrock:Retrieve', KB],
      ['iam:PassRole', role.arn],
    ];
    const wronglyAllowed = neighbours.filter(([action, resource, context]) => allowed(asRole(role, action, resource, context))).map(([a, r]) => `${a} ${r}`);
    expect(wronglyAllowed).toEqual([]);
  });

  it('trust: AgentCore may assume it for this harness and its runtime only, from this account only', () => {
    expect(allowed(asService(role, from(HARNESS_ARN)))).toBe(true);
    expect(allowed(asService(role, from(RUNTIME_ARN)))).toBe(true);
    expect(allowed(asService(role, from(`${AC}:harness/others-AbCdEf1234`)))).toBe(false);
    expect(allowed(asService(role, from(`${AC}:runtime/harness_others-XyZ0123456`)))).toBe(false);
    expect(allowed(asService(role, from(GATEWAY_ARN)))).toBe(false);
    expect(allowed(asService(role, from(HARNESS_ARN.replace(ACCOUNT, OTHER_ACCOUNT), OTHER_ACCOUNT)))).toBe(false);
    expect(allowed(asService(role, { 'aws:SourceAccount': ACCOUNT }))).toBe(false);
    expect(allowed(asService(role, from(HARNESS_ARN), 'bedrock.amazonaws.com'))).toBe(false);
    expect(allowed(asService(role, from(HARNESS_ARN), 'lambda.amazonaws.com'))).toBe(false);
  });
});

describe('the harness execution role, before the harness exists', () => {
  const role = documents(harnessRoleSpec(AGENT, agentSpec, scope, before));

  it('trusts AgentCore for this account\'s AgentCore resources in this region, not another account\'s or region\'s', () => {
    expect(allowed(asService(role, from(`${AC}:harness/${HARNESS}-AbCdEf1234`)))).toBe(true);
    expect(allowed(asService(role, from(`${AC}:runtime/${RUNTIME_ID}`)))).toBe(true);
    expect(allowed(asService(role, from(`arn:aws:bedrock-agentcore:us-east-1:${OTHER_ACCOUNT}:harness/x-AbCdEf1234`, OTHER_ACCOUNT)))).toBe(false);
    expect(allowed(asService(role, from(`arn:aws:bedrock-agentcore:us-east-1:${OTHER_ACCOUNT}:harness/x-AbCdEf1234`)))).toBe(false);
    expect(allowed(asService(role, from(`arn:aws:bedrock-agentcore:eu-west-1:${ACCOUNT}:harness/x-AbCdEf1234`)))).toBe(false);
    expect(allowed(asService(role, from(`arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/AGENT12345`)))).toBe(false);
  });

  it('allows the logs, tokens and memory named after the harness, and calls no gateway until its ARN is known', () => {
    expect(allowed(asRole(role, 'logs:PutLogEvents', `${LOGS}/${RUNTIME_ID}-DEFAULT:log-stream:x`))).toBe(true);
    expect(allowed(asRole(role, 'bedrock-agentcore:GetWorkloadAccessToken', `${AC}:workload-identity-directory/default/workload-identity/harness_${HARNESS}-XyZ0123456`))).toBe(true);
    expect(allowed(asRole(role, 'bedrock-agentcore:CreateEvent', MEMORY_ARN))).toBe(true);
    expect(allowed(asRole(role, 'bedrock-agentcore:InvokeGateway', GATEWAY_ARN))).toBe(false);
    expect(allowed(asRole(role, 'bedrock-agentcore:InvokeGateway', `${AC}:gateway/*`))).toBe(false);
  });

  // Before the runtime's ARN is known: a runtime ID is `harness_<name>-<10 characters>` and a
  // harness name has no `-`, so `harness_<name>-*` names no runtime of another harness.
  it('denies the logs of a harness whose name starts with this one\'s (orders2, orders_v2)', () => {
    expect(allowed(asRole(role, 'logs:CreateLogGroup', `${LOGS}/harness_${HARNESS}2-XyZ0123456-DEFAULT`))).toBe(false);
    expect(allowed(asRole(role, 'logs:PutLogEvents', `${LOGS}/harness_${HARNESS}_v2-XyZ0123456-DEFAULT:log-stream:x`))).toBe(false);
  });

  it('denies another harness\'s logs, tokens and memory, and another account\'s', () => {
    expect(allowed(asRole(role, 'logs:PutLogEvents', `${LOGS}/harness_others-XyZ0123456-DEFAULT:log-stream:x`))).toBe(false);
    expect(allowed(asRole(role, 'bedrock-agentcore:GetWorkloadAccessToken', `${AC}:workload-identity-directory/default/workload-identity/harness_others-XyZ0123456`))).toBe(false);
    expect(allowed(asRole(role, 'bedrock-agentcore:GetWorkloadAccessToken', `${AC}:workload-identity-directory/default/workload-identity/harness_${HARNESS}2-XyZ0123456`))).toBe(false);
    expect(allowed(asRole(role, 'bedrock-agentcore:CreateEvent', `${AC}:memory/harness_others_mem-QwErTy1234`))).toBe(false);
    expect(allowed(asRole(role, 'bedrock-agentcore:CreateEvent', MEMORY_ARN.replace(ACCOUNT, OTHER_ACCOUNT)))).toBe(false);
  });
});

describe('the harness execution role follows the spec', () => {
  it('no managed memory: no memory action at all; no code interpreter unless an enabled action group asks', () => {
    const plain: AgentSpec = { foundationModel: MODEL, instruction: 'x'.repeat(40) };
    const role = documents(harnessRoleSpec(AGENT, plain, scope, { ...known, managedMemory: false, memoryArn: undefined, usesGateway: false, gatewayArn: undefined }));
    expect(allowed(asRole(role, 'bedrock-agentcore:CreateEvent', MEMORY_ARN))).toBe(false);
    expect(allowed(asRole(role, 'bedrock-agentcore:RetrieveMemoryRecords', `${AC}:memory/harness_${HARNESS}_mem-QwErTy1234`))).toBe(false);
    expect(allowed(asRole(role, 'bedrock-agentcore:StartCodeInterpreterSession', 'arn:aws:bedrock-agentcore:us-east-1:aws:code-interpreter/aws.codeinterpreter.v1'))).toBe(false);
    expect(allowed(asRole(role, 'bedrock-agentcore:InvokeGateway', GATEWAY_ARN))).toBe(false);
    const disabled: AgentSpec = { ...plain, actionGroups: [{ name: 'code', parentActionGroupSignature: 'AMAZON.CodeInterpreter', actionGroupState: 'DISABLED' }] };
    const withDisabled = documents(harnessRoleSpec(AGENT, disabled, scope, known));
    expect(allowed(asRole(withDisabled, 'bedrock-agentcore:StartCodeInterpreterSession', 'arn:aws:bedrock-agentcore:us-east-1:aws:code-interpreter/aws.codeinterpreter.v1'))).toBe(false);
  });

  it('an agent without a gateway may call none, even if status still names one', () => {
    const role = documents(harnessRoleSpec(AGENT, agentSpec, scope, { ...known, usesGateway: false }));
    expect(allowed(asRole(role, 'bedrock-agentcore:InvokeGateway', GATEWAY_ARN))).toBe(false);
  });

  it('a cross-region inference profile: the profile and the model behind it in any region, streaming too; not another profile or model', () => {
    const spec: AgentSpec = { ...agentSpec, foundationModel: `us.${MODEL}` };
    const role = documents(harnessRoleSpec(AGENT, spec, scope, known));
    expect(accessVerdict(harnessCalls(spec, role, scope, { harnessArn: HARNESS_ARN, gatewayArn: GATEWAY_ARN })).outcome).toBe('allowed');
    const profile = `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.${MODEL}`;
    for (const action of ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']) {
      expect(allowed(asRole(role, action, profile))).toBe(true);
      expect(allowed(asRole(role, action, `arn:aws:bedrock:us-west-2::foundation-model/${MODEL}`))).toBe(true);
      expect(allowed(asRole(role, action, `arn:aws:bedrock:us-west-2::foundation-model/${OTHER_MODEL}`))).toBe(false);
      expect(allowed(asRole(role, action, `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/eu.${MODEL}`))).toBe(false);
      expect(allowed(asRole(role, action, profile.replace(ACCOUNT, OTHER_ACCOUNT)))).toBe(false);
    }
    expect(allowed(asRole(role, 'bedrock:GetInferenceProfile', profile))).toBe(true);
  });

  it('a model or profile named by ARN: exactly that ARN', () => {
    for (const arn of [`arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`, `arn:aws:bedrock:us-east-1:${ACCOUNT}:application-inference-profile/abcdef123456`]) {
      const spec: AgentSpec = { ...agentSpec, foundationModel: arn };
      const role = documents(harnessRoleSpec(AGENT, spec, scope, known));
      expect(accessVerdict(harnessCalls(spec, role, scope, { harnessArn: HARNESS_ARN })).outcome).toBe('allowed');
      expect(allowed(asRole(role, 'bedrock:InvokeModelWithResponseStream', arn))).toBe(true);
      expect(allowed(asRole(role, 'bedrock:InvokeModel', `arn:aws:bedrock:us-east-1::foundation-model/${OTHER_MODEL}`))).toBe(false);
    }
  });

  it('a role that trusts only Bedrock Agents (a Classic role) is what the access check refuses', () => {
    const classic = documents(harnessRoleSpec(AGENT, agentSpec, scope, known));
    classic.trust = { name: 'the trust policy of role classic', document: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] } };
    expect(accessVerdict(harnessCalls(agentSpec, classic, scope, { harnessArn: HARNESS_ARN })).outcome).toBe('denied');
  });
});

describe('the gateway role', () => {
  const targetsOf = async (spec: AgentSpec) => desiredTargets(spec, (g) => g.actionGroupExecutor!.lambdaArn!);
  const spec: AgentSpec = {
    ...agentSpec,
    actionGroups: [lookupOrder, { ...lookupOrder, name: 'refunds', actionGroupExecutor: { lambdaArn: REFUNDS } }, { ...lookupOrder, name: 'lookup_again' }],
  };

  it('invokes exactly its target functions, each listed once, and reads exactly its knowledge bases', async () => {
    const targets = await targetsOf(spec);
    const roleSpec = gatewayRoleSpec(AGENT, GATEWAY, targets, scope, GATEWAY_ARN);
    const role = documents(roleSpec);
    expect(roleSpec.inlinePolicies![0]!.policy.statement.find((s) => s.sid === 'InvokeTheTargetFunctions')!.resource).toEqual([FUNCTION, REFUNDS]);
    expect(allowed(asRole(role, 'lambda:InvokeFunction', FUNCTION))).toBe(true);
    expect(allowed(asRole(role, 'lambda:InvokeFunction', REFUNDS))).toBe(true);
    expect(allowed(asRole(role, 'bedrock:GetKnowledgeBase', KB))).toBe(true);
    expect(allowed(asRole(role, 'bedrock:Retrieve', KB))).toBe(true);
  });

  it('denies the neighbours: another function, version, knowledge base, account; other actions; KMS without a key', async () => {
    const role = documents(gatewayRoleSpec(AGENT, GATEWAY, await targetsOf(spec), scope, GATEWAY_ARN));
    const neighbours: [string, string][] = [
      ['lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:order-lookup-2`],
      ['lambda:InvokeFunction', `${FUNCTION}:live`],
      ['lambda:InvokeFunction', FUNCTION.replace(ACCOUNT, OTHER_ACCOUNT)],
      ['lambda:UpdateFunctionCode', FUNCTION],
      ['lambda:GetFunction', FUNCTION],
      ['bedrock:Retrieve', `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KBOTHER000`],
      ['bedrock:Retrieve', KB.replace(ACCOUNT, OTHER_ACCOUNT)],
      ['bedrock:DeleteKnowledgeBase', KB],
      ['bedrock:InvokeModel', `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`],
      ['bedrock-agentcore:InvokeGateway', GATEWAY_ARN],
      ['kms:Decrypt', KEY],
    ];
    expect(neighbours.filter(([a, r]) => allowed(asRole(role, a, r))).map(([a, r]) => `${a} ${r}`)).toEqual([]);
  });

  it('with a key: its KMS use on that key alone', async () => {
    const role = documents(gatewayRoleSpec(AGENT, GATEWAY, await targetsOf(spec), scope, GATEWAY_ARN, KEY));
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']) expect(allowed(asRole(role, action, KEY)), action).toBe(true);
    expect(allowed(asRole(role, 'kms:Decrypt', KEY.replace('11111111', '99999999')))).toBe(false);
    expect(allowed(asRole(role, 'kms:ScheduleKeyDeletion', KEY))).toBe(false);
    expect(allowed(asRole(role, 'kms:CreateGrant', KEY))).toBe(false);
  });

  it('only knowledge bases: no Lambda statement; no target: no permissions at all', async () => {
    const kbOnly = documents(gatewayRoleSpec(AGENT, GATEWAY, await targetsOf({ ...agentSpec, actionGroups: [] }), scope, GATEWAY_ARN));
    expect(allowed(asRole(kbOnly, 'lambda:InvokeFunction', FUNCTION))).toBe(false);
    expect(allowed(asRole(kbOnly, 'bedrock:Retrieve', KB))).toBe(true);
    expect(gatewayRoleSpec(AGENT, GATEWAY, [], scope, GATEWAY_ARN).inlinePolicies).toEqual([]);
  });

  it('trust: AgentCore may assume it for this gateway only, from this account only', async () => {
    const role = documents(gatewayRoleSpec(AGENT, GATEWAY, await targetsOf(spec), scope, GATEWAY_ARN));
    expect(allowed(asService(role, from(GATEWAY_ARN)))).toBe(true);
    expect(allowed(asService(role, from(`${AC}:gateway/${GATEWAY}-zzzzzzzzzz`)))).toBe(false);
    expect(allowed(asService(role, from(`${AC}:gateway/others-abcdefghij`)))).toBe(false);
    expect(allowed(asService(role, from(HARNESS_ARN)))).toBe(false);
    expect(allowed(asService(role, from(GATEWAY_ARN.replace(ACCOUNT, OTHER_ACCOUNT), OTHER_ACCOUNT)))).toBe(false);
    expect(allowed(asService(role, { 'aws:SourceAccount': ACCOUNT }))).toBe(false);
    expect(allowed(asService(role, from(GATEWAY_ARN), 'bedrock.amazonaws.com'))).toBe(false);
  });

  it('trust before the gateway exists: the gateway\'s name (as AgentCore lowercases it into its ID), in this account', async () => {
    const mixed = gatewayNameOf('Order-Assistant');
    const role = documents(gatewayRoleSpec('Order-Assistant', mixed, await targetsOf(spec), scope, undefined));
    expect(allowed(asService(role, from(`${AC}:gateway/order-assistant-abcdefghij`)))).toBe(true);
    expect(allowed(asService(role, from(`${AC}:gateway/others-abcdefghij`)))).toBe(false);
    expect(allowed(asService(role, from(`${AC}:harness/order_assistant-AbCdEf1234`)))).toBe(false);
    expect(allowed(asService(role, from(`arn:aws:bedrock-agentcore:us-east-1:${OTHER_ACCOUNT}:gateway/order-assistant-abcdefghij`, OTHER_ACCOUNT)))).toBe(false);
    expect(allowed(asService(role, from(`arn:aws:bedrock-agentcore:us-east-1:${OTHER_ACCOUNT}:gateway/order-assistant-abcdefghij`)))).toBe(false);
  });
});

describe('the policy analysis finds nothing of medium or high severity in the generated roles', () => {
  const full: AgentSpec = { ...agentSpec, customerEncryptionKey: KEY, foundationModel: `us.${MODEL}` };
  const cases: [string, () => Promise<IAMRoleSpec>][] = [
    ['the harness role, every statement, once the harness exists', async () => harnessRoleSpec(AGENT, full, scope, known)],
    ['the harness role before the harness exists', async () => harnessRoleSpec(AGENT, full, scope, before)],
    ['the harness role of a plain agent', async () => harnessRoleSpec(AGENT, { foundationModel: MODEL, instruction: 'x'.repeat(40) }, scope, { harnessName: HARNESS, usesGateway: false, managedMemory: false })],
    ['the harness role for a model ARN', async () => harnessRoleSpec(AGENT, { ...full, foundationModel: `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}` }, scope, known)],
    ['the gateway role with Lambdas, knowledge bases and a key', async () => gatewayRoleSpec(AGENT, GATEWAY, await desiredTargets(full, () => FUNCTION), scope, GATEWAY_ARN, KEY)],
    ['the gateway role before the gateway exists', async () => gatewayRoleSpec(AGENT, GATEWAY, await desiredTargets(full, () => FUNCTION), scope, undefined)],
    ['the gateway role with only a knowledge base', async () => gatewayRoleSpec(AGENT, GATEWAY, [{ kind: 'knowledge-base', name: 'kb-KB12345678', knowledgeBaseId: 'KB12345678', description: 'FAQ' }] as DesiredTarget[], scope, undefined)],
  ];
  it.each(cases)('%s', async (_title, make) => {
    const findings = analysePolicies(roleDocuments(await make()));
    expect(atOrAbove(findings, 'medium')).toEqual([]);
  });

  // IAM's catalogue gives logs:DescribeLogGroups no resource type: AWS authorizes it on "*" only.
  it('the harness role has no medium finding at all, and allows logs:DescribeLogGroups on "*"', async () => {
    const roleSpec = harnessRoleSpec(AGENT, full, scope, known);
    expect(atOrAbove(analysePolicies(roleDocuments(roleSpec)), 'medium')).toEqual([]);
    expect(allowed(asRole(documents(roleSpec), 'logs:DescribeLogGroups', '*'))).toBe(true);
  });
});
