// Agent: a Bedrock agent with its action groups, knowledge bases, aliases and service role, in the
// shape of Bedrock Forge's `kind: Agent` manifests.
import { Type, atMostOneOfEach, bool, cel, exactlyOneOf, uniqueBy, int, mapOf, oneOfStrings, str, stringOrObject, strings, type Static } from './schema.ts';
import { OBJECT_NAME_PATTERN, ROLE_ARN_PATTERN, reference, statusOf, tags, terraformTimeouts } from './common.ts';

const LAMBDA_ARN = '^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:[a-zA-Z0-9-_.]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?$';
const NAME = '^([0-9a-zA-Z][_-]?){1,100}$';
const KMS_KEY_ARN = '^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[a-zA-Z0-9-]{36}$';
const POLICY_ARN = '^arn:aws[a-z-]*:iam::(\\d{12}|aws):policy/[\\w+=,.@/-]+$';

const ActionGroupExecutor = Type.Object(
  {
    lambda: Type.Optional(reference('A Lambda in the same namespace; the operator uses its ARN once it is Ready.', OBJECT_NAME_PATTERN)),
    lambdaArn: Type.Optional(str({ description: 'ARN of a Lambda function not managed here.', pattern: LAMBDA_ARN })),
    customControl: Type.Optional(oneOfStrings(['RETURN_CONTROL'] as const, { description: 'RETURN_CONTROL: return the action to the caller of InvokeAgent instead of calling a Lambda.' })),
  },
  {
    description: 'What carries out the actions: exactly one of lambda, lambdaArn or customControl.',
    // lambda is typeless (a name or {ref}), so CEL cannot name it: OpenAPI's oneOf says "exactly one".
    ...exactlyOneOf('lambda', 'lambdaArn', 'customControl'),
    ...cel({ rule: '!(has(self.lambdaArn) && has(self.customControl))', message: 'set exactly one of lambda, lambdaArn or customControl' }),
  },
);

const FunctionParameter = Type.Object(
  {
    type: oneOfStrings(['string', 'number', 'integer', 'boolean', 'array'] as const, { description: 'Data type of the parameter.' }),
    description: Type.Optional(str({ description: 'What the parameter means, for the model.', maxLength: 500 })),
    required: Type.Optional(bool({ description: 'Whether the parameter is required.' })),
  },
  { description: 'A parameter of a function.' },
);

const FunctionSchema = Type.Object(
  {
    functions: Type.Array(
      Type.Object({
        name: str({ description: 'Name of the function.', pattern: '^([0-9a-zA-Z][_-]?){1,100}$' }),
        description: Type.Optional(str({ description: 'What the function does, for the model.', maxLength: 1200 })),
        parameters: Type.Optional(mapOf(FunctionParameter, { description: 'Parameters by name.', maxProperties: 5 })),
        requireConfirmation: Type.Optional(oneOfStrings(['ENABLED', 'DISABLED'] as const, { description: 'Ask the user to confirm before the function runs.' })),
      }, { description: 'A function the agent can call.' }),
      { description: 'Functions of the action group.', minItems: 1, maxItems: 11 },
    ),
  },
  { description: 'The actions as functions and parameters (instead of an OpenAPI schema).' },
);

const ApiSchema = Type.Object(
  {
    payload: Type.Optional(str({ description: 'The OpenAPI schema inline, as JSON or YAML.', minLength: 1, maxLength: 100000 })),
    s3: Type.Optional(Type.Object({
      s3BucketName: str({ description: 'S3 bucket holding the schema.', pattern: '^[0-9a-z.-]{3,63}$' }),
      s3ObjectKey: str({ description: 'S3 key of the schema.', minLength: 1, maxLength: 1024 }),
    }, { description: 'The OpenAPI schema in S3; the generated role may read exactly this object.' })),
  },
  {
    description: 'The actions as an OpenAPI schema: payload or s3.',
    ...cel({ rule: 'has(self.payload) != has(self.s3)', message: 'set exactly one of payload or s3' }),
  },
);

/** The fields of an action group, inline in an Agent or as an ActionGroup object of its own. */
export const actionGroupFields = {
  description: Type.Optional(str({ description: 'Description of the action group.', maxLength: 200 })),
  actionGroupExecutor: Type.Optional(ActionGroupExecutor),
  actionGroupState: Type.Optional(oneOfStrings(['ENABLED', 'DISABLED'] as const, { description: 'ENABLED (default) or DISABLED.' })),
  apiSchema: Type.Optional(ApiSchema),
  functionSchema: Type.Optional(FunctionSchema),
  parentActionGroupSignature: Type.Optional(oneOfStrings(['AMAZON.UserInput', 'AMAZON.CodeInterpreter'] as const, {
    description: 'A built-in action group: AMAZON.UserInput or AMAZON.CodeInterpreter (then no description, executor or schema).',
  })),
  skipResourceInUseCheck: Type.Optional(bool({ description: 'Delete the action group even while it is in use.' })),
};

