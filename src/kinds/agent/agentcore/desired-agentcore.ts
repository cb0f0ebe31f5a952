// What an Agent's spec asks of Bedrock AgentCore (docs/research/agentcore.md §5): a harness (model,
// instruction as its system prompt, idle session timeout, memory, tools), one gateway per agent
// with a Lambda target per action group and a knowledge-base connector target per knowledge base,
// inline function tools for return of control, and an endpoint per alias. What has no AgentCore
// equivalent is listed by `coverageGaps`, never dropped in silence. The comparisons are of the
// fields the operator sets: what AWS adds (defaults, read-only members) is no drift.
import { isDeepStrictEqual } from 'node:util';
import type { HarnessTool, ToolDefinition } from '@aws-sdk/client-bedrock-agentcore-control';
import type { AgentSpec } from '../../../api/agent.ts';
import { TerminalError } from '../../../runtime/errors.ts';
import { DEFAULT_ENDPOINT, GATEWAY_TOOL, endpointNameOf, knowledgeBaseTargetNameOf, targetNameOf } from './names.ts';
import { functionSchemaTools, inlineFunctionTools, openApiTools, sameTools } from './tool-schema.ts';

type ActionGroup = NonNullable<AgentSpec['actionGroups']>[number];

/** The connector AgentCore Gateway offers for Bedrock knowledge bases. */
export const KNOWLEDGE_BASE_CONNECTOR = 'bedrock-knowledge-bases';
/** Bedrock Agents' summary memory, as a harness long-term memory strategy (AWS's migration mapping). */
const SESSION_SUMMARY_STRATEGY = 'SUMMARIZATION';
/** Managed memory keeps events 3 to 365 days; Bedrock Agents' default is 30. */
const DEFAULT_STORAGE_DAYS = 30;

/** The harness fields the operator sets (tools without the gateway, which exists only later). */
export interface DesiredHarness {
  executionRoleArn: string;
  model: { bedrockModelConfig: { modelId: string; temperature?: number; topP?: number; maxTokens?: number } };
  systemPrompt: { text: string }[];
  /** Inline function tools (return of control) and built-in tools; the gateway tool is added once the gateway exists. */
  tools: HarnessTool[];
  environment?: { agentCoreRuntimeEnvironment: { lifecycleConfiguration: { idleRuntimeSessionTimeout: number; maxLifetime: number } } };
  memory: { managedMemoryConfiguration: { strategies: string[]; eventExpiryDuration: number; encryptionKeyArn?: string } } | { disabled: Record<string, never> };
}

export type DesiredTarget =
  | { kind: 'lambda'; name: string; actionGroup: string; description?: string; lambdaArn: string; tools: ToolDefinition[] }
  | { kind: 'knowledge-base'; name: string; knowledgeBaseId: string; description: string };

export interface DesiredEndpoint {
  name: string;
  alias: string;
  description?: string;
  /** Set when the endpoint is created (TagResource takes no harness endpoint). */
  tags?: Record<string, string>;
  /** The harness version the spec routes to; undefined: the harness's current version. */
  version?: string;
}

/** Action groups that run on the gateway: a Lambda executor and a schema the tools come from. */
function gatewayGroups(spec: AgentSpec): ActionGroup[] {
  return (spec.actionGroups ?? []).filter((g) => g.actionGroupState !== 'DISABLED' && !g.parentActionGroupSignature && !g.actionGroupExecutor?.customControl
    && (g.functionSchema || g.apiSchema?.payload));
}

