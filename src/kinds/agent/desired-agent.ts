// What an Agent spec asks of Bedrock, in the shapes of the bedrock-agent API, and which aspects
// of what GetAgent and friends returned differ from it. UpdateAgent replaces the whole agent, so
// the agent's fields are always built complete. AWS's DEFAULT prompt configurations, which
// GetAgent returns and UpdateAgent refuses, are never compared or sent.
import { isDeepStrictEqual } from 'node:util';
import type {
  ActionGroupExecutor, Agent, AgentActionGroup, AgentKnowledgeBase, APISchema, FunctionSchema, PromptConfiguration, UpdateAgentRequest,
} from '@aws-sdk/client-bedrock-agent';
import type { AgentSpec } from '../../api/agent.ts';
import { TerminalError } from '../../runtime/errors.ts';
import { referenceName } from '../../api/common.ts';

export type AgentFields = Omit<UpdateAgentRequest, 'agentId'>;

/** Bedrock's default idle session TTL, which an agent created or updated without one gets. */
const DEFAULT_IDLE_TTL = 600;
const DEFAULT_MEMORY_DAYS = 30;

type Override = NonNullable<AgentSpec['promptOverrides']>[number];

function promptConfiguration(o: Override, i: number, prompts: ReadonlyMap<number, PromptConfiguration>): PromptConfiguration {
  // An override naming a Prompt object of the namespace, resolved by prompt-overrides.ts.
  const resolved = prompts.get(i);
  if (resolved) return resolved;
  if (o.promptArn) {
    throw new TerminalError('UnsupportedPromptReference', `spec.promptOverrides[${i}].promptArn names a prompt not managed here; Bedrock agents take the template itself, which the operator copies only from a Prompt object of this namespace: set prompt to one, or basePromptTemplate`);
  }
  if (o.prompt || o.promptVariant || o.variant) {
    throw new TerminalError('UnsupportedPromptReference', `spec.promptOverrides[${i}] names a variant without a prompt, or a prompt that was not resolved: set prompt to a Prompt object of this namespace, or basePromptTemplate`);
  }
  const inference = o.inferenceConfiguration;
  return {
    promptType: o.promptType,
    promptCreationMode: o.promptCreationMode ?? (o.basePromptTemplate || inference ? 'OVERRIDDEN' : 'DEFAULT'),
    ...(o.promptState ? { promptState: o.promptState } : {}),
    ...(o.basePromptTemplate ? { basePromptTemplate: o.basePromptTemplate } : {}),
    ...(o.parserMode ? { parserMode: o.parserMode } : {}),
    ...(inference ? { inferenceConfiguration: inference } : {}),
  };
}

/** `prompts`: the configurations of the overrides that name a Prompt object, by index (prompt-overrides.ts). */
export function desiredAgentFields(spec: AgentSpec, agentName: string, roleArn: string, prompts: ReadonlyMap<number, PromptConfiguration> = new Map()): AgentFields {
  // spec.guardrail.name is resolved to the Guardrail's ID before this (withNamedGuardrail).
  const overrides = (spec.promptOverrides ?? []).map((o, i) => promptConfiguration(o, i, prompts));
  return {
    agentName,
    foundationModel: spec.foundationModel,
    instruction: spec.instruction,
    agentResourceRoleArn: roleArn,
    idleSessionTTLInSeconds: spec.idleSessionTtlInSeconds ?? spec.idleSessionTtl ?? DEFAULT_IDLE_TTL,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.customerEncryptionKey ? { customerEncryptionKeyArn: spec.customerEncryptionKey } : {}),
    ...(spec.guardrail?.identifier ? { guardrailConfiguration: { guardrailIdentifier: spec.guardrail.identifier, guardrailVersion: spec.guardrail.version ?? 'DRAFT' } } : {}),
    ...(spec.memoryConfiguration ? {
      memoryConfiguration: { enabledMemoryTypes: spec.memoryConfiguration.enabledMemoryTypes, storageDays: spec.memoryConfiguration.storageDays ?? DEFAULT_MEMORY_DAYS },
    } : {}),
    ...(overrides.length > 0 ? { promptOverrideConfiguration: { promptConfigurations: overrides } } : {}),
  };
}

