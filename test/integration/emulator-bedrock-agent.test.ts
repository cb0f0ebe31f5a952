// The emulator's bedrock-agent (test/harness/emulator/bedrock_agent_ext.py), seen from the JS SDK as
// the operator sees it: the agent's state machine, its DRAFT (action groups, knowledge bases),
// versions and aliases, tags, and errors as AWS sends them. Only the emulator runs: no Kubernetes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssociateAgentKnowledgeBaseCommand, BedrockAgentClient, CreateAgentActionGroupCommand, CreateAgentAliasCommand, CreateAgentCommand,
  CreateKnowledgeBaseCommand, DeleteAgentActionGroupCommand, DeleteAgentAliasCommand, DeleteAgentCommand, DisassociateAgentKnowledgeBaseCommand,
  GetAgentActionGroupCommand, GetAgentAliasCommand, GetAgentCommand, GetAgentKnowledgeBaseCommand, GetAgentVersionCommand, ListAgentActionGroupsCommand,
  ListAgentAliasesCommand, ListAgentKnowledgeBasesCommand, ListAgentsCommand, ListAgentVersionsCommand, ListTagsForResourceCommand, PrepareAgentCommand,
  TagResourceCommand, UntagResourceCommand, UpdateAgentActionGroupCommand, UpdateAgentAliasCommand, UpdateAgentCommand, UpdateAgentKnowledgeBaseCommand,
  type Agent, type AgentAlias, type CreateAgentRequest,
} from '@aws-sdk/client-bedrock-agent';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../harness/aws-failure.ts';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { waitFor } from '../harness/wait.ts';
import { zipArchive } from '../harness/zip.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/agent-service-role`;
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const INSTRUCTION = 'You are a support assistant: look orders up and explain their status to customers.';
const OTHER_INSTRUCTION = 'You are a returns assistant: explain to customers how to send an order back.';
const WAIT = { timeoutMs: 10_000, intervalMs: 50 };
const ID = /^[0-9A-Z]{10}$/;

