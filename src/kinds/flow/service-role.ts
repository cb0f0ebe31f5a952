// The service role the operator generates for a Flow that names none: exactly the statements of the
// AWS page "Create a service role for Amazon Bedrock Flows" (shared/seeds/003), derived from the
// flow's definition (loops included), one statement per kind of resource the nodes use, each
// scoped to those resources. Nothing for a node type that is not used, and nothing left behind when
// a node is removed (the console's role keeps what a removed node needed; this one does not).
// Bedrock may assume it from this account only, for `flow/*` until the flow exists and then for
// that flow's ARN alone.
import type {
  AgentFlowNodeConfiguration, FlowDefinition, FlowNode, KnowledgeBaseFlowNodeConfiguration, LambdaFunctionFlowNodeConfiguration, LexFlowNodeConfiguration,
  LoopFlowNodeConfiguration, PromptFlowNodeConfiguration, RetrievalFlowNodeConfiguration, StorageFlowNodeConfiguration,
} from '@aws-sdk/client-bedrock-agent';
import type { IAMRoleSpec } from '../../api/iamrole.ts';
import type { PolicyStatement } from '../../api/policy-document.ts';
import type { AwsScope } from '../../aws/aws-environment.ts';
import { modelStatements } from '../agent/service-role.ts';
import { boundedName, serviceTrust } from '../generated-roles.ts';

/** The prefix the console gives flow service roles. */
export const FLOW_ROLE_PREFIX = 'AmazonBedrockExecutionRoleForFlows_';

export function flowRoleName(flowName: string): string {
  return boundedName(`${FLOW_ROLE_PREFIX}${flowName}`, '', 64);
}

/** The name of the IAMRole object generated for the Flow object `flowObjectName`. */
export function flowRoleObjectName(flowObjectName: string): string {
  return boundedName(flowObjectName, '-flow-role', 253);
}

/** What a flow's nodes use, each list without repeats, in the order the nodes name them. */
export interface FlowUses {
  models: string[];
  prompts: string[];
  knowledgeBases: string[];
  agentAliases: string[];
  readBuckets: string[];
  writeBuckets: string[];
  guardrails: string[];
  functions: string[];
  lexBotAliases: string[];
}

/** A node's configuration with every member optional: a union's members, read without narrowing. */
interface NodeConfiguration {
  prompt?: PromptFlowNodeConfiguration;
  knowledgeBase?: KnowledgeBaseFlowNodeConfiguration;
  agent?: AgentFlowNodeConfiguration;
  retrieval?: RetrievalFlowNodeConfiguration;
  storage?: StorageFlowNodeConfiguration;
  lambdaFunction?: LambdaFunctionFlowNodeConfiguration;
  lex?: LexFlowNodeConfiguration;
  loop?: LoopFlowNodeConfiguration;
}

const configurationOf = (node: FlowNode): NodeConfiguration => (node.configuration ?? {}) as NodeConfiguration;

/** Every node of the definition, those inside loops included. */
function allNodes(definition: FlowDefinition | undefined): FlowNode[] {
  return (definition?.nodes ?? []).flatMap((node) => [node, ...allNodes(configurationOf(node).loop?.definition)]);
}

