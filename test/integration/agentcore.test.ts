// The Agent kind on Bedrock AgentCore, against the real apiserver and the emulator (moto with
// test/harness/emulator/agentcore_ext.py), with every operator call authorized against the
// operator's IAM policy: the complete example converges from one kubectl apply in either order
// into a harness, a gateway whose Lambda target exposes lookup_order, and an endpoint for live,
// with generated roles asserted statement by statement and proven by evaluation; drift is
// reverted and quiet resyncs cost reads only; a Classic agent migrates with an endpoint or a
// prepared alias ready at every moment; deletion removes everything (retain keeps it).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BedrockAgentClient, CreateKnowledgeBaseCommand, ListAgentAliasesCommand, ListAgentsCommand } from '@aws-sdk/client-bedrock-agent';
import {
  BedrockAgentCoreControlClient, DeleteGatewayTargetCommand, DeleteHarnessEndpointCommand, GetGatewayTargetCommand, GetHarnessCommand, GetHarnessEndpointCommand,
  ListGatewaysCommand, ListGatewayTargetsCommand, ListHarnessesCommand, UpdateHarnessCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseIamPolicy } from '../../src/aws/iam/policy-json.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import type { AccessRequest, PolicySet } from '../../src/iam/evaluator/types.ts';
import { isWrite, recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { condition, Resources, type TestResource } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const RESYNC_S = 2;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
const EXAMPLE = join(repoRoot, 'examples', 'complete', 'order-assistant-agentcore.yaml');
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let agentcore: BedrockAgentCoreControlClient;
let bedrock: BedrockAgentClient;
let lambda: LambdaClient;
let iam: IAMClient;
let example: Record<string, unknown>[];

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--cluster-name', 'test']);
  const aws = { endpoint: stack.awsEndpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  agentcore = new BedrockAgentCoreControlClient(aws);
  bedrock = new BedrockAgentClient(aws);
  lambda = new LambdaClient(aws);
  iam = new IAMClient(aws);
  k8s = new Resources(stack);
  example = parseAllDocuments(await readFile(EXAMPLE, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
  await kubectl(stack, ['create', 'namespace', 'team-b']);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const waitReady = (name: string, namespace = 'default'): Promise<TestResource> => k8s.waitForReadyGeneration('agents', name, namespace, 90_000);

/** The example in team-b, Agent first, under other AWS names. */
function reversedInTeamB(): Record<string, unknown>[] {
  return [...example].reverse().map((o) => {
    const spec = { ...(o.spec as Record<string, unknown>) };
    if (o.kind === 'Lambda') spec.functionName = 'order-lookup-agentcore-b';
    if (o.kind === 'Agent') spec.agentName = 'order-assistant-b';
    return { ...o, metadata: { ...(o.metadata as object), namespace: 'team-b' }, spec };
  });
}

async function ensureExample(): Promise<TestResource> {
  const applied = await kubectl(stack, ['apply', '-f', EXAMPLE]);
  expect(applied.code, applied.stderr).toBe(0);
  return waitReady('order-assistant-agentcore');
}

type AgentCoreStatus = { harnessId: string; harnessArn: string; harnessVersion: string; runtimeArn: string; gatewayId: string; gatewayArn: string; executionRoleArn: string; gatewayRoleArn: string; endpoints: { name: string; status: string; liveVersion: string }[] };
const acOf = (o: TestResource) => o.status?.agentCore as AgentCoreStatus;
const policyOf = async (fn: string) =>
  (JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: fn })).catch(() => ({ Policy: '{"Statement":[]}' }))).Policy!) as { Statement: { Sid: string; Principal?: unknown; Condition?: unknown }[] }).Statement;
const harnessesNamed = async (name: string) => ((await agentcore.send(new ListHarnessesCommand({}))).harnesses ?? []).filter((h) => h.harnessName === name);
const gatewaysNamed = async (name: string) => ((await agentcore.send(new ListGatewaysCommand({}))).items ?? []).filter((g) => g.name === name);
const agentsNamed = async (name: string) => ((await bedrock.send(new ListAgentsCommand({}))).agentSummaries ?? []).filter((a) => a.agentName === name);

async function roleDocuments(roleName: string) {
  const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
  const inline = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: roleName.startsWith('BedrockAgentCoreHarness_') ? 'HarnessPermissions' : 'GatewayPermissions' }));
  return { arn: role.Arn!, trust: parseIamPolicy(role.AssumeRolePolicyDocument!), identity: parseIamPolicy(inline.PolicyDocument!) };
}

const decide = (request: AccessRequest, policies: PolicySet) => authorize(request, policies).decision;

