// Prompt: a prompt in Amazon Bedrock Prompt management, as Bedrock Forge writes it (its
// internal/models/prompt.go), with the limits of the bedrock-agent API (CreatePrompt's model in the
// AWS SDK): one variant at most, names of letters and digits with single - or _ between them, a
// template of the variant's templateType. An Agent's promptOverrides may name a Prompt: the agent
// then takes the variant's template itself (Bedrock Agents do not call Prompt management).
import { Type, bool, cel, exactlyOneOf, int, oneOfStrings, str, strings, uniqueBy, type Static } from './schema.ts';
import { OBJECT_NAME_PATTERN, reference, statusOf, tags, terraformTimeouts } from './common.ts';

/** PromptName, PromptVariantName and PromptInputVariableName of the bedrock-agent API. */
export const PROMPT_NAME = '^([0-9a-zA-Z][_-]?){1,100}$';
const KMS_KEY_ARN = '^arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key/[a-zA-Z0-9-]{36}$';
/** PromptModelIdentifier of the bedrock-agent API: a model or inference profile, by ID or ARN. */
const MODEL = '^(arn:aws(-[^:]{1,12})?:(bedrock|sagemaker):[a-z0-9-]{1,20}:([0-9]{12})?:([a-z-]+/)?)?([a-zA-Z0-9.-]{1,63}){0,2}(([:][a-z0-9-]{1,63}){0,2})?(/[a-z0-9]{1,12})?$';
/** AgentAliasArn of the bedrock-agent API: Prompt management names an agent by one of its aliases. */
const AGENT_ALIAS_ARN = '^arn:aws:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:agent-alias/[0-9a-zA-Z]{10}/[0-9a-zA-Z]{10}$';

const InputVariables = (description: string) => Type.Array(Type.Object({
  name: str({ description: 'Name of the variable, as {{name}} in the template.', pattern: PROMPT_NAME, maxLength: 200 }),
}, { description: 'A variable of the prompt.' }), { description, maxItems: 20, ...uniqueBy('name') });

const TextBlock = (description: string) => Type.Object({
  text: str({ description: 'The text.', minLength: 1 }),
}, { description });

const ToolConfiguration = Type.Object({
  tools: Type.Array(Type.Object({
    toolSpec: Type.Object({
      name: str({ description: 'Name of the tool.', pattern: '^[a-zA-Z][a-zA-Z0-9_]*$', minLength: 1, maxLength: 64 }),
      description: Type.Optional(str({ description: 'What the tool does.', minLength: 1 })),
      inputSchema: Type.Object({
        json: Type.Unsafe<Record<string, unknown>>({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'The JSON schema of the tool\'s input, as a free-form JSON object.' }),
      }, { description: 'The schema of the tool\'s input.' }),
      strict: Type.Optional(bool({ description: 'Whether the model must follow the schema strictly.' })),
    }, { description: 'The tool.' }),
  }, { description: 'A tool the model may call.' }), { description: 'The tools.', minItems: 1, maxItems: 100 }),
  toolChoice: Type.Optional(Type.Object({
    auto: Type.Optional(Type.Object({}, { description: 'The model decides whether to call a tool.' })),
    any: Type.Optional(Type.Object({}, { description: 'The model calls at least one tool.' })),
    tool: Type.Optional(Type.Object({
      name: str({ description: 'Name of the tool.', pattern: '^[a-zA-Z][a-zA-Z0-9_]*$', minLength: 1, maxLength: 64 }),
    }, { description: 'The model calls this tool.' })),
  }, {
    description: 'How the model chooses tools: exactly one of auto, any or tool.',
    ...cel({ rule: '[has(self.auto), has(self.any), has(self.tool)].filter(x, x).size() == 1', message: 'set exactly one of auto, any or tool' }),
  })),
}, {
  description: 'Tools the model may call.',
  ...cel({ rule: '!has(self.toolChoice) || !has(self.toolChoice.tool) || self.tools.exists(t, t.toolSpec.name == self.toolChoice.tool.name)', message: 'toolChoice.tool.name must name one of tools' }),
});

const TemplateConfiguration = Type.Object({
  text: Type.Optional(Type.Object({
    text: str({ description: 'The prompt, with {{variables}}.', minLength: 1 }),
    inputVariables: Type.Optional(InputVariables('Variables of the prompt.')),
  }, { description: 'A TEXT template.' })),
  chat: Type.Optional(Type.Object({
    messages: Type.Optional(Type.Array(Type.Object({
      role: oneOfStrings(['user', 'assistant'] as const, { description: 'user or assistant (Bedrock\'s ConversationRole).' }),
      content: Type.Array(TextBlock('A block of the message.'), { description: 'The content of the message.', minItems: 1 }),
    }, { description: 'A message of the conversation.' }), { description: 'The messages of the conversation, user and assistant; none is sent as an empty list (Bedrock requires the member).' })),
    system: Type.Optional(Type.Array(TextBlock('A block of the system prompt.'), { description: 'The system prompt.' })),
    toolConfiguration: Type.Optional(ToolConfiguration),
    inputVariables: Type.Optional(InputVariables('Variables of the prompt.')),
  }, { description: 'A CHAT template.' })),
}, {
  description: 'The template: text for templateType TEXT, chat for CHAT.',
  ...cel({ rule: 'has(self.text) != has(self.chat)', message: 'set exactly one of text or chat' }),
});

