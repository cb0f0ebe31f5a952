// Flow: an Amazon Bedrock flow with its definition, versions, aliases and service role. Bedrock
// Forge has no flow manifests, so this kind is the operator's own; its definition is Bedrock's
// (`FlowDefinition` of the bedrock-agent API, docs/research/bedrock-flows.md), except that an Agent
// node may name an `Agent` of the namespace and one of its aliases, and a LambdaFunction node a
// `Lambda`, instead of their ARNs.
import type { TProperties } from '@sinclair/typebox';
import { Type, cel, int, oneOfStrings, str, strings, uniqueBy, type CelRule, type Static, type TSchema } from './schema.ts';
import { OBJECT_NAME_PATTERN, ROLE_ARN_PATTERN, statusOf, tags } from './common.ts';

const FLOW_NAME = '^([0-9a-zA-Z][_-]?){1,100}$';
const NODE_NAME = '^[a-zA-Z]([_]?[0-9a-zA-Z]){1,50}$';
const PARTITION = 'arn:aws(-cn|-us-gov|-eusc|-iso(-[b-f])?)?';
const KMS_KEY_ARN = '^arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key/[a-zA-Z0-9-]{36}$';
const MODEL = '^(arn:aws[a-z-]*:(bedrock|sagemaker):[a-z0-9-]*:(\\d{12})?:[a-z-]+/.+|[a-z0-9-]{1,63}[.][a-z0-9.:-]+)$';
const GUARDRAIL = '^(([a-z0-9]+)|(arn:aws[a-z-]*:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))$';

/** The node types of the current bedrock-agent API (`FlowNodeType`), each with its configuration key. */
export const FLOW_NODE_TYPES = [
  'Input', 'Output', 'KnowledgeBase', 'Condition', 'Lex', 'Prompt', 'LambdaFunction', 'Storage', 'Agent', 'Retrieval',
  'Iterator', 'Collector', 'InlineCode', 'Loop', 'LoopInput', 'LoopController',
] as const;
export type FlowNodeType = (typeof FLOW_NODE_TYPES)[number];

/** `LambdaFunction` → `lambdaFunction`: the configuration key of a node type. */
export function configurationKey(type: FlowNodeType): string {
  return type.charAt(0).toLowerCase() + type.slice(1);
}

const IO_TYPES = ['String', 'Number', 'Boolean', 'Object', 'Array'] as const;

/** A free-form object Bedrock takes as a JSON document (model request fields, chat templates). */
const document = (description: string) => Type.Unsafe<Record<string, unknown>>({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description });

const empty = (description: string) => Type.Object({}, { description });

const FlowCondition = (description: string) => Type.Object({
  name: str({ description: 'Name of the condition (default is the branch no other condition takes).', pattern: '^[a-zA-Z]([_]?[0-9a-zA-Z]){1,50}$', maxLength: 101 }),
  expression: Type.Optional(str({ description: 'The condition over the node\'s inputs, such as "retries > 3 and approved == true".', minLength: 1, maxLength: 64 })),
}, { description });

const GuardrailConfiguration = Type.Object({
  guardrailIdentifier: str({ description: 'ID or ARN of the guardrail.', pattern: GUARDRAIL, maxLength: 2048 }),
  guardrailVersion: str({ description: 'Version of the guardrail: DRAFT or a number.', pattern: '^(([0-9]{1,8})|(DRAFT))$' }),
}, { description: 'Guardrail applied to the node\'s model calls.' });

const TextInference = Type.Object({
  text: Type.Object({
    temperature: Type.Optional(Type.Number({ description: 'Randomness, 0 to 1.', minimum: 0, maximum: 1 })),
    topP: Type.Optional(Type.Number({ description: 'Top-P sampling, 0 to 1.', minimum: 0, maximum: 1 })),
    maxTokens: Type.Optional(int({ description: 'Maximum number of tokens in the response.', minimum: 0 })),
    stopSequences: Type.Optional(strings({ description: 'Sequences that stop the response.', maxItems: 4 })),
  }, { description: 'Inference parameters of a text model.' }),
}, { description: 'Inference parameters.' });

