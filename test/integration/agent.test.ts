// The Agent controller against the real apiserver and the extended emulator: the complete
// example converges in one kubectl apply in either order, with the Lambda's statement and the
// generated role's trust naming the agent's exact ARN; drift is reverted and the agent prepared
// again; a prepared agent costs reads only; a crash after CreateAgent makes no twin; deletion
// removes (or retains) the agent, its role and its statements.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BedrockAgentClient, CreateKnowledgeBaseCommand, DeleteAgentActionGroupCommand, DeleteAgentAliasCommand, DeleteAgentCommand, GetAgentCommand, ListAgentActionGroupsCommand,
  ListAgentAliasesCommand, ListAgentsCommand, UpdateAgentCommand,
} from '@aws-sdk/client-bedrock-agent';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseIamPolicy } from '../../src/aws/iam/policy-json.ts';
import { isWrite, recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { condition, Resources, type TestResource } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const RESYNC_S = 2;
const ACCOUNT = '123456789012';
const OPERATOR_ARGS = ['--resync', String(RESYNC_S), '--cluster-name', 'test'];
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let bedrock: BedrockAgentClient;
let lambda: LambdaClient;
let iam: IAMClient;
let complete: Record<string, unknown>[];

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, OPERATOR_ARGS);
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  bedrock = new BedrockAgentClient(aws);
  lambda = new LambdaClient(aws);
  iam = new IAMClient(aws);
  k8s = new Resources(stack);
  complete = parseAllDocuments(await readFile(join(repoRoot, 'examples', 'complete', 'order-assistant.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
  await kubectl(stack, ['create', 'namespace', 'team-b']);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const INSTRUCTION = 'You help customers look up their orders and nothing else, politely.';

function agent(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0', instruction: INSTRUCTION, ...spec },
  };
}

function tool(name: string) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name, namespace: 'default' },
    spec: { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } } },
  };
}

const functions = { functions: [{ name: 'lookup_order', parameters: { order_id: { type: 'string', required: true } } }] };

/** Waits until the Agent is Ready for its current generation. */
function waitReady(name: string, namespace = 'default', timeoutMs = 60_000): Promise<TestResource> {
  return waitFor(`Agent ${namespace}/${name} Ready for its generation`, async () => {
    const o = await k8s.get('agents', name, namespace);
    const ready = condition(o, 'Ready');
    return ready?.status === 'True' && ready.observedGeneration === (o.metadata as { generation?: number }).generation ? o : undefined;
  }, { timeoutMs });
}

/** The complete example in team-b, in the other order (Agent before Lambda), under other AWS names. */
function reversedInTeamB(): Record<string, unknown>[] {
  return [...complete].reverse().map((o) => {
    const spec = { ...(o.spec as Record<string, unknown>) };
    if (o.kind === 'Lambda') spec.functionName = 'order-lookup-b';
    if (o.kind === 'Agent') spec.agentName = 'order-assistant-b';
    return { ...o, metadata: { ...(o.metadata as object), namespace: 'team-b' }, spec };
  });
}

/**
 * Applies the complete example as the first test does (the file in default, reversedInTeamB() in
 * team-b) and waits until its agent is Ready. Applying it again changes nothing, so each test that
 * needs the example calls this and runs alone as well as after the others.
 */
async function ensureComplete(namespace: 'default' | 'team-b'): Promise<TestResource> {
  const applied = namespace === 'default'
    ? await kubectl(stack, ['apply', '-f', join(repoRoot, 'examples', 'complete', 'order-assistant.yaml')])
    : await kubectlApply(stack, reversedInTeamB());
  expect(applied.code, applied.stderr).toBe(0);
  return waitReady('order-assistant', namespace);
}

const agentId = async (name: string, namespace = 'default') => (await k8s.get('agents', name, namespace)).status?.agentId as string;
const policyOf = async (fn: string) =>
  (JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: fn })).catch(() => ({ Policy: '{"Statement":[]}' }))).Policy!) as { Statement: { Sid: string; Condition?: unknown }[] }).Statement;
