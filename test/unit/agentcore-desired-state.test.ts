// What an Agent's spec asks of Bedrock AgentCore (desired-agentcore.ts): the harness (model,
// instruction, memory, lifecycle, inline and built-in tools), the gateway's targets, the endpoints;
// drift judged on the fields the operator sets, so that what AWS adds (defaults, read-only members)
// is no drift and a changed instruction, model, tool or memory is; and what the harness cannot
// carry out of the spec, said as coverage gaps instead of dropped in silence.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ToolDefinition } from '@aws-sdk/client-bedrock-agentcore-control';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AgentSpec } from '../../src/api/agent.ts';
import {
  KNOWLEDGE_BASE_CONNECTOR, coverageGaps, desiredEndpoints, desiredHarness, desiredTargets, harnessDiff, harnessTools, setsMatch, targetConfiguration, targetMatches,
  type DesiredHarness, type DesiredTarget,
} from '../../src/kinds/agent/agentcore/desired-agentcore.ts';
import { GATEWAY_TOOL } from '../../src/kinds/agent/agentcore/names.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/BedrockAgentCoreHarness_orders`;
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const GATEWAY_ARN = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:gateway/orders-abcdefghij`;
const LAMBDA_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:order-lookup`;
const INSTRUCTION = 'You are a customer support assistant. Look orders up and answer briefly.';

type ActionGroup = NonNullable<AgentSpec['actionGroups']>[number];
const spec = (extra: Partial<AgentSpec> = {}): AgentSpec => ({ foundationModel: MODEL, instruction: INSTRUCTION, ...extra });
const lambdaArnOf = (group: ActionGroup) => group.actionGroupExecutor?.lambdaArn ?? `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${group.actionGroupExecutor?.lambda ?? 'none'}`;

const lookupOrder: ActionGroup = {
  name: 'orders', description: 'Look up customer orders', actionGroupExecutor: { lambda: 'order-lookup' },
  functionSchema: { functions: [{ name: 'lookup_order', description: 'Look up an order by its ID', parameters: { order_id: { type: 'string', description: 'The order ID', required: true } } }] },
};
const lookupOrderTool: ToolDefinition = {
  name: 'lookup_order', description: 'Look up an order by its ID',
  inputSchema: { type: 'object', properties: { order_id: { type: 'string', description: 'The order ID' } }, required: ['order_id'] },
};
const confirmRefund: ActionGroup = {
  name: 'refunds', actionGroupExecutor: { customControl: 'RETURN_CONTROL' },
  functionSchema: { functions: [{ name: 'confirm_refund', description: 'Ask the caller to confirm a refund', parameters: { amount: { type: 'number', required: true } } }] },
};
const codeInterpreter: ActionGroup = { name: 'code', parentActionGroupSignature: 'AMAZON.CodeInterpreter' };

async function exampleAgent(): Promise<AgentSpec> {
  const text = await readFile(join(import.meta.dirname, '..', '..', 'examples', 'complete', 'order-assistant-agentcore.yaml'), 'utf8');
  const agent = parseAllDocuments(text).map((d) => d.toJS() as { kind: string; spec: AgentSpec }).find((o) => o.kind === 'Agent');
  return agent!.spec;
}

/**
 * The harness as GetHarness returns it once AgentCore made it from `desired`: the fields the
 * operator set, and what AWS adds (IDs, status, the runtime, the network mode, the managed
 * memory's ARN, the gateway tool's default outbound auth, the model's API format).
 */