const PromptSource = Type.Object({
  resource: Type.Optional(Type.Object({
    promptArn: str({ description: 'ARN of a prompt in Bedrock Prompt management, optionally with :version.', pattern: `^${PARTITION}:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:prompt/[0-9a-zA-Z]{10}(?::[0-9]{1,5})?$` }),
  }, { description: 'A prompt kept in Bedrock Prompt management.' })),
  inline: Type.Optional(Type.Object({
    templateType: oneOfStrings(['TEXT', 'CHAT'] as const, { description: 'TEXT or CHAT.' }),
    templateConfiguration: Type.Object({
      text: Type.Optional(Type.Object({
        text: str({ description: 'The prompt, with {{variables}} filled from the node\'s inputs.', minLength: 1, maxLength: 200000 }),
        inputVariables: Type.Optional(Type.Array(Type.Object({
          name: str({ description: 'Name of the variable.', pattern: '^([0-9a-zA-Z][_-]?){1,100}$' }),
        }, { description: 'A variable of the prompt.' }), { description: 'Variables of the prompt.', maxItems: 20 })),
        cachePoint: Type.Optional(Type.Object({ type: oneOfStrings(['default'] as const, { description: 'default.' }) }, { description: 'A cache point after the text.' })),
      }, { description: 'A text prompt.' })),
      chat: Type.Optional(document('A chat prompt (messages, system, inputVariables, toolConfiguration), as Bedrock takes it.')),
    }, { description: 'The template: text or chat.', ...cel({ rule: 'has(self.text) != has(self.chat)', message: 'set exactly one of text or chat' }) }),
    modelId: str({ description: 'Model ID or ARN, or inference profile ID or ARN.', pattern: MODEL, maxLength: 2048 }),
    inferenceConfiguration: Type.Optional(TextInference),
    additionalModelRequestFields: Type.Optional(document('Model-specific request fields.')),
  }, {
    description: 'A prompt defined in the node.',
    ...cel({ rule: '(self.templateType == \'TEXT\') == has(self.templateConfiguration.text)', message: 'templateType TEXT takes templateConfiguration.text, CHAT takes templateConfiguration.chat' }),
  })),
}, { description: 'Where the prompt comes from: resource or inline.', ...cel({ rule: 'has(self.resource) != has(self.inline)', message: 'set exactly one of resource or inline' }) });

const S3Service = Type.Object({
  s3: Type.Object({
    bucketName: str({ description: 'Name of the S3 bucket.', pattern: '^[a-z0-9][.\\-a-z0-9]{1,61}[a-z0-9]$' }),
  }, { description: 'An S3 bucket.' }),
}, { description: 'The service that holds the data.' });