/** The prompt configurations of an agent that are not AWS's defaults, by prompt type. */
function ownPrompts(configurations: PromptConfiguration[] | undefined): Map<string, PromptConfiguration> {
  return new Map<string, PromptConfiguration>((configurations ?? []).filter((c) => c.promptCreationMode === 'OVERRIDDEN').map((c) => [c.promptType!, c]));
}

function promptsDiffer(desired: PromptConfiguration[] | undefined, actual: PromptConfiguration[] | undefined): boolean {
  const wanted = new Map<string, PromptConfiguration>((desired ?? []).map((c) => [c.promptType!, c]));
  const own = ownPrompts(actual);
  const all = new Map<string, PromptConfiguration>((actual ?? []).map((c) => [c.promptType!, c]));
  for (const [type, d] of wanted) {
    const a = all.get(type);
    if (!a) return true;
    // Only what the spec sets is compared: AWS fills in the rest.
    for (const key of Object.keys(d) as (keyof PromptConfiguration)[]) {
      if (!isDeepStrictEqual(d[key], a[key])) return true;
    }
  }
  return [...own.keys()].some((type) => !wanted.has(type));
}

const memoryOf = (m: Agent['memoryConfiguration']) =>
  m?.enabledMemoryTypes?.length ? { types: [...m.enabledMemoryTypes].sort(), days: m.storageDays ?? DEFAULT_MEMORY_DAYS } : undefined;

/** The aspects of the agent itself that differ. */
export function agentDiff(desired: AgentFields, actual: Agent): string[] {
  const diff: string[] = [];
  const differs = (aspect: string, a: unknown, b: unknown) => { if (!isDeepStrictEqual(a, b)) diff.push(aspect); };
  differs('name', desired.agentName, actual.agentName);
  differs('foundation model', desired.foundationModel, actual.foundationModel);
  differs('instruction', desired.instruction, actual.instruction);
  differs('description', desired.description ?? '', actual.description ?? '');
  differs('service role', desired.agentResourceRoleArn, actual.agentResourceRoleArn);
  differs('idle session TTL', desired.idleSessionTTLInSeconds, actual.idleSessionTTLInSeconds ?? DEFAULT_IDLE_TTL);
  differs('KMS key', desired.customerEncryptionKeyArn ?? '', actual.customerEncryptionKeyArn ?? '');
  differs('guardrail', desired.guardrailConfiguration?.guardrailIdentifier ? desired.guardrailConfiguration : undefined,
    actual.guardrailConfiguration?.guardrailIdentifier ? { guardrailIdentifier: actual.guardrailConfiguration.guardrailIdentifier, guardrailVersion: actual.guardrailConfiguration.guardrailVersion } : undefined);
  differs('memory', memoryOf(desired.memoryConfiguration), memoryOf(actual.memoryConfiguration));
  if (promptsDiffer(desired.promptOverrideConfiguration?.promptConfigurations, actual.promptOverrideConfiguration?.promptConfigurations)) diff.push('prompt overrides');
  return diff;
}

/** An action group as CreateAgentActionGroup / UpdateAgentActionGroup take it. */
export interface DesiredActionGroup {
  actionGroupName: string;
  description?: string;
  actionGroupExecutor?: ActionGroupExecutor;
  apiSchema?: APISchema;
  functionSchema?: FunctionSchema;
  parentActionGroupSignature?: 'AMAZON.UserInput' | 'AMAZON.CodeInterpreter';
  actionGroupState: 'ENABLED' | 'DISABLED';
}

type ActionGroupSpec = NonNullable<AgentSpec['actionGroups']>[number];