export function flowUses(definition: FlowDefinition | undefined): FlowUses {
  const uses: { [K in keyof FlowUses]: Set<string> } = {
    models: new Set(), prompts: new Set(), knowledgeBases: new Set(), agentAliases: new Set(), readBuckets: new Set(),
    writeBuckets: new Set(), guardrails: new Set(), functions: new Set(), lexBotAliases: new Set(),
  };
  const add = (set: Set<string>, value: string | undefined) => { if (value) set.add(value); };
  for (const node of allNodes(definition)) {
    const c = configurationOf(node);
    const source = c.prompt?.sourceConfiguration as { resource?: { promptArn?: string }; inline?: { modelId?: string } } | undefined;
    add(uses.prompts, source?.resource?.promptArn);
    add(uses.models, source?.inline?.modelId);
    add(uses.guardrails, c.prompt?.guardrailConfiguration?.guardrailIdentifier);
    add(uses.knowledgeBases, c.knowledgeBase?.knowledgeBaseId);
    add(uses.models, c.knowledgeBase?.modelId);
    add(uses.models, c.knowledgeBase?.rerankingConfiguration?.bedrockRerankingConfiguration?.modelConfiguration?.modelArn);
    add(uses.guardrails, c.knowledgeBase?.guardrailConfiguration?.guardrailIdentifier);
    add(uses.agentAliases, c.agent?.agentAliasArn);
    add(uses.readBuckets, (c.retrieval?.serviceConfiguration as { s3?: { bucketName?: string } } | undefined)?.s3?.bucketName);
    add(uses.writeBuckets, (c.storage?.serviceConfiguration as { s3?: { bucketName?: string } } | undefined)?.s3?.bucketName);
    add(uses.functions, c.lambdaFunction?.lambdaArn);
    add(uses.lexBotAliases, c.lex?.botAliasArn);
  }
  return Object.fromEntries(Object.entries(uses).map(([k, v]) => [k, [...v]])) as unknown as FlowUses;
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The model statements of the seed: base models (and inference profiles), provisioned throughput, custom models. */
function modelPermissions(models: string[], scope: AwsScope): PolicyStatement[] {
  const base: string[] = [];
  const profiles: string[] = [];
  const provisioned: string[] = [];
  const custom: string[] = [];
  for (const model of models) {
    if (/^arn:[^:]+:bedrock:[^:]*:\d{12}:provisioned-model\//.test(model)) provisioned.push(model);
    else if (/^arn:[^:]+:bedrock:[^:]*:\d{12}:custom-model\//.test(model)) custom.push(model);
    else {
      for (const s of modelStatements(model, scope)) (asList(s.action).includes('bedrock:InvokeModel') ? base : profiles).push(...asList(s.resource));
    }
  }
  const unique = (xs: string[]) => [...new Set(xs)];
  const statements: PolicyStatement[] = [];
  if (base.length > 0) statements.push({ sid: 'InvokeModel', effect: 'Allow', action: ['bedrock:InvokeModel'], resource: unique(base) });
  if (profiles.length > 0) statements.push({ sid: 'ReadInferenceProfile', effect: 'Allow', action: ['bedrock:GetInferenceProfile'], resource: unique(profiles) });
  if (provisioned.length > 0) {
    statements.push({ sid: 'InvokeProvisionedThroughput', effect: 'Allow', action: ['bedrock:InvokeModel', 'bedrock:GetProvisionedModelThroughput'], resource: unique(provisioned) });
  }
  if (custom.length > 0) statements.push({ sid: 'InvokeCustomModel', effect: 'Allow', action: ['bedrock:InvokeModel', 'bedrock:GetCustomModel'], resource: unique(custom) });
  return statements;
}

/** The identity-based statements the flow's definition needs, per seed 003. */
export function flowPermissions(definition: FlowDefinition | undefined, kmsKeyArn: string | undefined, scope: AwsScope): PolicyStatement[] {
  const { partition, region, account } = scope;
  const uses = flowUses(definition);
  const inAccount = { StringEquals: { 'aws:ResourceAccount': account } };
  const bedrockArn = (type: string, id: string) => (id.startsWith('arn:') ? id : `arn:${partition}:bedrock:${region}:${account}:${type}/${id}`);
  const statements = modelPermissions(uses.models, scope);
  if (uses.prompts.length > 0) {
    // Flows created after 2024-11-22 render managed prompts with RenderPrompt (the seed's note).
    statements.push({ sid: 'UsePromptFromPromptManagement', effect: 'Allow', action: ['bedrock:RenderPrompt'], resource: uses.prompts });
  }
  if (uses.knowledgeBases.length > 0) {
    statements.push({ sid: 'QueryKnowledgeBase', effect: 'Allow', action: ['bedrock:Retrieve'], resource: uses.knowledgeBases.map((id) => bedrockArn('knowledge-base', id)) });
    // The seed lists RetrieveAndGenerate with the knowledge-base ARNs, but IAM's catalogue gives the
    // action no resource type: a statement naming ARNs never allows it (as for agents).
    statements.push({ sid: 'RetrieveAndGenerate', effect: 'Allow', action: ['bedrock:RetrieveAndGenerate'], resource: ['*'] });
  }
  if (uses.agentAliases.length > 0) statements.push({ sid: 'InvokeAgent', effect: 'Allow', action: ['bedrock:InvokeAgent'], resource: uses.agentAliases });
  if (uses.readBuckets.length > 0) {
    statements.push({ sid: 'AccessS3Bucket', effect: 'Allow', action: ['s3:GetObject'], resource: uses.readBuckets.map((b) => `arn:${partition}:s3:::${b}/*`), condition: inAccount });
  }
  if (uses.writeBuckets.length > 0) {
    statements.push({
      sid: 'WriteToS3Bucket', effect: 'Allow', action: ['s3:PutObject'],
      resource: uses.writeBuckets.flatMap((b) => [`arn:${partition}:s3:::${b}`, `arn:${partition}:s3:::${b}/*`]), condition: inAccount,
    });
  }
  if (uses.guardrails.length > 0) {
    statements.push({ sid: 'GuardrailPermissions', effect: 'Allow', action: ['bedrock:ApplyGuardrail'], resource: uses.guardrails.map((g) => bedrockArn('guardrail', g)) });
  }
  if (uses.functions.length > 0) statements.push({ sid: 'LambdaPermissions', effect: 'Allow', action: ['lambda:InvokeFunction'], resource: uses.functions });
  if (uses.lexBotAliases.length > 0) statements.push({ sid: 'AmazonLexPermissions', effect: 'Allow', action: ['lex:RecognizeUtterance'], resource: uses.lexBotAliases });
  if (kmsKeyArn) statements.push({ sid: 'KMSPermissions', effect: 'Allow', action: ['kms:GenerateDataKey', 'kms:Decrypt'], resource: [kmsKeyArn], condition: inAccount });
  return statements;
}

/** The generated role of a flow: Bedrock's trust for this account's flows (then this flow), and the flow's permissions. */
export function flowRoleSpec(flowName: string, definition: FlowDefinition | undefined, kmsKeyArn: string | undefined, scope: AwsScope, flowArn: string | undefined): IAMRoleSpec {
  const { partition, region, account } = scope;
  const statement = flowPermissions(definition, kmsKeyArn, scope);
  return {
    roleName: flowRoleName(flowName),
    description: `Service role of the Bedrock flow ${flowName}, generated by bedrock-forge-operator`,
    assumeRolePolicy: serviceTrust('bedrock.amazonaws.com', {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'AWS:SourceArn': flowArn ?? `arn:${partition}:bedrock:${region}:${account}:flow/*` },
    }),
    // A flow of nodes that call nothing (input, inline code, output) needs no permission, and IAM
    // refuses a policy without statements.
    inlinePolicies: statement.length > 0 ? [{ name: 'FlowPermissions', policy: { version: '2012-10-17', statement } }] : [],
  };
}
