// The emulator's bedrock-agentcore-control (test/harness/emulator/agentcore_ext.py over moto's own),
// seen from the JS SDK as the operator's AgentCore backend will see it: harnesses, their versions
// and endpoints, managed memory, workload identities, tags, gateways with Lambda and knowledge-base
// connector targets, memories, and errors as the service model defines them. Only the emulator
// runs: no Kubernetes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockAgentClient, CreateKnowledgeBaseCommand } from '@aws-sdk/client-bedrock-agent';
import {
  BedrockAgentCoreControlClient, CreateGatewayCommand, CreateGatewayTargetCommand, CreateHarnessCommand, CreateHarnessEndpointCommand,
  CreateMemoryCommand, CreateWorkloadIdentityCommand, DeleteGatewayCommand, DeleteGatewayTargetCommand, DeleteHarnessCommand,
  DeleteHarnessEndpointCommand, DeleteMemoryCommand, DeleteWorkloadIdentityCommand, GetGatewayCommand, GetGatewayTargetCommand, GetHarnessCommand,
  GetHarnessEndpointCommand, GetMemoryCommand, GetWorkloadIdentityCommand, ListGatewaysCommand, ListGatewayTargetsCommand, ListHarnessEndpointsCommand,
  ListHarnessesCommand, ListHarnessVersionsCommand, ListMemoriesCommand, ListTagsForResourceCommand, ListWorkloadIdentitiesCommand, TagResourceCommand,
  UntagResourceCommand, UpdateGatewayCommand, UpdateGatewayTargetCommand, UpdateHarnessCommand, UpdateHarnessEndpointCommand, UpdateWorkloadIdentityCommand,
  type CredentialProviderConfiguration, type GetGatewayTargetResponse, type Harness, type HarnessEndpoint, type Memory, type TargetConfiguration,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEmulator, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { waitFor } from '../harness/wait.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/harness-role`;
const LAMBDA = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:order-tools`;
const WAIT = { timeoutMs: 10_000, intervalMs: 50 };
const TOKEN = 'a'.repeat(33);
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/99999999-2222-3333-4444-555555555555`;
// The model's MemoryArn pattern, anchored.
const MEMORY_ARN = /^arn:aws:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:memory\/[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9]{10}$/;
const GATEWAY_ROLE = [{ credentialProviderType: 'GATEWAY_IAM_ROLE' as const }];

/** What a failed call threw: the SDK names the error after x-amzn-ErrorType. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; reason?: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number }; reason?: string };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, reason: e.reason };
  }
  throw new Error('the call succeeded; it was expected to fail');
}

describe('the emulator\'s bedrock-agentcore-control', () => {
  let logDir: string;
  let emulator: Emulator;
  let agentcore: BedrockAgentCoreControlClient;
  let bedrock: BedrockAgentClient;

  beforeAll(async () => {
    process.env.MOTO_AGENTCORE_DELAY_SECONDS = '0.3';
    logDir = await mkdtemp(join(tmpdir(), 'emulator-agentcore-'));
    emulator = await startEmulator(await ensureEmulator(), join(logDir, 'moto.log'));
    agentcore = new BedrockAgentCoreControlClient({
      endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    bedrock = new BedrockAgentClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });

  afterAll(async () => {
    await emulator?.process.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  const harnessIn = (harnessId: string, status: string): Promise<Harness> =>
    waitFor(`harness ${harnessId} to be ${status}`, async () => {
      const { harness } = await agentcore.send(new GetHarnessCommand({ harnessId }));
      return harness?.status === status ? harness : undefined;
    }, WAIT);
  const endpointReady = (harnessId: string, endpointName: string): Promise<HarnessEndpoint> =>
    waitFor(`endpoint ${endpointName} to be READY`, async () => {
      const { endpoint } = await agentcore.send(new GetHarnessEndpointCommand({ harnessId, endpointName }));
      return endpoint?.status === 'READY' ? endpoint : undefined;
    }, WAIT);
  const gone = (what: string, call: () => Promise<unknown>) =>
    waitFor(`${what} to be gone`, async () => (await failure(call())).name === 'ResourceNotFoundException' || undefined, WAIT);
  // Tests share the emulator: each uses names of its own.
  const createHarness = async (harnessName: string, fields: Record<string, unknown> = {}): Promise<Harness> =>
    (await agentcore.send(new CreateHarnessCommand({ harnessName, executionRoleArn: ROLE, ...fields }))).harness!;
  const managedMemoryArn = (harness: Harness | undefined): string | undefined =>
    (harness?.memory as { managedMemoryConfiguration?: { arn?: string } } | undefined)?.managedMemoryConfiguration?.arn;
  const memoryOf = async (arn: string): Promise<Memory> => (await agentcore.send(new GetMemoryCommand({ memoryId: arn.split('/').pop() }))).memory!;
  const createGateway = async (name: string) => {
    const { gatewayId } = await agentcore.send(new CreateGatewayCommand({ name, roleArn: ROLE, protocolType: 'MCP', authorizerType: 'AWS_IAM' }));
    await waitFor(`gateway ${name} to be READY`, async () => ((await agentcore.send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }))).status === 'READY' || undefined), WAIT);
    return gatewayId!;
  };
  const targetIn = (gatewayIdentifier: string, targetId: string, status: string): Promise<GetGatewayTargetResponse> =>
    waitFor(`target ${targetId} to be ${status}`, async () => {
      const got = await agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }));
      return got.status === status ? got : undefined;
    }, WAIT);
  const knowledgeBaseConnector = (knowledgeBaseId: string): TargetConfiguration => ({
    mcp: { connector: { source: { connectorId: 'bedrock-knowledge-bases' }, configurations: [{ name: 'Retrieve', description: 'Order FAQ', parameterValues: { knowledgeBaseId } }] } },
  });

  it('creates a harness CREATING, then READY at version 1, with AWS\'s ID, ARN, defaults and Date timestamps', async () => {
    const created = await createHarness('support', { systemPrompt: [{ text: 'Help customers with their orders.' }] });
    expect(created.status).toBe('CREATING');
    expect(created.harnessId).toMatch(/^support-[a-zA-Z0-9]{10}$/);
    expect(created.arn).toBe(`arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:harness/${created.harnessId}`);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(created.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);
    const ready = await harnessIn(created.harnessId!, 'READY');
    expect(ready).toMatchObject({ harnessVersion: '1', executionRoleArn: ROLE, systemPrompt: [{ text: 'Help customers with their orders.' }], tools: [] });
    expect(ready.model?.bedrockModelConfig?.modelId).toBeTruthy();
    const runtime = ready.environment?.agentCoreRuntimeEnvironment;
    expect(runtime?.agentRuntimeArn).toMatch(/:runtime\/[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$/);
    expect(runtime?.networkConfiguration).toEqual({ networkMode: 'PUBLIC' });
    const { harnesses } = await agentcore.send(new ListHarnessesCommand({}));
    expect(harnesses?.find((h) => h.harnessId === created.harnessId)).toMatchObject({ harnessName: 'support', status: 'READY', harnessVersion: '1' });
    expect(harnesses?.[0]?.updatedAt).toBeInstanceOf(Date);
  });

  it('updates a harness to a new version (UPDATING, then READY); members not sent stay, optionalValue {} clears', async () => {
    const memoryArn = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:memory/orders_memory-abcdefghij`;
    const { harnessId } = await createHarness('updating', {
      systemPrompt: [{ text: 'first' }], memory: { agentCoreMemoryConfiguration: { arn: memoryArn } }, maxIterations: 5,
    });
    await harnessIn(harnessId!, 'READY');
    const { harness: updating } = await agentcore.send(new UpdateHarnessCommand({ harnessId, systemPrompt: [{ text: 'second' }], memory: {} }));
    expect(updating).toMatchObject({ status: 'UPDATING', harnessVersion: '2' });
    expect(await failure(agentcore.send(new UpdateHarnessCommand({ harnessId, maxIterations: 6 })))).toMatchObject({ name: 'ConflictException', status: 409 });
    const ready = await harnessIn(harnessId!, 'READY');
    expect(ready).toMatchObject({ harnessVersion: '2', systemPrompt: [{ text: 'second' }], maxIterations: 5 });
    expect(ready.memory).toBeUndefined();
    const { harnessVersions } = await agentcore.send(new ListHarnessVersionsCommand({ harnessId }));
    expect(harnessVersions?.map((v) => [v.harnessVersion, v.status])).toEqual([['2', 'READY'], ['1', 'READY']]);
  });

  it('deletes a harness: DELETING, then gone, with its endpoints', async () => {
    const { harnessId } = await createHarness('deleting');
    await harnessIn(harnessId!, 'READY');
    const { harness } = await agentcore.send(new DeleteHarnessCommand({ harnessId }));
    expect(harness?.status).toBe('DELETING');
    await gone('the harness', () => agentcore.send(new GetHarnessCommand({ harnessId })));
    expect(await failure(agentcore.send(new ListHarnessEndpointsCommand({ harnessId })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('keeps endpoints on versions: DEFAULT follows the latest, others their targetVersion', async () => {
    const { harnessId, arn } = await createHarness('endpoints');
    await harnessIn(harnessId!, 'READY');
    const created = (await agentcore.send(new CreateHarnessEndpointCommand({ harnessId, endpointName: 'prod', description: 'production' }))).endpoint!;
    expect(created).toMatchObject({ status: 'CREATING', targetVersion: '1', arn: `${arn}/harness-endpoint/prod` });
    expect((await endpointReady(harnessId!, 'prod')).liveVersion).toBe('1');
    expect(await failure(agentcore.send(new CreateHarnessEndpointCommand({ harnessId, endpointName: 'prod' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(agentcore.send(new CreateHarnessEndpointCommand({ harnessId, endpointName: 'staging', targetVersion: '9' }))))
      .toMatchObject({ name: 'ResourceNotFoundException' });

    await agentcore.send(new UpdateHarnessCommand({ harnessId, maxTokens: 2048 }));
    await harnessIn(harnessId!, 'READY');
    expect((await endpointReady(harnessId!, 'DEFAULT')).liveVersion).toBe('2');
    expect((await endpointReady(harnessId!, 'prod')).liveVersion).toBe('1');
    const updating = (await agentcore.send(new UpdateHarnessEndpointCommand({ harnessId, endpointName: 'prod', targetVersion: '2' }))).endpoint!;
    expect(updating).toMatchObject({ status: 'UPDATING', targetVersion: '2', liveVersion: '1' });
    expect((await endpointReady(harnessId!, 'prod')).liveVersion).toBe('2');
    const { endpoints } = await agentcore.send(new ListHarnessEndpointsCommand({ harnessId }));
    expect(endpoints?.map((e) => e.endpointName).sort()).toEqual(['DEFAULT', 'prod']);

    expect((await agentcore.send(new DeleteHarnessEndpointCommand({ harnessId, endpointName: 'prod' }))).endpoint?.status).toBe('DELETING');
    await gone('endpoint prod', () => agentcore.send(new GetHarnessEndpointCommand({ harnessId, endpointName: 'prod' })));
    expect(await failure(agentcore.send(new DeleteHarnessEndpointCommand({ harnessId, endpointName: 'DEFAULT' })))).toMatchObject({ name: 'ValidationException' });
  });

  it('answers a repeated clientToken with the first answer, and refuses it for another request', async () => {
    const first = await createHarness('idempotent', { clientToken: TOKEN });
    const again = await createHarness('idempotent', { clientToken: TOKEN });
    expect(again.harnessId).toBe(first.harnessId);
    expect(await failure(createHarness('idempotent_other', { clientToken: TOKEN })))
      .toMatchObject({ name: 'ValidationException', status: 400, reason: 'IdempotentParameterMismatchException' });
  });

  it('refuses what the model refuses, a name in use, and unknown IDs', async () => {
    const invalid = await failure(agentcore.send(new CreateHarnessCommand({ harnessName: '9-not-a-name', executionRoleArn: 'not-a-role' })));
    expect(invalid).toMatchObject({ name: 'ValidationException', status: 400, reason: 'FieldValidationFailed' });
    expect(invalid.message).toMatch(/^2 validation errors detected: .*'harnessName'.*'executionRoleArn'/);
    const range = await failure(createHarness('bad_model', { model: { bedrockModelConfig: { modelId: 'm', temperature: 3 } } }));
    expect(range.message).toContain("at 'model.bedrockModelConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 2");
    const missing = await failure(agentcore.send(new CreateHarnessCommand({ harnessName: 'no_role' } as never)));
    expect(missing.message).toContain("Value null at 'executionRoleArn'");
    const shortToken = await failure(createHarness('short_token', { clientToken: 'abc' }));
    expect(shortToken.message).toContain("at 'clientToken' failed to satisfy constraint: Member must have length greater than or equal to 33");

    await createHarness('taken');
    expect(await failure(createHarness('taken'))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(agentcore.send(new GetHarnessCommand({ harnessId: 'nothing-0123456789' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(agentcore.send(new GetHarnessCommand({ harnessId: 'not an id' })))).toMatchObject({ name: 'ValidationException' });
  });

  it('tags harnesses, endpoints and workload identities by ARN, and refuses an ARN of nothing', async () => {
    const harness = await createHarness('tagged', { tags: { team: 'orders' } });
    expect((await agentcore.send(new ListTagsForResourceCommand({ resourceArn: harness.arn }))).tags).toEqual({ team: 'orders' });
    await agentcore.send(new TagResourceCommand({ resourceArn: harness.arn, tags: { env: 'test' } }));
    await agentcore.send(new UntagResourceCommand({ resourceArn: harness.arn, tagKeys: ['team'] }));
    expect((await agentcore.send(new ListTagsForResourceCommand({ resourceArn: harness.arn }))).tags).toEqual({ env: 'test' });

    await harnessIn(harness.harnessId!, 'READY');
    const { endpoint } = await agentcore.send(new CreateHarnessEndpointCommand({ harnessId: harness.harnessId, endpointName: 'tagged', tags: { tier: 'gold' } }));
    expect((await agentcore.send(new ListTagsForResourceCommand({ resourceArn: endpoint!.arn }))).tags).toEqual({ tier: 'gold' });

    const identity = await agentcore.send(new CreateWorkloadIdentityCommand({ name: 'tagged-identity', tags: { owner: 'ops' } }));
    expect((await agentcore.send(new ListTagsForResourceCommand({ resourceArn: identity.workloadIdentityArn }))).tags).toEqual({ owner: 'ops' });

    const nothing = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:harness/nothing-0123456789`;
    expect(await failure(agentcore.send(new ListTagsForResourceCommand({ resourceArn: nothing })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(agentcore.send(new TagResourceCommand({ resourceArn: nothing, tags: { a: 'b' } })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('creates, reads, updates, lists and deletes workload identities', async () => {
    const created = await agentcore.send(new CreateWorkloadIdentityCommand({ name: 'operator-agent', allowedResourceOauth2ReturnUrls: ['https://example.com/cb'] }));
    expect(created.workloadIdentityArn).toBe(`arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:workload-identity-directory/default/workload-identity/operator-agent`);
    expect(await failure(agentcore.send(new CreateWorkloadIdentityCommand({ name: 'operator-agent' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    const got = await agentcore.send(new GetWorkloadIdentityCommand({ name: 'operator-agent' }));
    expect(got.createdTime).toBeInstanceOf(Date);
    const updated = await agentcore.send(new UpdateWorkloadIdentityCommand({ name: 'operator-agent', allowedResourceOauth2ReturnUrls: ['https://example.com/other'] }));
    expect(updated.allowedResourceOauth2ReturnUrls).toEqual(['https://example.com/other']);
    expect(updated.lastUpdatedTime!.getTime()).toBeGreaterThanOrEqual(got.createdTime!.getTime());
    const { workloadIdentities } = await agentcore.send(new ListWorkloadIdentitiesCommand({}));
    expect(workloadIdentities?.map((w) => w.name)).toContain('operator-agent');
    await agentcore.send(new DeleteWorkloadIdentityCommand({ name: 'operator-agent' }));
    expect(await failure(agentcore.send(new GetWorkloadIdentityCommand({ name: 'operator-agent' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(agentcore.send(new CreateWorkloadIdentityCommand({ name: 'x' })))).toMatchObject({ name: 'ValidationException' });
  });

  it('round-trips a gateway with a Lambda target and an inline tool schema, as the operator will use them', async () => {
    const gateway = await agentcore.send(new CreateGatewayCommand({ name: 'order-tools', roleArn: ROLE, protocolType: 'MCP', authorizerType: 'AWS_IAM', tags: { team: 'orders' } }));
    expect(gateway.status).toBe('CREATING');
    expect(gateway.gatewayId).toMatch(/^order-tools-[0-9a-z]{10}$/);
    expect(gateway.gatewayArn).toBe(`arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:gateway/${gateway.gatewayId}`);
    const gatewayReady = () => waitFor('the gateway to be READY', async () => {
      const got = await agentcore.send(new GetGatewayCommand({ gatewayIdentifier: gateway.gatewayId }));
      return got.status === 'READY' ? got : undefined;
    }, WAIT);
    expect((await gatewayReady()).createdAt).toBeInstanceOf(Date);
    expect((await agentcore.send(new ListTagsForResourceCommand({ resourceArn: gateway.gatewayArn }))).tags).toEqual({ team: 'orders' });
    const updating = await agentcore.send(new UpdateGatewayCommand({
      gatewayIdentifier: gateway.gatewayId, name: 'order-tools', roleArn: ROLE, protocolType: 'MCP', authorizerType: 'AWS_IAM', description: 'tools for orders',
    }));
    expect(updating.status).toBe('UPDATING');
    expect((await gatewayReady()).description).toBe('tools for orders');
    expect((await agentcore.send(new ListGatewaysCommand({}))).items?.map((g) => g.gatewayId)).toContain(gateway.gatewayId);

    const toolSchema = { inlinePayload: [{ name: 'lookup_order', description: 'Looks an order up by its ID.', inputSchema: { type: 'object' as const, properties: { orderId: { type: 'string' as const } }, required: ['orderId'] } }] };
    const target = await agentcore.send(new CreateGatewayTargetCommand({
      gatewayIdentifier: gateway.gatewayId, name: 'orders', targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema } } },
      credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }],
    }));
    expect(target.status).toBe('CREATING');
    const targetReady = () => waitFor('the target to be READY', async () => {
      const got = await agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier: gateway.gatewayId, targetId: target.targetId }));
      return got.status === 'READY' ? got : undefined;
    }, WAIT);
    expect((await targetReady()).targetConfiguration?.mcp?.lambda).toEqual({ lambdaArn: LAMBDA, toolSchema });
    const retargeted = await agentcore.send(new UpdateGatewayTargetCommand({
      gatewayIdentifier: gateway.gatewayId, targetId: target.targetId, name: 'orders',
      targetConfiguration: { mcp: { lambda: { lambdaArn: `${LAMBDA}-v2`, toolSchema } } },
      credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }],
    }));
    expect(retargeted.status).toBe('UPDATING');
    expect((await targetReady()).targetConfiguration?.mcp?.lambda?.lambdaArn).toBe(`${LAMBDA}-v2`);
    expect((await agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gateway.gatewayId }))).items?.map((t) => t.name)).toEqual(['orders']);

    // A harness takes the gateway as a tool by its ARN (the model's GatewayArn pattern).
    const harness = await createHarness('gateway_user', { tools: [{ type: 'agentcore_gateway', name: 'orders', config: { agentCoreGateway: { gatewayArn: gateway.gatewayArn } } }] });
    expect(harness.tools?.[0]?.config?.agentCoreGateway?.gatewayArn).toBe(gateway.gatewayArn);

    await agentcore.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: gateway.gatewayId, targetId: target.targetId }));
    await gone('the target', () => agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier: gateway.gatewayId, targetId: target.targetId })));
    await agentcore.send(new DeleteGatewayCommand({ gatewayIdentifier: gateway.gatewayId }));
    await gone('the gateway', () => agentcore.send(new GetGatewayCommand({ gatewayIdentifier: gateway.gatewayId })));
    expect(await failure(agentcore.send(new CreateGatewayCommand({ name: 'bad gateway name', roleArn: ROLE, protocolType: 'MCP', authorizerType: 'AWS_IAM' }))))
      .toMatchObject({ name: 'ValidationException' });
  });

  it('round-trips a memory: CREATING, then ACTIVE, with an ID of its name, usable by a harness', async () => {
    const { memory } = await agentcore.send(new CreateMemoryCommand({ name: 'orders_memory', eventExpiryDuration: 30, tags: { team: 'orders' } }));
    expect(memory).toMatchObject({ status: 'CREATING', name: 'orders_memory', eventExpiryDuration: 30 });
    expect(memory?.id).toMatch(/^orders_memory-[a-zA-Z0-9]{10}$/);
    const active = await waitFor('the memory to be ACTIVE', async () => {
      const got = (await agentcore.send(new GetMemoryCommand({ memoryId: memory!.id }))).memory;
      return got?.status === 'ACTIVE' ? got : undefined;
    }, WAIT);
    expect(active.createdAt).toBeInstanceOf(Date);
    expect((await agentcore.send(new ListTagsForResourceCommand({ resourceArn: memory!.arn }))).tags).toEqual({ team: 'orders' });
    expect((await agentcore.send(new ListMemoriesCommand({}))).memories?.map((m) => m.id)).toContain(memory!.id);
    const harness = await createHarness('memory_user', { memory: { agentCoreMemoryConfiguration: { arn: memory!.arn } } });
    expect(harness.memory?.agentCoreMemoryConfiguration?.arn).toBe(memory!.arn);
    await agentcore.send(new DeleteMemoryCommand({ memoryId: memory!.id }));
    await gone('the memory', () => agentcore.send(new GetMemoryCommand({ memoryId: memory!.id })));
    expect(await failure(agentcore.send(new CreateMemoryCommand({ name: 'too_short', eventExpiryDuration: 1 })))).toMatchObject({ name: 'ValidationException' });
  });
  it('gives managed memory a Memory of the harness (harness_<name>_memory-…), kept across updates, dropped when disabled or cleared', async () => {
    // The request's arn is read-only: ignored on input.
    const someoneElses = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:memory/someone_else-abcdefghij`;
    const created = await createHarness('remembers', {
      memory: { managedMemoryConfiguration: { arn: someoneElses, strategies: ['SUMMARIZATION'], eventExpiryDuration: 10, encryptionKeyArn: KEY } },
    });
    const arn = managedMemoryArn(created)!;
    expect(arn).toMatch(MEMORY_ARN);
    expect(arn).toMatch(new RegExp(`^arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:memory/harness_remembers_memory-[a-zA-Z0-9]{10}$`));
    expect(created.memory).toEqual({ managedMemoryConfiguration: { arn, strategies: ['SUMMARIZATION'], eventExpiryDuration: 10, encryptionKeyArn: KEY } });
    // A Memory of the account, managed by the harness: Memory APIs cannot delete it.
    const memory = await memoryOf(arn);
    expect(memory).toMatchObject({ arn, name: 'harness_remembers', eventExpiryDuration: 10, encryptionKeyArn: KEY, managedByResourceArn: created.arn });
    expect(memory.strategies?.map((x) => x.type)).toEqual(['SUMMARIZATION']);
    expect((await agentcore.send(new ListMemoriesCommand({}))).memories?.find((m) => m.arn === arn)?.managedByResourceArn).toBe(created.arn);
    expect(await failure(agentcore.send(new DeleteMemoryCommand({ memoryId: memory.id })))).toMatchObject({ name: 'ValidationException', status: 400 });
    await waitFor('the managed memory to be ACTIVE', async () => ((await memoryOf(arn)).status === 'ACTIVE' || undefined), WAIT);
    const { harnessId } = await harnessIn(created.harnessId!, 'READY');

    // Still managed: the same memory, retuned.
    const managed = (fields: Record<string, unknown>) => new UpdateHarnessCommand({ harnessId, memory: { optionalValue: { managedMemoryConfiguration: fields } } });
    const retuned = (await agentcore.send(managed({ strategies: ['SUMMARIZATION', 'SEMANTIC'], eventExpiryDuration: 20, encryptionKeyArn: KEY }))).harness!;
    expect(retuned.memory).toEqual({ managedMemoryConfiguration: { arn, strategies: ['SUMMARIZATION', 'SEMANTIC'], eventExpiryDuration: 20, encryptionKeyArn: KEY } });
    await harnessIn(harnessId!, 'READY');
    expect(await memoryOf(arn)).toMatchObject({ eventExpiryDuration: 20, strategies: [expect.objectContaining({ type: 'SUMMARIZATION' }), expect.objectContaining({ type: 'SEMANTIC' })] });
    await agentcore.send(new UpdateHarnessCommand({ harnessId, maxIterations: 9 }));
    expect(managedMemoryArn(await harnessIn(harnessId!, 'READY'))).toBe(arn);

    // encryptionKeyArn is not updatable: neither another key nor none.
    for (const key of [OTHER_KEY, undefined]) {
      const refused = await failure(agentcore.send(managed({ strategies: ['SUMMARIZATION'], eventExpiryDuration: 20, encryptionKeyArn: key })));
      expect(refused).toMatchObject({ name: 'ValidationException', status: 400, reason: 'FieldValidationFailed' });
      expect(refused.message).toContain('encryptionKeyArn');
    }
    expect((await agentcore.send(new GetHarnessCommand({ harnessId }))).harness).toMatchObject({ status: 'READY', harnessVersion: '3' });

    // Disabled: no ARN, and the memory goes.
    const disabled = (await agentcore.send(new UpdateHarnessCommand({ harnessId, memory: { optionalValue: { disabled: {} } } }))).harness!;
    expect(disabled.memory).toEqual({ disabled: {} });
    expect((await memoryOf(arn)).status).toBe('DELETING');
    await gone('the disabled managed memory', () => memoryOf(arn));
    await harnessIn(harnessId!, 'READY');

    // Managed again: a new memory (a key may be chosen again); cleared: it goes too.
    const again = managedMemoryArn((await agentcore.send(managed({}))).harness)!;
    expect(again).toMatch(/:memory\/harness_remembers_memory-/);
    expect(again).not.toBe(arn);
    await harnessIn(harnessId!, 'READY');
    const cleared = (await agentcore.send(new UpdateHarnessCommand({ harnessId, memory: {} }))).harness!;
    expect(cleared.memory).toBeUndefined();
    await gone('the cleared managed memory', () => memoryOf(again));
  });

  it('applies managed memory\'s defaults, and DeleteHarness deletes the memory unless deleteManagedMemory=false', async () => {
    const forgetful = await createHarness('forgetful', { memory: { managedMemoryConfiguration: {} } });
    const arn = managedMemoryArn(forgetful)!;
    expect(forgetful.memory).toEqual({ managedMemoryConfiguration: { arn, strategies: ['SEMANTIC', 'SUMMARIZATION'], eventExpiryDuration: 30 } });
    expect((await memoryOf(arn)).strategies?.map((x) => x.type)).toEqual(['SEMANTIC', 'SUMMARIZATION']);
    await harnessIn(forgetful.harnessId!, 'READY');
    await agentcore.send(new DeleteHarnessCommand({ harnessId: forgetful.harnessId }));
    expect((await memoryOf(arn)).status).toBe('DELETING');
    await gone('the harness', () => agentcore.send(new GetHarnessCommand({ harnessId: forgetful.harnessId })));
    await gone('its managed memory', () => memoryOf(arn));

    const keeper = await createHarness('keeper', { memory: { managedMemoryConfiguration: { strategies: ['EPISODIC'] } } });
    const kept = managedMemoryArn(keeper)!;
    await harnessIn(keeper.harnessId!, 'READY');
    await agentcore.send(new DeleteHarnessCommand({ harnessId: keeper.harnessId, deleteManagedMemory: false }));
    await gone('the keeper harness', () => agentcore.send(new GetHarnessCommand({ harnessId: keeper.harnessId })));
    // Disassociated: a memory of the account's own, which the Memory APIs may now delete.
    const memory = await memoryOf(kept);
    expect(memory).toMatchObject({ arn: kept, status: 'ACTIVE' });
    expect(memory.managedByResourceArn).toBeUndefined();
    await agentcore.send(new DeleteMemoryCommand({ memoryId: memory.id }));
    await gone('the kept memory, deleted by hand', () => memoryOf(kept));
  });

  it('checks a knowledge-base connector target\'s knowledge bases in the background: READY, or FAILED / UPDATE_UNSUCCESSFUL with reasons', async () => {
    const kb = (await bedrock.send(new CreateKnowledgeBaseCommand({
      name: 'order-faq', roleArn: ROLE,
      knowledgeBaseConfiguration: { type: 'VECTOR', vectorKnowledgeBaseConfiguration: { embeddingModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0' } },
      storageConfiguration: {
        type: 'OPENSEARCH_SERVERLESS',
        opensearchServerlessConfiguration: { collectionArn: `arn:aws:aoss:us-east-1:${ACCOUNT}:collection/faq`, vectorIndexName: 'index', fieldMapping: { vectorField: 'v', textField: 't', metadataField: 'm' } },
      },
    }))).knowledgeBase!;
    const gatewayIdentifier = await createGateway('kb-tools');
    const create = (name: string, targetConfiguration: TargetConfiguration, credentialProviderConfigurations: CredentialProviderConfiguration[] = GATEWAY_ROLE) =>
      agentcore.send(new CreateGatewayTargetCommand({ gatewayIdentifier, name, targetConfiguration, credentialProviderConfigurations }));

    const found = await create(`kb-${kb.knowledgeBaseId}`, knowledgeBaseConnector(kb.knowledgeBaseId!));
    expect(found.status).toBe('CREATING');
    const ready = await targetIn(gatewayIdentifier, found.targetId!, 'READY');
    expect(ready.targetConfiguration).toEqual(knowledgeBaseConnector(kb.knowledgeBaseId!));
    expect(ready.statusReasons ?? []).toEqual([]);

    const missing = await create('kb-missing', knowledgeBaseConnector('NOSUCHKB01'));
    expect(missing.status).toBe('CREATING');
    const failed = await targetIn(gatewayIdentifier, missing.targetId!, 'FAILED');
    expect(failed.statusReasons).toEqual([expect.stringMatching(/^Knowledge base NOSUCHKB01 could not be validated: GetKnowledgeBase failed with ResourceNotFoundException/)]);
    // Fixed by an update: checked again.
    const update = (targetId: string, name: string, knowledgeBaseId: string) => agentcore.send(new UpdateGatewayTargetCommand({
      gatewayIdentifier, targetId, name, targetConfiguration: knowledgeBaseConnector(knowledgeBaseId), credentialProviderConfigurations: GATEWAY_ROLE,
    }));
    expect((await update(missing.targetId!, 'kb-missing', kb.knowledgeBaseId!)).status).toBe('UPDATING');
    expect((await targetIn(gatewayIdentifier, missing.targetId!, 'READY')).statusReasons ?? []).toEqual([]);
    // Broken by an update.
    await update(found.targetId!, `kb-${kb.knowledgeBaseId}`, 'NOSUCHKB02');
    expect((await targetIn(gatewayIdentifier, found.targetId!, 'UPDATE_UNSUCCESSFUL')).statusReasons?.[0]).toContain('NOSUCHKB02');

    // Refused at once: another credential provider, an unknown connector, Retrieve without its knowledge base.
    const otherCredentials = await failure(create('kb-caller', knowledgeBaseConnector(kb.knowledgeBaseId!), [{ credentialProviderType: 'CALLER_IAM_CREDENTIALS' }]));
    expect(otherCredentials).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(otherCredentials.message).toContain('Connector targets accept only GATEWAY_IAM_ROLE');
    const unknown = await failure(create('no-such-connector', { mcp: { connector: { source: { connectorId: 'no-such-connector' } } } }));
    expect(unknown).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(unknown.message).toContain("Unknown connector 'no-such-connector'");
    const noKb = await failure(create('kb-none', { mcp: { connector: { source: { connectorId: 'bedrock-knowledge-bases' }, configurations: [{ name: 'Retrieve', parameterValues: {} }] } } }));
    expect(noKb).toMatchObject({ name: 'ValidationException', status: 400 });
    expect((await agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier }))).items?.map((t) => t.name).sort()).toEqual([`kb-${kb.knowledgeBaseId}`, 'kb-missing']);
  });

  it('validates a Lambda target\'s inline tool definitions against ToolDefinition, and takes a function Lambda does not have', async () => {
    const gatewayIdentifier = await createGateway('lambda-tools');
    const lambdaTarget = (inlinePayload: unknown) => agentcore.send(new CreateGatewayTargetCommand({
      gatewayIdentifier, name: 'orders', targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema: { inlinePayload } } } } as never, credentialProviderConfigurations: GATEWAY_ROLE,
    }));
    const invalid = await failure(lambdaTarget([{ name: 'lookup_order', inputSchema: { properties: { orderId: { description: 'no type' } } } }]));
    expect(invalid).toMatchObject({ name: 'ValidationException', status: 400, reason: 'FieldValidationFailed' });
    const tool = 'targetConfiguration.mcp.lambda.toolSchema.inlinePayload.1.member';
    expect(invalid.message).toMatch(/^3 validation errors detected: /);
    expect(invalid.message).toContain(`Value null at '${tool}.description' failed to satisfy constraint: Member must not be null`);
    expect(invalid.message).toContain(`Value null at '${tool}.inputSchema.type' failed to satisfy constraint: Member must not be null`);
    expect(invalid.message).toContain(`Value null at '${tool}.inputSchema.properties.orderId.value.type' failed to satisfy constraint: Member must not be null`);
    const noSchema = await failure(lambdaTarget([{ name: 'lookup_order', description: 'Looks an order up.' }]));
    expect(noSchema.message).toContain(`Value null at '${tool}.inputSchema'`);
    const badType = await failure(lambdaTarget([{ name: 'lookup_order', description: 'Looks an order up.', inputSchema: { type: 'map' } }]));
    expect(badType.message).toContain(`at '${tool}.inputSchema.type' failed to satisfy constraint: Member must satisfy enum value set`);

    // No such function in the emulated Lambda: AWS accepts the target (the gateway finds out when it invokes).
    const valid = await lambdaTarget([{ name: 'lookup_order', description: 'Looks an order up.', inputSchema: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] } }]);
    expect((await targetIn(gatewayIdentifier, valid.targetId!, 'READY')).statusReasons ?? []).toEqual([]);
  });

  it('moves gateway targets through UPDATING and DELETING, and refuses DeleteGateway while the gateway has targets', async () => {
    const gatewayIdentifier = await createGateway('short-lived');
    const toolSchema = { inlinePayload: [{ name: 'lookup_order', description: 'Looks an order up.', inputSchema: { type: 'object' as const } }] };
    const request = { gatewayIdentifier, name: 'orders', targetConfiguration: { mcp: { lambda: { lambdaArn: LAMBDA, toolSchema } } }, credentialProviderConfigurations: GATEWAY_ROLE };
    const { targetId } = await agentcore.send(new CreateGatewayTargetCommand(request));
    await targetIn(gatewayIdentifier, targetId!, 'READY');

    expect((await agentcore.send(new UpdateGatewayTargetCommand({ ...request, targetId, description: 'orders, again' }))).status).toBe('UPDATING');
    expect((await agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }))).status).toBe('UPDATING');
    expect(await failure(agentcore.send(new UpdateGatewayTargetCommand({ ...request, targetId })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect((await targetIn(gatewayIdentifier, targetId!, 'READY')).description).toBe('orders, again');

    const hasTargets = await failure(agentcore.send(new DeleteGatewayCommand({ gatewayIdentifier })));
    expect(hasTargets).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(hasTargets.message).toBe(`Gateway with ID: ${gatewayIdentifier} has targets associated with it. Delete all targets before deleting the gateway.`);

    expect((await agentcore.send(new DeleteGatewayTargetCommand({ gatewayIdentifier, targetId }))).status).toBe('DELETING');
    expect((await agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId }))).status).toBe('DELETING');
    expect((await agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier }))).items?.map((t) => t.status)).toEqual(['DELETING']);
    // A target still DELETING is a target the gateway has.
    expect((await failure(agentcore.send(new DeleteGatewayCommand({ gatewayIdentifier })))).name).toBe('ValidationException');
    expect(await failure(agentcore.send(new UpdateGatewayTargetCommand({ ...request, targetId })))).toMatchObject({ name: 'ConflictException' });
    await gone('the target', () => agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId })));

    expect((await agentcore.send(new DeleteGatewayCommand({ gatewayIdentifier }))).status).toBe('DELETING');
    expect((await agentcore.send(new GetGatewayCommand({ gatewayIdentifier }))).status).toBe('DELETING');
    expect(await failure(agentcore.send(new CreateGatewayTargetCommand(request)))).toMatchObject({ name: 'ConflictException', status: 409 });
    await gone('the gateway', () => agentcore.send(new GetGatewayCommand({ gatewayIdentifier })));
  });
});