/** What Bedrock requires of an action group's fields, wherever it is written. */
export const actionGroupRules = cel(
  { rule: '!(has(self.apiSchema) && has(self.functionSchema))', message: 'set apiSchema or functionSchema, not both' },
  {
    rule: 'has(self.parentActionGroupSignature) || (has(self.actionGroupExecutor) && (has(self.apiSchema) || has(self.functionSchema) || has(self.actionGroupExecutor.customControl)))',
    message: 'an action group needs actionGroupExecutor and apiSchema or functionSchema, unless it sets parentActionGroupSignature',
  },
  {
    // Bedrock requires the description blank too for built-in action groups.
    rule: '!has(self.parentActionGroupSignature) || !(has(self.actionGroupExecutor) || has(self.apiSchema) || has(self.functionSchema) || has(self.description))',
    message: 'a parentActionGroupSignature action group takes no description, executor or schema',
  },
);

/** The pattern of an action group's (and agent's) name in Bedrock. */
export const BEDROCK_NAME_PATTERN = NAME;

const ActionGroup = Type.Object(
  { name: str({ description: 'Name of the action group.', pattern: NAME }), ...actionGroupFields },
  { description: 'An action group of the agent.', ...actionGroupRules },
);

const KnowledgeBase = Type.Object(
  {
    knowledgeBaseId: str({ description: 'ID of the knowledge base (10 characters).', pattern: '^[0-9a-zA-Z]{10}$' }),
    description: str({ description: 'What the agent should use the knowledge base for.', minLength: 1, maxLength: 200 }),
    knowledgeBaseState: Type.Optional(oneOfStrings(['ENABLED', 'DISABLED'] as const, { description: 'ENABLED (default) or DISABLED.' })),
  },
  { description: 'A knowledge base the agent queries.' },
);

const PromptOverride = Type.Object(
  {
    promptType: oneOfStrings(['PRE_PROCESSING', 'ORCHESTRATION', 'POST_PROCESSING', 'KNOWLEDGE_BASE_RESPONSE_GENERATION', 'MEMORY_SUMMARIZATION'] as const, {
      description: 'Which step of the agent the prompt is for.',
    }),
    promptArn: Type.Optional(str({ description: 'ARN of a prompt in Bedrock prompt management not managed here: refused (Synced=False), since Bedrock agents take the template itself; name a Prompt object with prompt instead.', pattern: '^arn:aws[a-z-]*:bedrock:.+:prompt/.+$' })),
    prompt: Type.Optional(reference('A Prompt object of this namespace: once it is Ready, the agent takes its variant\'s template as this step\'s basePromptTemplate (Bedrock Agents do not call Prompt management), its inference parameters and, if it differs from the agent\'s, its model.')),
    promptVariant: Type.Optional(str({ description: 'Variant of the prompt; default: the Prompt\'s defaultVariant, else its only variant.', maxLength: 100 })),
    variant: Type.Optional(str({ description: 'Same as promptVariant (Bedrock Forge spelling).', maxLength: 100 })),
    basePromptTemplate: Type.Optional(str({ description: 'The prompt template itself.', minLength: 1, maxLength: 100000 })),
    promptCreationMode: Type.Optional(oneOfStrings(['DEFAULT', 'OVERRIDDEN'] as const, { description: 'OVERRIDDEN to use basePromptTemplate.' })),
    promptState: Type.Optional(oneOfStrings(['ENABLED', 'DISABLED'] as const, { description: 'Whether the step runs.' })),
    parserMode: Type.Optional(oneOfStrings(['DEFAULT', 'OVERRIDDEN'] as const, { description: 'OVERRIDDEN to use the override Lambda as parser.' })),
    inferenceConfiguration: Type.Optional(Type.Object({
      maximumLength: Type.Optional(int({ description: 'Maximum number of tokens in the response.', minimum: 0, maximum: 8192 })),
      stopSequences: Type.Optional(strings({ description: 'Sequences that stop the response.', maxItems: 4 })),
      temperature: Type.Optional(Type.Number({ description: 'Randomness, 0 to 1.', minimum: 0, maximum: 1 })),
      topK: Type.Optional(int({ description: 'Top-K sampling.', minimum: 0, maximum: 500 })),
      topP: Type.Optional(Type.Number({ description: 'Top-P sampling, 0 to 1.', minimum: 0, maximum: 1 })),
    }, { description: 'Inference parameters for this step.' })),
  },
  {
    description: 'An override of one of the agent\'s prompts: the template given (basePromptTemplate), or copied from a Prompt object of this namespace (prompt, with variant), or AWS\'s default with its inference parameters or state changed.',
    // Where the template comes from: one place at most.
    ...atMostOneOfEach(['promptArn', 'prompt', 'basePromptTemplate'], ['variant', 'promptVariant']),
  },
);

