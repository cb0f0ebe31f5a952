// What a Guardrail spec asks of Bedrock, as UpdateGuardrail takes it (always complete: it replaces
// the whole draft, and a policy it is not sent is removed), and which aspects of what GetGuardrail
// returned differ from it. AWS fills in what an entry leaves out (its input and output actions,
// enabled flags, modalities): only the members the spec sets are compared, entries are matched by
// their key (type, name or text) as sets, and numbers by value.
import { isDeepStrictEqual } from 'node:util';
import type { GetGuardrailResponse, UpdateGuardrailRequest } from '@aws-sdk/client-bedrock';
import { DEFAULT_BLOCKED_INPUT_MESSAGING, DEFAULT_BLOCKED_OUTPUTS_MESSAGING, type GuardrailSpec } from '../../api/guardrail.ts';

export type GuardrailFields = Omit<UpdateGuardrailRequest, 'guardrailIdentifier'>;

export function desiredGuardrailFields(spec: GuardrailSpec, name: string): GuardrailFields {
  return {
    name,
    blockedInputMessaging: spec.blockedInputMessaging ?? DEFAULT_BLOCKED_INPUT_MESSAGING,
    blockedOutputsMessaging: spec.blockedOutputsMessaging ?? DEFAULT_BLOCKED_OUTPUTS_MESSAGING,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.kmsKeyId ? { kmsKeyId: spec.kmsKeyId } : {}),
    ...(spec.contentPolicyConfig ? { contentPolicyConfig: spec.contentPolicyConfig } : {}),
    ...(spec.sensitiveInformationPolicyConfig ? { sensitiveInformationPolicyConfig: spec.sensitiveInformationPolicyConfig } : {}),
    ...(spec.contextualGroundingPolicyConfig ? { contextualGroundingPolicyConfig: spec.contextualGroundingPolicyConfig } : {}),
    // DENY is the only topic type, which Bedrock Forge's manifests may leave out and AWS requires.
    ...(spec.topicPolicyConfig ? { topicPolicyConfig: { topicsConfig: spec.topicPolicyConfig.topicsConfig.map((t) => ({ ...t, type: t.type ?? 'DENY' })) } } : {}),
    ...(spec.wordPolicyConfig ? { wordPolicyConfig: spec.wordPolicyConfig } : {}),
  } as GuardrailFields;
}

type Entry = Record<string, unknown>;

/** The entry lists of a guardrail, each as (desired, in AWS, key member), named for Events. */
function entryLists(desired: GuardrailFields, actual: GetGuardrailResponse): [string, Entry[] | undefined, Entry[] | undefined, string][] {
  return [
    ['content filters', desired.contentPolicyConfig?.filtersConfig, actual.contentPolicy?.filters, 'type'],
    ['sensitive information types', desired.sensitiveInformationPolicyConfig?.piiEntitiesConfig, actual.sensitiveInformationPolicy?.piiEntities, 'type'],
    ['sensitive information patterns', desired.sensitiveInformationPolicyConfig?.regexesConfig, actual.sensitiveInformationPolicy?.regexes, 'name'],
    ['contextual grounding filters', desired.contextualGroundingPolicyConfig?.filtersConfig, actual.contextualGroundingPolicy?.filters, 'type'],
    ['denied topics', desired.topicPolicyConfig?.topicsConfig, actual.topicPolicy?.topics, 'name'],
    ['words', desired.wordPolicyConfig?.wordsConfig, actual.wordPolicy?.words, 'text'],
    ['managed word lists', desired.wordPolicyConfig?.managedWordListsConfig, actual.wordPolicy?.managedWordLists, 'type'],
  ] as [string, Entry[] | undefined, Entry[] | undefined, string][];
}

/** Modalities are sets; everything else compares as it is (numbers by value, as JSON has them). */
function same(key: string, a: unknown, b: unknown): boolean {
  if (key.endsWith('Modalities') && Array.isArray(a) && Array.isArray(b)) return isDeepStrictEqual([...a].sort(), [...b].sort());
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 1e-9;
  return isDeepStrictEqual(a, b);
}

function entriesDiffer(desired: Entry[] | undefined, actual: Entry[] | undefined, key: string): boolean {
  const inAws = new Map((actual ?? []).map((e) => [String(e[key]), e]));
  if (inAws.size !== (desired ?? []).length) return true;
  return (desired ?? []).some((d) => {
    const a = inAws.get(String(d[key]));
    return !a || Object.entries(d).some(([k, v]) => v !== undefined && !same(k, v, a[k]));
  });
}

/**
 * Whether the KMS key AWS reports (always an ARN) is the one the spec names: a key ARN is compared
 * as it is, a key ID by the ARN's end; an alias cannot be told from the key's ARN, so it is not
 * compared.
 */
function keyDiffers(desired: string | undefined, actualArn: string | undefined): boolean {
  if (!desired) return Boolean(actualArn);
  if (desired.includes('alias/')) return false;
  if (desired.startsWith('arn:')) return desired !== actualArn;
  return !actualArn?.endsWith(`:key/${desired}`);
}

/** The aspects of the guardrail's draft that differ. */
export function guardrailDiff(desired: GuardrailFields, actual: GetGuardrailResponse): string[] {
  const diff: string[] = [];
  if (desired.name !== actual.name) diff.push('name');
  if ((desired.description ?? '') !== (actual.description ?? '')) diff.push('description');
  if (desired.blockedInputMessaging !== actual.blockedInputMessaging) diff.push('blocked input message');
  if (desired.blockedOutputsMessaging !== actual.blockedOutputsMessaging) diff.push('blocked output message');
  if (keyDiffers(desired.kmsKeyId, actual.kmsKeyArn)) diff.push('KMS key');
  for (const [aspect, wanted, inAws, key] of entryLists(desired, actual)) {
    if (entriesDiffer(wanted, inAws, key)) diff.push(aspect);
  }
  return diff;
}
