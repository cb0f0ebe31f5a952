// The Flow controller against the real apiserver and the emulator's Bedrock Flows: a flow whose
// nodes name an Agent's alias and a Lambda converges in one kubectl apply with them (flow first),
// prepared, versioned and with its alias routed; its generated role has exactly seed 003's
// statements for those nodes and follows a node removed; drift (definition, alias, flow) is
// reverted within a resync; a prepared flow costs reads only; a definition Bedrock refuses ends in
// Synced=False with Bedrock's validation; a crash after CreateFlow makes no twin; deletion removes
// (or retains) the flow, its aliases and versions and its role.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BedrockAgentClient, CreateFlowCommand, DeleteAgentAliasCommand, DeleteFlowAliasCommand, DeleteFlowCommand, GetFlowCommand, ListFlowAliasesCommand, ListFlowsCommand,
  ListFlowVersionsCommand, UpdateFlowCommand, type FlowDefinition,
} from '@aws-sdk/client-bedrock-agent';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseIamPolicy, type AnyPolicy } from '../../src/aws/iam/policy-json.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import type { PolicySet } from '../../src/iam/evaluator/types.ts';
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
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const KB = 'KB12345678';
const OWNERSHIP = (name: string) => ({ 'bedrockforge.io/cluster': 'test', 'bedrockforge.io/namespace': 'default', 'bedrockforge.io/name': name });
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let bedrock: BedrockAgentClient;
let iam: IAMClient;
let assistant: Record<string, unknown>[];

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, OPERATOR_ARGS);
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  bedrock = new BedrockAgentClient(aws);
  iam = new IAMClient(aws);
  k8s = new Resources(stack);
  assistant = parseAllDocuments(await readFile(join(repoRoot, 'examples', 'complete', 'order-assistant.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

type Node = Record<string, unknown>;
const io = (name: string, type = 'String', expression = '$.data') => ({ name, type, expression });
const out = (name: string, type = 'String') => ({ name, type });
const data = (name: string, source: string, sourceOutput: string, target: string, targetInput: string) =>
  ({ name, type: 'Data', source, target, configuration: { data: { sourceOutput, targetInput } } });

/** Input → prompt → the order assistant's alias live → output, and Input → knowledge base → Lambda → a second output. */
function triageNodes(withKnowledgeBase = true): { nodes: Node[]; connections: Node[] } {
  const nodes: Node[] = [
    { name: 'FlowInput', type: 'Input', configuration: { input: {} }, outputs: [out('document')] },
    {
      name: 'Rewrite', type: 'Prompt', inputs: [io('message')], outputs: [out('modelCompletion')],
      configuration: { prompt: { sourceConfiguration: { inline: { templateType: 'TEXT', modelId: MODEL, templateConfiguration: { text: { text: 'Rewrite as an order question: {{message}}', inputVariables: [{ name: 'message' }] } } } } } },
    },
    { name: 'OrderAssistant', type: 'Agent', configuration: { agent: { agent: 'order-assistant', alias: 'live' } }, inputs: [io('agentInputText')], outputs: [out('agentResponse')] },
    { name: 'FlowOutput', type: 'Output', configuration: { output: {} }, inputs: [io('document')] },
  ];
  const connections: Node[] = [
    data('InputToRewrite', 'FlowInput', 'document', 'Rewrite', 'message'),
    data('RewriteToAssistant', 'Rewrite', 'modelCompletion', 'OrderAssistant', 'agentInputText'),
    data('AssistantToOutput', 'OrderAssistant', 'agentResponse', 'FlowOutput', 'document'),
  ];
  if (withKnowledgeBase) {
    nodes.push(
      { name: 'Faq', type: 'KnowledgeBase', configuration: { knowledgeBase: { knowledgeBaseId: KB } }, inputs: [io('retrievalQuery')], outputs: [out('retrievalResults', 'Array')] },
      { name: 'Tagger', type: 'LambdaFunction', configuration: { lambdaFunction: { lambda: 'ticket-tagger' } }, inputs: [io('results', 'Array')], outputs: [out('functionResponse')] },
      { name: 'TagsOutput', type: 'Output', configuration: { output: {} }, inputs: [io('document')] },
    );
    connections.push(
      data('InputToFaq', 'FlowInput', 'document', 'Faq', 'retrievalQuery'),
      data('FaqToTagger', 'Faq', 'retrievalResults', 'Tagger', 'results'),
      data('TaggerToOutput', 'Tagger', 'functionResponse', 'TagsOutput', 'document'),
    );
  }
  return { nodes, connections };
}

function flow(name: string, definition: { nodes: Node[]; connections: Node[] }, extra: Record<string, unknown> = {}, annotations?: Record<string, string>) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Flow', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { description: 'Routes customer messages', definition, aliases: [{ name: 'prod' }], ...extra },
  };
}

const tagger = {
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: 'ticket-tagger', namespace: 'default' },
  spec: { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'def handler(e, c):\n    return {"tags": []}\n' } } },
};