function harnessInAws(desired: DesiredHarness, gatewayArn: string | undefined): Record<string, unknown> {
  const lifecycle = desired.environment?.agentCoreRuntimeEnvironment.lifecycleConfiguration ?? { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 };
  const memory = 'disabled' in desired.memory
    ? { disabled: {} }
    : { managedMemoryConfiguration: { ...desired.memory.managedMemoryConfiguration, arn: `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:memory/harness_orders_mem-AbCdEf1234` } };
  return {
    harnessId: 'orders-AbCdEf1234', harnessName: 'orders', arn: `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:harness/orders-AbCdEf1234`,
    status: 'READY', harnessVersion: '3', createdAt: new Date(0), updatedAt: new Date(0),
    executionRoleArn: desired.executionRoleArn,
    model: { bedrockModelConfig: { ...desired.model.bedrockModelConfig, apiFormat: 'converse_stream' } },
    systemPrompt: desired.systemPrompt.map((p) => ({ ...p })),
    // AWS answers in its own order, and gives the gateway tool its default outbound auth.
    tools: harnessTools(desired, gatewayArn).map((t) => (t.type === 'agentcore_gateway'
      ? { ...t, config: { agentCoreGateway: { ...t.config!.agentCoreGateway!, outboundAuth: { awsIam: {} } } } }
      : structuredClone(t))).reverse(),
    skills: [], allowedTools: ['*'], truncation: { strategy: 'sliding_window' },
    environment: {
      agentCoreRuntimeEnvironment: {
        agentRuntimeArn: `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/harness_orders-XyZ0123456`, agentRuntimeName: 'harness_orders', agentRuntimeId: 'harness_orders-XyZ0123456',
        lifecycleConfiguration: { ...lifecycle }, networkConfiguration: { networkMode: 'PUBLIC' },
      },
    },
    memory,
  };
}