/** The configuration of every node type but Loop, whose body is a definition (built per depth below). */
const leafConfigurations = {
  input: empty('The flow\'s input: it starts the flow with the content of InvokeFlow.'),
  output: empty('An output of the flow: its document input is returned by InvokeFlow.'),
  iterator: empty('Runs the nodes after it once per item of its array input.'),
  collector: empty('Gathers the outputs of an iteration into an array.'),
  loopInput: empty('The entry of a loop\'s body.'),
  condition: Type.Object({
    conditions: Type.Array(FlowCondition('A branch: its name is what conditional connections name.'), { description: 'The branches, tried in order; one named default takes the rest.', minItems: 1, maxItems: 5, ...uniqueBy('name') }),
  }, { description: 'Sends the flow down the first branch whose condition holds.' }),
  prompt: Type.Object({
    sourceConfiguration: PromptSource,
    guardrailConfiguration: Type.Optional(GuardrailConfiguration),
  }, { description: 'Runs a prompt on a model.' }),
  knowledgeBase: Type.Object({
    knowledgeBaseId: str({ description: 'ID of the knowledge base.', pattern: '^[0-9a-zA-Z]{1,10}$' }),
    modelId: Type.Optional(str({ description: 'Model that answers from the results (RetrieveAndGenerate); omit to return the results as an array.', pattern: MODEL, maxLength: 2048 })),
    guardrailConfiguration: Type.Optional(GuardrailConfiguration),
    numberOfResults: Type.Optional(int({ description: 'How many results to retrieve, 1 to 100.', minimum: 1, maximum: 100 })),
    promptTemplate: Type.Optional(Type.Object({
      textPromptTemplate: Type.Optional(str({ description: 'The template of the generation prompt.', minLength: 1, maxLength: 100000 })),
    }, { description: 'Template of the generation prompt.' })),
    inferenceConfiguration: Type.Optional(TextInference),
    rerankingConfiguration: Type.Optional(document('How results are reranked (type BEDROCK_RERANKING_MODEL and its configuration), as Bedrock takes it.')),
    orchestrationConfiguration: Type.Optional(document('How the query is orchestrated, as Bedrock takes it.')),
  }, { description: 'Queries a knowledge base.' }),
  agent: Type.Object({
    agentAliasArn: Type.Optional(str({ description: 'ARN of an agent alias not managed here.', pattern: `^${PARTITION}:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:agent-alias/[0-9a-zA-Z]{10}/[0-9a-zA-Z]{10}$` })),
    agent: Type.Optional(str({ description: 'Name of an Agent in the same namespace; the flow uses the ARN of its alias `alias` once the Agent is Ready.', pattern: OBJECT_NAME_PATTERN })),
    alias: Type.Optional(str({ description: 'The alias of that Agent (one of its spec.aliases).', pattern: '^([0-9a-zA-Z][_-]?){1,100}$' })),
  }, {
    description: 'Calls an agent: agentAliasArn, or agent and alias.',
    ...cel(
      { rule: 'has(self.agentAliasArn) != has(self.agent)', message: 'set exactly one of agentAliasArn or agent (with alias)' },
      { rule: 'has(self.agent) == has(self.alias)', message: 'agent and alias go together: the Agent object and the name of one of its aliases' },
    ),
  }),
  lambdaFunction: Type.Object({
    lambdaArn: Type.Optional(str({ description: 'ARN of a Lambda function not managed here.', pattern: `^${PARTITION}:lambda:([a-z]{2,}-){2,}\\d:\\d{12}:function:[a-zA-Z0-9-_.]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?$` })),
    lambda: Type.Optional(str({ description: 'Name of a Lambda in the same namespace; the flow uses its ARN once it is Ready.', pattern: OBJECT_NAME_PATTERN })),
  }, { description: 'Calls a Lambda function: lambdaArn or lambda.', ...cel({ rule: 'has(self.lambdaArn) != has(self.lambda)', message: 'set exactly one of lambdaArn or lambda' }) }),
  lex: Type.Object({
    botAliasArn: str({ description: 'ARN of the Lex bot alias.', pattern: `^${PARTITION}:lex:([a-z]{2,}-){2,}\\d:\\d{12}:bot-alias/[0-9a-zA-Z]+/[0-9a-zA-Z]+$`, maxLength: 78 }),
    localeId: str({ description: 'Locale of the bot, such as en_US.', minLength: 1, maxLength: 10 }),
  }, { description: 'Asks a Lex bot for the intent of the input text.' }),
  storage: Type.Object({ serviceConfiguration: S3Service }, { description: 'Writes its content input to S3.' }),
  retrieval: Type.Object({ serviceConfiguration: S3Service }, { description: 'Reads an object from S3.' }),
  inlineCode: Type.Object({
    code: str({ description: 'The Python code; the value of its last line is the node\'s output.', minLength: 1, maxLength: 5000000 }),
    language: oneOfStrings(['Python_3'] as const, { description: 'Python_3.' }),
  }, { description: 'Runs Python code (preview in Bedrock).' }),
  loopController: Type.Object({
    continueCondition: FlowCondition('The condition that ends the loop once it holds.'),
    maxIterations: Type.Optional(int({ description: 'Most iterations, 1 to 1000.', minimum: 1, maximum: 1000 })),
  }, { description: 'Decides whether a loop goes on.' }),
};

const NodeInput = Type.Object({
  name: str({ description: 'Name of the input (what the node expects, such as agentInputText, or a prompt variable).', pattern: '^[a-zA-Z]([_]?[0-9a-zA-Z]){1,50}$', maxLength: 101 }),
  type: oneOfStrings(IO_TYPES, { description: 'Data type of the input.' }),
  expression: str({ description: 'What of the incoming data the input takes: $.data, or a path under it.', minLength: 1, maxLength: 64 }),
  category: Type.Optional(oneOfStrings(['LoopCondition', 'ReturnValueToLoopStart', 'ExitLoop'] as const, { description: 'For the inputs of a LoopController: how the data moves between iterations.' })),
}, { description: 'An input of the node.' });