const Alias = Type.Object(
  {
    name: str({ description: 'Name of the alias.', pattern: NAME }),
    description: Type.Optional(str({ description: 'Description of the alias.', maxLength: 200 })),
    routingConfiguration: Type.Optional(Type.Array(
      Type.Object({
        agentVersion: Type.Optional(str({ description: 'Agent version the alias routes to; omit to follow the latest prepared version.', pattern: '^(DRAFT|[0-9]{1,5})$' })),
        provisionedThroughput: Type.Optional(str({ description: 'ARN or name of provisioned throughput to use.', maxLength: 2048 })),
      }, { description: 'A routing target of the alias.' }),
      { description: 'Where the alias routes. By default the operator points it at the version it created from the current prepared agent.', maxItems: 1 },
    )),
    tags: Type.Optional(tags('Tags of the alias.')),
  },
  { description: 'An alias of the agent: a stable name that points at a version.' },
);

const IAMRoleConfig = stringOrObject(
  {
    roleName: Type.Optional(reference('Name of an IAMRole in the same namespace.')),
    roleArn: Type.Optional(str({ description: 'ARN of an existing role.', pattern: ROLE_ARN_PATTERN })),
    autoCreate: Type.Optional(bool({ description: 'Generate a least-privilege role (default when neither roleName nor roleArn is set).' })),
    additionalPolicies: Type.Optional(Type.Array(
      Type.Object({
        policyArn: Type.Optional(str({ description: 'ARN of a managed policy.', pattern: POLICY_ARN })),
        policyName: Type.Optional(reference('Name of a policy resource.')),
      }, { description: 'A policy attached to the generated role.' }),
      { description: 'Managed policies attached to the generated role.', maxItems: 10 },
    )),
  },
  {
    description: 'Service role of the agent: the name of an IAMRole in the same namespace or a role ARN (a string), or {roleName, roleArn, autoCreate, additionalPolicies}. By default the operator generates AmazonBedrockExecutionRoleForAgents_<name> with least privilege.',
    pattern: `(${OBJECT_NAME_PATTERN})|(${ROLE_ARN_PATTERN})`,
  },
);

/** Where the agent runs: Bedrock Agents ("Agents Classic") or Bedrock AgentCore's managed harness. */
export const AGENT_RUNTIMES = ['classic', 'agentcore'] as const;
export type AgentRuntime = (typeof AGENT_RUNTIMES)[number];

