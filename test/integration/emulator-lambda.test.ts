// The emulator's Lambda behaves as AWS does where moto alone does not (lambda_ext.py): the state
// machine (Pending, then Active; LastUpdateStatus InProgress, then Successful) and the conflicts
// it causes, AddPermission's statement-id conflicts and principal validation, code in S3 that must
// exist, an execution role that Lambda must be able to assume, SnapStart and versions, and code
// signing configurations (lambda_code_signing_ext.py). Only the emulator runs here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand, CreateCodeSigningConfigCommand, CreateFunctionCommand, DeleteCodeSigningConfigCommand, DeleteFunctionCodeSigningConfigCommand, GetCodeSigningConfigCommand,
  GetFunctionCodeSigningConfigCommand, PutFunctionCodeSigningConfigCommand, GetFunctionCommand, GetFunctionConfigurationCommand, GetPolicyCommand, LambdaClient,
  ListFunctionsCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand,
  type CreateFunctionRequest, type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { waitFor } from '../harness/wait.ts';
import { codeSha256, zipArchive } from '../harness/zip.ts';

const ACCOUNT = '123456789012';
/** Long enough for a test to see Pending and InProgress reliably; each transition costs this much. */
const DELAY_SECONDS = 2;
const TRANSITION_TIMEOUT_MS = 10_000;

const trustPolicy = (service: string) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});
const helloZip = zipArchive({ 'index.mjs': 'export const handler = async () => "hello";\n' });
const byeZip = zipArchive({ 'index.mjs': 'export const handler = async () => "bye";\n' });

/** Starts an emulator of its own with these settings (moto_server.py reads them from its environment). */
async function startEmulatorWith(dir: string, name: string, env: Record<string, string>): Promise<Emulator> {
  const python = await ensureEmulator();
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await startEmulator(python, join(dir, `${name}.log`));
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** SDK clients of one emulator; no SDK retries, so every error the emulator sends is seen. */
function clientsOf(endpoint: string) {
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });

  async function createRole(name: string, service = 'lambda.amazonaws.com'): Promise<string> {
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy(service) }));
    return Role!.Arn!;
  }

  async function createFunction(name: string, roleArn: string, request: Partial<CreateFunctionRequest> = {}): Promise<FunctionConfiguration> {
    return lambda.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: roleArn, Code: { ZipFile: helloZip }, ...request,
    }));
  }

  const configuration = async (name: string) => (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration!;

  /** Waits for the state machine to settle: State Active, LastUpdateStatus Successful. */
  const settled = (name: string) => waitFor(`${name} to be Active with its last update Successful`, async () => {
    const fn = await configuration(name);
    return fn.State === 'Active' && fn.LastUpdateStatus === 'Successful' ? fn : undefined;
  }, { timeoutMs: TRANSITION_TIMEOUT_MS });

  return { iam, lambda, s3, createRole, createFunction, configuration, settled };
}

let dir: string;
let emulator: Emulator;
let aws: ReturnType<typeof clientsOf>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-lambda-'));
  emulator = await startEmulatorWith(dir, 'moto', { MOTO_LAMBDA_DELAY_SECONDS: String(DELAY_SECONDS) });
  aws = clientsOf(emulator.endpoint);
});

afterAll(async () => {
  await emulator?.process.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetAws(emulator.endpoint);
});