describe('the emulator\'s bedrock-agent', () => {
  let logDir: string;
  let emulator: Emulator;
  let bedrock: BedrockAgentClient;
  let aws: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

  beforeAll(async () => {
    // Background work (preparing, versioning, deleting) takes this long in the emulator.
    process.env.MOTO_BEDROCK_AGENT_DELAY_SECONDS = '0.3';
    logDir = await mkdtemp(join(tmpdir(), 'emulator-bedrock-agent-'));
    emulator = await startEmulator(await ensureEmulator(), join(logDir, 'moto.log'));
    aws = { endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    bedrock = new BedrockAgentClient(aws);
  });

  afterAll(async () => {
    await emulator?.process.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  const createAgent = async (agentName: string, fields: Partial<CreateAgentRequest> = {}): Promise<Agent> =>
    (await bedrock.send(new CreateAgentCommand({ agentName, foundationModel: MODEL, instruction: INSTRUCTION, agentResourceRoleArn: ROLE, ...fields }))).agent!;
  // Tests share the emulator (a reset costs moto half a second): each uses agent names of its own.
  const agentsNamed = async (name: string) => ((await bedrock.send(new ListAgentsCommand({}))).agentSummaries ?? []).filter((a) => a.agentName === name);
  const getAgent = async (agentId: string): Promise<Agent> => (await bedrock.send(new GetAgentCommand({ agentId }))).agent!;
  const agentIn = (agentId: string, status: string) =>
    waitFor(`agent ${agentId} to be ${status}`, async () => {
      const agent = await getAgent(agentId);
      return agent.agentStatus === status ? agent : undefined;
    }, WAIT);
  const prepare = async (agentId: string): Promise<Agent> => {
    await bedrock.send(new PrepareAgentCommand({ agentId }));
    return agentIn(agentId, 'PREPARED');
  };
  const aliasPrepared = (agentId: string, agentAliasId: string): Promise<AgentAlias> =>
    waitFor(`alias ${agentAliasId} to be PREPARED`, async () => {
      const alias = (await bedrock.send(new GetAgentAliasCommand({ agentId, agentAliasId }))).agentAlias!;
      return alias.agentAliasStatus === 'PREPARED' ? alias : undefined;
    }, WAIT);

  it('returns timestamps the SDK parses as Dates', async () => {
    const created = await createAgent('timestamps');
    expect(created.createdAt).toBeInstanceOf(Date);
    const prepared = await prepare(created.agentId!);
    for (const at of [prepared.createdAt, prepared.updatedAt, prepared.preparedAt]) {
      expect(at).toBeInstanceOf(Date);
      expect(Math.abs(at!.getTime() - Date.now())).toBeLessThan(60_000);
    }
    const [summary] = await agentsNamed('timestamps');
    expect(summary?.updatedAt).toBeInstanceOf(Date);
  });

  it('creates an agent NOT_PREPARED on DRAFT, with its tags and AWS\'s defaults', async () => {
    const agent = await createAgent('support', { tags: { team: 'orders' } });
    expect(agent).toMatchObject({ agentName: 'support', agentStatus: 'NOT_PREPARED', agentVersion: 'DRAFT', idleSessionTTLInSeconds: 600 });
    expect(agent.agentId).toMatch(ID);
    expect(agent.agentArn).toBe(`arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/${agent.agentId}`);
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: agent.agentArn }))).tags).toEqual({ team: 'orders' });
    expect(await getAgent(agent.agentId!)).toMatchObject({ agentResourceRoleArn: ROLE, foundationModel: MODEL, instruction: INSTRUCTION });
  });

  it('shows the DEFAULT prompt configurations, with overrides laid over them', async () => {
    const plain = await getAgent((await createAgent('plain-prompts')).agentId!);
    const configurations = plain.promptOverrideConfiguration?.promptConfigurations ?? [];
    expect(configurations.map((c) => [c.promptType, c.promptCreationMode, c.promptState, c.parserMode])).toEqual([
      ['PRE_PROCESSING', 'DEFAULT', 'DISABLED', 'DEFAULT'],
      ['ORCHESTRATION', 'DEFAULT', 'ENABLED', 'DEFAULT'],
      ['KNOWLEDGE_BASE_RESPONSE_GENERATION', 'DEFAULT', 'ENABLED', 'DEFAULT'],
      ['POST_PROCESSING', 'DEFAULT', 'DISABLED', 'DEFAULT'],
    ]);
    for (const c of configurations) {
      expect(c.basePromptTemplate?.length).toBeGreaterThan(0);
      expect(c.inferenceConfiguration?.maximumLength).toBeGreaterThan(0);
    }

    const template = 'Answer as briefly as you can. $instruction$ $question$';
    const overridden = await getAgent((await createAgent('own-prompts', {
      promptOverrideConfiguration: { promptConfigurations: [{ promptType: 'ORCHESTRATION', promptCreationMode: 'OVERRIDDEN', basePromptTemplate: template }] },
    })).agentId!);
    const byType = new Map(overridden.promptOverrideConfiguration!.promptConfigurations!.map((c) => [c.promptType, c]));
    expect(byType.get('ORCHESTRATION')).toMatchObject({ promptCreationMode: 'OVERRIDDEN', basePromptTemplate: template, promptState: 'ENABLED' });
    expect(byType.get('PRE_PROCESSING')?.promptCreationMode).toBe('DEFAULT');
    expect(byType.size).toBe(4);
  });

  it('replaces the whole definition on UpdateAgent and leaves the agent NOT_PREPARED', async () => {
    const created = await createAgent('replaced', { description: 'Looks orders up', idleSessionTTLInSeconds: 900 });
    const prepared = await prepare(created.agentId!);
    const updated = (await bedrock.send(new UpdateAgentCommand({
      agentId: created.agentId, agentName: 'replaced', foundationModel: MODEL, agentResourceRoleArn: ROLE, instruction: OTHER_INSTRUCTION,
    }))).agent!;
    expect(updated.agentStatus).toBe('NOT_PREPARED');
    const agent = await getAgent(created.agentId!);
    expect(agent).toMatchObject({ agentStatus: 'NOT_PREPARED', instruction: OTHER_INSTRUCTION, idleSessionTTLInSeconds: 600 });
    expect(agent.description).toBeUndefined();
    expect(agent.updatedAt!.getTime()).toBeGreaterThan(prepared.updatedAt!.getTime());
    expect(agent.preparedAt).toEqual(prepared.preparedAt);
  });

  it('refuses an instruction shorter than 40 characters on CreateAgent and UpdateAgent', async () => {
    const onCreate = await failure(createAgent('short', { instruction: 'Be helpful.' }));
    expect(onCreate).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(onCreate.message).toMatch(/instruction.*length greater than or equal to 40/);
    expect(await agentsNamed('short')).toEqual([]);

    const agent = await createAgent('long-enough');
    const onUpdate = await failure(bedrock.send(new UpdateAgentCommand({
      agentId: agent.agentId, agentName: 'long-enough', foundationModel: MODEL, agentResourceRoleArn: ROLE, instruction: 'Be helpful.',
    })));
    expect(onUpdate).toMatchObject({ name: 'ValidationException', status: 400 });
    expect((await getAgent(agent.agentId!)).instruction).toBe(INSTRUCTION);
  });

  it('answers ResourceNotFoundException for an agent that does not exist, ValidationException for a malformed ID', async () => {
    const unknown = 'ZZZZZZZZZZ';
    for (const call of [
      () => bedrock.send(new GetAgentCommand({ agentId: unknown })),
      () => bedrock.send(new UpdateAgentCommand({ agentId: unknown, agentName: 'ghost', foundationModel: MODEL, agentResourceRoleArn: ROLE, instruction: INSTRUCTION })),
      () => bedrock.send(new PrepareAgentCommand({ agentId: unknown })),
      () => bedrock.send(new DeleteAgentCommand({ agentId: unknown })),
      () => bedrock.send(new ListAgentAliasesCommand({ agentId: unknown })),
    ]) {
      expect(await failure(call())).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    }
    expect(await failure(bedrock.send(new GetAgentCommand({ agentId: 'not-an-id' })))).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  it('prepares in the background, refusing to prepare or update the agent meanwhile', async () => {
    const agent = await createAgent('preparing');
    const started = await bedrock.send(new PrepareAgentCommand({ agentId: agent.agentId }));
    expect(started).toMatchObject({ agentId: agent.agentId, agentStatus: 'PREPARING', agentVersion: 'DRAFT' });
    expect(started.preparedAt).toBeInstanceOf(Date);
    expect(started.$metadata.httpStatusCode).toBe(202);

    expect(await failure(bedrock.send(new PrepareAgentCommand({ agentId: agent.agentId })))).toMatchObject({ name: 'ConflictException', status: 409 });
    const update = await failure(bedrock.send(new UpdateAgentCommand({
      agentId: agent.agentId, agentName: 'preparing', foundationModel: MODEL, agentResourceRoleArn: ROLE, instruction: OTHER_INSTRUCTION,
    })));
    expect(update).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(update.message).toContain('Preparing state');

    const prepared = await agentIn(agent.agentId!, 'PREPARED');
    expect(prepared.preparedAt).toBeInstanceOf(Date);
    expect(prepared.failureReasons ?? []).toEqual([]);
    expect(prepared.instruction).toBe(INSTRUCTION);
  });

  it('fails preparation with AWS\'s reasons: a Lambda that does not exist, no instruction', async () => {
    const agent = await createAgent('needs-lambda');
    const lambdaArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:order-lookup`;
    await bedrock.send(new CreateAgentActionGroupCommand({
      agentId: agent.agentId, agentVersion: 'DRAFT', actionGroupName: 'orders', actionGroupExecutor: { lambda: lambdaArn },
      functionSchema: { functions: [{ name: 'lookup', parameters: { orderId: { type: 'string', required: true } } }] },
    }));
    await bedrock.send(new PrepareAgentCommand({ agentId: agent.agentId }));
    const failed = await agentIn(agent.agentId!, 'FAILED');
    expect(failed.failureReasons).toEqual([expect.stringContaining(lambdaArn)]);

    // Once the function exists, the same DRAFT prepares.
    const iam = new IAMClient(aws);
    const lambda = new LambdaClient(aws);
    const { Role } = await iam.send(new CreateRoleCommand({
      RoleName: 'order-lookup',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }));
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'order-lookup', Runtime: 'nodejs22.x', Role: Role!.Arn, Handler: 'index.handler',
      Code: { ZipFile: zipArchive({ 'index.mjs': 'export const handler = async () => ({});\n' }) },
    }));
    expect((await prepare(agent.agentId!)).failureReasons ?? []).toEqual([]);

    const bare = await createAgent('no-instruction', { instruction: undefined });
    await bedrock.send(new PrepareAgentCommand({ agentId: bare.agentId }));
    expect((await agentIn(bare.agentId!, 'FAILED')).failureReasons).toEqual([expect.stringContaining('Instruction cannot be null')]);
  });

  it('keeps action groups on DRAFT: create, get, list, update (a replacement), delete', async () => {
    const agent = await createAgent('with-groups');
    await prepare(agent.agentId!);
    const ids = { agentId: agent.agentId, agentVersion: 'DRAFT' };
    const payload = 'openapi: 3.0.0\ninfo: { title: orders, version: "1" }\npaths: {}\n';
    const created = (await bedrock.send(new CreateAgentActionGroupCommand({
      ...ids, actionGroupName: 'orders', description: 'Order lookups', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, apiSchema: { payload },
    }))).agentActionGroup!;
    expect(created).toMatchObject({ ...ids, actionGroupName: 'orders', actionGroupState: 'ENABLED', apiSchema: { payload }, actionGroupExecutor: { customControl: 'RETURN_CONTROL' } });
    expect(created.actionGroupId).toMatch(ID);
    expect(created.createdAt).toBeInstanceOf(Date);
    // A change to DRAFT leaves the prepared agent to be prepared again.
    expect((await getAgent(agent.agentId!)).agentStatus).toBe('NOT_PREPARED');

    expect(await failure(bedrock.send(new CreateAgentActionGroupCommand({ ...ids, actionGroupName: 'orders', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, apiSchema: { payload } }))))
      .toMatchObject({ name: 'ConflictException', status: 409 });
    const get = async (actionGroupId: string) => (await bedrock.send(new GetAgentActionGroupCommand({ ...ids, actionGroupId }))).agentActionGroup!;
    expect(await get(created.actionGroupId!)).toEqual(created);

    // AMAZON.UserInput: a built-in group, without executor or schema (the response calls it parentActionSignature).
    const userInput = (await bedrock.send(new CreateAgentActionGroupCommand({ ...ids, actionGroupName: 'ask-user', parentActionGroupSignature: 'AMAZON.UserInput' }))).agentActionGroup!;
    expect(await get(userInput.actionGroupId!)).toMatchObject({ parentActionSignature: 'AMAZON.UserInput', actionGroupState: 'ENABLED' });
    expect((await get(userInput.actionGroupId!)).actionGroupExecutor).toBeUndefined();
    expect(await failure(bedrock.send(new CreateAgentActionGroupCommand({
      ...ids, actionGroupName: 'ask-user-2', parentActionGroupSignature: 'AMAZON.UserInput', actionGroupExecutor: { customControl: 'RETURN_CONTROL' },
    })))).toMatchObject({ name: 'ValidationException', status: 400 });

    const summaries = (await bedrock.send(new ListAgentActionGroupsCommand(ids))).actionGroupSummaries!;
    expect(summaries.map((s) => [s.actionGroupName, s.actionGroupState, s.description])).toEqual([['orders', 'ENABLED', 'Order lookups'], ['ask-user', 'ENABLED', undefined]]);
    expect(summaries[0]?.updatedAt).toBeInstanceOf(Date);

    const updated = (await bedrock.send(new UpdateAgentActionGroupCommand({
      ...ids, actionGroupId: created.actionGroupId, actionGroupName: 'orders', actionGroupState: 'DISABLED',
      actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, functionSchema: { functions: [{ name: 'lookup' }] },
    }))).agentActionGroup!;
    expect(updated).toMatchObject({ actionGroupId: created.actionGroupId, actionGroupState: 'DISABLED', functionSchema: { functions: [{ name: 'lookup' }] } });
    expect(updated.description).toBeUndefined();
    expect(updated.apiSchema).toBeUndefined();
    expect(updated.createdAt).toEqual(created.createdAt);

    // An ENABLED group is in use: deleting it takes skipResourceInUseCheck.
    const enabledDelete = await failure(bedrock.send(new DeleteAgentActionGroupCommand({ ...ids, actionGroupId: userInput.actionGroupId })));
    expect(enabledDelete).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(enabledDelete.message).toContain('Enabled');
    await bedrock.send(new DeleteAgentActionGroupCommand({ ...ids, actionGroupId: userInput.actionGroupId, skipResourceInUseCheck: true }));
    const deleted = await bedrock.send(new DeleteAgentActionGroupCommand({ ...ids, actionGroupId: created.actionGroupId }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await failure(get(created.actionGroupId!))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect((await bedrock.send(new ListAgentActionGroupsCommand(ids))).actionGroupSummaries).toEqual([]);
  });

  it('associates knowledge bases that exist on DRAFT: associate, get, update, list, disassociate', async () => {
    const agent = await createAgent('with-knowledge');
    const ids = { agentId: agent.agentId, agentVersion: 'DRAFT' };
    const kb = (await bedrock.send(new CreateKnowledgeBaseCommand({
      name: 'manuals', roleArn: ROLE,
      knowledgeBaseConfiguration: { type: 'VECTOR', vectorKnowledgeBaseConfiguration: { embeddingModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0' } },
      storageConfiguration: {
        type: 'OPENSEARCH_SERVERLESS',
        opensearchServerlessConfiguration: { collectionArn: `arn:aws:aoss:us-east-1:${ACCOUNT}:collection/manuals`, vectorIndexName: 'index', fieldMapping: { vectorField: 'v', textField: 't', metadataField: 'm' } },
      },
    }))).knowledgeBase!;
    expect(kb.knowledgeBaseId).toMatch(ID);

    expect(await failure(bedrock.send(new AssociateAgentKnowledgeBaseCommand({ ...ids, knowledgeBaseId: 'ZZZZZZZZZZ', description: 'Nothing' }))))
      .toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    const associated = (await bedrock.send(new AssociateAgentKnowledgeBaseCommand({ ...ids, knowledgeBaseId: kb.knowledgeBaseId, description: 'Product manuals' }))).agentKnowledgeBase!;
    expect(associated).toMatchObject({ ...ids, knowledgeBaseId: kb.knowledgeBaseId, description: 'Product manuals', knowledgeBaseState: 'ENABLED' });
    expect(associated.createdAt).toBeInstanceOf(Date);
    expect(await failure(bedrock.send(new AssociateAgentKnowledgeBaseCommand({ ...ids, knowledgeBaseId: kb.knowledgeBaseId, description: 'Again' }))))
      .toMatchObject({ name: 'ConflictException', status: 409 });

    await bedrock.send(new UpdateAgentKnowledgeBaseCommand({ ...ids, knowledgeBaseId: kb.knowledgeBaseId, description: 'Manuals, old ones', knowledgeBaseState: 'DISABLED' }));
    expect((await bedrock.send(new GetAgentKnowledgeBaseCommand({ ...ids, knowledgeBaseId: kb.knowledgeBaseId }))).agentKnowledgeBase)
      .toMatchObject({ description: 'Manuals, old ones', knowledgeBaseState: 'DISABLED' });
    const summaries = (await bedrock.send(new ListAgentKnowledgeBasesCommand(ids))).agentKnowledgeBaseSummaries!;
    expect(summaries).toEqual([{ knowledgeBaseId: kb.knowledgeBaseId, description: 'Manuals, old ones', knowledgeBaseState: 'DISABLED', updatedAt: expect.any(Date) }]);

    await bedrock.send(new DisassociateAgentKnowledgeBaseCommand({ ...ids, knowledgeBaseId: kb.knowledgeBaseId }));
    expect(await failure(bedrock.send(new GetAgentKnowledgeBaseCommand({ ...ids, knowledgeBaseId: kb.knowledgeBaseId }))))
      .toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect((await bedrock.send(new ListAgentKnowledgeBasesCommand(ids))).agentKnowledgeBaseSummaries).toEqual([]);
  });

  it('routes aliases to numbered versions of the prepared DRAFT, beside the test alias TSTALIASID', async () => {
    const agent = await createAgent('versioned', { description: 'First' });
    const agentId = agent.agentId!;
    const [testAlias] = (await bedrock.send(new ListAgentAliasesCommand({ agentId }))).agentAliasSummaries!;
    expect(testAlias).toMatchObject({ agentAliasId: 'TSTALIASID', agentAliasName: 'AgentTestAlias', routingConfiguration: [{ agentVersion: 'DRAFT' }], agentAliasStatus: 'PREPARED' });
    // A version is made of a prepared DRAFT only.
    expect(await failure(bedrock.send(new CreateAgentAliasCommand({ agentId, agentAliasName: 'live' })))).toMatchObject({ name: 'ValidationException', status: 400 });

    await prepare(agentId);
    const created = (await bedrock.send(new CreateAgentAliasCommand({ agentId, agentAliasName: 'live', description: 'Production', tags: { stage: 'prod' } }))).agentAlias!;
    expect(created).toMatchObject({ agentId, agentAliasName: 'live', routingConfiguration: [{ agentVersion: '1' }], agentAliasStatus: 'CREATING' });
    expect(created.agentAliasId).toMatch(ID);
    expect(created.agentAliasArn).toBe(`arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/${agentId}/${created.agentAliasId}`);
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: created.agentAliasArn }))).tags).toEqual({ stage: 'prod' });
    await aliasPrepared(agentId, created.agentAliasId!);
    await agentIn(agentId, 'PREPARED'); // VERSIONING while the version is made

    const version1 = (await bedrock.send(new GetAgentVersionCommand({ agentId, agentVersion: '1' }))).agentVersion!;
    expect(version1).toMatchObject({ agentId, version: '1', agentStatus: 'PREPARED', instruction: INSTRUCTION, description: 'First', foundationModel: MODEL });
    expect(version1.createdAt).toBeInstanceOf(Date);
    expect(await failure(bedrock.send(new GetAgentVersionCommand({ agentId, agentVersion: '7' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });

    // The DRAFT changes; the alias updated without routing gets version 2, made of the new DRAFT.
    await bedrock.send(new UpdateAgentCommand({ agentId, agentName: 'versioned', foundationModel: MODEL, agentResourceRoleArn: ROLE, instruction: OTHER_INSTRUCTION }));
    await prepare(agentId);
    const updated = (await bedrock.send(new UpdateAgentAliasCommand({ agentId, agentAliasId: created.agentAliasId, agentAliasName: 'live', description: 'Production' }))).agentAlias!;
    expect(updated).toMatchObject({ routingConfiguration: [{ agentVersion: '2' }], agentAliasStatus: 'UPDATING' });
    const live = await aliasPrepared(agentId, created.agentAliasId!);
    expect(live.agentAliasHistoryEvents?.map((e) => e.routingConfiguration?.[0]?.agentVersion)).toEqual(['1', '2']);
    await agentIn(agentId, 'PREPARED');
    expect((await bedrock.send(new GetAgentVersionCommand({ agentId, agentVersion: '2' }))).agentVersion).toMatchObject({ instruction: OTHER_INSTRUCTION });
    expect((await bedrock.send(new GetAgentVersionCommand({ agentId, agentVersion: '1' }))).agentVersion).toMatchObject({ instruction: INSTRUCTION });

    // With routingConfiguration, the alias routes to that version and no version is made.
    const pinned = (await bedrock.send(new CreateAgentAliasCommand({ agentId, agentAliasName: 'pinned', routingConfiguration: [{ agentVersion: '1' }] }))).agentAlias!;
    expect(pinned.routingConfiguration).toEqual([{ agentVersion: '1' }]);
    expect(await failure(bedrock.send(new CreateAgentAliasCommand({ agentId, agentAliasName: 'nowhere', routingConfiguration: [{ agentVersion: '9' }] }))))
      .toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(bedrock.send(new CreateAgentAliasCommand({ agentId, agentAliasName: 'live' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect((await bedrock.send(new ListAgentVersionsCommand({ agentId }))).agentVersionSummaries!.map((v) => v.agentVersion)).toEqual(['DRAFT', '1', '2']);
    expect((await bedrock.send(new ListAgentAliasesCommand({ agentId }))).agentAliasSummaries!.map((a) => a.agentAliasName)).toEqual(['AgentTestAlias', 'live', 'pinned']);

    // The test alias is the agent's own; the others go.
    expect(await failure(bedrock.send(new DeleteAgentAliasCommand({ agentId, agentAliasId: 'TSTALIASID' })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect((await bedrock.send(new DeleteAgentAliasCommand({ agentId, agentAliasId: pinned.agentAliasId }))).agentAliasStatus).toBe('DELETING');
    expect(await failure(bedrock.send(new GetAgentAliasCommand({ agentId, agentAliasId: pinned.agentAliasId })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('tags agents and aliases', async () => {
    const agent = await createAgent('tagged');
    await prepare(agent.agentId!);
    const alias = (await bedrock.send(new CreateAgentAliasCommand({ agentId: agent.agentId, agentAliasName: 'live' }))).agentAlias!;
    for (const resourceArn of [agent.agentArn!, alias.agentAliasArn!]) {
      await bedrock.send(new TagResourceCommand({ resourceArn, tags: { owner: 'team-a', stage: 'dev' } }));
      await bedrock.send(new UntagResourceCommand({ resourceArn, tagKeys: ['stage'] }));
      expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({ owner: 'team-a' });
    }
    expect(await failure(bedrock.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/ZZZZZZZZZZ` }))))
      .toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('deletes an agent with everything it has, once aliases are no obstacle', async () => {
    const agent = await createAgent('doomed', { tags: { team: 'orders' } });
    const agentId = agent.agentId!;
    await bedrock.send(new CreateAgentActionGroupCommand({ agentId, agentVersion: 'DRAFT', actionGroupName: 'ask', parentActionGroupSignature: 'AMAZON.UserInput' }));
    await prepare(agentId);
    const alias = (await bedrock.send(new CreateAgentAliasCommand({ agentId, agentAliasName: 'live' }))).agentAlias!;
    await agentIn(agentId, 'PREPARED');

    // An alias other than the test alias is a use: deletion takes skipResourceInUseCheck.
    expect(await failure(bedrock.send(new DeleteAgentCommand({ agentId })))).toMatchObject({ name: 'ConflictException', status: 409 });
    const deleting = await bedrock.send(new DeleteAgentCommand({ agentId, skipResourceInUseCheck: true }));
    expect(deleting).toMatchObject({ agentId, agentStatus: 'DELETING' });
    expect(deleting.$metadata.httpStatusCode).toBe(202);
    await waitFor('the agent to be gone', async () => ((await failure(getAgent(agentId))).name === 'ResourceNotFoundException' ? true : undefined), WAIT);

    expect(await agentsNamed('doomed')).toEqual([]);
    for (const call of [
      () => bedrock.send(new ListAgentActionGroupsCommand({ agentId, agentVersion: 'DRAFT' })),
      () => bedrock.send(new ListAgentAliasesCommand({ agentId })),
      () => bedrock.send(new GetAgentVersionCommand({ agentId, agentVersion: '1' })),
      () => bedrock.send(new ListTagsForResourceCommand({ resourceArn: agent.agentArn })),
      () => bedrock.send(new ListTagsForResourceCommand({ resourceArn: alias.agentAliasArn })),
    ]) {
      expect(await failure(call())).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    }
  });

  it('lists agents a page at a time', async () => {
    await resetAws(emulator.endpoint); // no agents but these three
    for (const name of ['first', 'second', 'third']) await createAgent(name);
    const page1 = await bedrock.send(new ListAgentsCommand({ maxResults: 2 }));
    expect(page1.agentSummaries!.map((a) => a.agentName)).toEqual(['first', 'second']);
    expect(page1.agentSummaries![0]).toMatchObject({ agentStatus: 'NOT_PREPARED', latestAgentVersion: 'DRAFT', agentId: expect.stringMatching(ID) });
    const page2 = await bedrock.send(new ListAgentsCommand({ maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.agentSummaries!.map((a) => a.agentName)).toEqual(['third']);
    expect(page2.nextToken).toBeUndefined();
  });
});
