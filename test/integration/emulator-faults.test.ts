// Fault injection in the emulator (faults_ext.py, faults.ts): a rule makes matching requests fail
// with an error in the API's own wire format, which the AWS SDK classifies and retries as it
// would a real one. Only the emulator runs here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockAgentClient, ListAgentsCommand } from '@aws-sdk/client-bedrock-agent';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { clearFaults, injectFault, listFaults } from '../harness/emulator/faults.ts';
import { recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { zipArchive } from '../harness/zip.ts';

const trustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

let dir: string;
let emulator: Emulator;

/** Client settings; maxAttempts 1 turns the SDK's retries off, so every injected error is seen. */
const config = (maxAttempts?: number) => ({
  endpoint: emulator.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  ...(maxAttempts === undefined ? {} : { maxAttempts }),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-faults-'));
  emulator = await startEmulator(await ensureEmulator(), join(dir, 'moto.log'));
});

afterAll(async () => {
  await emulator?.process.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetAws(emulator.endpoint); // removes the fault rules too
});

async function createFunction(name: string): Promise<void> {
  const { Role } = await new IAMClient(config(1)).send(new CreateRoleCommand({ RoleName: `${name}-role`, AssumeRolePolicyDocument: trustPolicy }));
  await new LambdaClient(config(1)).send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: Role!.Arn!,
    Code: { ZipFile: zipArchive({ 'index.mjs': 'export const handler = async () => "hi";\n' }) },
  }));
}