const waitReady = (name: string, timeoutMs = 90_000) => k8s.waitForReadyGeneration('flows', name, 'default', timeoutMs);
const flowOf = async (o: TestResource) => bedrock.send(new GetFlowCommand({ flowIdentifier: o.status?.flowId as string }));
const aliasesOf = async (flowId: string) => ((await bedrock.send(new ListFlowAliasesCommand({ flowIdentifier: flowId }))).flowAliasSummaries ?? []).filter((a) => a.id !== 'TSTALIASID');
const versionsOf = async (flowId: string) => ((await bedrock.send(new ListFlowVersionsCommand({ flowIdentifier: flowId }))).flowVersionSummaries ?? []).map((v) => v.version).filter((v) => v !== 'DRAFT');
const flowsNamed = async (name: string) => ((await bedrock.send(new ListFlowsCommand({}))).flowSummaries ?? []).filter((f) => f.name === name);
const nodeConfig = (definition: FlowDefinition | undefined, name: string) => definition?.nodes?.find((n) => n.name === name)?.configuration as Record<string, Record<string, string>> | undefined;
const ROLE = 'AmazonBedrockExecutionRoleForFlows_triage';
const permissionsOf = async (role: string) => parseIamPolicy((await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: 'FlowPermissions' }))).PolicyDocument!).Statement as { Sid?: string }[];

/** Whether the role's inline policy in IAM allows `action` on `resource` (the repo's IAM evaluator). */
async function roleAllows(role: string, action: string, resource: string): Promise<boolean> {
  const document = parseIamPolicy((await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: 'FlowPermissions' }))).PolicyDocument!) as AnyPolicy;
  const request = { principal: { type: 'AWS' as const, arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, account: ACCOUNT }, action, resource, resourceAccount: ACCOUNT, context: {} };
  return authorize(request, { identity: [{ name: 'FlowPermissions', document }] } as unknown as PolicySet).decision === 'Allow';
}

/** Applies the triage flow with the order assistant and the tagger Lambda (flow first) and waits until it is Ready. */
async function ensureTriage(): Promise<TestResource> {
  const applied = await kubectlApply(stack, [flow('triage', triageNodes()), ...assistant.reverse(), tagger]);
  expect(applied.code, applied.stderr).toBe(0);
  return waitReady('triage');
}