/** The gateway targets of the spec; `lambdaArn` resolves an action group's executor (it may wait). */
export async function desiredTargets(spec: AgentSpec, lambdaArn: (group: ActionGroup) => string): Promise<DesiredTarget[]> {
  const targets: DesiredTarget[] = [];
  for (const group of gatewayGroups(spec)) {
    const tools = group.functionSchema ? functionSchemaTools(group) : await openApiTools(group.apiSchema!.payload!);
    targets.push({
      kind: 'lambda', name: targetNameOf(group.name), actionGroup: group.name, lambdaArn: lambdaArn(group), tools,
      ...(group.description ? { description: group.description } : {}),
    });
  }
  for (const kb of spec.knowledgeBases ?? []) {
    if (kb.knowledgeBaseState === 'DISABLED') continue;
    targets.push({ kind: 'knowledge-base', name: knowledgeBaseTargetNameOf(kb.knowledgeBaseId), knowledgeBaseId: kb.knowledgeBaseId, description: kb.description });
  }
  refuseCollisions(targets.map((t) => ({ name: t.name, from: t.kind === 'lambda' ? `action group ${t.actionGroup}` : `knowledge base ${t.knowledgeBaseId}` })), 'gateway target',
    'gateway target names take - but not _: rename one action group');
  return targets;
}

/** Two spec names that AgentCore's patterns turn into one name: refused, since one resource cannot be both. */
function refuseCollisions(mapped: { name: string; from: string }[], what: string, fix: string): void {
  const seen = new Map<string, string>();
  for (const { name, from } of mapped) {
    const other = seen.get(name.toLowerCase());
    if (other) throw new TerminalError('NameCollision', `${other} and ${from} both become the ${what} ${name} on AgentCore (${fix})`);
    seen.set(name.toLowerCase(), from);
  }
}

/** The harness's model settings: the foundation model, and the orchestration step's inference settings. */
function modelOf(spec: AgentSpec): DesiredHarness['model'] {
  const inference = spec.promptOverrides?.find((p) => p.promptType === 'ORCHESTRATION')?.inferenceConfiguration;
  return {
    bedrockModelConfig: {
      modelId: spec.foundationModel,
      ...(inference?.temperature !== undefined ? { temperature: inference.temperature } : {}),
      ...(inference?.topP !== undefined ? { topP: inference.topP } : {}),
      ...(inference?.maximumLength ? { maxTokens: inference.maximumLength } : {}),
    },
  };
}

export async function desiredHarness(spec: AgentSpec, executionRoleArn: string): Promise<DesiredHarness> {
  const tools: HarnessTool[] = [];
  for (const group of spec.actionGroups ?? []) {
    if (group.actionGroupState === 'DISABLED') continue;
    if (group.actionGroupExecutor?.customControl === 'RETURN_CONTROL') tools.push(...await inlineFunctionTools(group));
    if (group.parentActionGroupSignature === 'AMAZON.CodeInterpreter') {
      tools.push({ type: 'agentcore_code_interpreter', name: 'code_interpreter' } as HarnessTool);
    }
  }
  const ttl = spec.idleSessionTtlInSeconds ?? spec.idleSessionTtl;
  const memory = spec.memoryConfiguration;
  // Without memoryConfiguration a Bedrock agent keeps nothing across sessions: the harness's
  // managed memory (on by default) is turned off, so nothing is kept that the spec did not ask for.
  // The customer key then encrypts what the harness does keep of the agent: its gateway.
  const managed = memory
    ? {
      managedMemoryConfiguration: {
        strategies: [SESSION_SUMMARY_STRATEGY],
        eventExpiryDuration: Math.min(365, Math.max(3, memory?.storageDays || DEFAULT_STORAGE_DAYS)),
        ...(spec.customerEncryptionKey ? { encryptionKeyArn: spec.customerEncryptionKey } : {}),
      },
    }
    : { disabled: {} as Record<string, never> };
  return {
    executionRoleArn,
    model: modelOf(spec),
    systemPrompt: [{ text: spec.instruction }],
    tools,
    ...(ttl ? { environment: { agentCoreRuntimeEnvironment: { lifecycleConfiguration: { idleRuntimeSessionTimeout: ttl, maxLifetime: Math.max(ttl, 28800) } } } } : {}),
    memory: managed,
  };
}

