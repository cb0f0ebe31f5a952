// Guardrail: an Amazon Bedrock guardrail (the `bedrock` control-plane API), as Bedrock Forge's
// `kind: Guardrail` writes it (internal/models/guardrail.go): its five policies and tags, plus what
// CreateGuardrail needs and Bedrock Forge leaves implicit (the blocked messages, the name, the KMS
// key). The per-entry actions and enabled flags AWS added later are accepted too; what the spec
// leaves out AWS fills in, and only what the spec sets is compared. The enumerations are the SDK's
// (generated from the service model), never typed here.
import {
  GuardrailContentFilterAction, GuardrailContentFilterType, GuardrailContextualGroundingAction, GuardrailContextualGroundingFilterType, GuardrailFilterStrength,
  GuardrailManagedWordsType, GuardrailModality, GuardrailPiiEntityType, GuardrailSensitiveInformationAction, GuardrailTopicAction, GuardrailTopicType,
  GuardrailWordAction,
} from '@aws-sdk/client-bedrock';
import { Type, bool, cel, oneOfStrings, str, strings, uniqueBy, type Static } from './schema.ts';
import { statusOf, tags } from './common.ts';

const values = <T extends Record<string, string>>(e: T) => Object.values(e) as T[keyof T][];

/** The name CreateGuardrail takes (GuardrailName of the service model). */
export const GUARDRAIL_NAME = '^[0-9a-zA-Z-_]{1,50}$';

/** What CreateGuardrail is sent when the spec gives no blocked messages (AWS requires both). */
export const DEFAULT_BLOCKED_INPUT_MESSAGING = 'Sorry, the model cannot answer this question.';
export const DEFAULT_BLOCKED_OUTPUTS_MESSAGING = 'Sorry, the model cannot answer this question.';

/** The input and output actions and switches every kind of entry may carry (AWS defaults: the entry's action, enabled). */
function directions<A extends readonly string[]>(actions: A, what: string) {
  return {
    inputAction: Type.Optional(oneOfStrings(actions, { description: `What the guardrail does when ${what} is found in the input (AWS's default applies when omitted).` })),
    outputAction: Type.Optional(oneOfStrings(actions, { description: `What the guardrail does when ${what} is found in the output (AWS's default applies when omitted).` })),
    inputEnabled: Type.Optional(bool({ description: 'Whether the entry is evaluated on the input (default true).' })),
    outputEnabled: Type.Optional(bool({ description: 'Whether the entry is evaluated on the output (default true).' })),
  };
}

const ContentFilter = Type.Object({
  type: oneOfStrings(values(GuardrailContentFilterType), { description: 'The category of harmful content.' }),
  inputStrength: oneOfStrings(values(GuardrailFilterStrength), { description: 'How strictly the input is filtered.' }),
  outputStrength: oneOfStrings(values(GuardrailFilterStrength), { description: 'How strictly the output is filtered (NONE for PROMPT_ATTACK).' }),
  inputModalities: Type.Optional(Type.Array(oneOfStrings(values(GuardrailModality), { description: 'A modality.' }), { description: 'Modalities of the input the filter applies to (default TEXT).', minItems: 1, maxItems: 2, 'x-kubernetes-list-type': 'set' })),
  outputModalities: Type.Optional(Type.Array(oneOfStrings(values(GuardrailModality), { description: 'A modality.' }), { description: 'Modalities of the output the filter applies to (default TEXT).', minItems: 1, maxItems: 2, 'x-kubernetes-list-type': 'set' })),
  ...directions(values(GuardrailContentFilterAction), 'such content'),
}, {
  description: 'A content filter.',
  ...cel({ rule: 'self.type != \'PROMPT_ATTACK\' || self.outputStrength == \'NONE\'', message: 'a PROMPT_ATTACK filter applies to the input only: set its outputStrength to NONE' }),
});

