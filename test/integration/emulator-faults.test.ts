// Fault injection in the emulator (faults_ext.py, faults.ts): a rule makes matching requests fail
// with an error in the API's own wire format, which the AWS SDK classifies and retries as it
// would a real one, or hang until the rule is removed. Only the emulator runs here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockAgentClient, ListAgentsCommand } from '@aws-sdk/client-bedrock-agent';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { clearFaults, injectFault, listFaults, type FaultRule } from '../harness/emulator/faults.ts';
import { recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { waitFor } from '../harness/wait.ts';
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

describe('emulator hang rules', () => {
  /** Resolves once the emulator holds this many requests in all; the rules' own counts say so. */
  const heldRequests = (n: number) => waitFor(`the emulator to hold ${n} request(s)`, async () => {
    const held = (await listFaults(emulator.endpoint)).reduce((sum, f) => sum + f.held, 0);
    return held === n ? held : undefined;
  }, { timeoutMs: 10_000, intervalMs: 50 });

  it('holds a matching request until the rule is removed, an AbortSignal ends the wait, other requests are answered meanwhile', async () => {
    await createFunction('hung');
    const rule = await injectFault(emulator.endpoint, { service: 'lambda', operation: 'GetFunction', hang: true, count: 2 });
    expect(rule).toMatchObject({ hang: true, status: 503, code: 'ServiceUnavailable', count: 2, remaining: 2, failed: 0, held: 0 });
    const lambda = new LambdaClient(config(1));

    // Held until the rule goes: only clearFaults below ends it.
    const held = lambda.send(new GetFunctionCommand({ FunctionName: 'hung' })).then(
      (value) => ({ value }), (error: unknown) => ({ error }));
    await heldRequests(1);

    // The server thread that holds it blocks nothing else: other requests, to Lambda and IAM, are answered.
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toEqual(['hung']);
    expect((await new IAMClient(config(1)).send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toEqual(['hung-role']);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hung' }))).FunctionName).toBe('hung');

    // A call under a deadline, as the operator's reconcile makes them, ends when its signal fires.
    const started = Date.now();
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'hung' }), { abortSignal: AbortSignal.timeout(1000) }))
      .rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    // The emulator still holds both: a hung endpoint does not notice that the client gave up.
    expect(await listFaults(emulator.endpoint)).toEqual([{ ...rule, remaining: 0, failed: 2, held: 2 }]);

    await clearFaults(emulator.endpoint);

    // Released, the request held first is answered with the rule's error (it never reached the backend).
    expect(await held).toMatchObject({ error: { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } } });
    const found = await lambda.send(new GetFunctionCommand({ FunctionName: 'hung' }));
    expect(found.Configuration?.FunctionName).toBe('hung');
  });

  it('holds every matching request with count -1, answers them with the rule\'s error once POST /moto-api/reset removes it', async () => {
    await injectFault(emulator.endpoint, { service: 'iam', operation: 'CreateRole', hang: true, status: 500, code: 'ServiceFailure', count: -1 });
    const iam = new IAMClient(config(1));
    const create = (name: string) => iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy })).then(
      (value) => ({ value }), (error: unknown) => ({ error }));

    const calls = [create('first'), create('second'), create('third')];
    await heldRequests(3);
    expect(await listFaults(emulator.endpoint)).toMatchObject([{ hang: true, count: -1, remaining: -1, failed: 3, held: 3 }]);
    await resetAws(emulator.endpoint);

    for (const call of calls) {
      expect(await call).toMatchObject({ error: { name: 'ServiceFailureException', $fault: 'server', $metadata: { httpStatusCode: 500 } } });
    }
    // None of them created a role, and the rule is gone.
    expect((await iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
    expect(await listFaults(emulator.endpoint)).toEqual([]);
  });

  it('validates hang rules', async () => {
    await expect(injectFault(emulator.endpoint, { hang: 'yes' } as unknown as FaultRule)).rejects.toThrow(/HTTP 400 .*hang must be true or false/);
    await expect(injectFault(emulator.endpoint, { hang: true, status: 200 })).rejects.toThrow(/HTTP 400 .*status must be an HTTP error status/);
    await expect(injectFault(emulator.endpoint, { hang: false } as unknown as FaultRule)).rejects.toThrow(/HTTP 400 .*status/);
    expect(await injectFault(emulator.endpoint, { operation: 'ListFunctions', status: 429, code: 'TooManyRequestsException' }))
      .toMatchObject({ hang: false, held: 0 });
  });
});