/** The harness's tools once the gateway exists: the model reaches every target through it. */
export function harnessTools(desired: DesiredHarness, gatewayArn: string | undefined): HarnessTool[] {
  const gateway = gatewayArn ? [{ type: 'agentcore_gateway', name: GATEWAY_TOOL, config: { agentCoreGateway: { gatewayArn } } } as HarnessTool] : [];
  return [...gateway, ...desired.tools];
}

export function desiredEndpoints(spec: AgentSpec): DesiredEndpoint[] {
  const endpoints = (spec.aliases ?? []).map((a) => {
    const version = a.routingConfiguration?.[0]?.agentVersion;
    return {
      name: endpointNameOf(a.name), alias: a.name,
      ...(a.description ? { description: a.description } : {}),
      ...(version && version !== 'DRAFT' ? { version } : {}),
      ...(a.tags ? { tags: a.tags } : {}),
    };
  });
  const reserved = endpoints.find((e) => e.name.toUpperCase() === DEFAULT_ENDPOINT);
  if (reserved) {
    throw new TerminalError('NameCollision', `alias ${reserved.alias} would be the harness's DEFAULT endpoint, which AgentCore keeps on the latest version itself: rename the alias`);
  }
  refuseCollisions(endpoints.map((e) => ({ name: e.name, from: `alias ${e.alias}` })), 'endpoint', 'endpoint names take _ but not -: rename one alias');
  return endpoints;
}

/** Whether `actual` has every member `desired` sets, equal (objects by key, arrays item by item). */
export function setsMatch(desired: unknown, actual: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(actual) && actual.length === desired.length && desired.every((d, i) => setsMatch(d, actual[i]));
  }
  if (desired && typeof desired === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(desired).every(([k, v]) => v === undefined || setsMatch(v, (actual as Record<string, unknown>)[k]));
  }
  return isDeepStrictEqual(desired, actual);
}

/** The harness fields that differ from what the operator sets, by name; tools compared by name. */
export function harnessDiff(desired: DesiredHarness, gatewayArn: string | undefined, actual: Record<string, unknown>): string[] {
  const byName = (tools: unknown) => [...(Array.isArray(tools) ? tools as HarnessTool[] : [])].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  const diff: string[] = [];
  if (actual.executionRoleArn !== desired.executionRoleArn) diff.push('harness execution role');
  if (!setsMatch(desired.model, actual.model)) diff.push('harness model');
  if (!setsMatch(desired.systemPrompt, actual.systemPrompt)) diff.push('harness instruction');
  if (!setsMatch(byName(harnessTools(desired, gatewayArn)), byName(actual.tools))) diff.push('harness tools');
  if (desired.environment && !setsMatch(desired.environment.agentCoreRuntimeEnvironment.lifecycleConfiguration,
    (actual.environment as DesiredHarness['environment'])?.agentCoreRuntimeEnvironment?.lifecycleConfiguration)) {
    diff.push('harness idle session timeout');
  }
  const memory = actual.memory as Record<string, unknown> | undefined;
  const memoryMatches = 'disabled' in desired.memory ? memory !== undefined && 'disabled' in memory : setsMatch(desired.memory, memory);
  if (!memoryMatches) diff.push('harness memory');
  return diff;
}

/** Whether a target in AWS (GetGatewayTarget) carries what the desired one sets. */
export function targetMatches(desired: DesiredTarget, actual: { description?: string | undefined; targetConfiguration?: unknown }): boolean {
  if ((actual.description ?? '') !== (desired.kind === 'lambda' ? desired.description ?? '' : desired.description)) return false;
  const mcp = (actual.targetConfiguration as { mcp?: Record<string, any> } | undefined)?.mcp;
  if (desired.kind === 'lambda') {
    const lambda = mcp?.lambda as { lambdaArn?: string; toolSchema?: { inlinePayload?: ToolDefinition[] } } | undefined;
    return lambda?.lambdaArn === desired.lambdaArn && sameTools(desired.tools, lambda.toolSchema?.inlinePayload ?? []);
  }
  return setsMatch(knowledgeBaseConnector(desired), mcp?.connector);
}