describe('emulator fault injection', () => {
  it('throttles IAM CreateRole as many times as the rule says, in IAM\'s query-protocol format', async () => {
    const rule = await injectFault(emulator.endpoint, { service: 'iam', operation: 'CreateRole', status: 400, code: 'Throttling', count: 2 });
    expect(rule).toMatchObject({ service: 'iam', operation: 'CreateRole', status: 400, code: 'Throttling', message: 'Rate exceeded', count: 2, remaining: 2, failed: 0 });
    const iam = new IAMClient(config(1));
    const create = () => iam.send(new CreateRoleCommand({ RoleName: 'throttled', AssumeRolePolicyDocument: trustPolicy }));

    for (let i = 0; i < 2; i++) {
      await expect(create()).rejects.toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    }
    const { Role } = await create();

    expect(Role?.RoleName).toBe('throttled');
    expect(await listFaults(emulator.endpoint)).toEqual([{ ...rule, remaining: 0, failed: 2 }]);
  });

  it('is absorbed by the SDK\'s own retries', async () => {
    await injectFault(emulator.endpoint, { service: 'iam', operation: 'CreateRole', status: 400, code: 'Throttling' });

    const created = await new IAMClient(config()).send(new CreateRoleCommand({ RoleName: 'retried', AssumeRolePolicyDocument: trustPolicy }));

    expect(created.Role?.RoleName).toBe('retried');
    expect(created.$metadata.attempts).toBe(2);
    expect((await listFaults(emulator.endpoint))[0]).toMatchObject({ remaining: 0, failed: 1 });
  });

  it('fails Lambda GetFunction with a 503 in REST-JSON, which the SDK treats as a server error and retries', async () => {
    await createFunction('flaky');
    await injectFault(emulator.endpoint, { service: 'lambda', operation: 'GetFunction', status: 503, code: 'ServiceUnavailable', message: 'try later', count: 2 });

    await expect(new LambdaClient(config(1)).send(new GetFunctionCommand({ FunctionName: 'flaky' })))
      .rejects.toMatchObject({ name: 'ServiceUnavailable', message: 'try later', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    // Another operation of the same function is left alone.
    expect((await new LambdaClient(config(1)).send(new GetFunctionConfigurationCommand({ FunctionName: 'flaky' }))).FunctionName).toBe('flaky');
    const found = await new LambdaClient(config()).send(new GetFunctionCommand({ FunctionName: 'flaky' }));

    expect(found.Configuration?.FunctionName).toBe('flaky');
    expect(found.$metadata.attempts).toBe(2);
  });

  it('matches Lambda\'s modeled throttling error, and requests by "METHOD /path" prefix', async () => {
    await injectFault(emulator.endpoint, { service: 'lambda', operation: 'GET /2015-03-31/functions', status: 429, code: 'TooManyRequestsException' });

    await expect(new LambdaClient(config(1)).send(new ListFunctionsCommand({})))
      .rejects.toMatchObject({ name: 'TooManyRequestsException', message: 'Rate exceeded', Type: 'User', $metadata: { httpStatusCode: 429 } });
    expect((await new LambdaClient(config(1)).send(new ListFunctionsCommand({}))).Functions).toEqual([]);
  });

  it('throttles Bedrock Agent and STS calls in their own formats', async () => {
    await injectFault(emulator.endpoint, { service: 'bedrock-agent', operation: 'ListAgents', status: 429, code: 'ThrottlingException' });
    await injectFault(emulator.endpoint, { service: 'sts', status: 400, code: 'Throttling' });

    await expect(new BedrockAgentClient(config(1)).send(new ListAgentsCommand({})))
      .rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
    await expect(new STSClient(config(1)).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
    expect((await listFaults(emulator.endpoint)).map((f) => f.failed)).toEqual([1, 1]);
  });

  it('leaves requests alone that a rule\'s service or operation does not match', async () => {
    await injectFault(emulator.endpoint, { service: 'iam', operation: 'DeleteRole', status: 500, code: 'ServiceFailure', count: -1 });
    await injectFault(emulator.endpoint, { service: 'lambda', status: 429, code: 'TooManyRequestsException', count: -1 });
    const iam = new IAMClient(config(1));

    await iam.send(new CreateRoleCommand({ RoleName: 'kept', AssumeRolePolicyDocument: trustPolicy }));
    expect((await iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toEqual(['kept']);
    for (let i = 0; i < 2; i++) {
      // IAM's error code ServiceFailure is the SDK's modeled ServiceFailureException.
      await expect(iam.send(new DeleteRoleCommand({ RoleName: 'kept' }))).rejects.toMatchObject({ name: 'ServiceFailureException', $fault: 'server' });
    }

    expect(await listFaults(emulator.endpoint)).toMatchObject([
      { operation: 'DeleteRole', count: -1, remaining: -1, failed: 2 },
      { service: 'lambda', operation: null, remaining: -1, failed: 0 },
    ]);
  });

  it('never faults the emulator\'s own /moto-api, and keeps recording the requests it faults', async () => {
    await startRecording(emulator.endpoint);
    await injectFault(emulator.endpoint, { status: 500, code: 'InternalFailure', count: -1 });
    await expect(new IAMClient(config(1)).send(new ListRolesCommand({}))).rejects.toMatchObject({ name: 'InternalFailure' });

    const data = await fetch(`${emulator.endpoint}/moto-api/data.json`);
    expect(data.status).toBe(200);
    expect((await recordedCalls(emulator.endpoint)).map((c) => c.operation)).toEqual(['ListRoles']);
  });

  it('lists, clears and validates rules; resetting the emulator removes them', async () => {
    const first = await injectFault(emulator.endpoint, { service: 'iam', status: 400, code: 'Throttling', count: 3 });
    const second = await injectFault(emulator.endpoint, { operation: 'ListFunctions', status: 503, code: 'ServiceUnavailable' });
    expect(await listFaults(emulator.endpoint)).toEqual([first, second]);
    expect(second).toMatchObject({ service: null, operation: 'ListFunctions', count: 1, remaining: 1, failed: 0 });
    expect(first.id).not.toBe(second.id);

    await clearFaults(emulator.endpoint);
    expect(await listFaults(emulator.endpoint)).toEqual([]);
    expect((await new IAMClient(config(1)).send(new ListRolesCommand({}))).Roles).toEqual([]);

    await expect(injectFault(emulator.endpoint, { status: 200, code: 'Throttling' })).rejects.toThrow(/HTTP 400 .*status must be an HTTP error status/);
    await expect(injectFault(emulator.endpoint, { status: 429, code: 'Throttling', count: 0 })).rejects.toThrow(/HTTP 400 .*count/);
    await injectFault(emulator.endpoint, { status: 429, code: 'Throttling' });
    await resetAws(emulator.endpoint);
    expect(await listFaults(emulator.endpoint)).toEqual([]);
  });
});