describe('desiredHarness', () => {
  it('the instruction is the system prompt, the model the foundation model, memory disabled without memoryConfiguration', async () => {
    const harness = await desiredHarness(spec(), ROLE);
    expect(harness).toEqual({
      executionRoleArn: ROLE,
      model: { bedrockModelConfig: { modelId: MODEL } },
      systemPrompt: [{ text: INSTRUCTION }],
      tools: [],
      memory: { disabled: {} },
    });
  });

  it('memoryConfiguration: managed memory with the SUMMARIZATION strategy, storageDays as its event expiry', async () => {
    const harness = await desiredHarness(spec({ memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 90 } }), ROLE);
    expect(harness.memory).toEqual({ managedMemoryConfiguration: { strategies: ['SUMMARIZATION'], eventExpiryDuration: 90 } });
  });

  it.each([
    [undefined, 30], [0, 30], [1, 3], [2, 3], [3, 3], [4, 4], [30, 30], [364, 364], [365, 365],
  ])('storageDays %s keeps events %s days (AgentCore takes 3 to 365; Bedrock Agents defaults to 30)', async (storageDays, days) => {
    const memoryConfiguration = { enabledMemoryTypes: ['SESSION_SUMMARY' as const], ...(storageDays === undefined ? {} : { storageDays }) };
    const harness = await desiredHarness(spec({ memoryConfiguration }), ROLE);
    expect(harness.memory).toEqual({ managedMemoryConfiguration: { strategies: ['SUMMARIZATION'], eventExpiryDuration: days } });
  });

  it('storageDays past AgentCore\'s bound is clamped to 365 (a spec from before the schema bound it)', async () => {
    const harness = await desiredHarness(spec({ memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 400 } }), ROLE);
    expect(harness.memory).toEqual({ managedMemoryConfiguration: { strategies: ['SUMMARIZATION'], eventExpiryDuration: 365 } });
  });

  it('customerEncryptionKey encrypts the managed memory', async () => {
    const harness = await desiredHarness(spec({ memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 10 }, customerEncryptionKey: KEY }), ROLE);
    expect(harness.memory).toEqual({ managedMemoryConfiguration: { strategies: ['SUMMARIZATION'], eventExpiryDuration: 10, encryptionKeyArn: KEY } });
  });

  it.each([['idleSessionTtlInSeconds', 900], ['idleSessionTtl', 600]] as const)('%s becomes the runtime\'s idle timeout, within a lifetime of at least 8 hours', async (field, ttl) => {
    const harness = await desiredHarness(spec({ [field]: ttl }), ROLE);
    expect(harness.environment).toEqual({ agentCoreRuntimeEnvironment: { lifecycleConfiguration: { idleRuntimeSessionTimeout: ttl, maxLifetime: 28800 } } });
  });

  it('without an idle TTL the harness keeps AgentCore\'s lifecycle (no environment is set)', async () => {
    expect((await desiredHarness(spec(), ROLE)).environment).toBeUndefined();
  });

  it('the ORCHESTRATION step\'s inference settings become the model\'s, other steps\' do not', async () => {
    const harness = await desiredHarness(spec({
      promptOverrides: [
        { promptType: 'PRE_PROCESSING', inferenceConfiguration: { temperature: 0.9, maximumLength: 100 } },
        { promptType: 'ORCHESTRATION', inferenceConfiguration: { temperature: 0, topP: 0.5, maximumLength: 2048 } },
      ],
    }), ROLE);
    expect(harness.model).toEqual({ bedrockModelConfig: { modelId: MODEL, temperature: 0, topP: 0.5, maxTokens: 2048 } });
  });

  it('a maximumLength of 0 sets no maxTokens (AgentCore takes at least 1)', async () => {
    const harness = await desiredHarness(spec({ promptOverrides: [{ promptType: 'ORCHESTRATION', inferenceConfiguration: { maximumLength: 0 } }] }), ROLE);
    expect(harness.model).toEqual({ bedrockModelConfig: { modelId: MODEL } });
  });

  it('RETURN_CONTROL action groups become inline function tools; Lambda action groups are not harness tools', async () => {
    const harness = await desiredHarness(spec({ actionGroups: [lookupOrder, confirmRefund] }), ROLE);
    expect(harness.tools).toEqual([{
      type: 'inline_function', name: 'refunds__confirm_refund',
      config: { inlineFunction: { description: 'Ask the caller to confirm a refund', inputSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] } } },
    }]);
  });

  it('AMAZON.CodeInterpreter becomes the code interpreter tool; disabled groups become nothing', async () => {
    expect((await desiredHarness(spec({ actionGroups: [codeInterpreter] }), ROLE)).tools).toEqual([{ type: 'agentcore_code_interpreter', name: 'code_interpreter' }]);
    const disabled = [{ ...codeInterpreter, actionGroupState: 'DISABLED' as const }, { ...confirmRefund, actionGroupState: 'DISABLED' as const }];
    expect((await desiredHarness(spec({ actionGroups: disabled }), ROLE)).tools).toEqual([]);
  });

  it('the gateway tool comes first once the gateway exists, and not before', async () => {
    const harness = await desiredHarness(spec({ actionGroups: [confirmRefund] }), ROLE);
    expect(harnessTools(harness, undefined)).toEqual(harness.tools);
    const tools = harnessTools(harness, GATEWAY_ARN);
    expect(tools[0]).toEqual({ type: 'agentcore_gateway', name: GATEWAY_TOOL, config: { agentCoreGateway: { gatewayArn: GATEWAY_ARN } } });
    expect(tools.slice(1)).toEqual(harness.tools);
  });
});