describe('the emulated Lambda state machine', () => {
  it('creates a function Pending, which becomes Active', async () => {
    const role = await aws.createRole('fn-role');
    const created = await aws.createFunction('states', role);
    expect(created).toMatchObject({ State: 'Pending', StateReasonCode: 'Creating', StateReason: 'The function is being created.' });

    expect((await aws.configuration('states')).State).toBe('Pending');
    const active = await aws.settled('states');
    expect(active).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful' });
    expect(active.StateReasonCode).toBeUndefined();
    const listed = (await aws.lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
    expect(listed.map((fn) => [fn.FunctionName, fn.State])).toEqual([['states', 'Active']]);
  });

  it('refuses updates and PublishVersion while the function is Pending', async () => {
    const role = await aws.createRole('fn-role');
    await aws.createFunction('pending', role);

    const pending = { name: 'ResourceConflictException', message: 'The operation cannot be performed at this time. The function is currently in the following state: Pending' };
    await expect(aws.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'pending', Description: 'x' }))).rejects.toMatchObject(pending);
    await expect(aws.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'pending', ZipFile: byeZip }))).rejects.toMatchObject(pending);
    await expect(aws.lambda.send(new PublishVersionCommand({ FunctionName: 'pending' }))).rejects.toMatchObject(pending);

    await aws.settled('pending');
    const published = await aws.lambda.send(new PublishVersionCommand({ FunctionName: 'pending' }));
    expect(published.Version).toBe('1');
  });

  it('applies an update InProgress, refuses another one meanwhile, then reports it Successful', async () => {
    const role = await aws.createRole('fn-role');
    await aws.createFunction('updates', role);
    const before = await aws.settled('updates');

    const updated = await aws.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'updates', Description: 'second', Timeout: 9 }));
    expect(updated).toMatchObject({ State: 'Active', LastUpdateStatus: 'InProgress', LastUpdateStatusReasonCode: 'Creating', Description: 'second', Timeout: 9 });
    expect(updated.RevisionId).toBeDefined();
    expect(updated.RevisionId).not.toBe(before.RevisionId);
    expect((await aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'updates' }))).LastUpdateStatus).toBe('InProgress');

    const inProgress = {
      name: 'ResourceConflictException',
      message: `The operation cannot be performed at this time. An update is in progress for resource: ${before.FunctionArn}`,
    };
    await expect(aws.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'updates', ZipFile: byeZip }))).rejects.toMatchObject(inProgress);
    await expect(aws.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'updates', Timeout: 10 }))).rejects.toMatchObject(inProgress);
    await expect(aws.lambda.send(new PublishVersionCommand({ FunctionName: 'updates' }))).rejects.toMatchObject(inProgress);

    const done = await aws.settled('updates');
    expect(done).toMatchObject({ Description: 'second', Timeout: 9, RevisionId: updated.RevisionId });
  });

  it('reports the CodeSha256 of the zip after create and after a code update', async () => {
    const role = await aws.createRole('fn-role');
    const created = await aws.createFunction('code', role, { Architectures: ['x86_64'] });
    expect(created.CodeSha256).toBe(codeSha256(helloZip));
    await aws.settled('code');

    const updated = await aws.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code', ZipFile: byeZip, Architectures: ['arm64'] }));
    expect(updated).toMatchObject({ CodeSha256: codeSha256(byeZip), LastUpdateStatus: 'InProgress', Architectures: ['arm64'] });
    expect(await aws.settled('code')).toMatchObject({ CodeSha256: codeSha256(byeZip), Architectures: ['arm64'] });
  });

  it('keeps the configuration fields an update sets, and a reserved concurrency of 0', async () => {
    const role = await aws.createRole('fn-role');
    await aws.createFunction('config', role, { Tags: { team: 'ai' } });
    await aws.settled('config');

    const kms = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const dlq = `arn:aws:sqs:us-east-1:${ACCOUNT}:dead-letters`;
    await aws.lambda.send(new UpdateFunctionConfigurationCommand({
      FunctionName: 'config', EphemeralStorage: { Size: 1024 }, TracingConfig: { Mode: 'Active' }, KMSKeyArn: kms, DeadLetterConfig: { TargetArn: dlq },
    }));
    await aws.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'config', ReservedConcurrentExecutions: 0 }));

    const found = await aws.lambda.send(new GetFunctionCommand({ FunctionName: 'config' }));
    expect(found.Configuration).toMatchObject({ EphemeralStorage: { Size: 1024 }, TracingConfig: { Mode: 'Active' }, KMSKeyArn: kms, DeadLetterConfig: { TargetArn: dlq } });
    expect(found.Concurrency).toEqual({ ReservedConcurrentExecutions: 0 });
    expect(found.Tags).toEqual({ team: 'ai' });

    await aws.settled('config');
    await aws.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'config', KMSKeyArn: '', DeadLetterConfig: { TargetArn: '' } }));
    const cleared = await aws.configuration('config');
    expect(cleared.KMSKeyArn).toBeUndefined();
    expect(cleared.DeadLetterConfig).toBeUndefined();
  });

  it('keeps SnapStart, which published versions then have optimized, and PublishVersion answers the newest when nothing changed', async () => {
    const role = await aws.createRole('fn-role');
    await aws.createFunction('snappy', role);
    await aws.settled('snappy');
    await aws.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'snappy', SnapStart: { ApplyOn: 'PublishedVersions' } }));
    expect((await aws.configuration('snappy')).SnapStart).toEqual({ ApplyOn: 'PublishedVersions', OptimizationStatus: 'Off' });
    await aws.settled('snappy');
    const one = await aws.lambda.send(new PublishVersionCommand({ FunctionName: 'snappy' }));
    expect(one).toMatchObject({ Version: '1', SnapStart: { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' } });
    expect((await aws.lambda.send(new PublishVersionCommand({ FunctionName: 'snappy' }))).Version).toBe('1');
    await aws.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'snappy', SnapStart: { ApplyOn: 'None' } }));
    expect((await aws.configuration('snappy')).SnapStart?.ApplyOn ?? 'None').toBe('None');
  });
});