describe('Flow controller', () => {
  it('converges a flow naming an Agent alias and a Lambda, applied with them in one kubectl apply, flow first', async () => {
    const ready = await ensureTriage();
    const agent = await k8s.get('agents', 'order-assistant');
    const aliasArn = (agent.status?.aliases as { name: string; aliasArn: string }[]).find((a) => a.name === 'live')!.aliasArn;
    const functionArn = (await k8s.get('lambdas', 'ticket-tagger')).status?.arn as string;
    const flowArn = ready.status?.flowArn as string;
    expect(flowArn).toMatch(new RegExp(`^arn:aws:bedrock:us-east-1:${ACCOUNT}:flow/[0-9A-Z]{10}$`));
    expect(ready.status).toMatchObject({ flowStatus: 'Prepared', flowVersion: '1', aliases: [{ name: 'prod', flowVersion: '1', aliasArn: expect.stringContaining(`${flowArn}/alias/`) }] });
    const inAws = await flowOf(ready);
    expect(nodeConfig(inAws.definition, 'OrderAssistant')).toEqual({ agent: { agentAliasArn: aliasArn } });
    expect(nodeConfig(inAws.definition, 'Tagger')).toEqual({ lambdaFunction: { lambdaArn: functionArn } });
    const role = (await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role!;
    expect(inAws.executionRoleArn).toBe(role.Arn);
    expect((await aliasesOf(inAws.id!)).map((a) => [a.name, a.routingConfiguration?.[0]?.flowVersion])).toEqual([['prod', '1']]);

    // Seed 003, statement by statement: the trust narrowed to this flow, one statement per kind of node.
    const trust = await waitFor('the trust narrowed to the flow', async () => {
      const statements = parseIamPolicy((await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role!.AssumeRolePolicyDocument!).Statement;
      return JSON.stringify(statements).includes(flowArn) ? statements : undefined;
    }, { timeoutMs: 20_000 });
    expect(trust).toEqual([{
      Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'AWS:SourceArn': flowArn } },
    }]);
    expect(await permissionsOf(ROLE)).toEqual([
      { Sid: 'InvokeModel', Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}` },
      { Sid: 'QueryKnowledgeBase', Effect: 'Allow', Action: 'bedrock:Retrieve', Resource: `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/${KB}` },
      { Sid: 'RetrieveAndGenerate', Effect: 'Allow', Action: 'bedrock:RetrieveAndGenerate', Resource: '*' },
      { Sid: 'InvokeAgent', Effect: 'Allow', Action: 'bedrock:InvokeAgent', Resource: aliasArn },
      { Sid: 'LambdaPermissions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: functionArn },
    ]);
    // Proven with the evaluator: the calls the nodes make are allowed, their neighbours are not.
    expect(await roleAllows(ROLE, 'bedrock:InvokeAgent', aliasArn)).toBe(true);
    expect(await roleAllows(ROLE, 'bedrock:InvokeAgent', aliasArn.replace(/\/[^/]+$/, '/OTHERALIAS'))).toBe(false);
    expect(await roleAllows(ROLE, 'lambda:InvokeFunction', functionArn)).toBe(true);
    expect(await roleAllows(ROLE, 'lambda:InvokeFunction', `${functionArn}-other`)).toBe(false);
    expect(await roleAllows(ROLE, 'bedrock:Retrieve', `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/${KB}`)).toBe(true);
    expect(await roleAllows(ROLE, 'bedrock:Retrieve', `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KB87654321`)).toBe(false);
    expect(await roleAllows(ROLE, 'bedrock:InvokeModel', `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`)).toBe(true);
    expect(await roleAllows(ROLE, 'bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0')).toBe(false);
  });

  it('drops a removed node\'s permission, and routes the alias to a new version of the changed flow', async () => {
    const before = await ensureTriage();
    const flowId = before.status?.flowId as string;
    expect((await kubectlApply(stack, [flow('triage', triageNodes(false))])).code).toBe(0);
    const after = await waitFor('the alias routed to the new version', async () => {
      const o = await waitReady('triage');
      return o.status?.flowVersion !== before.status?.flowVersion ? o : undefined;
    }, { timeoutMs: 60_000 });
    expect(after.status?.flowId).toBe(flowId);
    expect(after.status?.aliases).toEqual([expect.objectContaining({ name: 'prod', flowVersion: after.status?.flowVersion })]);
    // The version the alias left is deleted; the flow in AWS has the three nodes removed.
    expect(await versionsOf(flowId)).toEqual([after.status?.flowVersion]);
    expect((await flowOf(after)).definition?.nodes?.map((n) => n.name).sort()).toEqual(['FlowInput', 'FlowOutput', 'OrderAssistant', 'Rewrite']);
    const statements = await waitFor('the role without the removed nodes\' statements', async () => {
      const s = await permissionsOf(ROLE);
      return s.length === 2 ? s : undefined;
    }, { timeoutMs: 20_000 });
    expect(statements.map((s) => s.Sid)).toEqual(['InvokeModel', 'InvokeAgent']);
    expect(await roleAllows(ROLE, 'bedrock:Retrieve', `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/${KB}`)).toBe(false);
  });

  it('reverts drift within a resync: a definition changed, the alias deleted, the flow deleted', async () => {
    const ready = await ensureTriage();
    const flowId = ready.status?.flowId as string;
    const inAws = await flowOf(ready);
    // The definition changed by hand: the prompt's text.
    const changed = structuredClone(inAws.definition!);
    const rewrite = changed.nodes!.find((n) => n.name === 'Rewrite')!.configuration as { prompt: { sourceConfiguration: { inline: { templateConfiguration: { text: { text: string } } } } } };
    rewrite.prompt.sourceConfiguration.inline.templateConfiguration.text.text = 'Say something else: {{message}}';
    await bedrock.send(new UpdateFlowCommand({ flowIdentifier: flowId, name: inAws.name, description: inAws.description, executionRoleArn: inAws.executionRoleArn, definition: changed }));
    const restored = await waitFor('the definition restored and prepared', async () => {
      const f = await bedrock.send(new GetFlowCommand({ flowIdentifier: flowId }));
      const text = JSON.stringify(f.definition);
      return f.status === 'Prepared' && text.includes('Rewrite as an order question') ? f : undefined;
    }, { timeoutMs: RESYNC_S * 1000 * 5 + 10_000 });
    expect(restored.id).toBe(flowId);

    // The alias deleted by hand is created again.
    const [alias] = await aliasesOf(flowId);
    await bedrock.send(new DeleteFlowAliasCommand({ flowIdentifier: flowId, aliasIdentifier: alias!.id }));
    const recreated = await waitFor('the alias prod again', async () => (await aliasesOf(flowId)).find((a) => a.name === 'prod'), { timeoutMs: RESYNC_S * 1000 * 5 + 10_000 });
    expect(recreated.id).not.toBe(alias!.id);

    // The flow deleted by hand is created again, with its alias.
    await bedrock.send(new DeleteFlowCommand({ flowIdentifier: flowId, skipResourceInUseCheck: true }));
    const again = await waitFor('a new flow, Ready', async () => {
      const o = await waitReady('triage');
      return o.status?.flowId !== flowId && (o.status?.aliases as unknown[] | undefined)?.length === 1 ? o : undefined;
    }, { timeoutMs: 60_000 });
    expect(await flowsNamed('triage')).toHaveLength(1);
    expect((await aliasesOf(again.status?.flowId as string)).map((a) => a.name)).toEqual(['prod']);
  });

  it('follows the Agent\'s alias when it is made again with a new ARN', async () => {
    const ready = await ensureTriage();
    const agent = await k8s.get('agents', 'order-assistant');
    const live = (agent.status?.aliases as { name: string; aliasId: string; aliasArn: string }[]).find((a) => a.name === 'live')!;
    await bedrock.send(new DeleteAgentAliasCommand({ agentId: agent.status?.agentId as string, agentAliasId: live.aliasId }));
    const moved = await waitFor('the flow\'s Agent node on the new alias ARN', async () => {
      const a = (await k8s.get('agents', 'order-assistant')).status?.aliases as { name: string; aliasArn: string }[] | undefined;
      const arn = a?.find((x) => x.name === 'live')?.aliasArn;
      if (!arn || arn === live.aliasArn) return undefined;
      const node = nodeConfig((await flowOf(ready)).definition, 'OrderAssistant');
      return node?.agent?.agentAliasArn === arn ? arn : undefined;
    }, { timeoutMs: 60_000 });
    const statements = await waitFor('the role on the new alias', async () => {
      const s = await permissionsOf(ROLE);
      return JSON.stringify(s).includes(moved) ? s : undefined;
    }, { timeoutMs: 20_000 });
    expect(JSON.stringify(statements)).not.toContain(live.aliasArn);
  });

  it('costs no AWS write and no status write over ten resyncs once Ready', async () => {
    await ensureTriage();
    // Ready may still be the condition of before a drift an earlier test made (the object did not
    // change): wait until the flow in AWS is prepared, its alias on the newest version, and the
    // status says so.
    const ready = await waitFor('the flow settled', async () => {
      const o = await waitReady('triage');
      const id = o.status?.flowId as string;
      const [flowInAws, versions, aliases] = await Promise.all([bedrock.send(new GetFlowCommand({ flowIdentifier: id })), versionsOf(id), aliasesOf(id)]);
      const newest = versions.at(-1);
      return flowInAws.status === 'Prepared' && newest && aliases[0]?.routingConfiguration?.[0]?.flowVersion === newest && o.status?.flowVersion === newest ? o : undefined;
    }, { timeoutMs: 60_000 });
    const id = ready.status?.flowId as string;
    await startRecording(stack.awsEndpoint);
    const calls = await waitFor('ten resyncs of the flow', async () => {
      const seen = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes(`/flows/${id}`) || c.operation.includes(`flow/${id}`));
      return seen.filter((c) => c.operation === `GET /flows/${id}/`).length >= 10 ? seen : undefined;
    }, { timeoutMs: 10 * RESYNC_S * 1000 * 3 + 30_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    expect((await k8s.get('flows', 'triage')).metadata.resourceVersion).toBe(ready.metadata.resourceVersion);
  });

  it('refuses at apply what the schema can see, and reports Bedrock\'s validation for the rest without a hot loop', async () => {
    const dangling = triageNodes(false);
    dangling.connections.push(data('ToNowhere', 'Rewrite', 'modelCompletion', 'Missing', 'document'));
    const refused = await kubectlApply(stack, [flow('dangling', dangling)]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('every connection\'s source and target must be nodes of this definition');
    const mismatched = triageNodes(false);
    mismatched.nodes[2] = { ...mismatched.nodes[2], type: 'LambdaFunction' };
    expect((await kubectlApply(stack, [flow('mismatched', mismatched)])).stderr).toContain('configuration must hold exactly the key of the node\'s type');
    const twoInputs = triageNodes(false);
    twoInputs.nodes.push({ name: 'SecondInput', type: 'Input', configuration: { input: {} }, outputs: [out('document')] });
    expect((await kubectlApply(stack, [flow('two-inputs', twoInputs)])).stderr).toContain('a flow has exactly one Input node and at least one Output node');
    const badLoop = triageNodes(false);
    badLoop.nodes.push({ name: 'Retry', type: 'Loop', configuration: { loop: { definition: { nodes: [{ name: 'Step', type: 'InlineCode', configuration: { inlineCode: { code: '1', language: 'Python_3' } } }] } } } });
    expect((await kubectlApply(stack, [flow('bad-loop', badLoop)])).stderr).toContain('a loop\'s body has exactly one LoopInput and one LoopController node');
    for (const name of ['dangling', 'mismatched', 'two-inputs', 'bad-loop']) await expect(k8s.get('flows', name)).rejects.toThrow();

    // An Output whose input no connection feeds: only Bedrock's PrepareFlow sees that. (Its Agent
    // node names the order assistant, which the triage flow brings.)
    await ensureTriage();
    const unfed = triageNodes(false);
    unfed.nodes.push({ name: 'Orphan', type: 'Output', configuration: { output: {} }, inputs: [io('document')] });
    expect((await kubectlApply(stack, [flow('unfed', unfed)])).code).toBe(0);
    const failed = await k8s.waitForCondition('flows', 'unfed', 'Synced', 'False', { reason: 'PrepareFailed', timeoutMs: 60_000 });
    const message = condition(failed, 'Synced')!.message!;
    expect(message).toContain('Bedrock could not prepare the flow');
    expect(message).toContain('Orphan');
    expect(condition(failed, 'Ready')?.status).not.toBe('True');
    // No hot loop: over three resyncs, the flow is not prepared again.
    await startRecording(stack.awsEndpoint);
    const id = failed.status?.flowId as string;
    const calls = await waitFor('three resyncs of the failed flow', async () => {
      const seen = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes(`/flows/${id}`));
      return seen.filter((c) => c.operation === `GET /flows/${id}/`).length >= 3 ? seen : undefined;
    }, { timeoutMs: 30_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    await kubectl(stack, ['delete', 'flow', 'unfed', '--wait=true']);
  });

  it('checks what the flow\'s role allows: the generated one all its nodes need, a named one that lacks the agent alias not', async () => {
    const ready = await ensureTriage();
    expect(condition(ready, 'AccessCheck')).toMatchObject({ status: 'True', reason: 'AccessAllowed' });
    // A role of the team's own that trusts Bedrock for this account's flows and allows the model only.
    const narrow = {
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: 'narrow-flow-role', namespace: 'default' },
      spec: {
        assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole', condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }] },
        inlinePolicies: [{ name: 'ModelOnly', policy: { version: '2012-10-17', statement: [{ effect: 'Allow', action: 'bedrock:InvokeModel', resource: `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}` }] } }],
      },
    };
    expect((await kubectlApply(stack, [narrow, flow('narrow', triageNodes(false), { iamRole: 'narrow-flow-role' })])).code).toBe(0);
    const denied = await k8s.waitForCondition('flows', 'narrow', 'AccessCheck', 'False', { reason: 'AccessWouldBeDenied', timeoutMs: 60_000 });
    const aliasArn = ((await k8s.get('agents', 'order-assistant')).status?.aliases as { name: string; aliasArn: string }[]).find((a) => a.name === 'live')!.aliasArn;
    expect(condition(denied, 'AccessCheck')!.message).toContain(`role narrow-flow-role does not allow bedrock:InvokeAgent on ${aliasArn}`);
    await kubectl(stack, ['delete', 'flow', 'narrow', '--wait=true']);
  });

  it('finds the flow it created before dying, instead of creating a twin', async () => {
    await ensureTriage(); // the order assistant, which its Agent node names
    await operator.stop();
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/crash-flow-role`;
    await kubectlApply(stack, [flow('crash-flow', triageNodes(false), { iamRole: roleArn })]);
    // What the operator had done when it died: CreateFlow sent (with the ownership tags), the flow
    // ID never written to status.
    const created = await bedrock.send(new CreateFlowCommand({ name: 'crash-flow', executionRoleArn: roleArn, tags: OWNERSHIP('crash-flow') }));
    operator = await startOperator(stack, OPERATOR_ARGS, 'operator-restarted');
    const settled = await waitFor('crash-flow to record its flow', async () => {
      const o = await k8s.get('flows', 'crash-flow');
      return o.status?.flowId ? o : undefined;
    }, { timeoutMs: 60_000 });
    expect(settled.status?.flowId).toBe(created.id);
    expect((await flowsNamed('crash-flow')).map((f) => f.id)).toEqual([created.id]);
  });

  it('deletes the flow with its aliases, versions and generated role; retain keeps them', async () => {
    const ready = await ensureTriage();
    const flowId = ready.status?.flowId as string;
    expect((await kubectl(stack, ['delete', 'flow', 'triage', '--wait=true', '--timeout=60s'])).code).toBe(0);
    await expect(bedrock.send(new GetFlowCommand({ flowIdentifier: flowId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await waitFor('the generated role deleted', async () => (await iam.send(new GetRoleCommand({ RoleName: ROLE })).then(() => false, () => true)) || undefined, { timeoutMs: 30_000 });

    const kept = await (async () => {
      expect((await kubectlApply(stack, [flow('kept', triageNodes(false), {}, { 'bedrockforge.io/deletion-policy': 'retain' })])).code).toBe(0);
      return waitReady('kept');
    })();
    expect((await kubectl(stack, ['delete', 'flow', 'kept', '--wait=true', '--timeout=60s'])).code).toBe(0);
    const flowKept = await bedrock.send(new GetFlowCommand({ flowIdentifier: kept.status?.flowId as string }));
    expect(flowKept.status).toBe('Prepared');
    expect((await aliasesOf(flowKept.id!)).map((a) => a.name)).toEqual(['prod']);
    expect(await versionsOf(flowKept.id!)).toEqual(['1']);
    await iam.send(new GetRoleCommand({ RoleName: 'AmazonBedrockExecutionRoleForFlows_kept' }));
  });
});