describe('desiredTargets', () => {
  it('a Lambda target per enabled action group with a schema, a connector target per enabled knowledge base', async () => {
    const openApi = `openapi: 3.0.0
info: { title: Refunds, version: "1" }
paths:
  /refunds:
    post:
      operationId: create_refund
      description: Refund an order
      parameters: [{ name: order, in: query, required: true, schema: { type: string } }]
      responses: { "200": { description: ok } }
`;
    const targets = await desiredTargets(spec({
      actionGroups: [
        lookupOrder,
        { name: 'refund_api', actionGroupExecutor: { lambdaArn: LAMBDA_ARN }, apiSchema: { payload: openApi } },
        { ...lookupOrder, name: 'old_orders', actionGroupState: 'DISABLED' },
        confirmRefund, codeInterpreter,
        { name: 'in_s3', actionGroupExecutor: { lambda: 'f' }, apiSchema: { s3: { s3BucketName: 'schemas', s3ObjectKey: 'a.yaml' } } },
      ],
      knowledgeBases: [
        { knowledgeBaseId: 'KB12345678', description: 'Shipping FAQ' },
        { knowledgeBaseId: 'KBDISABLED', description: 'Old FAQ', knowledgeBaseState: 'DISABLED' },
      ],
    }), lambdaArnOf);
    expect(targets).toEqual([
      { kind: 'lambda', name: 'orders', actionGroup: 'orders', description: 'Look up customer orders', lambdaArn: lambdaArnOf(lookupOrder), tools: [lookupOrderTool] },
      {
        kind: 'lambda', name: 'refund-api', actionGroup: 'refund_api', lambdaArn: LAMBDA_ARN,
        tools: [{ name: 'create_refund', description: 'Refund an order', inputSchema: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] } }],
      },
      { kind: 'knowledge-base', name: 'kb-KB12345678', knowledgeBaseId: 'KB12345678', description: 'Shipping FAQ' },
    ]);
  });

  it('the target configuration: the Lambda and its tools inline; the knowledge-base connector with its Retrieve configuration', () => {
    const lambda: DesiredTarget = { kind: 'lambda', name: 'orders', actionGroup: 'orders', lambdaArn: LAMBDA_ARN, tools: [lookupOrderTool] };
    expect(targetConfiguration(lambda)).toEqual({ mcp: { lambda: { lambdaArn: LAMBDA_ARN, toolSchema: { inlinePayload: [lookupOrderTool] } } } });
    const kb: DesiredTarget = { kind: 'knowledge-base', name: 'kb-KB12345678', knowledgeBaseId: 'KB12345678', description: 'Shipping FAQ' };
    expect(targetConfiguration(kb)).toEqual({
      mcp: { connector: { source: { connectorId: KNOWLEDGE_BASE_CONNECTOR }, configurations: [{ name: 'Retrieve', description: 'Shipping FAQ', parameterValues: { knowledgeBaseId: 'KB12345678' } }] } },
    });
  });
});

describe('desiredEndpoints', () => {
  it('an endpoint per alias, named in the endpoint alphabet, on the version the alias routes to', () => {
    expect(desiredEndpoints(spec({
      aliases: [
        { name: 'live', description: 'What customers talk to' },
        { name: 'canary-v2', routingConfiguration: [{ agentVersion: '2' }] },
        { name: 'draft', routingConfiguration: [{ agentVersion: 'DRAFT' }] },
        { name: '1st' },
      ],
    }))).toEqual([
      { name: 'live', alias: 'live', description: 'What customers talk to' },
      { name: 'canary_v2', alias: 'canary-v2', version: '2' },
      // DRAFT has no harness equivalent: the endpoint follows the current version (a coverage gap says so).
      { name: 'draft', alias: 'draft' },
      { name: 'a1st', alias: '1st' },
    ]);
    expect(desiredEndpoints(spec())).toEqual([]);
  });
});

