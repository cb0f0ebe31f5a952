// A Prompt as Bedrock Prompt management is sent it and compared with what it returns, and an
// Agent's prompt override naming a Prompt object: the variant it takes, the template Bedrock
// Agents get (TEXT as is, CHAT as Anthropic Messages JSON), the inference parameters, the step's
// model, and the generated service role allowing InvokeModel on exactly the models used.
import type { GetPromptResponse } from '@aws-sdk/client-bedrock-agent';
import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../src/api/agent.ts';
import type { PromptResource } from '../../src/api/kinds.ts';
import type { PromptSpec } from '../../src/api/prompt.ts';
import { agentDiff, desiredAgentFields } from '../../src/kinds/agent/desired-agent.ts';
import { promptModels, resolvePromptOverrides, template } from '../../src/kinds/agent/prompt-overrides.ts';
import { serviceRoleSpec } from '../../src/kinds/agent/service-role.ts';
import { desiredPromptFields, promptDiff } from '../../src/kinds/prompt/desired-prompt.ts';
import { TerminalError, WaitingError } from '../../src/runtime/errors.ts';

const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };
const AGENT_MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
const PROMPT_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const base: AgentSpec = { foundationModel: AGENT_MODEL, instruction: 'You help customers look up their orders and nothing else.' };
const noAgent = () => { throw new Error('no agent named'); };

const chatSpec: PromptSpec = {
  defaultVariant: 'chat',
  variants: [{
    name: 'chat', modelId: PROMPT_MODEL, templateType: 'CHAT',
    templateConfiguration: { chat: { system: [{ text: '$instruction$' }, { text: 'Be brief.' }], messages: [{ role: 'user', content: [{ text: '$question$' }] }] } },
    inferenceConfiguration: { text: { temperature: 0.1, topP: 0.9, topK: 50, maxTokens: 1024, stopSequences: ['</answer>'] } },
  }],
};

function promptObject(name: string, spec: PromptSpec, ready = true): PromptResource {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Prompt', metadata: { name, namespace: 'shop', generation: 2 }, spec,
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'Available', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 2 }] },
  };
}

describe('a Prompt as Prompt management takes it', () => {
  it('is sent complete, topK left out (Prompt management has none) and a chat without messages given an empty list', () => {
    const fields = desiredPromptFields({ ...chatSpec, variants: [{ ...chatSpec.variants![0]!, templateConfiguration: { chat: { system: [{ text: 'hi' }] } } }] }, 'orders', noAgent);
    expect(fields).toEqual({
      name: 'orders', defaultVariant: 'chat',
      variants: [{
        name: 'chat', modelId: PROMPT_MODEL, templateType: 'CHAT', templateConfiguration: { chat: { messages: [], system: [{ text: 'hi' }] } },
        inferenceConfiguration: { text: { temperature: 0.1, topP: 0.9, maxTokens: 1024, stopSequences: ['</answer>'] } },
      }],
    });
  });

  it('compares by meaning: float32 numbers, variables in any order and empty lists are no difference; a changed template is', () => {
    const spec: PromptSpec = { variants: [{ name: 'v', templateType: 'TEXT', templateConfiguration: { text: { text: 'Hi {{a}} {{b}}', inputVariables: [{ name: 'a' }, { name: 'b' }] } }, inferenceConfiguration: { text: { temperature: 0.2 } } }] };
    const desired = desiredPromptFields(spec, 'p', noAgent);
    const actual: GetPromptResponse = {
      name: 'p', id: 'ABCDEFGHIJ', arn: 'arn', version: 'DRAFT', createdAt: new Date(), updatedAt: new Date(), description: undefined,
      variants: [{ name: 'v', templateType: 'TEXT', templateConfiguration: { text: { text: 'Hi {{a}} {{b}}', inputVariables: [{ name: 'b' }, { name: 'a' }] } }, inferenceConfiguration: { text: { temperature: 0.20000000298023224, stopSequences: [] } } }],
    };
    expect(promptDiff(desired, actual)).toEqual([]);
    const changed = structuredClone(actual);
    (changed.variants![0]!.templateConfiguration as { text: { text: string } }).text.text = 'Hello';
    expect(promptDiff(desired, changed)).toEqual(['variant v']);
    expect(promptDiff(desired, { ...actual, description: 'x' })).toEqual(['description']);
  });
});

