// The Prompt controller against the real apiserver and the emulator's Prompt management: a Prompt
// converges (Ready, its IDs in status, in AWS as the spec says, with its tags); an Agent whose
// ORCHESTRATION override names it, applied in the same kubectl apply (Agent first), runs that step
// on the variant's template and model, and its generated role may invoke exactly the two models; a
// Prompt naming that Agent takes its alias's ARN; drift in AWS is reverted, a change of the Prompt
// reaches the Agent, a Prompt in sync costs reads only; deletion removes the prompt (retain keeps
// it); what the schema can see is refused at apply.
import {
  BedrockAgentClient, DeletePromptCommand, GetAgentCommand, GetPromptCommand, ListPromptsCommand, ListTagsForResourceCommand, UpdatePromptCommand,
} from '@aws-sdk/client-bedrock-agent';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIamPolicy } from '../../src/aws/iam/policy-json.ts';
import { isWrite, recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { Resources, type TestResource } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const RESYNC_S = 2;
const OPERATOR_ARGS = ['--resync', String(RESYNC_S), '--cluster-name', 'test'];
const AGENT_MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
const PROMPT_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const SYSTEM = 'You are a helpful customer support agent. $instruction$';
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let bedrock: BedrockAgentClient;
let iam: IAMClient;

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, OPERATOR_ARGS);
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  bedrock = new BedrockAgentClient(aws);
  iam = new IAMClient(aws);
  k8s = new Resources(stack);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

/** Bedrock Forge's orchestration prompt (complete-reference-example/04-prompt.yml), cut short. */
function orchestration(system = SYSTEM, annotations?: Record<string, string>, name = 'orchestration') {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Prompt', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: {
      description: 'Orchestration prompt of the support agent',
      defaultVariant: 'support-v1',
      inputVariables: [{ name: 'question' }],
      variants: [{
        name: 'support-v1', modelId: PROMPT_MODEL, templateType: 'CHAT',
        templateConfiguration: {
          chat: {
            system: [{ text: system }],
            messages: [{ role: 'user', content: [{ text: '$question$' }] }],
            toolConfiguration: { tools: [{ toolSpec: { name: 'lookup_order', description: 'Look up an order', inputSchema: { json: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } } } }], toolChoice: { auto: {} } },
          },
        },
        inferenceConfiguration: { text: { temperature: 0.1, topP: 0.9, maxTokens: 2048 } },
      }],
      tags: { Team: 'support' },
    },
  };
}

const agent = {
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'support-bot', namespace: 'default' },
  spec: {
    foundationModel: AGENT_MODEL,
    instruction: 'You help customers with their orders, politely and accurately.',
    promptOverrides: [{ promptType: 'ORCHESTRATION', prompt: { ref: 'orchestration' }, variant: 'support-v1' }],
    aliases: [{ name: 'live' }],
  },
};

/** A TEXT prompt for the agent (Bedrock Forge's agent-associated-prompt.yml, one variant). */
const agentPrompt = {
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Prompt', metadata: { name: 'agent-associated', namespace: 'default' },
  spec: {
    variants: [{
      name: 'agent-specific', modelId: PROMPT_MODEL, templateType: 'TEXT', genAiResource: { agent: { agentName: { ref: 'support-bot' } } },
      templateConfiguration: { text: { text: 'Customer query: {{user_query}}', inputVariables: [{ name: 'user_query' }] } },
    }],
  },
};

const waitReady = (plural: 'prompts' | 'agents', name: string) => k8s.waitForReadyGeneration(plural, name, 'default', 90_000);
const promptOf = (o: TestResource) => bedrock.send(new GetPromptCommand({ promptIdentifier: o.status?.promptId as string }));
const orchestrationOf = async (agentId: string) => (await bedrock.send(new GetAgentCommand({ agentId }))).agent!.promptOverrideConfiguration?.promptConfigurations
  ?.find((c) => c.promptType === 'ORCHESTRATION');
const expectedTemplate = (system: string) => JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', system, messages: [{ role: 'user', content: '$question$' }] });