describe('the emulated code signing configurations', () => {
  it('creates one, links a function to it and back, and refuses one that does not exist or is in use', async () => {
    const role = await aws.createRole('fn-role');
    const { CodeSigningConfig } = await aws.lambda.send(new CreateCodeSigningConfigCommand({
      AllowedPublishers: { SigningProfileVersionArns: [`arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/team/abcdef1234`] },
      CodeSigningPolicies: { UntrustedArtifactOnDeployment: 'Enforce' },
    }));
    const arn = CodeSigningConfig!.CodeSigningConfigArn!;
    expect(arn).toMatch(new RegExp(`^arn:aws:lambda:us-east-1:${ACCOUNT}:code-signing-config:csc-[0-9a-f]{17}$`));
    expect((await aws.lambda.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: arn }))).CodeSigningConfig?.CodeSigningPolicies).toEqual({ UntrustedArtifactOnDeployment: 'Enforce' });
    await aws.createFunction('signed', role, { CodeSigningConfigArn: arn });
    expect(await aws.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }))).toMatchObject({ CodeSigningConfigArn: arn, FunctionName: 'signed' });
    await expect(aws.lambda.send(new DeleteCodeSigningConfigCommand({ CodeSigningConfigArn: arn }))).rejects.toMatchObject({ name: 'ResourceConflictException' });
    await aws.lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }));
    expect((await aws.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }))).CodeSigningConfigArn).toBe('');
    await aws.lambda.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: 'signed', CodeSigningConfigArn: arn }));
    const missing = `arn:aws:lambda:us-east-1:${ACCOUNT}:code-signing-config:csc-00000000000000000`;
    await expect(aws.lambda.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: 'signed', CodeSigningConfigArn: missing }))).rejects.toMatchObject({ name: 'CodeSigningConfigNotFoundException' });
    await expect(aws.createFunction('unsigned', role, { CodeSigningConfigArn: missing })).rejects.toMatchObject({ name: 'CodeSigningConfigNotFoundException' });
  });
});

describe('the emulated AddPermission', () => {
  const invoke = { Action: 'lambda:InvokeFunction' };

  it('refuses a statement ID the policy already has', async () => {
    const role = await aws.createRole('fn-role');
    await aws.createFunction('perms', role);
    await aws.lambda.send(new AddPermissionCommand({ FunctionName: 'perms', StatementId: 'agents', Principal: 'bedrock.amazonaws.com', ...invoke }));

    await expect(aws.lambda.send(new AddPermissionCommand({ FunctionName: 'perms', StatementId: 'agents', Principal: 's3.amazonaws.com', ...invoke })))
      .rejects.toMatchObject({
        name: 'ResourceConflictException',
        message: 'The statement id (agents) provided already exists. Please provide a new statement id, or remove the existing statement.',
      });
    await aws.lambda.send(new AddPermissionCommand({ FunctionName: 'perms', StatementId: 'buckets', Principal: 's3.amazonaws.com', ...invoke }));
  });

  it('refuses a principal that is no account, IAM ARN or service', async () => {
    const role = await aws.createRole('fn-role');
    await aws.createFunction('principals', role);
    for (const principal of [`arn:aws:iam::${ACCOUNT}:nothing`, 'bedrock', 'not a principal', '12345']) {
      await expect(aws.lambda.send(new AddPermissionCommand({ FunctionName: 'principals', StatementId: 'bad', Principal: principal, ...invoke })))
        .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: 'The provided principal was invalid. Please check the principal and try again.' });
    }
  });

  it('stores valid principals as AWS does, with their conditions', async () => {
    const role = await aws.createRole('fn-role');
    await aws.createFunction('stored', role);
    const agentArn = `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/AGENT12345`;
    const permissions = [
      { StatementId: 'any', Principal: '*' },
      { StatementId: 'account', Principal: '210987654321' },
      { StatementId: 'role', Principal: `arn:aws:iam::${ACCOUNT}:role/caller` },
      { StatementId: 'agent', Principal: 'bedrock.amazonaws.com', SourceArn: agentArn, SourceAccount: ACCOUNT },
    ];
    for (const p of permissions) await aws.lambda.send(new AddPermissionCommand({ FunctionName: 'stored', ...invoke, ...p }));

    const policy = JSON.parse((await aws.lambda.send(new GetPolicyCommand({ FunctionName: 'stored' }))).Policy!) as { Statement: Record<string, unknown>[] };
    expect(Object.fromEntries(policy.Statement.map((s) => [s.Sid, s.Principal]))).toEqual({
      any: '*',
      account: { AWS: 'arn:aws:iam::210987654321:root' },
      role: { AWS: `arn:aws:iam::${ACCOUNT}:role/caller` },
      agent: { Service: 'bedrock.amazonaws.com' },
    });
    expect(policy.Statement.find((s) => s.Sid === 'agent')?.Condition).toEqual({
      ArnLike: { 'AWS:SourceArn': agentArn },
      StringEquals: { 'AWS:SourceAccount': ACCOUNT },
    });
  });
});