describe('Agent on AgentCore', () => {
  it('converges the complete example from one kubectl apply, in either order: harness, gateway target with lookup_order, endpoint live', async () => {
    expect((await kubectl(stack, ['apply', '-f', EXAMPLE])).code).toBe(0);
    expect((await kubectlApply(stack, reversedInTeamB())).code).toBe(0);

    for (const [namespace, fn, agentName] of [['default', 'order-lookup-agentcore', 'order-assistant-agentcore'], ['team-b', 'order-lookup-agentcore-b', 'order-assistant-b']] as const) {
      const ready = await waitReady('order-assistant-agentcore', namespace);
      expect(ready.status?.runtime).toBe('agentcore');
      expect(condition(ready, 'RuntimeCoverage')).toMatchObject({ status: 'True', reason: 'FullyCovered' });
      const ac = acOf(ready);
      const harness = (await agentcore.send(new GetHarnessCommand({ harnessId: ac.harnessId }))).harness!;
      expect(harness).toMatchObject({
        harnessName: agentName.replace(/-/g, '_'), status: 'READY', executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/BedrockAgentCoreHarness_${agentName}`,
        model: { bedrockModelConfig: { modelId: MODEL } },
        systemPrompt: [{ text: expect.stringMatching(/^You are a customer support assistant\. Look orders up with the lookup_order function/) }],
        tools: [{ type: 'agentcore_gateway', name: 'gateway', config: { agentCoreGateway: { gatewayArn: ac.gatewayArn } } }],
        memory: { disabled: {} },
      });
      expect((harness.environment as { agentCoreRuntimeEnvironment: { lifecycleConfiguration: unknown } }).agentCoreRuntimeEnvironment.lifecycleConfiguration)
        .toEqual({ idleRuntimeSessionTimeout: 900, maxLifetime: 28800 });

      // The gateway: one Lambda target, the function schema's tool, invoked with the gateway's role.
      const targets = (await agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: ac.gatewayId }))).items!;
      expect(targets.map((t) => t.name)).toEqual(['orders']);
      const target = await agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier: ac.gatewayId, targetId: targets[0]!.targetId }));
      const lambdaArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}`;
      expect(target).toMatchObject({ status: 'READY', description: 'Look up customer orders', credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }] });
      expect(target.targetConfiguration).toEqual({
        mcp: {
          lambda: {
            lambdaArn,
            toolSchema: {
              inlinePayload: [{
                name: 'lookup_order', description: 'Look up an order by its ID',
                inputSchema: { type: 'object', properties: { order_id: { type: 'string', description: 'The order ID, such as A-1001' } }, required: ['order_id'] },
              }],
            },
          },
        },
      });

      // The endpoint for live serves the harness's current version.
      const { endpoint } = await agentcore.send(new GetHarnessEndpointCommand({ harnessId: ac.harnessId, endpointName: 'live' }));
      expect(endpoint).toMatchObject({ status: 'READY', liveVersion: harness.harnessVersion, targetVersion: harness.harnessVersion, description: 'What customers talk to' });
      expect(ac.endpoints).toEqual([expect.objectContaining({ name: 'live', alias: 'live', status: 'READY', liveVersion: harness.harnessVersion })]);

      // The Lambda's resource policy lets exactly the gateway's role invoke it.
      const statements = await waitFor('the gateway role\'s statement in the Lambda policy', async () => {
        const s = await policyOf(fn);
        return s.some((x) => JSON.stringify(x.Principal).includes(ac.gatewayRoleArn)) ? s : undefined;
      }, { timeoutMs: 15_000 });
      expect(statements).toEqual([expect.objectContaining({ Principal: { AWS: ac.gatewayRoleArn }, Action: 'lambda:InvokeFunction', Resource: lambdaArn })]);
    }
  });

  it('generates the harness and gateway roles statement by statement, pinned to the resources, and proven by evaluation', async () => {
    const ac = acOf(await ensureExample());
    const harnessRole = await roleDocuments('BedrockAgentCoreHarness_order-assistant-agentcore');
    const runtimeId = ac.runtimeArn.split('/').pop()!;
    const logs = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/${runtimeId}-*`;
    const agentcoreArn = (r: string) => `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:${r}`;
    expect(harnessRole.trust.Statement).toEqual([{
      Effect: 'Allow', Principal: { Service: 'bedrock-agentcore.amazonaws.com' }, Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': [ac.harnessArn, ac.runtimeArn] } },
    }]);
    const statements = harnessRole.identity.Statement as { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[];
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, { action: [s.Action].flat().sort(), resource: [s.Resource].flat(), condition: s.Condition }]));
    expect(bySid).toEqual({
      InvokeTheAgentsModel: { action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resource: [`arn:aws:bedrock:${REGION}::foundation-model/${MODEL}`], condition: undefined },
      CreateTheRuntimesLogGroup: { action: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'], resource: [logs], condition: undefined },
      FindLogGroups: { action: ['logs:DescribeLogGroups'], resource: ['*'], condition: undefined },
      WriteTheRuntimesLogs: { action: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: [`${logs}:log-stream:*`], condition: undefined },
      WriteTraces: { action: ['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resource: ['*'], condition: undefined },
      PullTheHarnessImage: { action: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'], resource: ['*'], condition: undefined },
      WriteMetricsToAgentCoresNamespace: { action: ['cloudwatch:PutMetricData'], resource: ['*'], condition: { StringEquals: { 'cloudwatch:namespace': 'bedrock-agentcore' } } },
      GetTheHarnessWorkloadIdentityTokens: {
        action: ['bedrock-agentcore:GetWorkloadAccessToken', 'bedrock-agentcore:GetWorkloadAccessTokenForJWT'],
        resource: [agentcoreArn('workload-identity-directory/default'), agentcoreArn('workload-identity-directory/default/workload-identity/harness_order_assistant_agentcore-*')], condition: undefined,
      },
      CallTheAgentsGateway: { action: ['bedrock-agentcore:InvokeGateway'], resource: [ac.gatewayArn], condition: undefined },
    });

    const gatewayRole = await roleDocuments('BedrockAgentCoreGateway_order-assistant-agentcore');
    const lambdaArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:order-lookup-agentcore`;
    expect(gatewayRole.trust.Statement).toEqual([{
      Effect: 'Allow', Principal: { Service: 'bedrock-agentcore.amazonaws.com' }, Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': ac.gatewayArn } },
    }]);
    expect(gatewayRole.identity.Statement).toEqual([{ Sid: 'InvokeTheTargetFunctions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: lambdaArn }]);

    // Proven by evaluation: what AgentCore does with each role is allowed, its neighbours are not.
    const as = (role: { arn: string; identity: unknown }, action: string, resource: string, context: Record<string, string> = {}) =>
      decide({ principal: { type: 'AWS', arn: role.arn, account: ACCOUNT }, action, resource, context }, { identity: [{ name: 'inline', document: role.identity }] } as unknown as PolicySet);
    const assume = (role: { arn: string; trust: unknown }, context: Record<string, string>) =>
      decide({ principal: { type: 'Service', service: 'bedrock-agentcore.amazonaws.com' }, action: 'sts:AssumeRole', resource: role.arn, context }, { resource: { name: 'trust', document: role.trust } } as unknown as PolicySet);
    expect(as(harnessRole, 'bedrock:InvokeModel', `arn:aws:bedrock:${REGION}::foundation-model/${MODEL}`)).toBe('Allow');
    expect(as(harnessRole, 'bedrock:InvokeModel', `arn:aws:bedrock:${REGION}::foundation-model/anthropic.claude-3-opus-20240229-v1:0`)).not.toBe('Allow');
    expect(as(harnessRole, 'bedrock-agentcore:InvokeGateway', ac.gatewayArn)).toBe('Allow');
    expect(as(harnessRole, 'bedrock-agentcore:InvokeGateway', agentcoreArn('gateway/another-gateway-abcdefghij'))).not.toBe('Allow');
    expect(as(harnessRole, 'logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/${runtimeId}-DEFAULT:log-stream:x`)).toBe('Allow');
    expect(as(harnessRole, 'logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:x`)).not.toBe('Allow');
    expect(as(harnessRole, 'bedrock-agentcore:CreateEvent', agentcoreArn('memory/someone_else-abcdefghij'))).not.toBe('Allow');
    expect(assume(harnessRole, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ac.harnessArn })).toBe('Allow');
    expect(assume(harnessRole, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': agentcoreArn('harness/other-abcdefghij') })).not.toBe('Allow');
    expect(assume(harnessRole, { 'aws:SourceAccount': '210987654321', 'aws:SourceArn': ac.harnessArn })).not.toBe('Allow');
    expect(as(gatewayRole, 'lambda:InvokeFunction', lambdaArn)).toBe('Allow');
    expect(as(gatewayRole, 'lambda:InvokeFunction', `${lambdaArn}-other`)).not.toBe('Allow');
    expect(assume(gatewayRole, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ac.gatewayArn })).toBe('Allow');
    expect(assume(gatewayRole, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': agentcoreArn('gateway/other-abcdefghij') })).not.toBe('Allow');
  });

  it('reverts drift within a resync: a gateway target removed, an endpoint deleted, the instruction changed', async () => {
    const ac = acOf(await ensureExample());
    const drifts: { aspect: string; make: () => Promise<unknown>; reverted: () => Promise<boolean> }[] = [
      {
        aspect: 'gateway target orders',
        make: async () => {
          const [target] = (await agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: ac.gatewayId }))).items!;
          return agentcore.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: ac.gatewayId, targetId: target!.targetId }));
        },
        reverted: async () => ((await agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: ac.gatewayId }))).items ?? []).some((t) => t.name === 'orders' && t.status === 'READY'),
      },
      {
        aspect: 'endpoint live',
        make: () => agentcore.send(new DeleteHarnessEndpointCommand({ harnessId: ac.harnessId, endpointName: 'live' })),
        reverted: async () => (await agentcore.send(new GetHarnessEndpointCommand({ harnessId: ac.harnessId, endpointName: 'live' })).catch(() => undefined))?.endpoint?.status === 'READY',
      },
      {
        aspect: 'harness instruction',
        make: () => agentcore.send(new UpdateHarnessCommand({ harnessId: ac.harnessId, systemPrompt: [{ text: 'Changed by hand in the console: answer anything you are asked.' }] })),
        reverted: async () => {
          const h = (await agentcore.send(new GetHarnessCommand({ harnessId: ac.harnessId }))).harness!;
          const live = (await agentcore.send(new GetHarnessEndpointCommand({ harnessId: ac.harnessId, endpointName: 'live' })).catch(() => undefined))?.endpoint;
          const text = (h.systemPrompt?.[0] as { text?: string } | undefined)?.text ?? '';
          // Reverted, and live moved to the version that carries the instruction again.
          return h.status === 'READY' && text.startsWith('You are a customer support assistant') && live?.status === 'READY' && live.liveVersion === h.harnessVersion;
        },
      },
    ];
    for (const drift of drifts) {
      const before = await k8s.events('order-assistant-agentcore');
      await waitFor(`the emulator to take the ${drift.aspect} change`, async () => { await drift.make(); return true; }, { timeoutMs: 10_000 });
      await waitFor(`${drift.aspect} to be reverted`, async () => ((await drift.reverted()) ? true : undefined), { timeoutMs: RESYNC_S * 1000 * 3 + 30_000 });
      await k8s.waitForEvent('order-assistant-agentcore', before, (e) => e.reason === 'DriftCorrected' && e.message?.includes(drift.aspect) === true);
    }
    await waitReady('order-assistant-agentcore');
  });

  it('costs no AWS write and no status write over ten resyncs once Ready', async () => {
    const ready = await ensureExample();
    const ac = acOf(ready);
    await startRecording(stack.awsEndpoint);
    const calls = await waitFor('ten resyncs of the agent', async () => {
      const seen = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes(ac.harnessId) || c.operation.includes(ac.gatewayId));
      return seen.filter((c) => c.operation === `GET /harnesses/${ac.harnessId}`).length >= 10 ? seen : undefined;
    }, { timeoutMs: 10 * RESYNC_S * 1000 * 3 + 30_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    expect((await k8s.get('agents', 'order-assistant-agentcore')).metadata.resourceVersion).toBe(ready.metadata.resourceVersion);
  });

  it('converges an agent that sets every aspect: knowledge base, memory, key, return of control, OpenAPI, code interpreter, two aliases', async () => {
    const kb = (await bedrock.send(new CreateKnowledgeBaseCommand({
      name: 'order-faq-ac', roleArn: `arn:aws:iam::${ACCOUNT}:role/kb-role`,
      knowledgeBaseConfiguration: { type: 'VECTOR', vectorKnowledgeBaseConfiguration: { embeddingModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0' } },
      storageConfiguration: {
        type: 'OPENSEARCH_SERVERLESS',
        opensearchServerlessConfiguration: { collectionArn: `arn:aws:aoss:us-east-1:${ACCOUNT}:collection/faq`, vectorIndexName: 'index', fieldMapping: { vectorField: 'v', textField: 't', metadataField: 'm' } },
      },
    }))).knowledgeBase!;
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
    const openApi = JSON.stringify({
      openapi: '3.0.0', info: { title: 'Orders', version: '1' },
      paths: {
        '/orders/{orderId}': {
          get: {
            operationId: 'getOrder', description: 'Get an order',
            parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' }, description: 'The order ID' }],
            responses: { 200: { description: 'The order' } },
          },
        },
      },
    });
    await kubectlApply(stack, [
      { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: 'every-aspect-api', namespace: 'default' }, spec: { ...(example[0]!.spec as object) } },
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'every-aspect-ac', namespace: 'default' },
        spec: {
          runtime: 'agentcore', foundationModel: MODEL, instruction: 'You help customers look up their orders and nothing else, politely.',
          description: 'Every aspect on AgentCore',
          idleSessionTtlInSeconds: 1200,
          customerEncryptionKey: key,
          memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 10 },
          promptOverrides: [{ promptType: 'ORCHESTRATION', inferenceConfiguration: { temperature: 0, maximumLength: 2048 } }],
          knowledgeBases: [{ knowledgeBaseId: kb.knowledgeBaseId, description: 'Order FAQ' }],
          actionGroups: [
            { name: 'ask-user', parentActionGroupSignature: 'AMAZON.UserInput' },
            { name: 'code', parentActionGroupSignature: 'AMAZON.CodeInterpreter' },
            { name: 'confirm', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, functionSchema: { functions: [{ name: 'confirm_refund', description: 'Ask the app to confirm a refund', parameters: { amount: { type: 'number', required: true } } }] } },
            { name: 'orders_api', description: 'Orders over HTTP', actionGroupExecutor: { lambda: 'every-aspect-api' }, apiSchema: { payload: openApi } },
          ],
          aliases: [{ name: 'live', description: 'customers' }, { name: 'beta-2' }],
          tags: { Team: 'support' },
        },
      },
    ]);
    const ready = await waitReady('every-aspect-ac');
    const ac = acOf(ready);
    expect(condition(ready, 'RuntimeCoverage')).toMatchObject({ status: 'False', reason: 'NotCovered' });
    expect(condition(ready, 'RuntimeCoverage')!.message).toMatch(/^Bedrock AgentCore has no equivalent for: spec\.actionGroups\[ask-user\]: AMAZON\.UserInput/);
    expect(condition(ready, 'RuntimeCoverage')!.message).not.toMatch(/promptOverrides/);
    const harness = (await agentcore.send(new GetHarnessCommand({ harnessId: ac.harnessId }))).harness!;
    expect(harness).toMatchObject({
      model: { bedrockModelConfig: { modelId: MODEL, temperature: 0, maxTokens: 2048 } },
      memory: { managedMemoryConfiguration: { strategies: ['SUMMARIZATION'], eventExpiryDuration: 10, encryptionKeyArn: key } },
    });
    expect([...harness.tools!].map((t) => [t.type, t.name]).sort()).toEqual([
      ['agentcore_code_interpreter', 'code_interpreter'], ['agentcore_gateway', 'gateway'], ['inline_function', 'confirm__confirm_refund'],
    ]);
    const inline = harness.tools!.find((t) => t.type === 'inline_function')!;
    expect(inline.config).toEqual({ inlineFunction: { description: 'Ask the app to confirm a refund', inputSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] } } });

    const targets = (await agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: ac.gatewayId }))).items!;
    expect(targets.map((t) => t.name).sort()).toEqual([`kb-${kb.knowledgeBaseId}`, 'orders-api']);
    const byName = async (name: string) => agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier: ac.gatewayId, targetId: targets.find((t) => t.name === name)!.targetId }));
    expect((await byName('orders-api')).targetConfiguration).toMatchObject({ mcp: { lambda: { toolSchema: { inlinePayload: [{ name: 'getOrder', description: 'Get an order', inputSchema: { type: 'object', properties: { orderId: { type: 'string', description: 'The order ID' } }, required: ['orderId'] } }] } } } });
    expect((await byName(`kb-${kb.knowledgeBaseId}`)).targetConfiguration).toEqual({
      mcp: { connector: { source: { connectorId: 'bedrock-knowledge-bases' }, configurations: [{ name: 'Retrieve', description: 'Order FAQ', parameterValues: { knowledgeBaseId: kb.knowledgeBaseId } }] } },
    });
    expect(ac.endpoints.map((e) => e.name).sort()).toEqual(['beta_2', 'live']);

    // The roles grow with what the spec uses, and nothing else.
    const harnessRole = await roleDocuments('BedrockAgentCoreHarness_every-aspect-ac');
    const sids = (harnessRole.identity.Statement as { Sid: string; Resource: string | string[] }[]);
    expect(sids.map((x) => x.Sid)).toEqual(expect.arrayContaining(['UseTheHarnessMemory', 'UseTheCodeInterpreter', 'CallTheAgentsGateway']));
    const memory = sids.find((x) => x.Sid === 'UseTheHarnessMemory')!;
    expect([memory.Resource].flat()).toEqual([(harness.memory as { managedMemoryConfiguration: { arn: string } }).managedMemoryConfiguration.arn ?? expect.stringMatching(/:memory\/harness_every_aspect_ac/)]);
    const gatewayRole = await roleDocuments('BedrockAgentCoreGateway_every-aspect-ac');
    expect(gatewayRole.identity.Statement).toEqual([
      { Sid: 'InvokeTheTargetFunctions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:every-aspect-api` },
      { Sid: 'QueryTheTargetKnowledgeBases', Effect: 'Allow', Action: ['bedrock:GetKnowledgeBase', 'bedrock:Retrieve'], Resource: `arn:aws:bedrock:${REGION}:${ACCOUNT}:knowledge-base/${kb.knowledgeBaseId}` },
      { Sid: 'UseTheGatewaysKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Resource: key },
    ]);

    // Quiet once Ready.
    await startRecording(stack.awsEndpoint);
    const calls = await waitFor('five resyncs', async () => {
      const seen = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes(ac.harnessId) || c.operation.includes(ac.gatewayId));
      return seen.filter((c) => c.operation === `GET /harnesses/${ac.harnessId}`).length >= 5 ? seen : undefined;
    }, { timeoutMs: 5 * RESYNC_S * 1000 * 3 + 30_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    expect((await kubectl(stack, ['delete', 'agent', 'every-aspect-ac', '--wait=true', '--timeout=60s'])).code).toBe(0);
  });

  it('checks the harness role as AgentCore uses it: a Bedrock Agents role named for an AgentCore agent is AccessWouldBeDenied', async () => {
    expect(condition(await ensureExample(), 'AccessCheck')).toMatchObject({ status: 'True', reason: 'AccessAllowed' });
    await kubectlApply(stack, [
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: 'classic-agent-role', namespace: 'default' },
        spec: {
          assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole', condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }] },
          inlinePolicies: [{ name: 'Invoke', policy: { version: '2012-10-17', statement: [{ effect: 'Allow', action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resource: [`arn:aws:bedrock:${REGION}::foundation-model/${MODEL}`] }] } }],
        },
      },
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'named-role', namespace: 'default' },
        spec: { runtime: 'agentcore', foundationModel: MODEL, instruction: 'You help customers look up their orders and nothing else, politely.', iamRole: 'classic-agent-role' },
      },
    ]);
    const denied = await k8s.waitForCondition('agents', 'named-role', 'AccessCheck', 'False', { reason: 'AccessWouldBeDenied', timeoutMs: 60_000 });
    expect(condition(denied, 'AccessCheck')!.message).toMatch(/does not allow bedrock-agentcore\.amazonaws\.com sts:AssumeRole for harness arn:aws:bedrock-agentcore:us-east-1:123456789012:harness\/named_role-/);
  });

  it('says what AgentCore cannot carry out in the RuntimeCoverage condition and an Event, and runs the rest', async () => {
    await kubectlApply(stack, [{
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'overridden', namespace: 'default' },
      spec: {
        runtime: 'agentcore', foundationModel: MODEL, instruction: 'You help customers look up their orders and nothing else, politely.',
        guardrail: { identifier: 'gr1abc2def3g', version: '1' },
        promptOverrides: [{ promptType: 'PRE_PROCESSING', promptCreationMode: 'OVERRIDDEN', basePromptTemplate: 'Classify the input.' }],
      },
    }]);
    const ready = await waitReady('overridden');
    expect(condition(ready, 'RuntimeCoverage')).toMatchObject({ status: 'False', reason: 'NotCovered', message: expect.stringMatching(/spec\.promptOverrides\[PRE_PROCESSING\].*spec\.guardrail/s) });
    const events = await k8s.events('overridden');
    expect(events.filter((e) => e.reason === 'NotCovered')).toHaveLength(1);
    expect(await harnessesNamed('overridden')).toHaveLength(1);
    // No action group or knowledge base: no gateway.
    expect(acOf(ready).gatewayId).toBeUndefined();
  });

  it('migrates a Classic agent: an endpoint or a prepared alias is ready at every moment; then no Classic agent and no stale Lambda statement', async () => {
    const classic = example.map((o) => {
      const spec = { ...(o.spec as Record<string, unknown>) };
      if (o.kind === 'Lambda') spec.functionName = 'migrating-lookup';
      if (o.kind === 'Agent') {
        delete spec.runtime;
        spec.actionGroups = [{ ...(spec.actionGroups as Record<string, unknown>[])[0], actionGroupExecutor: { lambda: 'migrating-lookup' } }];
      }
      return { ...o, metadata: { name: o.kind === 'Lambda' ? 'migrating-lookup' : 'migrating', namespace: 'default' }, spec };
    });
    expect((await kubectlApply(stack, classic)).code).toBe(0);
    const before = await waitReady('migrating');
    expect(before.status).toMatchObject({ runtime: 'classic', agentStatus: 'PREPARED' });
    const agentId = before.status?.agentId as string;
    const classicSid = `bedrock-agent-${agentId}`;
    await waitFor('the Classic agent\'s Lambda statement', async () => ((await policyOf('migrating-lookup')).some((s) => s.Sid === classicSid) ? true : undefined), { timeoutMs: 15_000 });

    // Watch AWS through the cut-over: at every moment the Classic alias is prepared or the endpoint ready.
    const gaps: string[] = [];
    let watching = true;
    let sawBoth = false;
    const watcher = (async () => {
      while (watching) {
        const alias = await bedrock.send(new ListAgentAliasesCommand({ agentId })).then((r) => r.agentAliasSummaries?.find((a) => a.agentAliasName === 'live'), () => undefined);
        const [harness] = await harnessesNamed('migrating');
        const endpoint = harness && (await agentcore.send(new GetHarnessEndpointCommand({ harnessId: harness.harnessId, endpointName: 'live' })).catch(() => undefined))?.endpoint;
        const classicServes = alias?.agentAliasStatus === 'PREPARED';
        const agentcoreServes = endpoint?.status === 'READY';
        if (!classicServes && !agentcoreServes) gaps.push(`${new Date().toISOString()}: alias ${alias?.agentAliasStatus ?? 'absent'}, endpoint ${endpoint?.status ?? 'absent'}`);
        const o = await k8s.get('agents', 'migrating');
        if (o.status?.agentId && (o.status?.agentCore as { harnessId?: string } | undefined)?.harnessId) sawBoth = true;
      }
    })();
    const eventsBefore = await k8s.events('migrating');
    expect((await kubectl(stack, ['patch', 'agent', 'migrating', '--type=merge', '-p', '{"spec":{"runtime":"agentcore"}}'])).code).toBe(0);
    const done = await k8s.waitForEvent('migrating', eventsBefore, (e) => e.reason === 'MigrationComplete', 'default', 120_000);
    const after = await waitReady('migrating');
    watching = false;
    await watcher;
    expect(gaps).toEqual([]);
    expect(sawBoth).toBe(true);
    expect(done.message).toMatch(/runs on Bedrock AgentCore; its Bedrock Agents \(classic\) agent is deleted/);
    expect(after.status).toMatchObject({ runtime: 'agentcore' });
    expect(after.status?.agentId).toBeUndefined();
    expect(after.status?.migration).toBeUndefined();
    expect(await agentsNamed('migrating')).toEqual([]);
    await waitFor('the generated Classic service role gone', async () =>
      (await iam.send(new GetRoleCommand({ RoleName: 'AmazonBedrockExecutionRoleForAgents_migrating' })).then(() => undefined, (e: Error) => (e.name === 'NoSuchEntityException' ? true : undefined))), { timeoutMs: 30_000 });
    const gatewayRoleArn = acOf(after).gatewayRoleArn;
    const statements = await waitFor('only the gateway\'s statement in the Lambda policy', async () => {
      const s = await policyOf('migrating-lookup');
      return s.length === 1 && JSON.stringify(s[0]!.Principal).includes(gatewayRoleArn) ? s : undefined;
    }, { timeoutMs: 20_000 });
    expect(statements.some((s) => s.Sid === classicSid)).toBe(false);
  });

  it('with deletion policy retain, a migration keeps the Classic agent and its Lambda statement', async () => {
    const lambdaObject = { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: 'kept-lookup', namespace: 'default' }, spec: { ...(example[0]!.spec as object) } };
    const agentSpec = { ...(example[1]!.spec as Record<string, unknown>) };
    delete agentSpec.runtime;
    agentSpec.actionGroups = [{ ...(agentSpec.actionGroups as Record<string, unknown>[])[0], actionGroupExecutor: { lambda: 'kept-lookup' } }];
    const agentObject = { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'kept-classic', namespace: 'default', annotations: { 'bedrockforge.io/deletion-policy': 'retain' } }, spec: agentSpec };
    await kubectlApply(stack, [lambdaObject, agentObject]);
    const before = await waitReady('kept-classic');
    const sid = `bedrock-agent-${before.status?.agentId as string}`;
    const eventsBefore = await k8s.events('kept-classic');
    await kubectl(stack, ['patch', 'agent', 'kept-classic', '--type=merge', '-p', '{"spec":{"runtime":"agentcore"}}']);
    const done = await k8s.waitForEvent('kept-classic', eventsBefore, (e) => e.reason === 'MigrationComplete', 'default', 120_000);
    expect(done.message).toMatch(/released; deletion policy retain/);
    await waitReady('kept-classic');
    expect(await agentsNamed('kept-classic')).toHaveLength(1);
    await waitFor('the gateway\'s statement next to the retained agent\'s', async () => {
      const s = await policyOf('kept-lookup');
      return s.length === 2 && s.some((x) => x.Sid === sid) ? true : undefined;
    }, { timeoutMs: 20_000 });
  });

  it('moves back from AgentCore to Bedrock Agents the same way: the AgentCore resources and roles go once the Classic alias is prepared', async () => {
    const objects = example.map((o) => {
      const spec = { ...(o.spec as Record<string, unknown>) };
      if (o.kind === 'Agent') spec.actionGroups = [{ ...(spec.actionGroups as Record<string, unknown>[])[0], actionGroupExecutor: { lambda: 'returning-lookup' } }];
      return { ...o, metadata: { name: o.kind === 'Lambda' ? 'returning-lookup' : 'returning', namespace: 'default' }, spec };
    });
    await kubectlApply(stack, objects);
    const before = acOf(await waitReady('returning'));
    const eventsBefore = await k8s.events('returning');
    await kubectl(stack, ['patch', 'agent', 'returning', '--type=merge', '-p', '{"spec":{"runtime":"classic"}}']);
    const done = await k8s.waitForEvent('returning', eventsBefore, (e) => e.reason === 'MigrationComplete', 'default', 120_000);
    expect(done.message).toMatch(/runs on Bedrock Agents \(classic\); its Bedrock AgentCore agent is deleted/);
    const after = await waitReady('returning');
    expect(after.status).toMatchObject({ runtime: 'classic', agentStatus: 'PREPARED', aliases: [expect.objectContaining({ name: 'live' })] });
    expect(after.status?.agentCore).toBeUndefined();
    expect(condition(after, 'RuntimeCoverage')).toBeUndefined();
    await waitFor('the harness and gateway gone', async () => ((await harnessesNamed('returning')).length === 0 && (await gatewaysNamed('returning')).length === 0 ? true : undefined), { timeoutMs: 30_000 });
    for (const role of ['BedrockAgentCoreHarness_returning', 'BedrockAgentCoreGateway_returning']) {
      await waitFor(`${role} gone`, async () => (await iam.send(new GetRoleCommand({ RoleName: role })).then(() => undefined, (e: Error) => (e.name === 'NoSuchEntityException' ? true : undefined))), { timeoutMs: 20_000 });
    }
    await waitFor('only the Classic agent\'s statement in the Lambda policy', async () => {
      const s = await policyOf('returning-lookup');
      return s.length === 1 && s[0]!.Sid === `bedrock-agent-${after.status?.agentId as string}` && !JSON.stringify(s).includes(before.gatewayRoleArn) ? true : undefined;
    }, { timeoutMs: 20_000 });
  });

  it('deleting the Agent removes every AgentCore resource and role it made; retain keeps them', async () => {
    const make = (name: string, fn: string, annotations?: Record<string, string>) => [
      { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: fn, namespace: 'default' }, spec: { ...(example[0]!.spec as object) } },
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
        spec: { ...(example[1]!.spec as object), actionGroups: [{ ...((example[1]!.spec as { actionGroups: object[] }).actionGroups[0]), actionGroupExecutor: { lambda: fn } }] },
      },
    ];
    await kubectlApply(stack, [...make('doomed-ac', 'doomed-ac-fn'), ...make('kept-ac', 'kept-ac-fn', { 'bedrockforge.io/deletion-policy': 'retain' })]);
    const doomed = acOf(await waitReady('doomed-ac'));
    const kept = acOf(await waitReady('kept-ac'));
    expect((await kubectl(stack, ['delete', 'agent', 'doomed-ac', 'kept-ac', '--wait=true', '--timeout=90s'])).code).toBe(0);

    expect(await harnessesNamed('doomed_ac')).toEqual([]);
    expect(await gatewaysNamed('doomed-ac')).toEqual([]);
    for (const role of ['BedrockAgentCoreHarness_doomed-ac', 'BedrockAgentCoreGateway_doomed-ac']) {
      await waitFor(`${role} gone`, async () => (await iam.send(new GetRoleCommand({ RoleName: role })).then(() => undefined, (e: Error) => (e.name === 'NoSuchEntityException' ? true : undefined))), { timeoutMs: 20_000 });
    }
    await waitFor('the gateway\'s statement gone', async () => ((await policyOf('doomed-ac-fn')).some((s) => JSON.stringify(s.Principal).includes(doomed.gatewayRoleArn)) ? undefined : true), { timeoutMs: 20_000 });

    expect(await harnessesNamed('kept_ac')).toHaveLength(1);
    expect(await gatewaysNamed('kept-ac')).toHaveLength(1);
    expect((await agentcore.send(new GetHarnessEndpointCommand({ harnessId: kept.harnessId, endpointName: 'live' }))).endpoint?.status).toBe('READY');
    for (const role of ['BedrockAgentCoreHarness_kept-ac', 'BedrockAgentCoreGateway_kept-ac']) expect((await iam.send(new GetRoleCommand({ RoleName: role }))).Role).toBeDefined();
    await startRecording(stack.awsEndpoint);
    await waitFor('two passes over kept-ac-fn', async () =>
      ((await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation === 'GET /2015-03-31/functions/kept-ac-fn/policy').length >= 2 ? true : undefined), { timeoutMs: 30_000 });
    expect((await policyOf('kept-ac-fn')).some((s) => JSON.stringify(s.Principal).includes(kept.gatewayRoleArn))).toBe(true);
  });

  it('creates nothing in Bedrock Agents for an AgentCore agent', async () => {
    await ensureExample();
    expect(await agentsNamed('order-assistant-agentcore')).toEqual([]);
  });
});