export const AgentSpec = Type.Object(
  {
    runtime: Type.Optional(oneOfStrings(AGENT_RUNTIMES, {
      description: 'Where the agent runs: classic (Amazon Bedrock Agents, closed to new customers since 30 July 2026) or agentcore (an AgentCore harness with a gateway per agent and an endpoint per alias). Defaults to the operator\'s --agent-runtime. Changing classic to agentcore migrates: the Classic agent is removed once every endpoint is ready.',
    })),
    agentName: Type.Optional(str({ description: 'Name of the agent in AWS. Defaults to metadata.name.', pattern: NAME })),
    foundationModel: str({
      description: 'Foundation model ID or ARN, or inference profile ID or ARN, such as anthropic.claude-3-sonnet-20240229-v1:0.',
      minLength: 1, maxLength: 2048,
      pattern: '^(arn:aws[a-z-]*:bedrock:[a-z0-9-]*:(\\d{12})?:(foundation-model|inference-profile|application-inference-profile|provisioned-model|custom-model)/.+|[a-z0-9-]{1,63}[.][a-z0-9.:-]+)$',
    }),
    instruction: str({ description: 'Instructions for the agent: 40 to 20,000 characters.', minLength: 40, maxLength: 20000 }),
    description: Type.Optional(str({ description: 'Description of the agent.', maxLength: 200 })),
    idleSessionTtlInSeconds: Type.Optional(int({ description: 'Seconds an idle session is kept, 60 to 5400.', minimum: 60, maximum: 5400 })),
    idleSessionTtl: Type.Optional(int({ description: 'Same as idleSessionTtlInSeconds (Bedrock Forge spelling).', minimum: 60, maximum: 5400 })),
    customerEncryptionKey: Type.Optional(str({ description: 'ARN of the KMS key that encrypts the agent.', pattern: KMS_KEY_ARN })),
    tags: Type.Optional(tags('Tags of the agent.')),
    guardrail: Type.Optional(Type.Object(
      {
        name: Type.Optional(reference('Name of a Guardrail in the same namespace; the agent uses its ID (at spec.guardrail.version, default DRAFT) once it is Ready.')),
        identifier: Type.Optional(str({ description: 'ID or ARN of the guardrail.', pattern: '^(([a-z0-9]+)|(arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\\d{12}:guardrail/[a-z0-9]+))$', maxLength: 2048 })),
        version: Type.Optional(str({ description: 'Version of the guardrail: DRAFT (default) or a number.', pattern: '^(DRAFT|[1-9][0-9]{0,7})$' })),
        mode: Type.Optional(str({ description: 'Bedrock Forge\'s mode (pre or post in its documentation, GUARDRAILS_ONLY in its examples), which its code does not read: Bedrock applies an agent\'s guardrail to input and output alike. Accepted, with no effect.', maxLength: 64 })),
      },
      {
        description: 'Guardrail applied to the agent.',
        ...exactlyOneOf('name', 'identifier'),
      },
    )),
    actionGroups: Type.Optional(Type.Array(ActionGroup, {
      description: 'Action groups of the agent. Action groups in AWS that are not listed are removed.',
      maxItems: 20,
      ...uniqueBy('name'),
    })),
    knowledgeBases: Type.Optional(Type.Array(KnowledgeBase, {
      description: 'Knowledge bases associated with the agent.',
      maxItems: 10,
      ...uniqueBy('knowledgeBaseId'),
    })),
    promptOverrides: Type.Optional(Type.Array(PromptOverride, {
      description: 'Overrides of the agent\'s prompts. AWS\'s default prompts are not drift.',
      maxItems: 5,
      ...uniqueBy('promptType'),
    })),
    memoryConfiguration: Type.Optional(Type.Object({
      enabledMemoryTypes: Type.Array(oneOfStrings(['SESSION_SUMMARY'] as const, { description: 'SESSION_SUMMARY.' }), { description: 'Memory types to enable.', minItems: 1, maxItems: 1 }),
      storageDays: Type.Optional(int({ description: 'Days memory is kept, 0 to 365.', minimum: 0, maximum: 365 })),
    }, { description: 'Memory across sessions.' })),
    aliases: Type.Optional(Type.Array(Alias, {
      description: 'Aliases of the agent. Aliases in AWS that are not listed are removed.',
      maxItems: 10,
      ...uniqueBy('name'),
    })),
    prepareAgent: Type.Optional(bool({ description: 'Prepare the agent after changes (default true).' })),
    skipResourceInUseCheck: Type.Optional(bool({ description: 'Delete the agent even while it is in use (the operator does so when the resource is deleted).' })),
    iamRole: Type.Optional(IAMRoleConfig),
    timeouts: Type.Optional(terraformTimeouts('the agent')),
  },
  {
    description: 'The desired Bedrock agent.',
    ...cel(
      { rule: '!(has(self.idleSessionTtlInSeconds) && has(self.idleSessionTtl))', message: 'set idleSessionTtlInSeconds or idleSessionTtl, not both' },
      {
        // An alias without routing points at a version made from the prepared agent.
        rule: '!has(self.prepareAgent) || self.prepareAgent || !has(self.aliases) || self.aliases.all(a, has(a.routingConfiguration))',
        message: 'an alias without routingConfiguration needs a prepared agent: with spec.prepareAgent false, remove spec.aliases, give each alias a routingConfiguration to an existing version, or set prepareAgent true',
      },
    ),
  },
);
export type AgentSpec = Static<typeof AgentSpec>;