describe('the emulated code in S3', () => {
  const codeError = (code: string, message: string) => ({
    name: 'InvalidParameterValueException',
    message: `Error occurred while GetObject. S3 Error Code: ${code}. S3 Error Message: ${message}`,
  });

  it('creates a function from an S3 object, with the CodeSha256 of its bytes', async () => {
    const role = await aws.createRole('fn-role');
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'code' }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'code', Key: 'hello.zip', Body: helloZip }));

    const created = await aws.createFunction('from-s3', role, { Code: { S3Bucket: 'code', S3Key: 'hello.zip' } });
    expect(created.CodeSha256).toBe(codeSha256(helloZip));
  });

  it('refuses code whose bucket, key or version does not exist', async () => {
    const role = await aws.createRole('fn-role');
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'code' }));
    await expect(aws.createFunction('no-key', role, { Code: { S3Bucket: 'code', S3Key: 'missing.zip' } }))
      .rejects.toMatchObject(codeError('NoSuchKey', 'The specified key does not exist.'));
    await expect(aws.createFunction('no-bucket', role, { Code: { S3Bucket: 'no-such-bucket', S3Key: 'hello.zip' } }))
      .rejects.toMatchObject(codeError('NoSuchBucket', 'The specified bucket does not exist'));
    await expect(aws.configuration('no-key')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    await aws.createFunction('zip', role);
    await aws.settled('zip');
    await expect(aws.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'zip', S3Bucket: 'code', S3Key: 'missing.zip' })))
      .rejects.toMatchObject(codeError('NoSuchKey', 'The specified key does not exist.'));
    expect((await aws.configuration('zip')).LastUpdateStatus).toBe('Successful');
  });

  it('deploys the object version asked for', async () => {
    const role = await aws.createRole('fn-role');
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'versioned' }));
    await aws.s3.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    const { VersionId: first } = await aws.s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'fn.zip', Body: helloZip }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'fn.zip', Body: byeZip }));

    const created = await aws.createFunction('versioned', role, { Code: { S3Bucket: 'versioned', S3Key: 'fn.zip', S3ObjectVersion: first } });
    expect(created.CodeSha256).toBe(codeSha256(helloZip));
    await aws.settled('versioned');
    await expect(aws.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'versioned', S3Bucket: 'versioned', S3Key: 'fn.zip', S3ObjectVersion: 'nope' })))
      .rejects.toMatchObject(codeError('NoSuchVersion', 'The specified version does not exist.'));
  });
});

describe('the emulated execution role', () => {
  const cannotBeAssumed = { name: 'InvalidParameterValueException', message: 'The role defined for the function cannot be assumed by Lambda.' };

  it('must exist and trust lambda.amazonaws.com', async () => {
    await expect(aws.createFunction('no-role', `arn:aws:iam::${ACCOUNT}:role/does-not-exist`)).rejects.toMatchObject(cannotBeAssumed);
    const ec2Role = await aws.createRole('ec2-role', 'ec2.amazonaws.com');
    await expect(aws.createFunction('ec2-role', ec2Role)).rejects.toMatchObject(cannotBeAssumed);

    await aws.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ec2-role', PolicyDocument: trustPolicy('lambda.amazonaws.com') }));
    await aws.createFunction('ec2-role', ec2Role);
  });

  it('is checked again when an update changes it', async () => {
    const role = await aws.createRole('fn-role');
    await aws.createFunction('role-update', role);
    await aws.settled('role-update');
    const ec2Role = await aws.createRole('ec2-role', 'ec2.amazonaws.com');

    await expect(aws.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'role-update', Role: ec2Role }))).rejects.toMatchObject(cannotBeAssumed);
    expect(await aws.configuration('role-update')).toMatchObject({ Role: role, LastUpdateStatus: 'Successful' });
    const other = await aws.createRole('other-role');
    expect(await aws.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'role-update', Role: other }))).toMatchObject({ Role: other });
  });

  it('cannot be assumed until IAM has propagated a new role (MOTO_IAM_PROPAGATION_SECONDS)', async () => {
    const slowIam = await startEmulatorWith(dir, 'moto-propagation', { MOTO_IAM_PROPAGATION_SECONDS: '2', MOTO_LAMBDA_DELAY_SECONDS: '0' });
    try {
      const slow = clientsOf(slowIam.endpoint);
      const role = await slow.createRole('new-role');
      await expect(slow.createFunction('early', role)).rejects.toMatchObject(cannotBeAssumed);

      const created = await waitFor('the new role to be usable by Lambda', () => slow.createFunction('early', role), { timeoutMs: 10_000, intervalMs: 250 });
      expect(created).toMatchObject({ FunctionName: 'early', State: 'Active' });
    } finally {
      await slowIam.process.stop();
    }
  });
});