const agentsNamed = async (name: string) => ((await bedrock.send(new ListAgentsCommand({}))).agentSummaries ?? []).filter((a) => a.agentName === name);

/** Over `resyncs` passes of a Ready agent (counted by the emulator's recorder): AWS reads only, and no status write. */
async function expectQuietResyncs(ready: TestResource, resyncs: number): Promise<void> {
  const id = ready.status?.agentId as string;
  await startRecording(stack.awsEndpoint);
  // Each pass reads the agent's aliases; the agent, its action groups, knowledge bases and tags
  // come from the account's ListAgents while the agent's summary there has not moved, with a full
  // read every tenth pass (and one right after Ready, whose pass saw the agent just written).
  const listAliases = `POST /agents/${id}/agentaliases/`;
  const calls = await waitFor(`${resyncs} resyncs of the agent`, async () => {
    const seen = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes(`/agents/${id}`) || c.operation.includes(`agent/${id}`));
    return seen.filter((c) => c.operation === listAliases).length >= resyncs ? seen : undefined;
  }, { timeoutMs: resyncs * RESYNC_S * 1000 * 3 + 30_000 });
  expect(calls.filter(isWrite)).toEqual([]);
  const passes = calls.filter((c) => c.operation === listAliases).length;
  expect(calls.filter((c) => c.operation === `GET /agents/${id}/`).length).toBeLessThanOrEqual(2 + Math.floor(passes / 10));
  const { name, namespace } = ready.metadata;
  expect((await k8s.get('agents', name, namespace)).metadata.resourceVersion).toBe(ready.metadata.resourceVersion);
}

