// The prompt Bedrock is sent, from the spec, and the comparison of two prompts by meaning.
// UpdatePrompt replaces the whole prompt, so the fields are always built complete. What is
// compared is normalised on both sides: absent and empty lists alike, variables as sets by name,
// numbers at float32 precision (Bedrock may keep 0.2 as 0.200000003).
import { isDeepStrictEqual } from 'node:util';
import type { GetPromptResponse, PromptVariant } from '@aws-sdk/client-bedrock-agent';
import type { PromptSpec, PromptVariantSpec } from '../../api/prompt.ts';
import { referenceName } from '../../api/common.ts';

/** CreatePrompt's and UpdatePrompt's fields (UpdatePrompt adds promptIdentifier). */
export interface PromptFields {
  name: string;
  description?: string;
  customerEncryptionKeyArn?: string;
  defaultVariant?: string;
  variants: PromptVariant[];
}

/** How an Agent object a variant names becomes the ARN of its alias (may wait or refuse). */
export type AgentAliasArn = (agent: string, alias: string | undefined, variant: string) => string;

/** A variant as Bedrock takes it: the Agent it names resolved, topK (which Prompt management lacks) left out. */
export function desiredVariant(v: PromptVariantSpec, agentAliasArn: AgentAliasArn): PromptVariant {
  const t = v.templateConfiguration;
  const inference = v.inferenceConfiguration?.text;
  const agent = v.genAiResource?.agent;
  const { topK: _topK, ...text } = inference ?? {};
  return {
    name: v.name,
    templateType: v.templateType,
    ...(v.modelId ? { modelId: v.modelId } : {}),
    templateConfiguration: t.text
      ? { text: { text: t.text.text, ...(t.text.inputVariables ? { inputVariables: t.text.inputVariables } : {}) } }
      : {
        chat: {
          // Bedrock requires the member; an empty conversation is a list of none.
          messages: t.chat!.messages ?? [],
          ...(t.chat!.system ? { system: t.chat!.system } : {}),
          ...(t.chat!.toolConfiguration ? { toolConfiguration: t.chat!.toolConfiguration } : {}),
          ...(t.chat!.inputVariables ? { inputVariables: t.chat!.inputVariables } : {}),
        },
      },
    ...(inference ? { inferenceConfiguration: { text } } : {}),
    ...(agent ? {
      genAiResource: { agent: { agentIdentifier: agent.agentArn ?? agentAliasArn(referenceName(agent.agentName!), agent.alias, v.name) } },
    } : {}),
  } as PromptVariant;
}

export function desiredPromptFields(spec: PromptSpec, name: string, agentAliasArn: AgentAliasArn): PromptFields {
  return {
    name,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.customerEncryptionKeyArn ? { customerEncryptionKeyArn: spec.customerEncryptionKeyArn } : {}),
    ...(spec.defaultVariant ? { defaultVariant: spec.defaultVariant } : {}),
    variants: (spec.variants ?? []).map((v) => desiredVariant(v, agentAliasArn)),
  };
}

/** A value in the form two prompts are compared in. */
function normalised(value: unknown, key = ''): unknown {
  if (typeof value === 'number') return Math.fround(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => normalised(v));
    // Variables are a set by name.
    return key === 'inputVariables' ? items.sort((a, b) => String((a as { name?: string }).name).localeCompare(String((b as { name?: string }).name))) : items;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) {
      if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = normalised(v, k);
    }
    return out;
  }
  return value;
}

/** The aspects of the prompt in AWS that differ from the desired one, named for Events. */
export function promptDiff(desired: PromptFields, actual: GetPromptResponse): string[] {
  const diff: string[] = [];
  if (actual.name !== desired.name) diff.push('name');
  if ((actual.description ?? '') !== (desired.description ?? '')) diff.push('description');
  if ((actual.customerEncryptionKeyArn ?? '') !== (desired.customerEncryptionKeyArn ?? '')) diff.push('encryption key');
  if ((actual.defaultVariant ?? '') !== (desired.defaultVariant ?? '')) diff.push('default variant');
  const actualVariants = new Map((actual.variants ?? []).map((v) => [v.name, v]));
  for (const v of desired.variants) {
    const a = actualVariants.get(v.name);
    if (!a || !isDeepStrictEqual(normalised(v), normalised(a))) diff.push(`variant ${v.name}`);
  }
  for (const name of actualVariants.keys()) if (!desired.variants.some((v) => v.name === name)) diff.push(`variant ${name}`);
  return diff;
}
