// ActionGroup and AgentKnowledgeBaseAssociation objects against the real apiserver and the
// emulator: an agent split over Agent, ActionGroup and association files converges to the same AWS
// state as the same agent written inline (its action groups, knowledge bases, generated role and
// the Lambda's grant); the parts turn Ready with their Agent; a part that clashes or names what the
// operator does not manage is refused on its own object while the agent goes on; deleting a part
// takes it out of AWS before its object goes; a settled agent with parts costs no writes; Bedrock
// Forge's complete reference example in its shape (a Guardrail and a Prompt named by the Agent, an
// ActionGroup and an association of their own) converges with a role that allows exactly those.
import {
  BedrockAgentClient, CreateKnowledgeBaseCommand, GetAgentActionGroupCommand, GetAgentCommand, ListAgentActionGroupsCommand, ListAgentKnowledgeBasesCommand,
} from '@aws-sdk/client-bedrock-agent';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWrite, recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { condition, Resources, type TestResource } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const RESYNC_S = 2;
const ACCOUNT = '123456789012';
const API = 'bedrockforge.io/v1alpha1';
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let bedrock: BedrockAgentClient;
let lambda: LambdaClient;
let iam: IAMClient;
let knowledgeBaseId: string;

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--cluster-name', 'test']);
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  bedrock = new BedrockAgentClient(aws);
  lambda = new LambdaClient(aws);
  iam = new IAMClient(aws);
  k8s = new Resources(stack);
  knowledgeBaseId = (await bedrock.send(new CreateKnowledgeBaseCommand({
    name: 'returns-faq', roleArn: `arn:aws:iam::${ACCOUNT}:role/kb-role`,
    knowledgeBaseConfiguration: { type: 'VECTOR', vectorKnowledgeBaseConfiguration: { embeddingModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0' } },
    storageConfiguration: {
      type: 'OPENSEARCH_SERVERLESS',
      opensearchServerlessConfiguration: { collectionArn: `arn:aws:aoss:us-east-1:${ACCOUNT}:collection/faq`, vectorIndexName: 'index', fieldMapping: { vectorField: 'v', textField: 't', metadataField: 'm' } },
    },
  }))).knowledgeBase!.knowledgeBaseId!;
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const INSTRUCTION = 'You help customers return what they bought, and nothing else, politely.';
const functions = { functions: [{ name: 'start_return', description: 'Starts a return', parameters: { order_id: { type: 'string', required: true } } }] };
const askUser = { name: 'ask-user', parentActionGroupSignature: 'AMAZON.UserInput' };
const returnsGroup = { description: 'Returns', actionGroupExecutor: { lambda: { ref: 'returns-tool' } }, functionSchema: functions };

function agent(name: string, spec: Record<string, unknown>) {
  return { apiVersion: API, kind: 'Agent', metadata: { name, namespace: 'default' }, spec: { foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0', instruction: INSTRUCTION, ...spec } };
}

const tool = {
  apiVersion: API, kind: 'Lambda', metadata: { name: 'returns-tool', namespace: 'default' },
  spec: { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } } },
};

/** Bedrock Forge's documents, as they are written: the agent by {ref} or by name. */
const actionGroup = (name: string, spec: Record<string, unknown>) => ({ apiVersion: API, kind: 'ActionGroup', metadata: { name, namespace: 'default' }, spec });
const association = (name: string, spec: Record<string, unknown>) => ({ apiVersion: API, kind: 'AgentKnowledgeBaseAssociation', metadata: { name, namespace: 'default' }, spec });

/** What Bedrock holds for an agent, without the IDs and times that differ between two agents. */
async function inAws(agentId: string) {
  const summaries = (await bedrock.send(new ListAgentActionGroupsCommand({ agentId, agentVersion: 'DRAFT' }))).actionGroupSummaries ?? [];
  const groups = await Promise.all(summaries.map(async (s) => {
    const g = (await bedrock.send(new GetAgentActionGroupCommand({ agentId, agentVersion: 'DRAFT', actionGroupId: s.actionGroupId }))).agentActionGroup!;
    return { name: g.actionGroupName, description: g.description, executor: g.actionGroupExecutor, functions: g.functionSchema, parent: g.parentActionSignature, state: g.actionGroupState };
  }));
  const bases = ((await bedrock.send(new ListAgentKnowledgeBasesCommand({ agentId, agentVersion: 'DRAFT' }))).agentKnowledgeBaseSummaries ?? [])
    .map((kb) => ({ id: kb.knowledgeBaseId, description: kb.description, state: kb.knowledgeBaseState }));
  return { groups: groups.sort((a, b) => a.name!.localeCompare(b.name!)), bases };
}

async function agentPolicy(agentName: string): Promise<unknown> {
  const document = (await iam.send(new GetRolePolicyCommand({ RoleName: `AmazonBedrockExecutionRoleForAgents_${agentName}`, PolicyName: 'AgentPermissions' }))).PolicyDocument!;
  return JSON.parse(decodeURIComponent(document));
}

async function grantedAgents(): Promise<string[]> {
  const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'returns-tool' }))).Policy!) as { Statement: { Condition?: { ArnLike?: Record<string, string> } }[] };
  return policy.Statement.map((s) => s.Condition?.ArnLike?.['AWS:SourceArn'] ?? '').sort();
}