describe('Agent controller', () => {
  it('converges the complete example applied in one kubectl apply, in either order', async () => {
    expect((await kubectl(stack, ['apply', '-f', join(repoRoot, 'examples', 'complete', 'order-assistant.yaml')])).code).toBe(0);
    // The same objects in the other order (Agent before Lambda), under other AWS names.
    expect((await kubectlApply(stack, reversedInTeamB())).code).toBe(0);

    for (const [namespace, fn, agentName] of [['default', 'order-lookup', 'order-assistant'], ['team-b', 'order-lookup-b', 'order-assistant-b']] as const) {
      const ready = await waitReady('order-assistant', namespace);
      const arn = ready.status?.agentArn as string;
      expect(arn).toMatch(new RegExp(`^arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/[0-9A-Z]{10}$`));
      expect(ready.status).toMatchObject({ agentStatus: 'PREPARED', aliases: [{ name: 'live', agentVersion: expect.stringMatching(/^\d+$/) }] });
      // The Lambda's policy lets exactly this agent invoke it (seed 001).
      const statement = await waitFor('the agent\'s statement in the Lambda policy', async () => (await policyOf(fn)).find((s) => s.Sid === `bedrock-agent-${arn.split('/').pop()}`), { timeoutMs: 15_000 });
      expect(JSON.stringify(statement.Condition)).toContain(arn);
      // The generated role's trust names that ARN.
      const role = (await iam.send(new GetRoleCommand({ RoleName: `AmazonBedrockExecutionRoleForAgents_${agentName}` }))).Role!;
      expect(parseIamPolicy(role.AssumeRolePolicyDocument!).Statement).toEqual([{
        Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'AWS:SourceArn': arn } },
      }]);
      expect((await bedrock.send(new GetAgentCommand({ agentId: ready.status?.agentId as string }))).agent?.agentResourceRoleArn).toBe(role.Arn);
    }
  });

  it('generates the service role with exactly the permissions of seed 001 for what the agent uses', async () => {
    await ensureComplete('default');
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: 'AmazonBedrockExecutionRoleForAgents_order-assistant', PolicyName: 'AgentPermissions' }));
    expect(parseIamPolicy(policy.PolicyDocument!).Statement).toEqual([
      { Sid: 'AllowModelInvocationForOrchestration', Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0' },
    ]);
  });

  it('grants the generated role one seed-001 statement per need of the spec, scoped to its ARNs', async () => {
    const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
    const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
    await kubectlApply(stack, [agent('needs-all', {
      foundationModel: `us.${MODEL}`,
      actionGroups: [{ name: 'orders', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, apiSchema: { s3: { s3BucketName: 'schemas', s3ObjectKey: 'orders.yaml' } } }],
      knowledgeBases: [{ knowledgeBaseId: 'KB12345678', description: 'Order FAQ' }],
      guardrail: { identifier: 'gr1abc', version: '1' },
      customerEncryptionKey: KEY,
    })]);
    const roleName = 'AmazonBedrockExecutionRoleForAgents_needs-all';
    const policy = await waitFor('the generated role\'s policy', () => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'AgentPermissions' })).catch(() => undefined), { timeoutMs: 30_000 });
    const profile = `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.${MODEL}`;
    expect(parseIamPolicy(policy.PolicyDocument!).Statement).toEqual([
      // The inference profile, and the model behind it in the regions the profile routes to.
      { Sid: 'AllowModelInvocationForOrchestration', Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: [profile, `arn:aws:bedrock:*::foundation-model/${MODEL}`] },
      { Sid: 'ReadInferenceProfile', Effect: 'Allow', Action: 'bedrock:GetInferenceProfile', Resource: profile },
      { Sid: 'AllowAccessToActionGroupApiSchemasInS3', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::schemas/orders.yaml', Condition: { StringEquals: { 'aws:ResourceAccount': ACCOUNT } } },
      { Sid: 'QueryAssociatedKnowledgeBases', Effect: 'Allow', Action: 'bedrock:Retrieve', Resource: `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KB12345678` },
      // RetrieveAndGenerate takes no resource type in IAM's catalogue: "*", alone.
      { Sid: 'RetrieveAndGenerate', Effect: 'Allow', Action: 'bedrock:RetrieveAndGenerate', Resource: '*' },
      { Sid: 'ApplyAgentGuardrail', Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/gr1abc` },
      { Sid: 'DecryptAgentResources', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY },
    ]);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies).toEqual([]);
    // The knowledge base does not exist in this account: Bedrock's refusal reaches the condition.
    const refused = await k8s.waitForCondition('agents', 'needs-all', 'Synced', 'False', { reason: 'ResourceNotFound' });
    expect(condition(refused, 'Synced')?.message).toMatch(/^Bedrock refused associating knowledge base KB12345678: /);
    expect((await kubectl(stack, ['delete', 'agent', 'needs-all', '--wait=true', '--timeout=30s'])).code).toBe(0);
  });

  it('converges an agent that sets every aspect, two aliases included, and then costs reads only', async () => {
    const kb = (await bedrock.send(new CreateKnowledgeBaseCommand({
      name: 'order-faq', roleArn: `arn:aws:iam::${ACCOUNT}:role/kb-role`,
      knowledgeBaseConfiguration: { type: 'VECTOR', vectorKnowledgeBaseConfiguration: { embeddingModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0' } },
      storageConfiguration: {
        type: 'OPENSEARCH_SERVERLESS',
        opensearchServerlessConfiguration: { collectionArn: `arn:aws:aoss:us-east-1:${ACCOUNT}:collection/faq`, vectorIndexName: 'index', fieldMapping: { vectorField: 'v', textField: 't', metadataField: 'm' } },
      },
    }))).knowledgeBase!;
    await kubectlApply(stack, [agent('every-aspect', {
      description: 'Every aspect the operator manages',
      idleSessionTtlInSeconds: 1200,
      guardrail: { identifier: 'gr1abc', version: '1' },
      customerEncryptionKey: `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
      memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 10 },
      promptOverrides: [{ promptType: 'ORCHESTRATION', basePromptTemplate: 'Answer about orders only. $question$', inferenceConfiguration: { temperature: 0, maximumLength: 2048 } }],
      knowledgeBases: [{ knowledgeBaseId: kb.knowledgeBaseId, description: 'Order FAQ' }],
      actionGroups: [
        { name: 'ask-user', parentActionGroupSignature: 'AMAZON.UserInput' },
        { name: 'orders', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, functionSchema: functions },
      ],
      aliases: [{ name: 'live', description: 'customers' }, { name: 'beta' }],
      tags: { Team: 'support' },
    })]);
    const ready = await waitReady('every-aspect');
    expect((ready.status?.aliases as { name: string }[]).map((a) => a.name)).toEqual(['beta', 'live']);
    const id = ready.status?.agentId as string;
    const inAws = (await bedrock.send(new GetAgentCommand({ agentId: id }))).agent!;
    expect(inAws).toMatchObject({
      idleSessionTTLInSeconds: 1200, guardrailConfiguration: { guardrailIdentifier: 'gr1abc', guardrailVersion: '1' },
      memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 10 },
    });
    expect(inAws.promptOverrideConfiguration?.promptConfigurations?.find((p) => p.promptType === 'ORCHESTRATION'))
      .toMatchObject({ promptCreationMode: 'OVERRIDDEN', basePromptTemplate: 'Answer about orders only. $question$' });

    await expectQuietResyncs(ready, 5);
    expect((await kubectl(stack, ['delete', 'agent', 'every-aspect', '--wait=true', '--timeout=30s'])).code).toBe(0);
  });

  it('reverts drift made in the emulator within a resync and prepares the agent again', async () => {
    await ensureComplete('default');
    const id = await agentId('order-assistant');
    const get = async () => (await bedrock.send(new GetAgentCommand({ agentId: id }))).agent!;
    const drifts: { aspect: string; make: () => Promise<unknown>; reverted: () => Promise<boolean> }[] = [
      {
        aspect: 'instruction',
        make: async () => {
          const a = await get();
          return bedrock.send(new UpdateAgentCommand({ agentId: id, agentName: a.agentName, foundationModel: a.foundationModel, agentResourceRoleArn: a.agentResourceRoleArn, instruction: 'Changed by hand in the console: answer anything you are asked.' }));
        },
        reverted: async () => (await get()).instruction?.startsWith('You are a customer support assistant') === true,
      },
      {
        aspect: 'action group orders',
        make: async () => {
          const groups = (await bedrock.send(new ListAgentActionGroupsCommand({ agentId: id, agentVersion: 'DRAFT' }))).actionGroupSummaries!;
          return bedrock.send(new DeleteAgentActionGroupCommand({ agentId: id, agentVersion: 'DRAFT', actionGroupId: groups[0]!.actionGroupId, skipResourceInUseCheck: true }));
        },
        reverted: async () => ((await bedrock.send(new ListAgentActionGroupsCommand({ agentId: id, agentVersion: 'DRAFT' }))).actionGroupSummaries ?? []).some((g) => g.actionGroupName === 'orders'),
      },
      {
        aspect: 'alias live',
        make: async () => {
          const aliases = (await bedrock.send(new ListAgentAliasesCommand({ agentId: id }))).agentAliasSummaries!.filter((a) => a.agentAliasName === 'live');
          return bedrock.send(new DeleteAgentAliasCommand({ agentId: id, agentAliasId: aliases[0]!.agentAliasId }));
        },
        reverted: async () => ((await bedrock.send(new ListAgentAliasesCommand({ agentId: id }))).agentAliasSummaries ?? []).some((a) => a.agentAliasName === 'live' && a.agentAliasStatus === 'PREPARED'),
      },
    ];
    const liveVersion = (o: TestResource) => Number((o.status?.aliases as { agentVersion: string }[])[0]!.agentVersion);
    for (const drift of drifts) {
      const before = await k8s.events('order-assistant');
      const preparedBefore = (await get()).preparedAt!.getTime();
      const versionBefore = liveVersion(await k8s.get('agents', 'order-assistant'));
      await waitFor(`the emulator to take the ${drift.aspect} change`, async () => { await drift.make(); return true; }, { timeoutMs: 10_000 });
      await waitFor(`${drift.aspect} to be reverted`, async () => ((await drift.reverted()) ? true : undefined), { timeoutMs: RESYNC_S * 1000 * 3 + 20_000 });
      await k8s.waitForEvent('order-assistant', before, (e) => e.reason === 'DriftCorrected' && e.message?.includes(drift.aspect) === true);
      // A changed DRAFT is prepared again, and the alias moves to a version of the prepared agent.
      const reprepare = drift.aspect !== 'alias live';
      await waitFor('the agent prepared again', async () => {
        const a = await get();
        return a.agentStatus === 'PREPARED' && (!reprepare || a.preparedAt!.getTime() > preparedBefore) ? true : undefined;
      }, { timeoutMs: 30_000 });
      const ready = await waitFor('the alias routed to the new version and the Agent Ready', async () => {
        const o = await k8s.get('agents', 'order-assistant');
        return condition(o, 'Ready')?.status === 'True' && liveVersion(o) > versionBefore ? o : undefined;
      }, { timeoutMs: 30_000 });
      expect(ready.status?.agentStatus).toBe('PREPARED');
    }

    // The agent itself deleted: created again (one agent of that name), prepared, with its alias.
    const before = await k8s.events('order-assistant');
    await bedrock.send(new DeleteAgentCommand({ agentId: id, skipResourceInUseCheck: true }));
    await k8s.waitForEvent('order-assistant', before, (e) => e.reason === 'DriftCorrected', 'default', 30_000);
    const again = await waitFor('a new agent, prepared, with its alias', async () => {
      const o = await k8s.get('agents', 'order-assistant');
      return o.status?.agentId !== id && condition(o, 'Ready')?.status === 'True' ? o : undefined;
    }, { timeoutMs: 60_000 });
    expect(await agentsNamed('order-assistant')).toHaveLength(1);
    expect(again.status?.aliases).toEqual([expect.objectContaining({ name: 'live' })]);
  });

  it('costs no AWS write and no status write over ten resyncs once Ready', async () => {
    await expectQuietResyncs(await ensureComplete('team-b'), 10);
  });

  it('finds the agent it created before dying, instead of creating a twin', async () => {
    await operator.stop();
    await kubectlApply(stack, [agent('crash-agent', { iamRole: `arn:aws:iam::${ACCOUNT}:role/crash-agent-role` })]);
    // What the operator had done when it died: CreateAgent sent (with the ownership tags), the
    // agent ID never written to status.
    const { CreateAgentCommand } = await import('@aws-sdk/client-bedrock-agent');
    await bedrock.send(new CreateAgentCommand({
      agentName: 'crash-agent', foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0', instruction: INSTRUCTION,
      agentResourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/crash-agent-role`,
      tags: { 'bedrockforge.io/cluster': 'test', 'bedrockforge.io/namespace': 'default', 'bedrockforge.io/name': 'crash-agent' },
    }));
    operator = await startOperator(stack, OPERATOR_ARGS, 'operator-restarted');
    const settled = await waitFor('crash-agent to record its agent', async () => {
      const o = await k8s.get('agents', 'crash-agent');
      return o.status?.agentId ? o : undefined;
    }, { timeoutMs: 30_000 });
    const twins = await agentsNamed('crash-agent');
    expect(twins.map((a) => a.agentId)).toEqual([settled.status?.agentId]);
    expect((await k8s.events('crash-agent')).filter((e) => e.reason === 'Created')).toEqual([]);
  });

  it('waits with a clear reason for a role that does not exist yet, and refuses autoCreate false without a role', async () => {
    await kubectlApply(stack, [agent('no-role-yet', { iamRole: 'agent-role-later' })]);
    const waiting = await k8s.waitForCondition('agents', 'no-role-yet', 'Synced', 'False', { reason: 'WaitingForRole' });
    expect(condition(waiting, 'Synced')?.message).toContain('IAMRole default/agent-role-later (spec.iamRole) does not exist yet');
    expect(await agentsNamed('no-role-yet')).toEqual([]);

    // Bedrock Forge's autoCreate: false with no role named: nothing to run as, and nothing generated.
    await kubectlApply(stack, [agent('no-role-at-all', { iamRole: { autoCreate: false } })]);
    const refused = await k8s.waitForCondition('agents', 'no-role-at-all', 'Synced', 'False', { reason: 'NoRole' });
    expect(condition(refused, 'Synced')?.message).toContain('spec.iamRole.autoCreate is false and the spec names no role');
    expect((await kubectl(stack, ['get', 'iamrole', 'no-role-at-all-service-role', '--ignore-not-found', '-o', 'name'])).stdout).toBe('');
    expect(await agentsNamed('no-role-at-all')).toEqual([]);
  });

  it('deletes the agent with its aliases, generated role and Lambda statements; retain keeps them', async () => {
    await kubectlApply(stack, [
      tool('doomed-tool'), tool('kept-tool'),
      agent('doomed-agent', { actionGroups: [{ name: 'orders', actionGroupExecutor: { lambda: 'doomed-tool' }, functionSchema: functions }], aliases: [{ name: 'live' }] }),
      agent('kept-agent', { actionGroups: [{ name: 'orders', actionGroupExecutor: { lambda: 'kept-tool' }, functionSchema: functions }], aliases: [{ name: 'live' }] }, { 'bedrockforge.io/deletion-policy': 'retain' }),
    ]);
    const doomed = await waitReady('doomed-agent');
    const kept = await waitReady('kept-agent');
    const sid = (o: TestResource) => `bedrock-agent-${o.status?.agentId as string}`;
    await waitFor('both statements', async () =>
      ((await policyOf('doomed-tool')).some((s) => s.Sid === sid(doomed)) && (await policyOf('kept-tool')).some((s) => s.Sid === sid(kept)) ? true : undefined), { timeoutMs: 15_000 });

    expect((await kubectl(stack, ['delete', 'agent', 'doomed-agent', 'kept-agent', '--wait=true', '--timeout=60s'])).code).toBe(0);
    await waitFor('doomed-agent gone from AWS', async () => ((await agentsNamed('doomed-agent')).length === 0 ? true : undefined), { timeoutMs: 30_000 });
    await waitFor('its statement gone', async () => ((await policyOf('doomed-tool')).some((s) => s.Sid === sid(doomed)) ? undefined : true), { timeoutMs: 15_000 });
    await waitFor('its generated role gone', async () =>
      (await iam.send(new GetRoleCommand({ RoleName: 'AmazonBedrockExecutionRoleForAgents_doomed-agent' })).then(() => undefined, (e: Error) => (e.name === 'NoSuchEntityException' ? true : undefined))), { timeoutMs: 15_000 });

    expect(await agentsNamed('kept-agent')).toHaveLength(1);
    expect((await bedrock.send(new ListAgentAliasesCommand({ agentId: kept.status?.agentId as string }))).agentAliasSummaries?.some((a) => a.agentAliasName === 'live')).toBe(true);
    // The retained agent's statement stays through the Lambda's next passes.
    await startRecording(stack.awsEndpoint);
    await waitFor('two passes over kept-tool', async () =>
      ((await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation === 'GET /2015-03-31/functions/kept-tool/policy').length >= 2 ? true : undefined), { timeoutMs: 30_000 });
    expect((await policyOf('kept-tool')).some((s) => s.Sid === sid(kept))).toBe(true);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'AmazonBedrockExecutionRoleForAgents_kept-agent' }))).Role).toBeDefined();
  });
});