/** The gateway target configuration of a desired target. */
export function targetConfiguration(target: DesiredTarget): Record<string, unknown> {
  if (target.kind === 'lambda') return { mcp: { lambda: { lambdaArn: target.lambdaArn, toolSchema: { inlinePayload: target.tools } } } };
  return { mcp: { connector: knowledgeBaseConnector(target) } };
}

function knowledgeBaseConnector(target: Extract<DesiredTarget, { kind: 'knowledge-base' }>) {
  return {
    source: { connectorId: KNOWLEDGE_BASE_CONNECTOR },
    configurations: [{ name: 'Retrieve', description: target.description, parameterValues: { knowledgeBaseId: target.knowledgeBaseId } }],
  };
}

/**
 * What of the spec AgentCore's harness cannot carry out, each with what to do instead (AWS's page
 * "Amazon Bedrock Agents Classic maintenance mode" lists what needs a code-defined agent).
 */
export function coverageGaps(spec: AgentSpec): string[] {
  const gaps: string[] = [];
  for (const p of spec.promptOverrides ?? []) {
    const overridden = p.promptCreationMode === 'OVERRIDDEN' || p.parserMode === 'OVERRIDDEN' || p.basePromptTemplate !== undefined || p.promptArn !== undefined || p.prompt !== undefined
      || p.promptState === 'DISABLED';
    const onlyOrchestrationInference = p.promptType === 'ORCHESTRATION' && !overridden
      && !(p.inferenceConfiguration?.topK || p.inferenceConfiguration?.stopSequences?.length);
    if (onlyOrchestrationInference || (!overridden && !p.inferenceConfiguration)) continue;
    gaps.push(`spec.promptOverrides[${p.promptType}]: a harness has one system prompt (spec.instruction) and no per-step prompts; fold the step's intent into the instruction, or run a code-defined agent on AgentCore Runtime`);
  }
  if (spec.guardrail) {
    gaps.push('spec.guardrail: a harness takes no guardrail; guardrails configured on the model still apply, and agent-level enforcement needs an AgentCore Policy engine on the gateway, which this operator does not manage yet');
  }
  for (const group of spec.actionGroups ?? []) {
    if (group.actionGroupState === 'DISABLED') continue;
    if (group.parentActionGroupSignature === 'AMAZON.UserInput') {
      gaps.push(`spec.actionGroups[${group.name}]: AMAZON.UserInput has no harness tool; the harness asks the user in its answer, or add a RETURN_CONTROL function for it`);
    }
    if (group.apiSchema?.s3) {
      gaps.push(`spec.actionGroups[${group.name}].apiSchema.s3: a gateway Lambda target takes tool definitions, not an OpenAPI schema in S3; put the schema in apiSchema.payload`);
    }
  }
  const storageDays = spec.memoryConfiguration?.storageDays;
  if (storageDays && storageDays < 3) {
    gaps.push(`spec.memoryConfiguration.storageDays ${storageDays}: AgentCore keeps memory 3 to 365 days; it is kept 3 days`);
  }
  if ((spec.aliases ?? []).some((a) => a.routingConfiguration?.some((r) => r.provisionedThroughput))) {
    gaps.push('spec.aliases[].routingConfiguration.provisionedThroughput: a harness endpoint has no provisioned throughput; the model is invoked on demand');
  }
  if ((spec.aliases ?? []).some((a) => a.routingConfiguration?.some((r) => r.agentVersion === 'DRAFT'))) {
    gaps.push('spec.aliases[].routingConfiguration.agentVersion DRAFT: a harness has no draft; the endpoint follows the harness\'s current version');
  }
  return gaps;
}
