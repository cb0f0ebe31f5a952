// The test bed's authorizing front maps each call to what IAM authorizes for it
// (test/harness/emulator/authorizer/access-requests.ts): here the bedrock-agentcore-control calls
// of the Agent kind's AgentCore backend, as the front would see them once a request is matched to
// its operation and input (service-models.ts): the action on the ARN IAM's catalogue says, and the
// further actions AWS authorizes with harness calls (harness-security.html, "Required IAM
// permissions for callers"; docs/research/agentcore.md §3.6), and the Prompt kind's Prompt management
// calls of bedrock-agent.
import { describe, expect, it } from 'vitest';
import { checksFor, UnmappedCall, type AuthorizationEnv, type Check } from '../harness/emulator/authorizer/access-requests.ts';
import type { MatchedOperation, ServiceModel } from '../harness/emulator/authorizer/service-models.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ARN = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}`;
const HARNESS_ID = 'support_bot-AbCdEf1234';
const HARNESS = `${ARN}:harness/${HARNESS_ID}`;
const GATEWAY_ID = 'support-bot-k3j5h7g9f1';
const GATEWAY = `${ARN}:gateway/${GATEWAY_ID}`;
const HARNESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/BedrockAgentCoreHarness_support-bot`;
const GATEWAY_ROLE = `arn:aws:iam::${ACCOUNT}:role/BedrockAgentCoreGateway_support-bot`;

/** bedrock-agentcore-control as the front knows it; checksFor reads only its signing name. */
const agentcore: ServiceModel = {
  api: 'bedrock-agentcore-control',
  protocol: 'rest-json',
  signingName: 'bedrock-agentcore',
  accessDeniedMessageMember: 'message',
  model: { metadata: { protocol: 'rest-json', signingName: 'bedrock-agentcore', endpointPrefix: 'bedrock-agentcore-control', serviceId: 'Bedrock AgentCore Control' }, operations: {}, shapes: {} },
  routes: [],
};

const env: AuthorizationEnv = {
  principal: { type: 'AWS', arn: `arn:aws:iam::${ACCOUNT}:role/bedrock-forge-operator`, account: ACCOUNT },
  account: ACCOUNT,
  region: REGION,
  role: () => Promise.resolve(undefined),
};

const checks = (operation: string, input: Record<string, unknown>): Promise<Check[]> =>
  checksFor({ service: agentcore, operation, input } satisfies MatchedOperation, env);
/** Each check as `action resource`, in order. */
const summary = (list: Check[]) => list.map((c) => `${c.request.action} ${c.request.resource}`);

describe('the authorizing front\'s bedrock-agentcore-control calls', () => {
  it('CreateHarness: on *, with CreateAgentRuntime and CreateMemory, tags, and the execution role passed to AgentCore', async () => {
    const list = await checks('CreateHarness', {
      harnessName: 'support_bot', executionRoleArn: HARNESS_ROLE, clientToken: 'a'.repeat(33),
      tags: { 'bedrockforge.io/owner': 'team-a/support-bot' },
    });
    expect(summary(list)).toEqual([
      'bedrock-agentcore:CreateHarness *',
      'bedrock-agentcore:CreateAgentRuntime *',
      'bedrock-agentcore:CreateMemory *',
      expect.stringMatching(new RegExp(`^bedrock-agentcore:TagResource ${ARN}:harness/support_bot-[A-Z0-9]{10}$`)),
      `iam:PassRole ${HARNESS_ROLE}`,
    ]);
    expect(list.every((c) => c.onDeny === 'refuse')).toBe(true);
    const [create, runtime, memory, tag, passRole] = list.map((c) => c.request.context);
    expect(create).toMatchObject({ 'aws:RequestTag/bedrockforge.io/owner': 'team-a/support-bot', 'aws:TagKeys': ['bedrockforge.io/owner'], 'aws:RequestedRegion': REGION });
    expect(runtime).toMatchObject({ 'aws:RequestTag/bedrockforge.io/owner': 'team-a/support-bot' });
    expect(memory!['aws:TagKeys']).toBeUndefined();
    expect(tag).toMatchObject({ 'aws:RequestTag/bedrockforge.io/owner': 'team-a/support-bot', 'aws:TagKeys': ['bedrockforge.io/owner'] });
    expect(passRole).toMatchObject({ 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' });
    expect(list.every((c) => c.request.principal === env.principal && c.request.resourceAccount === ACCOUNT)).toBe(true);
  });

  it('CreateHarness without tags: no TagResource', async () => {
    const list = await checks('CreateHarness', { harnessName: 'support_bot', executionRoleArn: HARNESS_ROLE });
    expect(summary(list)).toEqual([
      'bedrock-agentcore:CreateHarness *', 'bedrock-agentcore:CreateAgentRuntime *', 'bedrock-agentcore:CreateMemory *', `iam:PassRole ${HARNESS_ROLE}`,
    ]);
    expect(list[0]!.request.context['aws:TagKeys']).toBeUndefined();
  });

  it('GetHarness, UpdateHarness and DeleteHarness: on the harness, with the runtime and memory behind it', async () => {
    expect(summary(await checks('GetHarness', { harnessId: HARNESS_ID }))).toEqual([`bedrock-agentcore:GetHarness ${HARNESS}`]);
    expect(summary(await checks('UpdateHarness', { harnessId: HARNESS_ID, executionRoleArn: HARNESS_ROLE, systemPrompt: [{ text: 'Help.' }] }))).toEqual([
      `bedrock-agentcore:UpdateHarness ${HARNESS}`,
      `bedrock-agentcore:UpdateAgentRuntime ${ARN}:runtime/harness_support_bot-*`,
      `bedrock-agentcore:UpdateMemory ${ARN}:memory/harness_*`,
      `iam:PassRole ${HARNESS_ROLE}`,
    ]);
    // UpdateHarness is a PATCH: no role sent, none passed.
    expect(summary(await checks('UpdateHarness', { harnessId: HARNESS_ID, maxIterations: 20 })).filter((c) => c.startsWith('iam:'))).toEqual([]);
    expect(summary(await checks('DeleteHarness', { harnessId: HARNESS_ID, deleteManagedMemory: 'true' }))).toEqual([
      `bedrock-agentcore:DeleteHarness ${HARNESS}`,
      `bedrock-agentcore:DeleteAgentRuntime ${ARN}:runtime/*`,
      `bedrock-agentcore:DeleteMemory ${ARN}:memory/harness_*`,
    ]);
  });

  it('harness endpoints: on the harness and the endpoint, with the runtime endpoint\'s action', async () => {
    const endpoint = `${HARNESS}/harness-endpoint/live`;
    expect(summary(await checks('GetHarnessEndpoint', { harnessId: HARNESS_ID, endpointName: 'live' }))).toEqual([
      `bedrock-agentcore:GetHarnessEndpoint ${HARNESS}`,
      `bedrock-agentcore:GetHarnessEndpoint ${endpoint}`,
    ]);
    expect(summary(await checks('CreateHarnessEndpoint', { harnessId: HARNESS_ID, endpointName: 'live', targetVersion: '2', tags: { team: 'a' } }))).toEqual([
      `bedrock-agentcore:CreateHarnessEndpoint ${HARNESS}`,
      `bedrock-agentcore:CreateAgentRuntimeEndpoint ${ARN}:runtime/harness_support_bot-*`,
      `bedrock-agentcore:TagResource ${endpoint}`,
    ]);
    expect(summary(await checks('UpdateHarnessEndpoint', { harnessId: HARNESS_ID, endpointName: 'live', targetVersion: '3' }))).toEqual([
      `bedrock-agentcore:UpdateHarnessEndpoint ${HARNESS}`,
      `bedrock-agentcore:UpdateHarnessEndpoint ${endpoint}`,
      `bedrock-agentcore:UpdateAgentRuntimeEndpoint ${ARN}:runtime/harness_support_bot-*`,
      `bedrock-agentcore:UpdateAgentRuntimeEndpoint ${ARN}:runtime/harness_support_bot-*/runtime-endpoint/live`,
    ]);
    expect(summary(await checks('DeleteHarnessEndpoint', { harnessId: HARNESS_ID, endpointName: 'live' }))).toEqual([
      `bedrock-agentcore:DeleteHarnessEndpoint ${HARNESS}`,
      `bedrock-agentcore:DeleteHarnessEndpoint ${endpoint}`,
      `bedrock-agentcore:DeleteAgentRuntimeEndpoint ${ARN}:runtime/harness_support_bot-*`,
      `bedrock-agentcore:DeleteAgentRuntimeEndpoint ${ARN}:runtime/harness_support_bot-*/runtime-endpoint/live`,
    ]);
    // The catalogue gives ListHarnessEndpoints (as ListHarnesses) no resource type.
    expect(summary(await checks('ListHarnessEndpoints', { harnessId: HARNESS_ID }))).toEqual(['bedrock-agentcore:ListHarnessEndpoints *']);
    expect(summary(await checks('ListHarnesses', {}))).toEqual(['bedrock-agentcore:ListHarnesses *']);
  });

  it('gateways and their targets: the gateway ARN from gatewayIdentifier, and the service role passed to AgentCore', async () => {
    expect(summary(await checks('CreateGatewayTarget', { gatewayIdentifier: GATEWAY_ID, name: 'orders', targetConfiguration: { mcp: {} } }))).toEqual([
      `bedrock-agentcore:CreateGatewayTarget ${GATEWAY}`,
    ]);
    for (const operation of ['GetGatewayTarget', 'UpdateGatewayTarget', 'DeleteGatewayTarget']) {
      expect(summary(await checks(operation, { gatewayIdentifier: GATEWAY_ID, targetId: 'TARGET1234' }))).toEqual([`bedrock-agentcore:${operation} ${GATEWAY}`]);
    }
    expect(summary(await checks('ListGatewayTargets', { gatewayIdentifier: GATEWAY_ID }))).toEqual([`bedrock-agentcore:ListGatewayTargets ${GATEWAY}`]);
    expect(summary(await checks('GetGateway', { gatewayIdentifier: GATEWAY_ID }))).toEqual([`bedrock-agentcore:GetGateway ${GATEWAY}`]);
    expect(summary(await checks('DeleteGateway', { gatewayIdentifier: GATEWAY_ID }))).toEqual([`bedrock-agentcore:DeleteGateway ${GATEWAY}`]);
    expect(summary(await checks('ListGateways', {}))).toEqual(['bedrock-agentcore:ListGateways *']);

    const created = await checks('CreateGateway', { name: 'Support-Bot', roleArn: GATEWAY_ROLE, authorizerType: 'AWS_IAM', protocolType: 'MCP', tags: { team: 'a' } });
    expect(summary(created)).toEqual([
      'bedrock-agentcore:CreateGateway *',
      expect.stringMatching(new RegExp(`^bedrock-agentcore:TagResource ${ARN}:gateway/support-bot-[a-z0-9]{10}$`)),
      `iam:PassRole ${GATEWAY_ROLE}`,
    ]);
    expect(created[2]!.request.context).toMatchObject({ 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' });
    expect(summary(await checks('UpdateGateway', { gatewayIdentifier: GATEWAY_ID, name: 'Support-Bot', roleArn: GATEWAY_ROLE, authorizerType: 'AWS_IAM' }))).toEqual([
      `bedrock-agentcore:UpdateGateway ${GATEWAY}`,
      `iam:PassRole ${GATEWAY_ROLE}`,
    ]);
  });

  it('tagging: on the harness or gateway ARN the call names, with the tags or tag keys', async () => {
    const tagged = await checks('TagResource', { resourceArn: HARNESS, tags: { team: 'a' } });
    expect(summary(tagged)).toEqual([`bedrock-agentcore:TagResource ${HARNESS}`]);
    expect(tagged[0]!.request.context).toMatchObject({ 'aws:RequestTag/team': 'a', 'aws:TagKeys': ['team'] });
    const untagged = await checks('UntagResource', { resourceArn: GATEWAY, tagKeys: ['team'] });
    expect(summary(untagged)).toEqual([`bedrock-agentcore:UntagResource ${GATEWAY}`]);
    expect(untagged[0]!.request.context['aws:TagKeys']).toEqual(['team']);
    expect(summary(await checks('ListTagsForResource', { resourceArn: GATEWAY }))).toEqual([`bedrock-agentcore:ListTagsForResource ${GATEWAY}`]);
  });

  it('a call without the member its resource type needs is not guessed at', async () => {
    await expect(checks('GetHarness', {})).rejects.toBeInstanceOf(UnmappedCall);
    await expect(checks('GetGatewayTarget', { targetId: 'TARGET1234' })).rejects.toBeInstanceOf(UnmappedCall);
  });
});

describe('the authorizing front\'s Prompt management calls (bedrock-agent)', () => {
  const bedrockAgent: ServiceModel = { ...agentcore, api: 'bedrock-agent', signingName: 'bedrock' };
  const prompt = `arn:aws:bedrock:${REGION}:${ACCOUNT}:prompt/ABCDEFGHIJ`;
  const promptChecks = (operation: string, input: Record<string, unknown>) => checksFor({ service: bedrockAgent, operation, input }, env).then(summary);

  it('names the prompt by promptIdentifier, and its version by promptVersion', async () => {
    expect(await promptChecks('GetPrompt', { promptIdentifier: 'ABCDEFGHIJ' })).toEqual([`bedrock:GetPrompt ${prompt}`]);
    expect(await promptChecks('UpdatePrompt', { promptIdentifier: 'ABCDEFGHIJ', name: 'p' })).toEqual([`bedrock:UpdatePrompt ${prompt}`]);
    expect(await promptChecks('DeletePrompt', { promptIdentifier: 'ABCDEFGHIJ', promptVersion: '2' })).toEqual([`bedrock:DeletePrompt ${prompt}`, `bedrock:DeletePrompt ${prompt}:2`]);
  });

  it('lists every prompt on *, and authorizes the tags of CreatePrompt on the new prompt\'s ARN', async () => {
    expect(await promptChecks('ListPrompts', {})).toEqual(['bedrock:ListPrompts *']);
    expect(await promptChecks('CreatePrompt', { name: 'p', tags: { team: 'a' } })).toEqual([
      'bedrock:CreatePrompt *', expect.stringMatching(new RegExp(`^bedrock:TagResource arn:aws:bedrock:${REGION}:${ACCOUNT}:prompt/[A-Z0-9]{10}$`)),
    ]);
  });
});