async function ensureAll(): Promise<{ prompt: TestResource; agent: TestResource }> {
  const applied = await kubectlApply(stack, [agent, orchestration()]);
  expect(applied.code, applied.stderr).toBe(0);
  return { prompt: await waitReady('prompts', 'orchestration'), agent: await waitReady('agents', 'support-bot') };
}

describe('Prompt controller', () => {
  it('converges a Prompt, and an Agent applied before it runs its orchestration step on the variant\'s template and model', async () => {
    const { prompt, agent: ready } = await ensureAll();
    expect(prompt.status).toMatchObject({ version: 'DRAFT', promptId: expect.stringMatching(/^[0-9A-Z]{10}$/) });
    expect(prompt.status?.promptArn).toBe(`arn:aws:bedrock:us-east-1:123456789012:prompt/${prompt.status?.promptId}`);
    const inAws = await promptOf(prompt);
    expect(inAws).toMatchObject({ name: 'orchestration', description: 'Orchestration prompt of the support agent', defaultVariant: 'support-v1' });
    expect(inAws.variants).toEqual([{
      name: 'support-v1', modelId: PROMPT_MODEL, templateType: 'CHAT',
      templateConfiguration: { chat: orchestration().spec.variants[0]!.templateConfiguration.chat },
      inferenceConfiguration: { text: { temperature: 0.1, topP: 0.9, maxTokens: 2048 } },
    }]);
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: inAws.arn }))).tags).toEqual({
      Team: 'support', 'bedrockforge.io/cluster': 'test', 'bedrockforge.io/namespace': 'default', 'bedrockforge.io/name': 'orchestration',
    });

    expect(await orchestrationOf(ready.status?.agentId as string)).toMatchObject({
      promptCreationMode: 'OVERRIDDEN', basePromptTemplate: expectedTemplate(SYSTEM), foundationModel: PROMPT_MODEL,
      inferenceConfiguration: { temperature: 0.1, topP: 0.9, maximumLength: 2048 },
    });
    // The generated role may invoke the agent's model and the prompt's, and nothing else.
    const policy = parseIamPolicy((await iam.send(new GetRolePolicyCommand({ RoleName: 'AmazonBedrockExecutionRoleForAgents_support-bot', PolicyName: 'AgentPermissions' }))).PolicyDocument!);
    expect(policy.Statement).toEqual([{
      Sid: 'AllowModelInvocationForOrchestration', Effect: 'Allow', Action: 'bedrock:InvokeModel',
      Resource: [`arn:aws:bedrock:us-east-1::foundation-model/${AGENT_MODEL}`, `arn:aws:bedrock:us-east-1::foundation-model/${PROMPT_MODEL}`],
    }]);

    // A prompt for that agent names its alias.
    expect((await kubectlApply(stack, [agentPrompt])).code).toBe(0);
    const associated = await waitReady('prompts', 'agent-associated');
    const aliasArn = (ready.status?.aliases as { name: string; aliasArn: string }[]).find((a) => a.name === 'live')!.aliasArn;
    expect((await promptOf(associated)).variants?.[0]?.genAiResource).toEqual({ agent: { agentIdentifier: aliasArn } });
  });

  it('reverts a prompt changed in AWS, and carries a change of the Prompt into the Agent', async () => {
    const { prompt, agent: ready } = await ensureAll();
    const id = prompt.status?.promptId as string;
    await bedrock.send(new UpdatePromptCommand({ promptIdentifier: id, name: 'orchestration', variants: [{ name: 'support-v1', templateType: 'TEXT', templateConfiguration: { text: { text: 'changed by hand' } } }] }));
    await waitFor('the prompt restored', async () => {
      const p = await bedrock.send(new GetPromptCommand({ promptIdentifier: id }));
      return p.variants?.[0]?.templateType === 'CHAT' && p.description ? p : undefined;
    }, { timeoutMs: RESYNC_S * 1000 * 5 + 10_000 });

    const system = 'You are a terse support agent. $instruction$';
    expect((await kubectlApply(stack, [orchestration(system)])).code).toBe(0);
    await waitFor('the agent on the new template', async () => {
      const c = await orchestrationOf(ready.status?.agentId as string);
      return c?.basePromptTemplate === expectedTemplate(system) ? c : undefined;
    }, { timeoutMs: 60_000 });
    expect((await promptOf(prompt)).variants?.[0]?.templateConfiguration?.chat?.system).toEqual([{ text: system }]);
    expect((await kubectlApply(stack, [orchestration()])).code).toBe(0);
  });

  it('costs no AWS write and no status write over five resyncs once Ready', async () => {
    const { prompt } = await ensureAll();
    const ready = await waitFor('the prompt settled', async () => {
      const o = await waitReady('prompts', 'orchestration');
      const p = await promptOf(o);
      return p.variants?.[0]?.templateConfiguration?.chat?.system?.[0]?.text === SYSTEM ? o : undefined;
    }, { timeoutMs: 60_000 });
    const id = prompt.status?.promptId as string;
    await startRecording(stack.awsEndpoint);
    const calls = await waitFor('five resyncs of the prompt', async () => {
      const seen = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes(`/prompts/${id}`) || c.operation.includes(`prompt/${id}`));
      return seen.filter((c) => c.operation === `GET /prompts/${id}/`).length >= 5 ? seen : undefined;
    }, { timeoutMs: 5 * RESYNC_S * 1000 * 3 + 30_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    expect((await k8s.get('prompts', 'orchestration')).metadata.resourceVersion).toBe(ready.metadata.resourceVersion);
  });

  it('refuses at apply what the schema can see', async () => {
    const base = orchestration();
    const variant = base.spec.variants[0]!;
    const cases: [string, Record<string, unknown>, string][] = [
      ['two-variants', { ...base.spec, variants: [variant, { ...variant, name: 'support-v2' }] }, 'spec.variants: Too many: 2: must have at most 1 item'],
      ['wrong-type', { ...base.spec, variants: [{ ...variant, templateType: 'TEXT' }] }, 'templateType TEXT takes templateConfiguration.text, CHAT takes templateConfiguration.chat'],
      ['no-such-default', { ...base.spec, defaultVariant: 'support-v9' }, 'defaultVariant must name one of variants'],
      ['bad-agent-arn', { ...base.spec, variants: [{ ...variant, genAiResource: { agent: { agentArn: 'arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ' } } }] }, 'genAiResource.agent.agentArn'],
    ];
    for (const [name, spec, message] of cases) {
      const refused = await kubectlApply(stack, [{ ...base, metadata: { name, namespace: 'default' }, spec }]);
      expect(refused.code, name).not.toBe(0);
      expect(refused.stderr).toContain(message);
    }
    const twoSources = { ...agent, metadata: { name: 'two-sources', namespace: 'default' }, spec: { ...agent.spec, promptOverrides: [{ promptType: 'ORCHESTRATION', prompt: 'orchestration', basePromptTemplate: 'x' }] } };
    expect((await kubectlApply(stack, [twoSources])).code).not.toBe(0);
  });

  it('deletes the prompt; retain keeps it', async () => {
    const { prompt } = await ensureAll();
    await kubectl(stack, ['delete', 'prompt/agent-associated', 'agent/support-bot', '--ignore-not-found', '--wait=true', '--timeout=60s']);
    expect((await kubectl(stack, ['delete', 'prompt', 'orchestration', '--wait=true', '--timeout=60s'])).code).toBe(0);
    await expect(promptOf(prompt)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    expect((await kubectlApply(stack, [orchestration(SYSTEM, { 'bedrockforge.io/deletion-policy': 'retain' }, 'kept')])).code).toBe(0);
    const kept = await waitReady('prompts', 'kept');
    expect((await kubectl(stack, ['delete', 'prompt', 'kept', '--wait=true', '--timeout=60s'])).code).toBe(0);
    expect((await promptOf(kept)).name).toBe('kept');
    expect(((await bedrock.send(new ListPromptsCommand({}))).promptSummaries ?? []).map((p) => p.name)).toEqual(['kept']);
    // Nothing else was left: the one deleted by hand in AWS would be made again if the object were still there.
    await bedrock.send(new DeletePromptCommand({ promptIdentifier: kept.status?.promptId as string }));
  });
});
