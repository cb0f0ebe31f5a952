// The converter on Bedrock Forge manifests: what it adds, moves and reports; with --runtime, each
// Agent's spec.runtime and, for AgentCore, what changes for it.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { AgentSpec } from '../../src/api/agent.ts';
import { convertCommand } from '../../src/cli/convert-command.ts';
import { convert, render, type ConvertInput, type ConvertOptions } from '../../src/convert/convert.ts';
import { readInputs } from '../../src/convert/read-inputs.ts';
import { coverageGaps } from '../../src/kinds/agent/agentcore/desired-agentcore.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'bedrock-forge');

function input(text: string, siblings: { path: string; content: string }[] = []): ConvertInput {
  return {
    file: 'in.yml',
    text,
    siblings: async () => siblings.map((s) => ({ path: s.path, content: Buffer.from(s.content) })),
  };
}

async function convertText(text: string, siblings: { path: string; content: string }[] = [], options: ConvertOptions = {}) {
  const result = await convert([input(text, siblings)], 'team-a', options);
  return { ...result, objects: parseAllDocuments(render(result.documents)).map((d) => d.toJS()) };
}

describe('convert', () => {
  it('adds apiVersion and namespace and moves metadata.description into the spec', async () => {
    const { objects, notes } = await convertText(`kind: IAMRole
metadata:
  name: r
  description: "Role for the agent"
spec:
  assumeRolePolicy: {statement: []}
`);
    expect(objects[0]).toMatchObject({
      apiVersion: 'bedrockforge.io/v1alpha1',
      kind: 'IAMRole',
      metadata: { name: 'r', namespace: 'team-a' },
      spec: { description: 'Role for the agent' },
    });
    expect(objects[0].metadata.description).toBeUndefined();
    expect(notes.map((n) => n.message)).toContain('metadata.description moved to spec.description');
  });

  it('keeps a spec description and puts a different metadata description in an annotation', async () => {
    const { objects } = await convertText(`kind: Lambda
metadata: {name: f, description: outer}
spec: {description: inner, runtime: python3.12, handler: app.handler, code: {zipFile: UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==}}
`);
    expect(objects[0].spec.description).toBe('inner');
    expect(objects[0].metadata.annotations['bedrockforge.io/description']).toBe('outer');
  });

  it('keeps an explicit namespace and the comments of the manifest', async () => {
    const { documents } = await convert([input(`# the trust role
kind: IAMRole
metadata: {name: r, namespace: other}
spec: {}
`)], 'team-a');
    const text = render(documents);
    expect(text).toContain('# the trust role');
    expect(text).toContain('namespace: other');
  });

  it('turns code.source directory into a ConfigMap with items for nested files', async () => {
    const { objects } = await convertText(`kind: Lambda
metadata: {name: order-lookup}
spec: {runtime: python3.12, handler: app.handler, code: {source: directory}}
`, [{ path: 'app.py', content: 'def handler(e, c): pass\n' }, { path: 'lib/util.py', content: 'X = 1\n' }]);
    const [configMap, lambda] = objects;
    expect(configMap).toMatchObject({
      kind: 'ConfigMap',
      // Labelled as Lambda code: the operator watches only such ConfigMaps.
      metadata: { name: 'order-lookup-code', namespace: 'team-a', labels: { 'bedrockforge.io/lambda-code': 'true' } },
      data: { 'app.py': 'def handler(e, c): pass\n', 'lib--util.py': 'X = 1\n' },
    });
    expect(lambda.spec.code).toEqual({
      configMap: {
        name: 'order-lookup-code',
        items: [{ key: 'app.py', path: 'app.py' }, { key: 'lib--util.py', path: 'lib/util.py' }],
      },
    });
  });

  it('packs the directory of a Lambda without code only when its handler module lies there', async () => {
    const withHandler = await convertText('kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler}\n',
      [{ path: 'app.py', content: 'x' }]);
    expect(withHandler.objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Lambda']);

    const elsewhere = await convertText('kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler}\n',
      [{ path: 'README.md', content: 'x' }]);
    expect(elsewhere.objects.map((o) => o.kind)).toEqual(['Lambda']);
    expect(elsewhere.objects[0].spec.code).toBeUndefined();
    expect(elsewhere.notes).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringContaining('kubectl apply refuses it until spec.code is set') }));
  });

  it('puts binary files in binaryData', async () => {
    const { objects } = await convertText('kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler, code: {source: directory}}\n',
      [{ path: 'app.py', content: 'x' }]);
    expect(objects[0].binaryData).toBeUndefined();
    const binary = await convert([{
      file: 'in.yml',
      text: 'kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler, code: {source: directory}}\n',
      siblings: async () => [{ path: 'app.py', content: Buffer.from('x') }, { path: 'blob.bin', content: Buffer.from([0xff, 0xfe, 0x00]) }],
    }], 'ns');
    const [configMap] = parseAllDocuments(render(binary.documents)).map((d) => d.toJS());
    expect(configMap.binaryData).toEqual({ 'blob.bin': Buffer.from([0xff, 0xfe, 0x00]).toString('base64') });
  });

  it('converts a Prompt (Bedrock Forge\'s complete reference example, cut short), keeping metadata.description apart from the spec\'s', async () => {
    const { objects, notes } = await convertText(`kind: Prompt
metadata:
  name: customer-support-orchestration
  description: Custom orchestration prompt for customer support agent
spec:
  description: "Enhanced orchestration prompt with function calling capabilities"
  defaultVariant: "customer-support-v1"
  variants:
    - name: "customer-support-v1"
      modelId: "anthropic.claude-3-sonnet-20240229-v1:0"
      templateType: "CHAT"
      templateConfiguration:
        chat:
          system: [{text: "You are a helpful customer support agent."}]
`);
    expect(objects[0]).toMatchObject({
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Prompt', metadata: { name: 'customer-support-orchestration', namespace: 'team-a' },
      spec: { description: 'Enhanced orchestration prompt with function calling capabilities', defaultVariant: 'customer-support-v1' },
    });
    expect(notes.filter((n) => n.level === 'error')).toEqual([]);
  });

  it('reports kinds it does not manage and documents that are no manifests, and leaves them out', async () => {
    const { objects, notes } = await convertText(`kind: KnowledgeBase
metadata: {name: a}
spec: {}
---
just: a map
---
kind: IAMRole
metadata: {name: r}
spec: {}
`);
    expect(objects.map((o) => o.kind)).toEqual(['IAMRole']);
    expect(notes.filter((n) => n.level === 'error').map((n) => n.message)).toEqual([
      expect.stringContaining('kind KnowledgeBase is not managed by this operator'),
      expect.stringContaining('has no kind'),
    ]);
  });

  it('leaves out, and names, the fields Bedrock Forge\'s documentation writes but neither its code nor the kind reads', async () => {
    const { objects, notes } = await convertText(`kind: Agent
metadata: {name: a}
spec:
  foundationModel: anthropic.claude-3-haiku-20240307-v1:0
  instruction: You help customers with their orders, politely and briefly.
  dependsOn: [infrastructure]
  knowledgeBases: [{name: faq-kb, description: FAQ}]
  actionGroups:
    - name: tools
      actionGroupExecutor: {customControl: RETURN_CONTROL}
      functionSchema: {functions: [{name: f, parameters: {p: {type: string, enum: [a, b]}}}]}
`);
    const spec = (objects[0] as { spec: Record<string, unknown> }).spec;
    expect(spec.dependsOn).toBeUndefined();
    expect(spec.knowledgeBases).toEqual([{ description: 'FAQ' }]);
    expect(spec.actionGroups).toEqual([{ name: 'tools', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, functionSchema: { functions: [{ name: 'f', parameters: { p: { type: 'string' } } }] } }]);
    expect(notes.filter((n) => n.level === 'warning').map((n) => n.message)).toEqual([
      expect.stringMatching(/^spec\.dependsOn is not a field of Agent, and Bedrock Forge's code does not read it either: left out$/),
      expect.stringMatching(/^spec\.knowledgeBases\[0\]\.name is not a field of Agent.*give the knowledge base's ID in knowledgeBaseId\)$/),
      expect.stringMatching(/^spec\.actionGroups\[0\]\.functionSchema\.functions\[0\]\.parameters\.p\.enum is not a field of Agent.*say the allowed values in the description\)$/),
    ]);
  });

  it('puts an OpenAPI document written inline under apiSchema into apiSchema.payload', async () => {
    const { objects } = await convertText(`kind: ActionGroup
metadata: {name: api-actions}
spec:
  agentId: support
  actionGroupExecutor: {lambda: api-lambda}
  apiSchema:
    openapi: 3.0.0
    info: {title: Orders, version: 1.0.0}
    paths: {/orders: {get: {responses: {'200': {description: ok}}}}}
`);
    const apiSchema = (objects[0] as { spec: { apiSchema: { payload: string } } }).spec.apiSchema;
    expect(Object.keys(apiSchema)).toEqual(['payload']);
    expect(JSON.parse(apiSchema.payload)).toEqual({ openapi: '3.0.0', info: { title: 'Orders', version: '1.0.0' }, paths: { '/orders': { get: { responses: { 200: { description: 'ok' } } } } } });
  });

  it('packs the directory a code.source path names, as Bedrock Forge\'s generator zips it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bfo-source-'));
    await writeFile(join(dir, 'lambda.yml'), 'kind: Lambda\nmetadata: {name: text-processor}\nspec: {runtime: python3.12, handler: text_processor.handler, code: {source: ./fn/}}\n');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'fn'));
    await writeFile(join(dir, 'fn', 'text_processor.py'), 'def handler(e, c):\n    return e\n');
    const result = await convert(await readInputs([join(dir, 'lambda.yml')]), 'default');
    const [configMap, lambda] = parseAllDocuments(render(result.documents)).map((d) => d.toJS() as { kind: string; data?: Record<string, string>; spec?: { code: unknown } });
    expect(configMap!.kind).toBe('ConfigMap');
    expect(Object.keys(configMap!.data ?? {})).toEqual(['text_processor.py']);
    expect(lambda!.spec!.code).toEqual({ configMap: { name: 'text-processor-code' } });
    expect(result.notes.map((n) => n.message)).toContainEqual(expect.stringMatching(/^code from \.\/fn\/ \(1 files\) put in ConfigMap text-processor-code$/));
  });

  it('refuses code too large for a ConfigMap, saying to use S3', async () => {
    const { notes } = await convertText('kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler, code: {source: directory}}\n',
      [{ path: 'app.py', content: 'x'.repeat(1_100_000) }]);
    expect(notes).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('code.s3Bucket') }));
  });

  it('converts every seed manifest', async () => {
    const result = await convert(await readInputs([fixtures]), 'default');
    expect(result.notes.filter((n) => n.level === 'error')).toEqual([]);
    const kinds = parseAllDocuments(render(result.documents)).map((d) => `${d.get('kind')}/${d.getIn(['metadata', 'name'])}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'IAMRole/custom-agent-role', 'IAMRole/enterprise-agent-role', 'IAMRole/least-privilege-agent-role',
      'IAMRole/cross-account-agent-role', 'IAMRole/time-restricted-agent-role', 'IAMRole/env-specific-agent-role',
      'Agent/custom-agent', 'Lambda/custom-lambda', 'ConfigMap/order-lookup-code', 'Lambda/order-lookup',
    ]));
  });
});

// An agent with something of every kind AgentCore treats differently from Bedrock Agents.
const SUPPORT_BOT = `kind: Agent
metadata: {name: support-bot, description: Helps customers}
spec:
  foundationModel: anthropic.claude-3-sonnet-20240229-v1:0
  instruction: You are a support assistant who looks orders up and answers in two sentences.
  iamRole: support-bot-role
  guardrail: {identifier: abc123, version: "1"}
  promptOverrides:
    - {promptType: PRE_PROCESSING, promptCreationMode: OVERRIDDEN, basePromptTemplate: "Classify the question."}
  actionGroups:
    - name: orders
      actionGroupExecutor: {lambda: order-lookup}
      functionSchema:
        functions:
          - {name: lookup_order, parameters: {order_id: {type: string, required: true}}}
          - {name: cancel_order, parameters: {order_id: {type: string}, reason: {type: string}}}
    - name: catalog
      actionGroupExecutor: {lambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:catalog"}
      apiSchema: {s3: {s3BucketName: my-bucket, s3ObjectKey: catalog.yaml}}
    - name: ask
      actionGroupExecutor: {customControl: RETURN_CONTROL}
      functionSchema: {functions: [{name: confirm}]}
    - {name: user-input, parentActionGroupSignature: AMAZON.UserInput}
  aliases:
    - {name: prod-v2, routingConfiguration: [{provisionedThroughput: my-throughput}]}
`;

const LAMBDA = 'kind: Lambda\nmetadata: {name: order-lookup}\nspec: {runtime: python3.12, handler: app.handler, code: {zipFile: UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==}}\n';

describe('convert --runtime', () => {
  it('sets spec.runtime first in the spec of every Agent, and of nothing else', async () => {
    const { objects, notes, documents } = await convertText(`${LAMBDA}---\n${SUPPORT_BOT}`, [], { runtime: 'classic' });
    // A Lambda's spec.runtime is its language runtime: left alone.
    expect(objects.map((o) => [o.kind, o.spec.runtime])).toEqual([['Lambda', 'python3.12'], ['Agent', 'classic']]);
    expect(Object.keys(objects[1].spec)[0]).toBe('runtime');
    expect(notes).toContainEqual({ level: 'info', where: 'in.yml#2 Agent/support-bot', message: 'spec.runtime set to classic' });
    // On classic nothing changes for the agent: no word about AgentCore.
    expect(notes.filter((n) => n.message.includes('AgentCore'))).toEqual([]);
    expect(render(documents)).toContain('spec:\n  runtime: classic\n  foundationModel:');
    // The input's --- is not doubled into an empty document.
    expect(render(documents)).not.toContain('---\n---');
  });

  it('replaces a runtime the manifest sets, saying so; without the option the manifest\'s stays', async () => {
    const text = SUPPORT_BOT.replace('spec:\n', 'spec:\n  runtime: agentcore\n');
    const replaced = await convertText(text, [], { runtime: 'classic' });
    expect(replaced.objects[0].spec.runtime).toBe('classic');
    expect(replaced.notes).toContainEqual(expect.objectContaining({ level: 'info', message: 'spec.runtime agentcore replaced by classic' }));
    const kept = await convertText(text);
    expect(kept.objects[0].spec.runtime).toBe('agentcore');
    expect(kept.notes.map((n) => n.message)).not.toContain(expect.stringContaining('spec.runtime'));
    // An Agent already on AgentCore is told what changes for it all the same.
    expect(kept.notes).toContainEqual(expect.objectContaining({ message: expect.stringContaining('AgentCore has no equivalent for spec.guardrail') }));
  });

  it('tells, for an Agent on agentcore, every field AgentCore cannot carry out: what coverageGaps reports, as the RuntimeCoverage condition will', async () => {
    const { objects, notes } = await convertText(SUPPORT_BOT, [], { runtime: 'agentcore' });
    const gaps = coverageGaps(objects[0].spec as AgentSpec);
    expect(gaps.length).toBe(5);
    const reported = notes.filter((n) => n.message.startsWith('AgentCore has no equivalent for '));
    expect(reported).toEqual(gaps.map((gap) => ({ level: 'warning', where: 'in.yml#1 Agent/support-bot', message: `AgentCore has no equivalent for ${gap}` })));
    for (const field of ['spec.promptOverrides[PRE_PROCESSING]', 'spec.guardrail', 'spec.actionGroups[user-input]', 'spec.actionGroups[catalog].apiSchema.s3', 'provisionedThroughput']) {
      expect(reported.some((n) => n.message.includes(field)), field).toBe(true);
    }
    // What it becomes, with AgentCore's names: an alias's - becomes _ in its endpoint's name.
    expect(notes).toContainEqual({
      level: 'info', where: 'in.yml#1 Agent/support-bot',
      message: 'on AgentCore it becomes harness support_bot (harness tools: ask__confirm), gateway support-bot (targets: orders) and endpoint prod_v2 (alias prod-v2);'
        + ' the operator also reports what AgentCore has no equivalent for (below) in the RuntimeCoverage condition',
    });
    // A role it names is the harness's now, and must trust AgentCore.
    expect(notes).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringMatching(/^spec\.iamRole support-bot-role becomes the harness's execution role on AgentCore: it must trust bedrock-agentcore\.amazonaws\.com/) }));
  });

  it('tells that an action group\'s Lambda receives the gateway\'s event, the tool\'s arguments, not Bedrock Agents\' envelope', async () => {
    const { notes } = await convertText(SUPPORT_BOT, [], { runtime: 'agentcore' });
    const events = notes.filter((n) => n.message.includes('the gateway invokes Lambda'));
    // Only the group the gateway calls: not the S3 schema (a gap), RETURN_CONTROL or AMAZON.UserInput.
    expect(events).toEqual([{
      level: 'warning', where: 'in.yml#1 Agent/support-bot',
      message: 'spec.actionGroups[orders]: on AgentCore the gateway invokes Lambda order-lookup with the tool\'s arguments as the event'
        + ' (lookup_order gets {"order_id": …}; cancel_order gets {"order_id": …, "reason": …}), not Bedrock Agents\' envelope (messageVersion, actionGroup, function and parameters);'
        + ' the tool\'s name is in context.client_context.custom.bedrockAgentCoreToolName (orders___<tool>), and the JSON it returns is the answer:'
        + ' change the function, or let it answer both shapes as examples/complete/order-assistant-agentcore.yaml does',
    }]);
    expect(notes).toContainEqual(expect.objectContaining({ level: 'info', message: expect.stringMatching(/^spec\.actionGroups\[ask\]: RETURN_CONTROL becomes the harness's inline function tools ask__confirm/) }));
  });

  it('names an OpenAPI action group\'s envelope and tools, and says which schema AgentCore cannot take', async () => {
    const openApi = JSON.stringify({
      openapi: '3.0.0', info: { title: 'Orders', version: '1' },
      paths: { '/orders/{id}': { get: { operationId: 'getOrder', description: 'An order', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } } },
    });
    const agent = (payload: string) => `kind: Agent
metadata: {name: a}
spec:
  foundationModel: anthropic.claude-3-sonnet-20240229-v1:0
  instruction: You are an assistant that looks orders up for the customer politely.
  actionGroups:
    - name: api
      actionGroupExecutor: {lambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:orders-api"}
      apiSchema: {payload: '${payload}'}
`;
    const ok = await convertText(agent(openApi), [], { runtime: 'agentcore' });
    expect(ok.notes.filter((n) => n.level === 'warning').map((n) => n.message)).toEqual([
      expect.stringMatching(/^spec\.actionGroups\[api\]: on AgentCore the gateway invokes Lambda orders-api with the tool's arguments as the event \(getOrder gets \{"id": …\}\), not Bedrock Agents' envelope \(messageVersion, actionGroup, apiPath, httpMethod, parameters and requestBody\)/),
    ]);
    // A fully covered agent: no gap reported.
    expect(ok.notes.map((n) => n.message)).not.toContainEqual(expect.stringContaining('RuntimeCoverage'));

    const swagger = await convertText(agent('{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}'), [], { runtime: 'agentcore' });
    expect(swagger.notes).toContainEqual(expect.objectContaining({
      level: 'warning', message: expect.stringMatching(/^spec\.actionGroups\[api\]: its schema cannot become AgentCore tools \(.*Swagger 2\.0.*\); the Agent does not become Ready on AgentCore until it changes$/),
    }));
  });

  it('converts the classic complete example to the AgentCore one\'s runtime with no gap', async () => {
    const text = await readFile(join(import.meta.dirname, '..', '..', 'examples', 'complete', 'order-assistant.yaml'), 'utf8');
    const { objects, notes } = await convertText(text, [], { runtime: 'agentcore' });
    expect(objects.find((o) => o.kind === 'Agent').spec.runtime).toBe('agentcore');
    expect(notes.filter((n) => n.level === 'warning').map((n) => n.message)).toEqual([expect.stringContaining('spec.actionGroups[orders]: on AgentCore the gateway invokes Lambda order-lookup')]);
  });
});

describe('bedrock-forge-operator convert --runtime', () => {
  afterEach(() => vi.restoreAllMocks());

  it('sets the runtime, reports on standard error, and refuses a runtime it does not know', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convert-'));
    await writeFile(join(dir, 'agent.yml'), SUPPORT_BOT);
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => { errors.push(line); });
    expect(await convertCommand(['--runtime', 'agentcore', '-o', join(dir, 'out.yaml'), join(dir, 'agent.yml')])).toBe(0);
    expect(parse(await readFile(join(dir, 'out.yaml'), 'utf8')).spec.runtime).toBe('agentcore');
    expect(errors).toContainEqual(expect.stringMatching(/^warning: .*agent\.yml#1 Agent\/support-bot: AgentCore has no equivalent for spec\.guardrail: /));
    expect(errors).toContainEqual(expect.stringMatching(/^warning: .*Agent\/support-bot: spec\.actionGroups\[orders\]: on AgentCore the gateway invokes Lambda order-lookup/));

    errors.length = 0;
    expect(await convertCommand(['--runtime', 'bedrock', join(dir, 'agent.yml')])).toBe(1);
    expect(errors[0]).toMatch(/^--runtime bedrock: expected classic or agentcore\n\nUsage: bedrock-forge-operator convert .*\[--runtime RUNTIME\]/);
  });
});