const PiiEntity = Type.Object({
  type: oneOfStrings(values(GuardrailPiiEntityType), { description: 'The type of personal information (US_SOCIAL_SECURITY_NUMBER, EMAIL, PHONE, …).' }),
  action: oneOfStrings(values(GuardrailSensitiveInformationAction), { description: 'BLOCK, ANONYMIZE (mask) or NONE (detect only).' }),
  ...directions(values(GuardrailSensitiveInformationAction), 'it'),
}, { description: 'A type of personal information and what to do with it.' });

const Regex = Type.Object({
  name: str({ description: 'Name of the pattern.', minLength: 1, maxLength: 100 }),
  description: Type.Optional(str({ description: 'Description of the pattern.', minLength: 1, maxLength: 1000 })),
  pattern: str({ description: 'The regular expression.', minLength: 1, maxLength: 500 }),
  action: oneOfStrings(values(GuardrailSensitiveInformationAction), { description: 'BLOCK, ANONYMIZE (mask) or NONE (detect only).' }),
  ...directions(values(GuardrailSensitiveInformationAction), 'a match'),
}, { description: 'A regular expression for sensitive information.' });

const GroundingFilter = Type.Object({
  type: oneOfStrings(values(GuardrailContextualGroundingFilterType), { description: 'GROUNDING (is the answer supported by the source) or RELEVANCE (does it answer the query).' }),
  threshold: Type.Number({ description: 'Confidence below which the response is blocked, 0 to 0.99.', minimum: 0, maximum: 0.99 }),
  action: Type.Optional(oneOfStrings(values(GuardrailContextualGroundingAction), { description: 'BLOCK (default) or NONE (detect only).' })),
  enabled: Type.Optional(bool({ description: 'Whether the filter is evaluated (default true).' })),
}, { description: 'A contextual grounding filter.' });

const Topic = Type.Object({
  name: str({ description: 'Name of the topic.', minLength: 1, maxLength: 100, pattern: '^[0-9a-zA-Z-_ !?.]+$' }),
  definition: str({ description: 'What the topic is, in up to 200 characters.', minLength: 1, maxLength: 200 }),
  examples: Type.Optional(strings({ description: 'Example prompts of the topic.', maxItems: 5, itemMaxLength: 100 })),
  type: Type.Optional(oneOfStrings(values(GuardrailTopicType), { description: 'DENY (the only type, and the default).' })),
  ...directions(values(GuardrailTopicAction), 'the topic'),
}, { description: 'A topic the guardrail denies.' });

const Word = Type.Object({
  text: str({ description: 'A word or phrase to block.', minLength: 1, maxLength: 100 }),
  ...directions(values(GuardrailWordAction), 'it'),
}, { description: 'A custom word or phrase.' });

const ManagedWordList = Type.Object({
  type: oneOfStrings(values(GuardrailManagedWordsType), { description: 'The managed list (PROFANITY).' }),
  ...directions(values(GuardrailWordAction), 'a word of the list'),
}, { description: 'A word list AWS manages.' });