describe('an Agent\'s prompt override naming a Prompt object', () => {
  const spec: AgentSpec = { ...base, promptOverrides: [{ promptType: 'ORCHESTRATION', prompt: { ref: 'orchestration' } }] };
  const lookup = (prompts: PromptResource[]) => (_ns: string, name: string) => prompts.find((p) => p.metadata.name === name);

  it('takes the default variant\'s CHAT template as Anthropic Messages JSON, its inference as the agent\'s, and its model for the step', () => {
    const resolved = resolvePromptOverrides(spec, 'shop', lookup([promptObject('orchestration', chatSpec)]));
    const fields = desiredAgentFields(spec, 'orders', 'arn:aws:iam::123456789012:role/r', resolved);
    const [configuration] = fields.promptOverrideConfiguration!.promptConfigurations!;
    expect(configuration).toEqual({
      promptType: 'ORCHESTRATION', promptCreationMode: 'OVERRIDDEN', foundationModel: PROMPT_MODEL,
      basePromptTemplate: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', system: '$instruction$\nBe brief.', messages: [{ role: 'user', content: '$question$' }] }),
      inferenceConfiguration: { temperature: 0.1, topP: 0.9, topK: 50, maximumLength: 1024, stopSequences: ['</answer>'] },
    });
    // As Bedrock returns it (with its DEFAULT prompts), the agent is in sync.
    expect(agentDiff(fields, { ...fields, agentId: 'A', agentArn: 'arn', agentStatus: 'PREPARED', promptOverrideConfiguration: { promptConfigurations: [configuration!, { promptType: 'PRE_PROCESSING', promptCreationMode: 'DEFAULT' }] } } as never)).toEqual([]);
  });

  it('takes a TEXT variant\'s text as it is, and no step model when it is the agent\'s own', () => {
    const text: PromptSpec = { variants: [{ name: 'only', modelId: AGENT_MODEL, templateType: 'TEXT', templateConfiguration: { text: { text: 'Answer $question$' } } }] };
    const configuration = resolvePromptOverrides(spec, 'shop', lookup([promptObject('orchestration', text)])).get(0);
    expect(configuration).toEqual({ promptType: 'ORCHESTRATION', promptCreationMode: 'OVERRIDDEN', basePromptTemplate: 'Answer $question$' });
    expect(template(text.variants![0]!)).toBe('Answer $question$');
  });

  it('waits for a Prompt that does not exist or is not Ready, and refuses a variant it does not have, naming the field', () => {
    expect(() => resolvePromptOverrides(spec, 'shop', lookup([]))).toThrow(WaitingError);
    expect(() => resolvePromptOverrides(spec, 'shop', lookup([promptObject('orchestration', chatSpec, false)]))).toThrow(/is not Ready yet/);
    const wrong: AgentSpec = { ...base, promptOverrides: [{ promptType: 'ORCHESTRATION', prompt: 'orchestration', variant: 'v9' }] };
    const refusal = (() => { try { resolvePromptOverrides(wrong, 'shop', lookup([promptObject('orchestration', chatSpec)])); } catch (e) { return e; } })();
    expect(refusal).toBeInstanceOf(TerminalError);
    expect((refusal as Error).message).toContain('spec.promptOverrides[0].variant names variant v9');
    expect((refusal as Error).message).toContain('its variants: chat');
  });

  it('keeps refusing promptArn (a prompt not managed here): the agent needs the template itself', () => {
    const arn: AgentSpec = { ...base, promptOverrides: [{ promptType: 'ORCHESTRATION', promptArn: 'arn:aws:bedrock:us-east-1:123456789012:prompt/ABCDEFGHIJ' }] };
    expect(() => desiredAgentFields(arn, 'orders', 'arn:aws:iam::123456789012:role/r')).toThrow(/promptArn names a prompt not managed here/);
  });

  it('makes the generated role allow InvokeModel on the agent\'s model and the prompt\'s, and nothing of Prompt management', () => {
    const resolved = resolvePromptOverrides(spec, 'shop', lookup([promptObject('orchestration', chatSpec)]));
    const role = serviceRoleSpec('orders', spec, scope, undefined, promptModels([...resolved.values()]));
    const statements = role.inlinePolicies![0]!.policy.statement;
    expect(statements).toEqual([{
      sid: 'AllowModelInvocationForOrchestration', effect: 'Allow', action: ['bedrock:InvokeModel'],
      resource: [`arn:aws:bedrock:us-east-1::foundation-model/${AGENT_MODEL}`, `arn:aws:bedrock:us-east-1::foundation-model/${PROMPT_MODEL}`],
    }]);
  });
});