describe('harnessDiff: what AWS adds is no drift; what the operator sets is', () => {
  const full = spec({
    idleSessionTtlInSeconds: 1200, memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 14 }, customerEncryptionKey: KEY,
    actionGroups: [lookupOrder, confirmRefund, codeInterpreter],
    promptOverrides: [{ promptType: 'ORCHESTRATION', inferenceConfiguration: { temperature: 0.2, maximumLength: 1024 } }],
  });

  it('a harness as AWS returns it (IDs, runtime, network mode, memory ARN, the gateway tool\'s outbound auth, another tool order) is in sync', async () => {
    for (const s of [spec(), full, await exampleAgent()]) {
      const desired = await desiredHarness(s, ROLE);
      for (const gatewayArn of [undefined, GATEWAY_ARN]) {
        expect(harnessDiff(desired, gatewayArn, harnessInAws(desired, gatewayArn))).toEqual([]);
      }
    }
  });

  it('names each field that differs', async () => {
    const desired = await desiredHarness(full, ROLE);
    const inSync = () => harnessInAws(desired, GATEWAY_ARN) as Record<string, any>;
    const cases: [string, (h: Record<string, any>) => void][] = [
      ['harness execution role', (h) => { h.executionRoleArn = `arn:aws:iam::${ACCOUNT}:role/other`; }],
      ['harness model', (h) => { h.model.bedrockModelConfig.modelId = 'anthropic.claude-3-opus-20240229-v1:0'; }],
      ['harness model', (h) => { h.model.bedrockModelConfig.temperature = 0.7; }],
      ['harness model', (h) => { delete h.model.bedrockModelConfig.maxTokens; }],
      ['harness instruction', (h) => { h.systemPrompt = [{ text: 'You are a pirate.' }]; }],
      ['harness instruction', (h) => { h.systemPrompt = [...h.systemPrompt, { text: 'And also a pirate.' }]; }],
      ['harness tools', (h) => { h.tools = h.tools.filter((t: { type: string }) => t.type !== 'agentcore_gateway'); }],
      ['harness tools', (h) => { h.tools.find((t: { type: string }) => t.type === 'agentcore_gateway').config.agentCoreGateway.gatewayArn = GATEWAY_ARN.replace('orders', 'others'); }],
      ['harness tools', (h) => { h.tools.find((t: { type: string }) => t.type === 'inline_function').config.inlineFunction.description = 'Refund at once'; }],
      ['harness tools', (h) => { h.tools.push({ type: 'agentcore_browser', name: 'browser' }); }],
      ['harness tools', (h) => { h.tools = h.tools.filter((t: { type: string }) => t.type !== 'agentcore_code_interpreter'); }],
      ['harness idle session timeout', (h) => { h.environment.agentCoreRuntimeEnvironment.lifecycleConfiguration.idleRuntimeSessionTimeout = 900; }],
      ['harness memory', (h) => { h.memory.managedMemoryConfiguration.eventExpiryDuration = 30; }],
      ['harness memory', (h) => { h.memory.managedMemoryConfiguration.strategies = ['SEMANTIC', 'SUMMARIZATION']; }],
      ['harness memory', (h) => { delete h.memory.managedMemoryConfiguration.encryptionKeyArn; }],
      ['harness memory', (h) => { h.memory = { disabled: {} }; }],
      ['harness memory', (h) => { delete h.memory; }],
    ];
    for (const [field, change] of cases) {
      const actual = inSync();
      change(actual);
      expect(harnessDiff(desired, GATEWAY_ARN, actual), `${field}: ${change.toString()}`).toEqual([field]);
    }
  });

  it('memory the spec does not ask for is drift: managed memory on a harness whose spec has no memoryConfiguration', async () => {
    const desired = await desiredHarness(spec(), ROLE);
    const actual = harnessInAws(desired, undefined);
    expect(harnessDiff(desired, undefined, { ...actual, memory: { managedMemoryConfiguration: { strategies: ['SEMANTIC', 'SUMMARIZATION'], eventExpiryDuration: 30 } } })).toEqual(['harness memory']);
    expect(harnessDiff(desired, undefined, { ...actual, memory: undefined })).toEqual(['harness memory']);
  });

  it('a gateway that the harness still names after the spec dropped every target is drift in its tools', async () => {
    const desired = await desiredHarness(spec(), ROLE);
    expect(harnessDiff(desired, undefined, harnessInAws(desired, GATEWAY_ARN))).toEqual(['harness tools']);
  });

  it('several fields at once are each named once', async () => {
    const desired = await desiredHarness(full, ROLE);
    const actual = harnessInAws(desired, GATEWAY_ARN) as Record<string, any>;
    actual.systemPrompt = [{ text: 'changed in the console' }];
    actual.model = { bedrockModelConfig: { modelId: 'other' } };
    actual.memory = { disabled: {} };
    expect(harnessDiff(desired, GATEWAY_ARN, actual)).toEqual(['harness model', 'harness instruction', 'harness memory']);
  });
});