describe('ActionGroup and AgentKnowledgeBaseAssociation', () => {
  let split: TestResource;

  it('an agent split over Agent, ActionGroup and association files converges to the same AWS state as the agent written inline', async () => {
    // The parts first: they wait for their Agent, which picks them up when it comes.
    expect((await kubectlApply(stack, [
      actionGroup('returns', { agentId: { ref: 'split' }, agentVersion: 'DRAFT', ...returnsGroup, tags: { Team: 'returns' } }),
      association('split-faq', { agentName: 'split', knowledgeBaseId, description: 'Return policy FAQ', state: 'ENABLED' }),
      agent('split', { actionGroups: [askUser] }),
      agent('whole', { actionGroups: [askUser, { name: 'returns', ...returnsGroup }], knowledgeBases: [{ knowledgeBaseId, description: 'Return policy FAQ' }] }),
      tool,
    ])).code).toBe(0);
    const whole = await k8s.waitForReadyGeneration('agents', 'whole');
    split = await waitFor('Agent split Ready with both parts', async () => {
      const o = await k8s.waitForReadyGeneration('agents', 'split');
      return (o.status?.parts as unknown[] | undefined)?.length === 2 ? o : undefined;
    }, { timeoutMs: 60_000 });
    expect(split.status?.parts).toEqual([
      { kind: 'ActionGroup', name: 'returns', generation: 1 },
      { kind: 'AgentKnowledgeBaseAssociation', name: 'split-faq', generation: 1 },
    ]);

    const [splitId, wholeId] = [split.status?.agentId as string, whole.status?.agentId as string];
    const [splitInAws, wholeInAws] = [await inAws(splitId), await inAws(wholeId)];
    expect(splitInAws).toEqual(wholeInAws);
    expect(splitInAws.groups.map((g) => g.name)).toEqual(['ask-user', 'returns']);
    expect(splitInAws.bases).toEqual([{ id: knowledgeBaseId, description: 'Return policy FAQ', state: 'ENABLED' }]);
    // The same least-privilege role: the knowledge base of the association is in it.
    expect(JSON.stringify(await agentPolicy('split'))).toEqual(JSON.stringify(await agentPolicy('whole')));
    // The Lambda grants each agent that calls it, the split one through its ActionGroup.
    await waitFor('the Lambda grants both agents', async () => ((await grantedAgents()).length === 2 ? true : undefined), { timeoutMs: 30_000 });
    expect(await grantedAgents()).toEqual([split.status?.agentArn, whole.status?.agentArn].sort());

    for (const [plural, name] of [['actiongroups', 'returns'], ['agentknowledgebaseassociations', 'split-faq']] as const) {
      const part = await k8s.waitForReadyGeneration(plural, name);
      expect(part.status).toMatchObject({ agent: 'split', agentId: splitId });
      expect(condition(part, 'Synced')?.status).toBe('True');
    }
  });

  it('a settled agent with parts costs no AWS writes and no status writes', async () => {
    await startRecording(stack.awsEndpoint);
    const before = await Promise.all([k8s.get('agents', 'split'), k8s.get('actiongroups', 'returns'), k8s.get('agentknowledgebaseassociations', 'split-faq')]);
    const listAliases = `POST /agents/${split.status?.agentId as string}/agentaliases/`;
    const calls = await waitFor('three resyncs of the split agent', async () => {
      const seen = await recordedCalls(stack.awsEndpoint);
      return seen.filter((c) => c.operation === listAliases).length >= 3 ? seen : undefined;
    }, { timeoutMs: 60_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    const after = await Promise.all([k8s.get('agents', 'split'), k8s.get('actiongroups', 'returns'), k8s.get('agentknowledgebaseassociations', 'split-faq')]);
    expect(after.map((o) => o.metadata.resourceVersion)).toEqual(before.map((o) => o.metadata.resourceVersion));
  });

  it('refuses, on the part alone, one that clashes with the agent or names a KnowledgeBase resource, and waits for a missing Agent', async () => {
    expect((await kubectlApply(stack, [
      actionGroup('ask-again', { agentId: 'split', actionGroupName: 'ask-user', parentActionGroupSignature: 'AMAZON.UserInput' }),
      association('kb-by-name', { agentId: { ref: 'split' }, knowledgeBaseName: 'company-knowledge-base', description: 'Company FAQ' }),
      actionGroup('orphan', { agentId: 'nobody', ...returnsGroup }),
    ])).code).toBe(0);
    const clash = await k8s.waitForCondition('actiongroups', 'ask-again', 'Synced', 'False', { reason: 'DuplicateActionGroup' });
    expect(condition(clash, 'Synced')?.message).toBe('Agent default/split already has an action group named ask-user (in its spec.actionGroups): give this one another spec.actionGroupName, or remove one of them');
    const byName = await k8s.waitForCondition('agentknowledgebaseassociations', 'kb-by-name', 'Synced', 'False', { reason: 'UnsupportedKnowledgeBaseReference' });
    expect(condition(byName, 'Synced')?.message).toMatch(/^spec\.knowledgeBaseName names the Bedrock Forge KnowledgeBase company-knowledge-base, which this operator does not manage: .*spec\.knowledgeBaseId/);
    const orphan = await k8s.waitForCondition('actiongroups', 'orphan', 'Synced', 'False', { reason: 'WaitingForAgent' });
    expect(condition(orphan, 'Synced')?.message).toMatch(/^Agent default\/nobody does not exist/);
    expect((await k8s.events('ask-again')).some((e) => e.type === 'Warning' && e.reason === 'DuplicateActionGroup')).toBe(true);
    // The agent goes on with what it had.
    const agentNow = await k8s.waitForReadyGeneration('agents', 'split');
    expect(agentNow.status?.parts).toEqual(split.status?.parts);
    expect((await inAws(split.status?.agentId as string)).groups.map((g) => g.name)).toEqual(['ask-user', 'returns']);
    // Bad input at apply: an action group on a version other than DRAFT, an association naming no agent.
    const refused = await kubectlApply(stack, [actionGroup('versioned', { agentId: 'split', agentVersion: '3', ...returnsGroup })]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/spec\.agentVersion: Unsupported value: "3"/);
    const noAgent = await kubectlApply(stack, [association('no-agent', { knowledgeBaseId, description: 'x' })]);
    expect(noAgent.code).not.toBe(0);
    for (const name of ['ask-again', 'orphan']) expect((await kubectl(stack, ['delete', 'actiongroup', name, '--wait=true', '--timeout=30s'])).code).toBe(0);
    expect((await kubectl(stack, ['delete', 'agentknowledgebaseassociation', 'kb-by-name', '--wait=true', '--timeout=30s'])).code).toBe(0);
  });

  it('deleting a part takes it out of AWS, and out of the Lambda\'s grants, before its object goes', async () => {
    expect((await kubectl(stack, ['delete', 'actiongroup', 'returns', '--wait=true', '--timeout=60s'])).code).toBe(0);
    // The finalizer held the object until the Agent had removed the action group.
    expect((await inAws(split.status?.agentId as string)).groups.map((g) => g.name)).toEqual(['ask-user']);
    expect((await kubectl(stack, ['delete', 'agentknowledgebaseassociation', 'split-faq', '--wait=true', '--timeout=60s'])).code).toBe(0);
    expect((await inAws(split.status?.agentId as string)).bases).toEqual([]);
    const settled = await waitFor('Agent split Ready without parts', async () => {
      const o = await k8s.waitForReadyGeneration('agents', 'split');
      return o.status?.parts === undefined ? o : undefined;
    }, { timeoutMs: 30_000 });
    expect(settled.status?.parts).toBeUndefined();
    await waitFor('the Lambda grants the inline agent only', async () => ((await grantedAgents()).length === 1 ? true : undefined), { timeoutMs: 30_000 });
    expect(await grantedAgents()).toEqual([(await k8s.get('agents', 'whole')).status?.agentArn]);
  });

  it('Bedrock Forge\'s complete reference example in its shape converges: the Agent names a Guardrail and a Prompt, its parts are files of their own, and its role allows exactly what they use', async () => {
    const PROMPT_MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
    expect((await kubectlApply(stack, [
      agent('reference', {
        guardrail: { name: { ref: 'support-safety' }, version: 'DRAFT', mode: 'GUARDRAILS_ONLY' },
        promptOverrides: [{ promptType: 'ORCHESTRATION', prompt: { ref: 'support-orchestration' }, variant: 'support-v1' }],
        aliases: [{ name: 'dev' }],
      }),
      {
        apiVersion: API, kind: 'Guardrail', metadata: { name: 'support-safety', namespace: 'default' },
        spec: { contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }] } },
      },
      {
        apiVersion: API, kind: 'Prompt', metadata: { name: 'support-orchestration', namespace: 'default' },
        spec: {
          defaultVariant: 'support-v1',
          variants: [{ name: 'support-v1', modelId: PROMPT_MODEL, templateType: 'TEXT', templateConfiguration: { text: { text: 'Answer about returns only. $question$' } } }],
        },
      },
      actionGroup('reference-returns', { agentId: { ref: 'reference' }, actionGroupName: 'returns', ...returnsGroup }),
      association('reference-faq', { agentName: { ref: 'reference' }, knowledgeBaseId, description: 'Return policy FAQ' }),
    ])).code).toBe(0);
    const ready = await waitFor('Agent reference Ready with both parts', async () => {
      const o = await k8s.waitForReadyGeneration('agents', 'reference');
      return (o.status?.parts as unknown[] | undefined)?.length === 2 ? o : undefined;
    }, { timeoutMs: 90_000 });
    const guardrail = (await k8s.get('guardrails', 'support-safety')).status!;
    const guardrailArn = guardrail.guardrailArn as string;
    const inAwsAgent = (await bedrock.send(new GetAgentCommand({ agentId: ready.status?.agentId as string }))).agent!;
    expect(inAwsAgent.guardrailConfiguration).toEqual({ guardrailIdentifier: guardrail.guardrailId, guardrailVersion: 'DRAFT' });
    expect(inAwsAgent.promptOverrideConfiguration?.promptConfigurations?.find((c) => c.promptType === 'ORCHESTRATION'))
      .toMatchObject({ promptCreationMode: 'OVERRIDDEN', basePromptTemplate: 'Answer about returns only. $question$', foundationModel: PROMPT_MODEL });
    const statements = ((await agentPolicy('reference')) as { Statement: { Action: string | string[]; Resource: string | string[] }[] }).Statement;
    const allowed = (action: string) => statements.filter((st) => [st.Action].flat().includes(action)).flatMap((st) => [st.Resource].flat()).sort();
    expect(allowed('bedrock:ApplyGuardrail')).toEqual([guardrailArn]);
    expect(allowed('bedrock:InvokeModel')).toEqual([
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      `arn:aws:bedrock:us-east-1::foundation-model/${PROMPT_MODEL}`,
    ]);
    // Bedrock Agents never call Prompt management: the template is in the agent itself.
    expect(statements.flatMap((st) => [st.Action].flat()).filter((a) => /Prompt/.test(a))).toEqual([]);
    expect(allowed('bedrock:Retrieve')).toEqual([`arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/${knowledgeBaseId}`]);
    const { groups, bases } = await inAws(ready.status?.agentId as string);
    expect(groups.map((g) => g.name)).toEqual(['returns']);
    expect(bases.map((b) => b.id)).toEqual([knowledgeBaseId]);
  });
});
