// An Agent's promptOverrides that name a Prompt object of its namespace (`prompt`, with `variant`
// or `promptVariant`), resolved to what Bedrock Agents take. Bedrock Agents never call Prompt
// management: a PromptConfiguration carries the template itself. So the override becomes
// promptCreationMode OVERRIDDEN with the variant's template as basePromptTemplate (TEXT: the text;
// CHAT: the Anthropic Messages JSON that Bedrock's advanced prompt templates for Claude 3 take,
// {"anthropic_version": "bedrock-2023-05-31", "system": …, "messages": […]}), the variant's text
// inference as inferenceConfiguration (maxTokens → maximumLength), and the variant's model as the
// step's foundationModel when it is not the agent's own. The template is copied as written: an
// agent's placeholders are $question$, $agent_scratchpad$ and the like, not {{variables}}; a CHAT
// variant's tools are not carried (an agent's tools are its action groups).
//
// The override waits until the Prompt is Ready (so its spec has been accepted by Bedrock), and the
// agent controller's watch on Prompts brings the Agent back when one changes.
import type { PromptConfiguration } from '@aws-sdk/client-bedrock-agent';
import type { AgentSpec } from '../../api/agent.ts';
import { referenceName } from '../../api/common.ts';
import type { PromptResource } from '../../api/kinds.ts';
import type { PromptVariantSpec } from '../../api/prompt.ts';
import { findCondition } from '../../runtime/conditions.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';

type Override = NonNullable<AgentSpec['promptOverrides']>[number];
export type PromptLookup = (namespace: string, name: string) => PromptResource | undefined;

/** The Anthropic Messages API version Bedrock's agent templates for Claude 3 name. */
const ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** The names of the Prompt objects an Agent's promptOverrides name. */
export function promptsNamed(spec: AgentSpec): string[] {
  return (spec.promptOverrides ?? []).flatMap((o) => (o.prompt ? [referenceName(o.prompt)] : []));
}

/**
 * The prompt configuration of each override that names a Prompt object, by its index in
 * spec.promptOverrides; waits while a Prompt does not exist or is not Ready.
 */
export function resolvePromptOverrides(spec: AgentSpec, namespace: string, lookup: PromptLookup): Map<number, PromptConfiguration> {
  const resolved = new Map<number, PromptConfiguration>();
  (spec.promptOverrides ?? []).forEach((o, i) => {
    if (!o.prompt) return;
    const field = `spec.promptOverrides[${i}]`;
    const name = referenceName(o.prompt);
    const prompt = lookup(namespace, name);
    const ready = findCondition(prompt?.status?.conditions, 'Ready');
    if (!prompt || ready?.status !== 'True' || ready.observedGeneration !== prompt.metadata.generation) {
      throw new WaitingError('WaitingForPrompt',
        `Prompt ${namespace}/${name} (${field}.prompt) ${prompt ? 'is not Ready yet' : 'does not exist yet'}; the agent takes its template once it is Ready`, 'dependency');
    }
    resolved.set(i, promptConfiguration(o, variantOf(prompt, o, field), spec.foundationModel, field));
  });
  return resolved;
}

/** The variant the override names, else the Prompt's defaultVariant, else its only variant. */
function variantOf(prompt: PromptResource, o: Override, field: string): PromptVariantSpec {
  const variants = prompt.spec.variants ?? [];
  const names = variants.map((v) => v.name).join(', ') || '(none)';
  const asked = o.variant ?? o.promptVariant;
  const wanted = asked ?? prompt.spec.defaultVariant ?? (variants.length === 1 ? variants[0]!.name : undefined);
  const variant = variants.find((v) => v.name === wanted);
  if (!variant) {
    const which = asked !== undefined ? `${field}.${o.variant !== undefined ? 'variant' : 'promptVariant'} names variant ${asked}, which` : `${field} names no variant, and`;
    throw new TerminalError('UnknownPromptVariant', `${which} Prompt ${prompt.metadata.name} ${asked !== undefined ? 'does not have' : 'has no defaultVariant or single variant'} (its variants: ${names}): name one of them`);
  }
  return variant;
}

function promptConfiguration(o: Override, variant: PromptVariantSpec, agentModel: string, field: string): PromptConfiguration {
  if (variant.templateType === 'CHAT' && o.promptType === 'KNOWLEDGE_BASE_RESPONSE_GENERATION') {
    throw new TerminalError('UnsupportedPromptReference',
      `${field}: Bedrock Agents take the KNOWLEDGE_BASE_RESPONSE_GENERATION template as raw text, and variant ${variant.name} is CHAT: name a TEXT variant`);
  }
  const text = variant.inferenceConfiguration?.text;
  const inference = {
    ...(text?.temperature !== undefined ? { temperature: text.temperature } : {}),
    ...(text?.topP !== undefined ? { topP: text.topP } : {}),
    ...(text?.topK !== undefined ? { topK: text.topK } : {}),
    ...(text?.maxTokens !== undefined ? { maximumLength: text.maxTokens } : {}),
    ...(text?.stopSequences ? { stopSequences: text.stopSequences } : {}),
    // What the override itself sets wins over the variant's.
    ...o.inferenceConfiguration,
  };
  return {
    promptType: o.promptType,
    promptCreationMode: 'OVERRIDDEN',
    basePromptTemplate: template(variant),
    ...(o.promptState ? { promptState: o.promptState } : {}),
    ...(o.parserMode ? { parserMode: o.parserMode } : {}),
    ...(Object.keys(inference).length > 0 ? { inferenceConfiguration: inference } : {}),
    ...(variant.modelId && variant.modelId !== agentModel ? { foundationModel: variant.modelId } : {}),
  };
}

/** The variant's template as an agent's basePromptTemplate. */
export function template(variant: PromptVariantSpec): string {
  const { text, chat } = variant.templateConfiguration;
  if (text) return text.text;
  const blocks = (content: { text: string }[]) => (content.length === 1 ? content[0]!.text : content.map((c) => ({ type: 'text', text: c.text })));
  return JSON.stringify({
    anthropic_version: ANTHROPIC_VERSION,
    ...(chat!.system?.length ? { system: chat!.system.map((s) => s.text).join('\n') } : {}),
    messages: (chat!.messages ?? []).map((m) => ({ role: m.role, content: blocks(m.content) })),
  });
}

/** The models the resolved overrides run steps on besides the agent's own (for its service role). */
export function promptModels(configurations: readonly PromptConfiguration[] | undefined): string[] {
  return [...new Set((configurations ?? []).flatMap((c) => (c.foundationModel ? [c.foundationModel] : [])))];
}