export const GuardrailSpec = Type.Object({
  guardrailName: Type.Optional(str({ description: 'Name of the guardrail in AWS: 1-50 letters, digits, - and _. Defaults to metadata.name.', pattern: GUARDRAIL_NAME })),
  description: Type.Optional(str({ description: 'Description of the guardrail.', minLength: 1, maxLength: 200 })),
  blockedInputMessaging: Type.Optional(str({ description: `The answer when the input is blocked (AWS requires one). Default: "${DEFAULT_BLOCKED_INPUT_MESSAGING}"`, minLength: 1, maxLength: 500 })),
  blockedOutputsMessaging: Type.Optional(str({ description: `The answer when the output is blocked (AWS requires one). Default: "${DEFAULT_BLOCKED_OUTPUTS_MESSAGING}"`, minLength: 1, maxLength: 500 })),
  kmsKeyId: Type.Optional(str({
    description: 'KMS key (ID, ARN or alias) that encrypts the guardrail; the operator\'s identity needs kms:CreateGrant, kms:Decrypt, kms:DescribeKey and kms:GenerateDataKey on it. Omit for an AWS owned key.',
    minLength: 1, maxLength: 2048,
    pattern: '^((arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:((key/[a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)))|([a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+))$',
  })),
  contentPolicyConfig: Type.Optional(Type.Object({
    filtersConfig: Type.Array(ContentFilter, { description: 'The filters, one per type.', minItems: 1, maxItems: 6, ...uniqueBy('type') }),
  }, { description: 'Filters of harmful content (and prompt attacks).' })),
  sensitiveInformationPolicyConfig: Type.Optional(Type.Object({
    piiEntitiesConfig: Type.Optional(Type.Array(PiiEntity, { description: 'Types of personal information, one entry per type.', minItems: 1, maxItems: 100, ...uniqueBy('type') })),
    regexesConfig: Type.Optional(Type.Array(Regex, { description: 'Regular expressions of sensitive information.', minItems: 1, maxItems: 10, ...uniqueBy('name') })),
  }, {
    description: 'Personal and other sensitive information to block or mask.',
    ...cel({ rule: 'has(self.piiEntitiesConfig) || has(self.regexesConfig)', message: 'set piiEntitiesConfig, regexesConfig or both' }),
  })),
  contextualGroundingPolicyConfig: Type.Optional(Type.Object({
    filtersConfig: Type.Array(GroundingFilter, { description: 'The filters, one per type.', minItems: 1, maxItems: 2, ...uniqueBy('type') }),
  }, { description: 'Checks of grounding in the source and relevance to the query.' })),
  topicPolicyConfig: Type.Optional(Type.Object({
    topicsConfig: Type.Array(Topic, { description: 'The denied topics.', minItems: 1, maxItems: 30, ...uniqueBy('name') }),
  }, { description: 'Topics the guardrail denies.' })),
  wordPolicyConfig: Type.Optional(Type.Object({
    wordsConfig: Type.Optional(Type.Array(Word, { description: 'Custom words and phrases.', minItems: 1, maxItems: 10000, ...uniqueBy('text') })),
    managedWordListsConfig: Type.Optional(Type.Array(ManagedWordList, { description: 'Word lists AWS manages.', minItems: 1, maxItems: 1, ...uniqueBy('type') })),
  }, {
    description: 'Words and phrases the guardrail blocks.',
    ...cel({ rule: 'has(self.wordsConfig) || has(self.managedWordListsConfig)', message: 'set wordsConfig, managedWordListsConfig or both' }),
  })),
  tags: Type.Optional(tags('Tags of the guardrail.')),
}, {
  description: 'The desired Bedrock guardrail (its working draft, which an Agent uses as version DRAFT).',
  ...cel({
    rule: 'has(self.contentPolicyConfig) || has(self.sensitiveInformationPolicyConfig) || has(self.contextualGroundingPolicyConfig) || has(self.topicPolicyConfig) || has(self.wordPolicyConfig)',
    message: 'a guardrail needs at least one policy: contentPolicyConfig, sensitiveInformationPolicyConfig, contextualGroundingPolicyConfig, topicPolicyConfig or wordPolicyConfig',
  }),
});
export type GuardrailSpec = Static<typeof GuardrailSpec>;

export const GuardrailStatus = statusOf('What the controller observed in AWS.', {
  guardrailId: Type.Optional(str({ description: 'ID AWS gave the guardrail (what an Agent\'s guardrailConfiguration names).' })),
  guardrailArn: Type.Optional(str({ description: 'ARN of the guardrail (what ApplyGuardrail is allowed on).' })),
  version: Type.Optional(str({ description: 'The version the operator keeps in sync: DRAFT.' })),
  guardrailStatus: Type.Optional(str({ description: 'Status of the guardrail in AWS (CREATING, UPDATING, READY, FAILED, …).' })),
  managedTagKeys: Type.Optional(strings({ description: 'Tag keys the operator set from spec.tags; a key removed from the spec is removed from AWS, other tags are left alone.', maxItems: 50 })),
});
export type GuardrailStatus = Static<typeof GuardrailStatus>;