const Variant = Type.Object({
  name: str({ description: 'Name of the variant.', pattern: PROMPT_NAME, maxLength: 200 }),
  modelId: Type.Optional(str({ description: 'Model (or inference profile) the variant runs on, by ID or ARN. An Agent using this variant runs that step on it.', pattern: MODEL, minLength: 1, maxLength: 2048 })),
  templateType: oneOfStrings(['TEXT', 'CHAT'] as const, { description: 'TEXT or CHAT.' }),
  templateConfiguration: TemplateConfiguration,
  inferenceConfiguration: Type.Optional(Type.Object({
    text: Type.Object({
      temperature: Type.Optional(Type.Number({ description: 'Randomness, 0 to 1.', minimum: 0, maximum: 1 })),
      topP: Type.Optional(Type.Number({ description: 'Top-P sampling, 0 to 1.', minimum: 0, maximum: 1 })),
      topK: Type.Optional(int({ description: 'Top-K sampling. Prompt management has no such field: it is not sent there, and is used by an Agent whose step uses this variant.', minimum: 0, maximum: 500 })),
      maxTokens: Type.Optional(int({ description: 'Maximum number of tokens in the response.', minimum: 0 })),
      stopSequences: Type.Optional(strings({ description: 'Sequences that stop the response.', maxItems: 4 })),
    }, { description: 'Inference parameters of a text model.' }),
  }, { description: 'Inference parameters.' })),
  genAiResource: Type.Optional(Type.Object({
    agent: Type.Object({
      agentName: Type.Optional(reference('An Agent of this namespace: the prompt names the ARN of its alias (spec.genAiResource.agent.alias, else its only alias) once it is Ready on Bedrock Agents.', OBJECT_NAME_PATTERN)),
      alias: Type.Optional(str({ description: 'Which alias of that Agent (one of its spec.aliases); needed when it has more than one.', pattern: PROMPT_NAME, maxLength: 200 })),
      agentArn: Type.Optional(str({ description: 'ARN of an agent alias not managed here (Prompt management names an agent by an alias).', pattern: AGENT_ALIAS_ARN, maxLength: 2048 })),
    }, { description: 'The agent: agentName (an Agent of this namespace) or agentArn.', ...exactlyOneOf('agentName', 'agentArn') }),
  }, { description: 'The agent this variant is for.' })),
}, {
  description: 'A variant of the prompt.',
  ...cel({ rule: '(self.templateType == \'TEXT\') == has(self.templateConfiguration.text)', message: 'templateType TEXT takes templateConfiguration.text, CHAT takes templateConfiguration.chat' }),
});

export const PromptSpec = Type.Object({
  promptName: Type.Optional(str({ description: 'Name of the prompt in AWS. Defaults to metadata.name.', pattern: PROMPT_NAME, maxLength: 200 })),
  description: Type.Optional(str({ description: 'Description of the prompt.', minLength: 1, maxLength: 200 })),
  defaultVariant: Type.Optional(str({ description: 'The variant used by default; one of variants.', pattern: PROMPT_NAME, maxLength: 200 })),
  customerEncryptionKeyArn: Type.Optional(str({ description: 'ARN of the KMS key that encrypts the prompt.', pattern: KMS_KEY_ARN, maxLength: 2048 })),
  inputVariables: Type.Optional(InputVariables('Bedrock Forge\'s prompt-level variables: documentation of what the variants use. Prompt management keeps variables per template (templateConfiguration.*.inputVariables), so these are not sent to AWS.')),
  variants: Type.Optional(Type.Array(Variant, {
    description: 'The variants of the prompt: at most one, as Prompt management takes today.', maxItems: 1, ...uniqueBy('name'),
  })),
  tags: Type.Optional(tags('Tags of the prompt.')),
  timeouts: Type.Optional(terraformTimeouts('the prompt')),
}, {
  description: 'The desired prompt.',
  ...cel({ rule: '!has(self.defaultVariant) || (has(self.variants) && self.variants.exists(v, v.name == self.defaultVariant))', message: 'defaultVariant must name one of variants', fieldPath: '.defaultVariant' }),
});
export type PromptSpec = Static<typeof PromptSpec>;
export type PromptVariantSpec = NonNullable<PromptSpec['variants']>[number];

export const PromptStatus = statusOf('What the controller observed in AWS.', {
  promptId: Type.Optional(str({ description: 'ID AWS gave the prompt.' })),
  promptArn: Type.Optional(str({ description: 'ARN of the prompt.' })),
  version: Type.Optional(str({ description: 'Version the operator manages: DRAFT (it publishes no numbered versions).' })),
  managedTagKeys: Type.Optional(strings({ description: 'Tag keys the operator set from spec.tags; a key removed from the spec is removed from AWS, other tags are left alone.', maxItems: 50 })),
});
export type PromptStatus = Static<typeof PromptStatus>;