export const AgentStatus = statusOf('What the controller observed in AWS.', {
  agentId: Type.Optional(str({ description: 'ID AWS gave the agent.' })),
  agentArn: Type.Optional(str({ description: 'ARN of the agent.' })),
  agentStatus: Type.Optional(str({ description: 'Status of the agent in AWS (CREATING, NOT_PREPARED, PREPARED, FAILED, …).' })),
  agentVersion: Type.Optional(str({ description: 'Latest version created from the prepared agent.' })),
  preparedAt: Type.Optional(str({ description: 'When the agent was last prepared.' })),
  roleArn: Type.Optional(str({ description: 'ARN of the service role in use.' })),
  managedTagKeys: Type.Optional(strings({ description: 'Tag keys the operator set from spec.tags; a key removed from the spec is removed from AWS, other tags are left alone.', maxItems: 50 })),
  runtime: Type.Optional(oneOfStrings(AGENT_RUNTIMES, { description: 'The runtime the agent is reconciled on (spec.runtime or the operator\'s default).' })),
  agentCore: Type.Optional(Type.Object({
    harnessId: Type.Optional(str({ description: 'ID of the harness.' })),
    harnessArn: Type.Optional(str({ description: 'ARN of the harness.' })),
    harnessStatus: Type.Optional(str({ description: 'Status of the harness in AWS (CREATING, READY, UPDATING, …).' })),
    harnessVersion: Type.Optional(str({ description: 'Current version of the harness.' })),
    runtimeArn: Type.Optional(str({ description: 'ARN of the AgentCore runtime AWS made for the harness.' })),
    memoryArn: Type.Optional(str({ description: 'ARN of the harness\'s managed memory.' })),
    gatewayId: Type.Optional(str({ description: 'ID of the agent\'s gateway.' })),
    gatewayArn: Type.Optional(str({ description: 'ARN of the agent\'s gateway.' })),
    gatewayUrl: Type.Optional(str({ description: 'MCP URL of the gateway.' })),
    executionRoleArn: Type.Optional(str({ description: 'ARN of the harness\'s execution role.' })),
    gatewayRoleArn: Type.Optional(str({ description: 'ARN of the gateway\'s role (the one Lambda targets are invoked with).' })),
    managedTagKeys: Type.Optional(strings({ description: 'Tag keys the operator set on the harness and gateway from spec.tags.', maxItems: 50 })),
    endpoints: Type.Optional(Type.Array(Type.Object({
      name: str({ description: 'Name of the endpoint (the alias name, with - as _).' }),
      alias: str({ description: 'The alias of spec.aliases it stands for.' }),
      arn: Type.Optional(str({ description: 'ARN of the endpoint.' })),
      status: Type.Optional(str({ description: 'Status of the endpoint.' })),
      liveVersion: Type.Optional(str({ description: 'Harness version the endpoint serves.' })),
      targetVersion: Type.Optional(str({ description: 'Harness version the endpoint is moving to.' })),
    }, { description: 'An endpoint of the harness.' }), { description: 'Endpoints of the harness, one per alias.', maxItems: 10 })),
  }, { description: 'What the operator made on Bedrock AgentCore for this agent.' })),
  migration: Type.Optional(Type.Object({
    from: oneOfStrings(AGENT_RUNTIMES, { description: 'Runtime the agent is moving from.' }),
    to: oneOfStrings(AGENT_RUNTIMES, { description: 'Runtime the agent is moving to.' }),
    phase: oneOfStrings(['Preparing', 'Retiring'] as const, { description: 'Preparing: the new runtime is being made ready, the old one still serves. Retiring: the new one is ready; the old one is being removed (or released, with deletion policy retain).' }),
  }, { description: 'A move between runtimes in progress; absent when none is.' })),
  parts: Type.Optional(Type.Array(Type.Object({
    kind: oneOfStrings(['ActionGroup', 'AgentKnowledgeBaseAssociation'] as const, { description: 'Kind of the part.' }),
    name: str({ description: 'Name of the object.', maxLength: 253 }),
    generation: int({ description: 'The metadata.generation of the part that is in AWS.', minimum: 0 }),
  }, { description: 'An ActionGroup or AgentKnowledgeBaseAssociation object merged into this agent.' }), {
    description: 'The ActionGroup and AgentKnowledgeBaseAssociation objects this agent holds in AWS, with the generation of each: a part is Ready once it is listed here at its generation and the Agent is Ready.',
    maxItems: 30,
  })),
  aliases: Type.Optional(Type.Array(Type.Object({
    name: str({ description: 'Name of the alias.' }),
    aliasId: Type.Optional(str({ description: 'ID of the alias.' })),
    aliasArn: Type.Optional(str({ description: 'ARN of the alias.' })),
    agentVersion: Type.Optional(str({ description: 'Version the alias routes to.' })),
  }, { description: 'An alias in AWS.' }), { description: 'Aliases in AWS.', maxItems: 10 })),
});
export type AgentStatus = Static<typeof AgentStatus>;