/** `lambdaArn` resolves an action group's executor.lambda (a Lambda object's name) to its ARN. */
export function desiredActionGroup(group: ActionGroupSpec, lambdaArn: (name: string) => string): DesiredActionGroup {
  const executor = group.actionGroupExecutor;
  return {
    actionGroupName: group.name,
    ...(group.description ? { description: group.description } : {}),
    ...(executor?.lambda ? { actionGroupExecutor: { lambda: lambdaArn(referenceName(executor.lambda)) } } : {}),
    ...(executor?.lambdaArn ? { actionGroupExecutor: { lambda: executor.lambdaArn } } : {}),
    ...(executor?.customControl ? { actionGroupExecutor: { customControl: executor.customControl } } : {}),
    ...(group.apiSchema?.payload ? { apiSchema: { payload: group.apiSchema.payload } } : {}),
    ...(group.apiSchema?.s3 ? { apiSchema: { s3: { s3BucketName: group.apiSchema.s3.s3BucketName, s3ObjectKey: group.apiSchema.s3.s3ObjectKey } } } : {}),
    ...(group.functionSchema ? {
      functionSchema: {
        functions: group.functionSchema.functions.map((f) => ({
          name: f.name,
          ...(f.description ? { description: f.description } : {}),
          ...(f.parameters ? { parameters: Object.fromEntries(Object.entries(f.parameters).map(([k, p]) => [k, { type: p.type, required: p.required ?? false, ...(p.description ? { description: p.description } : {}) }])) } : {}),
          ...(f.requireConfirmation ? { requireConfirmation: f.requireConfirmation } : {}),
        })),
      },
    } : {}),
    ...(group.parentActionGroupSignature ? { parentActionGroupSignature: group.parentActionGroupSignature } : {}),
    actionGroupState: group.actionGroupState ?? 'ENABLED',
  };
}

/** Whether an action group in AWS is the desired one. */
export function actionGroupMatches(desired: DesiredActionGroup, actual: AgentActionGroup): boolean {
  const functions = (s: FunctionSchema | undefined) => (s && 'functions' in s ? (s.functions ?? []).map((f) => ({
    name: f.name, description: f.description ?? '', requireConfirmation: f.requireConfirmation ?? 'DISABLED',
    parameters: Object.fromEntries(Object.entries(f.parameters ?? {}).map(([k, p]) => [k, { type: p.type, required: p.required ?? false, description: p.description ?? '' }])),
  })) : undefined);
  const executor = (e: ActionGroupExecutor | undefined) => (e?.lambda ? { lambda: e.lambda } : e?.customControl ? { customControl: e.customControl } : undefined);
  const schema = (s: APISchema | undefined) => (s?.payload ? { payload: s.payload } : s?.s3 ? { s3: { b: s.s3.s3BucketName, k: s.s3.s3ObjectKey } } : undefined);
  return isDeepStrictEqual(
    [desired.description ?? '', executor(desired.actionGroupExecutor), schema(desired.apiSchema), functions(desired.functionSchema), desired.parentActionGroupSignature, desired.actionGroupState],
    [actual.description ?? '', executor(actual.actionGroupExecutor), schema(actual.apiSchema), functions(actual.functionSchema), actual.parentActionSignature, actual.actionGroupState ?? 'ENABLED'],
  );
}

export interface DesiredKnowledgeBase {
  knowledgeBaseId: string;
  description: string;
  knowledgeBaseState: 'ENABLED' | 'DISABLED';
}

export function desiredKnowledgeBases(spec: AgentSpec): DesiredKnowledgeBase[] {
  return (spec.knowledgeBases ?? []).map((kb) => ({ knowledgeBaseId: kb.knowledgeBaseId, description: kb.description, knowledgeBaseState: kb.knowledgeBaseState ?? 'ENABLED' }));
}

export function knowledgeBaseMatches(desired: DesiredKnowledgeBase, actual: { description?: string; knowledgeBaseState?: string }): boolean {
  return desired.description === actual.description && desired.knowledgeBaseState === (actual.knowledgeBaseState ?? 'ENABLED');
}
