// The emulator's Amazon Bedrock Flows (test/harness/emulator/bedrock_flow_ext.py), seen from the JS
// SDK as the operator will see it: a flow's DRAFT and its preparation with validations, versions,
// aliases with their routing, tags, and errors as AWS sends them. Only the emulator runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockAgentClient, CreateFlowAliasCommand, CreateFlowCommand, CreateFlowVersionCommand, DeleteFlowAliasCommand, DeleteFlowCommand,
  DeleteFlowVersionCommand, GetFlowAliasCommand, GetFlowCommand, GetFlowVersionCommand, ListFlowAliasesCommand, ListFlowsCommand,
  ListFlowVersionsCommand, ListTagsForResourceCommand, PrepareFlowCommand, TagResourceCommand, UpdateFlowAliasCommand, UpdateFlowCommand,
  ValidateFlowDefinitionCommand, type FlowDefinition,
} from '@aws-sdk/client-bedrock-agent';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../harness/aws-failure.ts';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { waitFor } from '../harness/wait.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/flow-service-role`;
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const WAIT = { timeoutMs: 10_000, intervalMs: 50 };
const ID = /^[0-9A-Z]{10}$/;

/** Input -> Prompt (inline) -> Output: the smallest flow that holds together. */
const definition = (text = 'Summarise {{topic}} in one line.'): FlowDefinition => ({
  nodes: [
    { name: 'Start', type: 'Input', configuration: { input: {} }, outputs: [{ name: 'document', type: 'String' }] },
    {
      name: 'Summarise', type: 'Prompt',
      configuration: { prompt: { sourceConfiguration: { inline: { templateType: 'TEXT', modelId: MODEL, templateConfiguration: { text: { text } } } } } },
      inputs: [{ name: 'topic', type: 'String', expression: '$.data' }], outputs: [{ name: 'modelCompletion', type: 'String' }],
    },
    { name: 'End', type: 'Output', configuration: { output: {} }, inputs: [{ name: 'document', type: 'String', expression: '$.data' }] },
  ],
  connections: [
    { name: 'StartToSummarise', source: 'Start', target: 'Summarise', type: 'Data', configuration: { data: { sourceOutput: 'document', targetInput: 'topic' } } },
    { name: 'SummariseToEnd', source: 'Summarise', target: 'End', type: 'Data', configuration: { data: { sourceOutput: 'modelCompletion', targetInput: 'document' } } },
  ],
});

let logDir: string;
let emulator: Emulator;
let bedrock: BedrockAgentClient;

beforeAll(async () => {
  process.env.MOTO_BEDROCK_AGENT_DELAY_SECONDS = '0.3';
  logDir = await mkdtemp(join(tmpdir(), 'emulator-flows-'));
  emulator = await startEmulator(await ensureEmulator(), join(logDir, 'moto.log'));
  bedrock = new BedrockAgentClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
});

afterAll(async () => {
  await emulator?.process.stop();
  await rm(logDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetAws(emulator.endpoint);
});

const createFlow = (name = 'triage', def: FlowDefinition = definition(), extra: Record<string, unknown> = {}) =>
  bedrock.send(new CreateFlowCommand({ name, executionRoleArn: ROLE, definition: def, ...extra }));

async function prepared(flowIdentifier: string, status: 'Prepared' | 'Failed' = 'Prepared') {
  const { status: started } = await bedrock.send(new PrepareFlowCommand({ flowIdentifier }));
  expect(started).toBe('Preparing');
  return waitFor(`flow ${flowIdentifier} ${status}`, async () => {
    const flow = await bedrock.send(new GetFlowCommand({ flowIdentifier }));
    return flow.status === status ? flow : undefined;
  }, WAIT);
}

describe('the emulator\'s Bedrock Flows', () => {
  it('creates a flow NotPrepared in DRAFT with its test alias, and prepares it', async () => {
    const created = await createFlow('triage', definition(), { description: 'routes tickets' });
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({ name: 'triage', status: 'NotPrepared', version: 'DRAFT', executionRoleArn: ROLE, description: 'routes tickets' });
    expect(created.id).toMatch(ID);
    expect(created.arn).toBe(`arn:aws:bedrock:us-east-1:${ACCOUNT}:flow/${created.id}`);
    expect(created.createdAt).toBeInstanceOf(Date);

    const got = await bedrock.send(new GetFlowCommand({ flowIdentifier: created.arn }));
    expect(got.definition).toEqual(definition());
    expect((await bedrock.send(new GetFlowCommand({ flowIdentifier: created.id, includedData: 'METADATA_ONLY' }))).definition).toBeUndefined();
    const aliases = (await bedrock.send(new ListFlowAliasesCommand({ flowIdentifier: created.id }))).flowAliasSummaries ?? [];
    expect(aliases).toMatchObject([{ id: 'TSTALIASID', routingConfiguration: [{ flowVersion: 'DRAFT' }], arn: `${created.arn}/alias/TSTALIASID` }]);

    const prepare = await bedrock.send(new PrepareFlowCommand({ flowIdentifier: created.id }));
    expect(prepare.$metadata.httpStatusCode).toBe(202);
    expect(await failure(bedrock.send(new PrepareFlowCommand({ flowIdentifier: created.id })))).toMatchObject({ name: 'ConflictException', status: 409 });
    const ready = await waitFor('Prepared', async () => ((await bedrock.send(new GetFlowCommand({ flowIdentifier: created.id }))).status === 'Prepared' || undefined), WAIT);
    expect(ready).toBe(true);
  });

  it('replaces the whole flow on UpdateFlow, which leaves it to be prepared again', async () => {
    const { id } = await createFlow('triage', definition(), { description: 'routes tickets' });
    await prepared(id!);
    const updated = await bedrock.send(new UpdateFlowCommand({ flowIdentifier: id, name: 'triage', executionRoleArn: ROLE, definition: definition('Classify {{topic}}.') }));
    expect(updated.status).toBe('NotPrepared');
    const got = await bedrock.send(new GetFlowCommand({ flowIdentifier: id }));
    // A field not sent is cleared.
    expect(got.description).toBeUndefined();
    expect(JSON.stringify(got.definition)).toContain('Classify {{topic}}.');
  });

  it('fails a definition that does not hold together, with a validation for each fault, and validates without a flow', async () => {
    const broken = definition();
    broken.nodes = broken.nodes!.filter((n) => n.name !== 'End');
    broken.nodes[1]!.inputs!.push({ name: 'tone', type: 'String', expression: '$.data' });
    broken.connections![1] = { name: 'SummariseToEnd', source: 'Summarise', target: 'End', type: 'Data', configuration: { data: { sourceOutput: 'modelCompletion', targetInput: 'document' } } };
    const { id } = await createFlow('broken', broken);
    const failed = await prepared(id!, 'Failed');
    const found = (failed.validations ?? []).map((v) => [v.type, v.severity, v.details]);
    expect(found).toEqual(expect.arrayContaining([
      ['MissingEndingNodes', 'Error', { missingEndingNodes: {} }],
      ['UnknownConnectionTarget', 'Error', { unknownConnectionTarget: { connection: 'SummariseToEnd' } }],
      ['UnfulfilledNodeInput', 'Error', { unfulfilledNodeInput: { node: 'Summarise', input: 'tone' } }],
    ]));
    expect(found).toHaveLength(3);
    for (const v of failed.validations ?? []) expect(v.message).toMatch(/\S/);
    const validated = await bedrock.send(new ValidateFlowDefinitionCommand({ definition: broken }));
    expect(validated.validations?.map((v) => v.type).sort()).toEqual(['MissingEndingNodes', 'UnfulfilledNodeInput', 'UnknownConnectionTarget']);
    expect((await bedrock.send(new ValidateFlowDefinitionCommand({ definition: definition() }))).validations).toEqual([]);
    // Preparing it again once fixed clears the validations.
    await bedrock.send(new UpdateFlowCommand({ flowIdentifier: id, name: 'broken', executionRoleArn: ROLE, definition: definition() }));
    expect((await prepared(id!)).validations).toBeUndefined();
  });

  it('finds unreachable nodes, cycles, unknown outputs and a condition without its default branch', async () => {
    const def = definition();
    def.nodes!.push(
      { name: 'Orphan', type: 'Prompt', configuration: { prompt: { sourceConfiguration: { resource: { promptArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:prompt/ABCDEFGHIJ` } } } }, outputs: [{ name: 'modelCompletion', type: 'String' }] },
      { name: 'Check', type: 'Condition', configuration: { condition: { conditions: [{ name: 'isLong', expression: 'length > 10' }] } }, inputs: [{ name: 'length', type: 'Number', expression: '$.data' }] },
    );
    def.connections!.push(
      { name: 'SummariseToCheck', source: 'Summarise', target: 'Check', type: 'Data', configuration: { data: { sourceOutput: 'answer', targetInput: 'length' } } },
      { name: 'CheckBack', source: 'Check', target: 'Summarise', type: 'Conditional', configuration: { conditional: { condition: 'isShort' } } },
    );
    const types = ((await bedrock.send(new ValidateFlowDefinitionCommand({ definition: def }))).validations ?? []).map((v) => v.type);
    expect(types).toEqual(expect.arrayContaining(['UnreachableNode', 'CyclicConnection', 'UnknownConnectionSourceOutput', 'UnknownConnectionCondition', 'MissingDefaultCondition']));
  });

  it('refuses input the API model refuses, naming the field', async () => {
    const bad = definition();
    bad.nodes![0]!.name = 'start-node';
    const refused = await failure(createFlow('triage', bad));
    expect(refused).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(refused.message).toContain('definition.nodes.1.member.name');
    expect(await failure(createFlow('bad name!'))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(createFlow('triage', definition(), { executionRoleArn: 'arn:aws:iam::999999999999:role/theirs' })))
      .toMatchObject({ name: 'AccessDeniedException', status: 403 });
  });

  it('snapshots the prepared DRAFT as numbered versions, which later changes leave alone', async () => {
    const { id } = await createFlow();
    expect(await failure(bedrock.send(new CreateFlowVersionCommand({ flowIdentifier: id })))).toMatchObject({ name: 'ValidationException' });
    await prepared(id!);
    const v1 = await bedrock.send(new CreateFlowVersionCommand({ flowIdentifier: id, description: 'first' }));
    expect(v1).toMatchObject({ $metadata: { httpStatusCode: 201 }, version: '1', status: 'Prepared', description: 'first', definition: definition() });
    await bedrock.send(new UpdateFlowCommand({ flowIdentifier: id, name: 'triage', executionRoleArn: ROLE, definition: definition('Classify {{topic}}.') }));
    await prepared(id!);
    expect((await bedrock.send(new CreateFlowVersionCommand({ flowIdentifier: id }))).version).toBe('2');
    expect((await bedrock.send(new GetFlowVersionCommand({ flowIdentifier: id, flowVersion: '1' }))).definition).toEqual(definition());
    expect((await bedrock.send(new ListFlowVersionsCommand({ flowIdentifier: id }))).flowVersionSummaries?.map((v) => v.version)).toEqual(['1', '2']);
    expect(await failure(bedrock.send(new GetFlowVersionCommand({ flowIdentifier: id, flowVersion: '3' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('routes an alias to exactly one existing version, keeps what an alias uses, and deletes a flow with its aliases only when told', async () => {
    const { id, arn } = await createFlow();
    await prepared(id!);
    await bedrock.send(new CreateFlowVersionCommand({ flowIdentifier: id }));
    const alias = await bedrock.send(new CreateFlowAliasCommand({ flowIdentifier: id, name: 'prod', routingConfiguration: [{ flowVersion: '1' }], tags: { team: 'support' } }));
    expect(alias).toMatchObject({ $metadata: { httpStatusCode: 201 }, flowId: id, name: 'prod', routingConfiguration: [{ flowVersion: '1' }] });
    expect(alias.id).toMatch(ID);
    expect(alias.arn).toBe(`${arn}/alias/${alias.id}`);
    expect(await failure(bedrock.send(new CreateFlowAliasCommand({ flowIdentifier: id, name: 'two', routingConfiguration: [{ flowVersion: '1' }, { flowVersion: 'DRAFT' }] }))))
      .toMatchObject({ name: 'ValidationException' });
    expect(await failure(bedrock.send(new CreateFlowAliasCommand({ flowIdentifier: id, name: 'ahead', routingConfiguration: [{ flowVersion: '9' }] }))))
      .toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await failure(bedrock.send(new CreateFlowAliasCommand({ flowIdentifier: id, name: 'prod', routingConfiguration: [{ flowVersion: '1' }] }))))
      .toMatchObject({ name: 'ConflictException' });
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: alias.arn }))).tags).toEqual({ team: 'support' });

    const updated = await bedrock.send(new UpdateFlowAliasCommand({ flowIdentifier: id, aliasIdentifier: alias.id, name: 'prod', routingConfiguration: [{ flowVersion: 'DRAFT' }] }));
    expect(updated.routingConfiguration).toEqual([{ flowVersion: 'DRAFT' }]);
    await bedrock.send(new UpdateFlowAliasCommand({ flowIdentifier: id, aliasIdentifier: alias.arn, name: 'prod', routingConfiguration: [{ flowVersion: '1' }] }));
    expect((await bedrock.send(new GetFlowAliasCommand({ flowIdentifier: id, aliasIdentifier: alias.id }))).routingConfiguration).toEqual([{ flowVersion: '1' }]);
    expect(await failure(bedrock.send(new DeleteFlowAliasCommand({ flowIdentifier: id, aliasIdentifier: 'TSTALIASID' })))).toMatchObject({ name: 'ValidationException' });

    expect(await failure(bedrock.send(new DeleteFlowVersionCommand({ flowIdentifier: id, flowVersion: '1' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(bedrock.send(new DeleteFlowCommand({ flowIdentifier: id })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await bedrock.send(new DeleteFlowCommand({ flowIdentifier: id, skipResourceInUseCheck: true }))).toMatchObject({ id });
    expect(await failure(bedrock.send(new GetFlowCommand({ flowIdentifier: id })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(bedrock.send(new ListTagsForResourceCommand({ resourceArn: alias.arn })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('deletes an alias, then the version it routed to, then the flow', async () => {
    const { id } = await createFlow();
    await prepared(id!);
    await bedrock.send(new CreateFlowVersionCommand({ flowIdentifier: id }));
    const alias = await bedrock.send(new CreateFlowAliasCommand({ flowIdentifier: id, name: 'prod', routingConfiguration: [{ flowVersion: '1' }] }));
    expect(await bedrock.send(new DeleteFlowAliasCommand({ flowIdentifier: id, aliasIdentifier: alias.id }))).toMatchObject({ flowId: id, id: alias.id });
    expect(await bedrock.send(new DeleteFlowVersionCommand({ flowIdentifier: id, flowVersion: '1' }))).toMatchObject({ id, version: '1' });
    await bedrock.send(new DeleteFlowCommand({ flowIdentifier: id }));
    expect((await bedrock.send(new ListFlowsCommand({}))).flowSummaries).toEqual([]);
  });

  it('tags flows, and lists them a page at a time in creation order', async () => {
    const flows = [];
    for (const name of ['a1', 'b2', 'c3']) flows.push(await createFlow(name, definition(), { tags: { env: 'test' } }));
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: flows[0]!.arn }))).tags).toEqual({ env: 'test' });
    await bedrock.send(new TagResourceCommand({ resourceArn: flows[1]!.arn, tags: { owner: 'support' } }));
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: flows[1]!.arn }))).tags).toEqual({ env: 'test', owner: 'support' });
    const first = await bedrock.send(new ListFlowsCommand({ maxResults: 2 }));
    expect(first.flowSummaries?.map((f) => f.name)).toEqual(['a1', 'b2']);
    expect(first.flowSummaries?.[0]).toMatchObject({ id: flows[0]!.id, arn: flows[0]!.arn, status: 'NotPrepared', version: 'DRAFT' });
    const second = await bedrock.send(new ListFlowsCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.flowSummaries?.map((f) => f.name)).toEqual(['c3']);
    expect(second.nextToken).toBeUndefined();
  });
});