describe('setsMatch', () => {
  it.each([
    ['extra members of actual', { a: 1 }, { a: 1, b: 2 }, true],
    ['nested extra members', { a: { b: [{ c: 1 }] } }, { a: { b: [{ c: 1, d: 2 }], e: 3 } }, true],
    ['a desired member left undefined', { a: 1, b: undefined }, { a: 1 }, true],
    ['a missing member', { a: 1, b: 2 }, { a: 1 }, false],
    ['a different scalar', { a: 1 }, { a: '1' }, false],
    ['arrays of another length', [1, 2], [1, 2, 3], false],
    ['arrays in another order', [1, 2], [2, 1], false],
    ['an object against a scalar', { a: {} }, { a: 'x' }, false],
    ['an array against an object', [1], { 0: 1 }, false],
    ['an empty object against any object', {}, { x: 1 }, true],
    ['null', { a: null }, { a: null }, true],
  ])('%s', (_title, desired, actual, expected) => {
    expect(setsMatch(desired, actual)).toBe(expected);
  });
});

describe('targetMatches', () => {
  const lambda: DesiredTarget = { kind: 'lambda', name: 'orders', actionGroup: 'orders', description: 'Look up customer orders', lambdaArn: LAMBDA_ARN, tools: [lookupOrderTool] };
  const kb: DesiredTarget = { kind: 'knowledge-base', name: 'kb-KB12345678', knowledgeBaseId: 'KB12345678', description: 'Shipping FAQ' };
  /** A target as GetGatewayTarget returns it, with what AWS adds. */
  const inAws = (target: DesiredTarget) => ({
    targetId: 'ABCDEFGHIJ', name: target.name, status: 'READY', description: target.kind === 'lambda' ? target.description : target.description,
    targetConfiguration: structuredClone(targetConfiguration(target)) as Record<string, any>,
    credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }],
  });

  it('a target as AWS returns it matches', () => {
    expect(targetMatches(lambda, inAws(lambda))).toBe(true);
    expect(targetMatches(kb, inAws(kb))).toBe(true);
    const { description: _, ...undescribed } = lambda as Extract<DesiredTarget, { kind: 'lambda' }>;
    expect(targetMatches(undescribed, { ...inAws(undescribed), description: undefined })).toBe(true);
  });

  it('the same tools in another order, with required in another order, match', () => {
    const two: DesiredTarget = { ...lambda, tools: [lookupOrderTool, { name: 'cancel', description: 'Cancel', inputSchema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a', 'b'] } }] };
    const actual = inAws(two);
    const payload = actual.targetConfiguration.mcp.lambda.toolSchema.inlinePayload as ToolDefinition[];
    payload.reverse();
    payload[0]!.inputSchema!.required = ['b', 'a'];
    expect(targetMatches(two, actual)).toBe(true);
  });

  it('another function, tool, parameter, description or knowledge base does not', () => {
    const changes: [DesiredTarget, (t: ReturnType<typeof inAws>) => void][] = [
      [lambda, (t) => { t.targetConfiguration.mcp.lambda.lambdaArn = `${LAMBDA_ARN}-2`; }],
      [lambda, (t) => { t.targetConfiguration.mcp.lambda.toolSchema.inlinePayload[0].name = 'find_order'; }],
      [lambda, (t) => { t.targetConfiguration.mcp.lambda.toolSchema.inlinePayload[0].inputSchema.required = []; }],
      [lambda, (t) => { t.targetConfiguration.mcp.lambda.toolSchema.inlinePayload = []; }],
      [lambda, (t) => { t.targetConfiguration = { mcp: { connector: {} } }; }],
      [lambda, (t) => { t.description = 'Something else'; }],
      [lambda, (t) => { t.description = undefined; }],
      [kb, (t) => { t.targetConfiguration.mcp.connector.configurations[0].parameterValues.knowledgeBaseId = 'KBOTHER000'; }],
      [kb, (t) => { t.targetConfiguration.mcp.connector.configurations[0].description = 'Other FAQ'; }],
      [kb, (t) => { t.targetConfiguration.mcp.connector.source.connectorId = 'other-connector'; }],
      [kb, (t) => { t.description = 'Other FAQ'; }],
      [kb, (t) => { t.targetConfiguration = { mcp: { lambda: { lambdaArn: LAMBDA_ARN } } }; }],
    ];
    for (const [desired, change] of changes) {
      const actual = inAws(desired);
      change(actual);
      expect(targetMatches(desired, actual), change.toString()).toBe(false);
    }
  });
});

describe('coverageGaps', () => {
  const gapsOf = (extra: Partial<AgentSpec>) => coverageGaps(spec(extra));

  it('the complete example\'s Agent on AgentCore, and a plain agent, have none', async () => {
    expect(coverageGaps(await exampleAgent())).toEqual([]);
    expect(gapsOf({})).toEqual([]);
    expect(gapsOf({
      idleSessionTtlInSeconds: 600, memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 30 }, customerEncryptionKey: KEY,
      actionGroups: [lookupOrder, confirmRefund, codeInterpreter], knowledgeBases: [{ knowledgeBaseId: 'KB12345678', description: 'FAQ' }],
      aliases: [{ name: 'live' }, { name: 'pinned', routingConfiguration: [{ agentVersion: '3' }] }],
      promptOverrides: [{ promptType: 'ORCHESTRATION', inferenceConfiguration: { temperature: 0.1, topP: 0.9, maximumLength: 2048 } }],
    })).toEqual([]);
  });

  it('a prompt override that only names the step, or only sets the orchestration inference AgentCore has, is no gap', () => {
    expect(gapsOf({ promptOverrides: [{ promptType: 'PRE_PROCESSING' }, { promptType: 'ORCHESTRATION', promptCreationMode: 'DEFAULT', parserMode: 'DEFAULT', inferenceConfiguration: { temperature: 0.5 } }] })).toEqual([]);
  });

  it.each([
    ['an overridden prompt template', { promptType: 'ORCHESTRATION', promptCreationMode: 'OVERRIDDEN', basePromptTemplate: '{"system": "x"}' }],
    ['a template alone', { promptType: 'POST_PROCESSING', basePromptTemplate: 'Summarise: $output$' }],
    ['an overridden parser', { promptType: 'ORCHESTRATION', parserMode: 'OVERRIDDEN' }],
    ['a prompt from prompt management', { promptType: 'KNOWLEDGE_BASE_RESPONSE_GENERATION', promptArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:prompt/P1` }],
    ['a Prompt resource', { promptType: 'PRE_PROCESSING', prompt: 'my-prompt' }],
    ['a step turned off', { promptType: 'ORCHESTRATION', promptState: 'DISABLED' }],
    ['topK on orchestration', { promptType: 'ORCHESTRATION', inferenceConfiguration: { topK: 250 } }],
    ['stop sequences on orchestration', { promptType: 'ORCHESTRATION', inferenceConfiguration: { stopSequences: ['Human:'] } }],
    ['inference settings of another step', { promptType: 'MEMORY_SUMMARIZATION', inferenceConfiguration: { temperature: 0 } }],
  ] as const)('a prompt override with %s is a gap, naming the step', (_title, override) => {
    const gaps = gapsOf({ promptOverrides: [override as NonNullable<AgentSpec['promptOverrides']>[number]] });
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatch(new RegExp(`^spec\\.promptOverrides\\[${override.promptType}\\]: `));
    expect(gaps[0]).toContain('fold the step\'s intent into the instruction');
  });

  it('the other gaps, each naming its field and what to do instead', () => {
    expect(gapsOf({ guardrail: { identifier: 'gr1abc', version: '1' } })).toEqual([expect.stringMatching(/^spec\.guardrail: a harness takes no guardrail/)]);
    expect(gapsOf({ actionGroups: [{ name: 'ask', parentActionGroupSignature: 'AMAZON.UserInput' }] }))
      .toEqual([expect.stringMatching(/^spec\.actionGroups\[ask\]: AMAZON\.UserInput has no harness tool/)]);
    expect(gapsOf({ actionGroups: [{ name: 'orders', actionGroupExecutor: { lambda: 'f' }, apiSchema: { s3: { s3BucketName: 'schemas', s3ObjectKey: 'a.yaml' } } }] }))
      .toEqual([expect.stringMatching(/^spec\.actionGroups\[orders\]\.apiSchema\.s3: .*put the schema in apiSchema\.payload$/)]);
    expect(gapsOf({ aliases: [{ name: 'live', routingConfiguration: [{ agentVersion: '1', provisionedThroughput: 'pt-1' }] }] }))
      .toEqual([expect.stringMatching(/^spec\.aliases\[\]\.routingConfiguration\.provisionedThroughput: /)]);
    expect(gapsOf({ aliases: [{ name: 'live', routingConfiguration: [{ agentVersion: 'DRAFT' }] }] }))
      .toEqual([expect.stringMatching(/^spec\.aliases\[\]\.routingConfiguration\.agentVersion DRAFT: /)]);
  });

  it('lists every gap of a spec, in order, and each alias gap once however many aliases have it', () => {
    const gaps = gapsOf({
      guardrail: { identifier: 'gr1abc' },
      promptOverrides: [{ promptType: 'PRE_PROCESSING', promptCreationMode: 'OVERRIDDEN', basePromptTemplate: 'x' }, { promptType: 'POST_PROCESSING', promptState: 'DISABLED' }],
      actionGroups: [{ name: 'ask', parentActionGroupSignature: 'AMAZON.UserInput' }],
      aliases: [
        { name: 'a', routingConfiguration: [{ agentVersion: 'DRAFT', provisionedThroughput: 'pt-1' }] },
        { name: 'b', routingConfiguration: [{ agentVersion: 'DRAFT', provisionedThroughput: 'pt-2' }] },
      ],
    });
    expect(gaps.map((g) => g.split(':')[0])).toEqual([
      'spec.promptOverrides[PRE_PROCESSING]', 'spec.promptOverrides[POST_PROCESSING]', 'spec.guardrail', 'spec.actionGroups[ask]',
      'spec.aliases[].routingConfiguration.provisionedThroughput', 'spec.aliases[].routingConfiguration.agentVersion DRAFT',
    ]);
  });
});

// Bugs found while writing these tests, fixed since: each case keeps them fixed.
describe('found while testing', () => {
  it('customerEncryptionKey alone does not turn memory on (Bedrock Agents keeps nothing across sessions without memoryConfiguration)', async () => {
    expect((await desiredHarness(spec({ customerEncryptionKey: KEY }), ROLE)).memory).toEqual({ disabled: {} });
  });

  /** The names, or nothing when the spec is refused (either way is a fix). */
  const namesOrRefusal = async (names: () => Promise<string[]>) => {
    try {
      return await names();
    } catch {
      return undefined;
    }
  };

  it('refuses two aliases that differ only in - and _, which would be one endpoint', () => {
    expect(() => desiredEndpoints(spec({ aliases: [{ name: 'live-v1' }, { name: 'live_v1', routingConfiguration: [{ agentVersion: '1' }] }] })))
      .toThrow(/alias live-v1 and alias live_v1 both become the endpoint live_v1 on AgentCore/);
  });

  it('refuses an alias that would be the harness\'s own DEFAULT endpoint', () => {
    expect(() => desiredEndpoints(spec({ aliases: [{ name: 'default' }] }))).toThrow(/DEFAULT endpoint/);
  });

  it('refuses two action groups that differ only in - and _, which would be one gateway target', async () => {
    const group = (name: string, lambda: string): ActionGroup => ({ ...lookupOrder, name, actionGroupExecutor: { lambda } });
    await expect(desiredTargets(spec({ actionGroups: [group('get-order', 'a'), group('get_order', 'b')] }), lambdaArnOf))
      .rejects.toThrow(/action group get-order and action group get_order both become the gateway target get-order/);
  });

  it('a DISABLED action group is no coverage gap (nothing of it runs on either runtime)', () => {
    expect(coverageGaps(spec({
      actionGroups: [
        { name: 'ask', parentActionGroupSignature: 'AMAZON.UserInput', actionGroupState: 'DISABLED' },
        { name: 'old', actionGroupExecutor: { lambda: 'f' }, apiSchema: { s3: { s3BucketName: 'schemas', s3ObjectKey: 'a.yaml' } }, actionGroupState: 'DISABLED' },
      ],
    }))).toEqual([]);
  });
});