const NodeOutput = Type.Object({
  name: str({ description: 'Name of the output (what the node produces, such as modelCompletion).', pattern: '^[a-zA-Z]([_]?[0-9a-zA-Z]){1,50}$', maxLength: 101 }),
  type: oneOfStrings(IO_TYPES, { description: 'Data type of the output.' }),
}, { description: 'An output of the node.' });

const Connection = Type.Object({
  name: str({ description: 'Name of the connection.', pattern: '^[a-zA-Z]([_]?[0-9a-zA-Z]){1,100}$', maxLength: 201 }),
  type: oneOfStrings(['Data', 'Conditional'] as const, { description: 'Conditional when the source is a Condition node, else Data.' }),
  source: str({ description: 'The node the connection starts from.', pattern: NODE_NAME, maxLength: 51 }),
  target: str({ description: 'The node the connection leads to.', pattern: NODE_NAME, maxLength: 51 }),
  configuration: Type.Optional(Type.Object({
    data: Type.Optional(Type.Object({
      sourceOutput: str({ description: 'The output of the source node.', pattern: NODE_NAME, maxLength: 51 }),
      targetInput: str({ description: 'The input of the target node.', pattern: NODE_NAME, maxLength: 51 }),
    }, { description: 'Which output feeds which input.' })),
    conditional: Type.Optional(Type.Object({
      condition: str({ description: 'The condition of the source node (or default) that takes this branch.', pattern: NODE_NAME, maxLength: 51 }),
    }, { description: 'The branch this connection is.' })),
  }, { description: 'data for a Data connection, conditional for a Conditional one.', ...cel({ rule: 'has(self.data) != has(self.conditional)', message: 'set exactly one of data or conditional' }) })),
}, {
  description: 'A connection between two nodes.',
  ...cel({ rule: '!has(self.configuration) || (self.type == \'Data\') == has(self.configuration.data)', message: 'a Data connection takes configuration.data, a Conditional one configuration.conditional' }),
});

/** A node whose configuration may hold any of `configurations`, of one of `types`. */
function nodeSchema<C extends TProperties>(configurations: C, types: readonly FlowNodeType[]) {
  const typeMatchesKey = types.map((t) => `(self.type == '${t}') == has(self.configuration.${configurationKey(t)})`).join(' && ');
  return Type.Object({
    name: str({ description: 'Name of the node, unique in the flow.', pattern: NODE_NAME, maxLength: 51 }),
    type: oneOfStrings(types, { description: 'Type of the node; configuration has the key of the same name in lower camel case.' }),
    configuration: Type.Optional(Type.Partial(Type.Object(configurations), {
      description: 'The node\'s configuration, under the key of its type (prompt for Prompt, lambdaFunction for LambdaFunction, …).', maxProperties: 1,
    })),
    inputs: Type.Optional(Type.Array(NodeInput, { description: 'Inputs of the node.', maxItems: 20, ...uniqueBy('name') })),
    outputs: Type.Optional(Type.Array(NodeOutput, { description: 'Outputs of the node.', maxItems: 5, ...uniqueBy('name') })),
  }, {
    description: 'A node of the flow.',
    ...cel({ rule: `has(self.configuration) && ${typeMatchesKey}`, message: 'configuration must hold exactly the key of the node\'s type: input for Input, prompt for Prompt, lambdaFunction for LambdaFunction, …' }),
  });
}

/** Nodes and connections, with `rules` on the whole. */
function definitionSchema<N extends TSchema>(node: N, description: string, rules: CelRule[]) {
  return Type.Object({
    nodes: Type.Array(node, { description: 'The nodes.', minItems: 1, maxItems: 40, ...uniqueBy('name') }),
    connections: Type.Optional(Type.Array(Connection, { description: 'How data moves between the nodes.', maxItems: 100, ...uniqueBy('name') })),
  }, { description, ...cel(...rules) });
}

// A Loop node's body is one level deeper, and loops nest no further. Bedrock's PrepareFlow checks
// the rest (and the loop bodies' connections: a rule per body would cost 40 times as much); its
// validations end in the Synced condition.
const LoopBody = definitionSchema(nodeSchema(leafConfigurations, FLOW_NODE_TYPES.filter((t) => t !== 'Loop')), 'The loop\'s body.', [
  { rule: 'self.nodes.filter(n, n.type == \'LoopInput\').size() == 1 && self.nodes.filter(n, n.type == \'LoopController\').size() == 1', message: 'a loop\'s body has exactly one LoopInput and one LoopController node' },
]);

const topConfigurations = {
  ...leafConfigurations,
  loop: Type.Object({ definition: LoopBody }, { description: 'A DoWhile loop: its body, with one LoopInput and one LoopController node. Loops do not nest here.' }),
};

export const FlowDefinition = definitionSchema(nodeSchema(topConfigurations, FLOW_NODE_TYPES), 'The flow: its nodes and the connections between them, as Bedrock takes them.', [{
  rule: '!has(self.connections) || self.connections.all(c, self.nodes.exists(n, n.name == c.source) && self.nodes.exists(n, n.name == c.target))',
  message: 'every connection\'s source and target must be nodes of this definition',
}, { rule: 'self.nodes.filter(n, n.type == \'Input\').size() == 1 && self.nodes.exists(n, n.type == \'Output\')', message: 'a flow has exactly one Input node and at least one Output node' }]);

const Alias = Type.Object({
  name: str({ description: 'Name of the alias.', pattern: '^([0-9a-zA-Z][_-]?){1,100}$' }),
  description: Type.Optional(str({ description: 'Description of the alias.', minLength: 1, maxLength: 200 })),
  flowVersion: Type.Optional(str({ description: 'Version the alias routes to; omit to follow the newest version, which the operator makes whenever the prepared flow changed.', pattern: '^(DRAFT|[0-9]{0,4}[1-9][0-9]{0,4})$' })),
  tags: Type.Optional(tags('Tags of the alias.')),
}, { description: 'An alias of the flow: a stable name that InvokeFlow calls, routed to a version.' });

export const FlowSpec = Type.Object({
  flowName: Type.Optional(str({ description: 'Name of the flow in AWS. Defaults to metadata.name.', pattern: FLOW_NAME })),
  description: Type.Optional(str({ description: 'Description of the flow.', minLength: 1, maxLength: 200 })),
  customerEncryptionKeyArn: Type.Optional(str({ description: 'ARN of the KMS key that encrypts the flow; the generated role may use it.', pattern: KMS_KEY_ARN })),
  iamRole: Type.Optional(str({
    description: 'Service role of the flow: the name of an IAMRole in the same namespace, or a role ARN. By default the operator generates AmazonBedrockExecutionRoleForFlows_<name> with the permissions the definition needs.',
    pattern: `(${OBJECT_NAME_PATTERN})|(${ROLE_ARN_PATTERN})`,
  })),
  definition: FlowDefinition,
  aliases: Type.Optional(Type.Array(Alias, { description: 'Aliases of the flow. Aliases in AWS that are not listed are removed (the test alias TSTALIASID stays).', maxItems: 10, ...uniqueBy('name') })),
  tags: Type.Optional(tags('Tags of the flow.')),
}, { description: 'The desired Bedrock flow.' });
export type FlowSpec = Static<typeof FlowSpec>;
export type FlowDefinitionSpec = FlowSpec['definition'];

export const FlowStatus = statusOf('What the controller observed in AWS.', {
  flowId: Type.Optional(str({ description: 'ID AWS gave the flow.' })),
  flowArn: Type.Optional(str({ description: 'ARN of the flow.' })),
  flowStatus: Type.Optional(str({ description: 'Status of the flow in AWS (NotPrepared, Preparing, Prepared, Failed).' })),
  flowVersion: Type.Optional(str({ description: 'Newest version, made from the prepared flow.' })),
  roleArn: Type.Optional(str({ description: 'ARN of the service role in use.' })),
  managedTagKeys: Type.Optional(strings({ description: 'Tag keys the operator set from spec.tags; a key removed from the spec is removed from AWS, other tags are left alone.', maxItems: 50 })),
  aliases: Type.Optional(Type.Array(Type.Object({
    name: str({ description: 'Name of the alias.' }),
    aliasId: Type.Optional(str({ description: 'ID of the alias.' })),
    aliasArn: Type.Optional(str({ description: 'ARN of the alias (what InvokeFlow and an IAMRole grant name).' })),
    flowVersion: Type.Optional(str({ description: 'Version the alias routes to.' })),
  }, { description: 'An alias in AWS.' }), { description: 'Aliases in AWS.', maxItems: 10 })),
});
export type FlowStatus = Static<typeof FlowStatus>;
