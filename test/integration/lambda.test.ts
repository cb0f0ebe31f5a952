// The Lambda controller against the real apiserver and the emulator: functions from every code
// source, one Lambda operation per changed aspect, drift reverted, reads only in steady state,
// execution roles named, late or generated, the resource-based policy with the Agents' statements,
// bad input, and deletion.
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand, CreateCodeSigningConfigCommand, DeleteFunctionCodeSigningConfigCommand, DeleteFunctionCommand, GetFunctionCodeSigningConfigCommand, GetFunctionCommand, GetPolicyCommand, LambdaClient, RemovePermissionCommand, TagResourceCommand,
  UpdateFunctionConfigurationCommand, type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIamPolicy } from '../../src/aws/iam/policy-json.ts';
import { isWrite, recordedCalls, startRecording, type RecordedCall } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { condition, Resources } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';
import { codeSha256, zipArchive } from '../harness/zip.ts';

const RESYNC_S = 1;
const ACCOUNT = '123456789012';
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let lambda: LambdaClient;
let iam: IAMClient;
let s3: S3Client;

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--cluster-name', 'test']);
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  lambda = new LambdaClient(aws);
  iam = new IAMClient(aws);
  s3 = new S3Client({ ...aws, forcePathStyle: true });
  k8s = new Resources(stack);
  // The execution role most functions here use.
  await kubectlApply(stack, [lambdaRole('fn-role')]);
  await k8s.waitForCondition('iamroles', 'fn-role', 'Ready', 'True');
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const APP = { 'app.py': 'def handler(event, context):\n    return {"ok": True}\n' };

function lambdaRole(name: string) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name, namespace: 'default' },
    spec: { assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole' }] } },
  };
}

function fn(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { runtime: 'python3.12', handler: 'app.handler', iamRole: 'fn-role', code: { inline: APP }, ...spec },
  };
}

const getFunction = (name: string) => lambda.send(new GetFunctionCommand({ FunctionName: name }));
const configurationOf = async (name: string): Promise<FunctionConfiguration> => (await getFunction(name)).Configuration!;
const policyOf = async (name: string) =>
  (JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: name })).catch(() => ({ Policy: '{"Statement":[]}' }))).Policy!) as { Statement: { Sid: string; Principal: unknown; Condition?: Record<string, Record<string, string>> }[] }).Statement;

/** Recorded Lambda calls that concern the function `name`. */
const callsFor = (calls: RecordedCall[], name: string) => calls.filter((c) => c.operation.includes(`/functions/${name}`) || c.operation.includes(`function:${name}`) || c.operation.includes(`function%3A${name}`));
const configUpdates = (calls: RecordedCall[]) => calls.filter((c) => /^PUT .*\/configuration$/.test(c.operation));
const codeUpdates = (calls: RecordedCall[]) => calls.filter((c) => /^PUT .*\/code$/.test(c.operation));

/** Waits until the Lambda is Ready for its current generation. */
async function waitReady(name: string) {
  return waitFor(`Lambda ${name} Ready for its generation`, async () => {
    const o = await k8s.get('lambdas', name);
    const ready = condition(o, 'Ready');
    return ready?.status === 'True' && ready.observedGeneration === (o.metadata as { generation?: number }).generation ? o : undefined;
  }, { timeoutMs: 30_000 });
}

/** Retries a direct change in the emulator while Lambda is still busy with the previous one. */
const whenIdle = (change: () => Promise<unknown>) => waitFor('Lambda to take the change', async () => { await change(); return true; }, { timeoutMs: 10_000 });

describe('Lambda controller', () => {
  it('reaches Ready from each code source: inline files, ConfigMap (once labelled), zip, S3 and container image', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'code-bucket' }));
    const s3Zip = zipArchive({ 'app.py': 'def handler(e, c): return 1\n' });
    await s3.send(new PutObjectCommand({ Bucket: 'code-bucket', Key: 'orders.zip', Body: s3Zip }));
    const zip = zipArchive({ 'app.py': 'def handler(e, c): return 2\n' });
    await kubectlApply(stack, [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-code', namespace: 'default' }, data: { 'app.py': 'x = 1\n', 'orders.py': 'y = 2\n' } },
      fn('from-inline', {}),
      fn('from-configmap', { code: { configMap: { name: 'cm-code', items: [{ key: 'app.py', path: 'app.py' }, { key: 'orders.py', path: 'lib/orders.py' }] } } }),
      fn('from-zip', { code: { zipFile: zip.toString('base64') } }),
      fn('from-s3', { code: { s3Bucket: 'code-bucket', s3Key: 'orders.zip' } }),
      fn('from-image', { packageType: 'Image', runtime: undefined, handler: undefined, code: { imageUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/orders:1` } }),
    ]);
    const expected: Record<string, string> = {
      'from-inline': codeSha256(zipArchive(APP)),
      'from-configmap': codeSha256(zipArchive({ 'app.py': 'x = 1\n', 'lib/orders.py': 'y = 2\n' })),
      'from-zip': codeSha256(zip),
      'from-s3': codeSha256(s3Zip),
    };
    // The operator watches only ConfigMaps labelled as Lambda code; an unlabelled one is named.
    const unlabelled = await k8s.waitForCondition('lambdas', 'from-configmap', 'Synced', 'False', { reason: 'ConfigMapNotLabelled' });
    expect(condition(unlabelled, 'Synced')?.message).toBe('ConfigMap default/cm-code (spec.code.configMap) lacks the label bedrockforge.io/lambda-code, so the operator does not watch it: run kubectl label configmap -n default cm-code bedrockforge.io/lambda-code=true');
    expect((await kubectl(stack, ['label', 'configmap', 'cm-code', 'bedrockforge.io/lambda-code=true'])).code).toBe(0);
    for (const name of ['from-inline', 'from-configmap', 'from-zip', 'from-s3', 'from-image']) {
      const ready = await waitReady(name);
      const configuration = await configurationOf(name);
      expect(ready.status?.arn).toBe(configuration.FunctionArn);
      expect(configuration.Role).toBe(`arn:aws:iam::${ACCOUNT}:role/fn-role`);
      if (expected[name]) expect([name, configuration.CodeSha256]).toEqual([name, expected[name]]);
    }
    expect((await getFunction('from-image')).Code?.ImageUri).toBe(`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/orders:1`);
  });

  it('sends one configuration update for a memory change and one code update for a changed file, nothing else', async () => {
    await kubectlApply(stack, [fn('one-change', {})]);
    await waitReady('one-change');
    await startRecording(stack.awsEndpoint);
    await kubectlApply(stack, [fn('one-change', { memorySize: 512 })]);
    await waitReady('one-change');
    expect((await configurationOf('one-change')).MemorySize).toBe(512);
    let calls = callsFor(await recordedCalls(stack.awsEndpoint), 'one-change');
    expect([configUpdates(calls).length, codeUpdates(calls).length]).toEqual([1, 0]);

    await startRecording(stack.awsEndpoint);
    const changed = { 'app.py': 'def handler(event, context):\n    return {"ok": False}\n' };
    await kubectlApply(stack, [fn('one-change', { memorySize: 512, code: { inline: changed } })]);
    await waitReady('one-change');
    expect((await configurationOf('one-change')).CodeSha256).toBe(codeSha256(zipArchive(changed)));
    calls = callsFor(await recordedCalls(stack.awsEndpoint), 'one-change');
    expect([configUpdates(calls).length, codeUpdates(calls).length]).toEqual([0, 1]);
  });

  it('deploys new code when the ConfigMap it comes from changes', async () => {
    const codeMap = (app: string) => ({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-changing', namespace: 'default', labels: { 'bedrockforge.io/lambda-code': 'true' } }, data: { 'app.py': app, 'orders.py': 'y = 2\n' },
    });
    await kubectlApply(stack, [codeMap('x = 1\n'), fn('from-changing-configmap', { code: { configMap: { name: 'cm-changing', items: [{ key: 'app.py', path: 'app.py' }, { key: 'orders.py', path: 'lib/orders.py' }] } } })]);
    await waitReady('from-changing-configmap');
    expect((await configurationOf('from-changing-configmap')).CodeSha256).toBe(codeSha256(zipArchive({ 'app.py': 'x = 1\n', 'lib/orders.py': 'y = 2\n' })));
    await kubectlApply(stack, [codeMap('x = 3\n')]);
    const sha = codeSha256(zipArchive({ 'app.py': 'x = 3\n', 'lib/orders.py': 'y = 2\n' }));
    await waitFor('the new ConfigMap content deployed', async () => ((await configurationOf('from-changing-configmap')).CodeSha256 === sha ? true : undefined), { timeoutMs: 15_000 });
  });

  it('reverts drift made directly in AWS within a resync, with an Event naming it', async () => {
    const FunctionName = 'drifting';
    await kubectlApply(stack, [fn(FunctionName, { memorySize: 256, environment: { MODE: 'prod' }, tags: { Team: 'ai' }, resourcePolicy: { allowBedrockAgents: true } })]);
    await waitReady(FunctionName);
    const drifts: { aspect: string; make: () => Promise<unknown>; reverted: () => Promise<boolean> }[] = [
      {
        aspect: 'environment',
        make: () => whenIdle(() => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, Environment: { Variables: { MODE: 'debug' } } }))),
        reverted: async () => (await configurationOf(FunctionName)).Environment?.Variables?.MODE === 'prod',
      },
      {
        aspect: 'memory',
        make: () => whenIdle(() => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, MemorySize: 1024 }))),
        reverted: async () => (await configurationOf(FunctionName)).MemorySize === 256,
      },
      {
        aspect: 'handler',
        make: () => whenIdle(() => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, Handler: 'other.handler' }))),
        reverted: async () => (await configurationOf(FunctionName)).Handler === 'app.handler',
      },
      {
        aspect: 'tags',
        make: async () => lambda.send(new TagResourceCommand({ Resource: (await configurationOf(FunctionName)).FunctionArn, Tags: { Team: 'someone-else' } })),
        reverted: async () => (await getFunction(FunctionName)).Tags?.Team === 'ai',
      },
      {
        aspect: 'resource policy',
        make: () => lambda.send(new RemovePermissionCommand({ FunctionName, StatementId: 'bedrock-agents-of-this-account' })),
        reverted: async () => (await policyOf(FunctionName)).some((s) => s.Sid === 'bedrock-agents-of-this-account'),
      },
      {
        aspect: 'resource policy',
        make: () => lambda.send(new AddPermissionCommand({ FunctionName, StatementId: 'by-hand', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })),
        reverted: async () => !(await policyOf(FunctionName)).some((s) => s.Sid === 'by-hand'),
      },
      {
        aspect: 'it had been deleted in AWS',
        make: () => lambda.send(new DeleteFunctionCommand({ FunctionName })),
        reverted: async () => (await configurationOf(FunctionName).catch(() => undefined))?.MemorySize === 256,
      },
    ];
    for (const drift of drifts) {
      const before = await k8s.events(FunctionName);
      await drift.make();
      await waitFor(`${drift.aspect} to be reverted`, async () => ((await drift.reverted()) ? true : undefined), { timeoutMs: RESYNC_S * 1000 * 3 + 10_000 });
      await k8s.waitForEvent(FunctionName, before, (e) => e.reason === 'DriftCorrected' && e.message?.includes(drift.aspect) === true);
    }
    await waitFor('the recreated function\'s policy', async () =>
      ((await policyOf(FunctionName)).map((s) => s.Sid).join() === 'bedrock-agents-of-this-account' ? true : undefined), { timeoutMs: 10_000 });
  });

  it('costs no AWS write and no status write over ten resyncs once Ready', async () => {
    await kubectlApply(stack, [fn('steady', { tags: { Team: 'ai' }, resourcePolicy: { allowBedrockAgents: true }, reservedConcurrency: 5 })]);
    const ready = await waitReady('steady');
    await startRecording(stack.awsEndpoint);
    // Each pass reads the resource policy (it has its own revision); the rest comes from the
    // account's ListFunctions while the function's RevisionId has not moved, with a full
    // GetFunction every tenth pass for the reserved concurrency no listing shows.
    const calls = await waitFor('ten resyncs of steady', async () => {
      const seen = callsFor(await recordedCalls(stack.awsEndpoint), 'steady');
      return seen.filter((c) => /^GET .*\/functions\/steady\/policy$/.test(c.operation)).length >= 10 ? seen : undefined;
    }, { timeoutMs: 60_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    expect(calls.filter((c) => /^GET .*\/functions\/steady$/.test(c.operation)).length).toBeLessThanOrEqual(2);
    expect((await k8s.get('lambdas', 'steady')).metadata.resourceVersion).toBe(ready.metadata.resourceVersion);
  });

  it('waits for a missing IAMRole with a clear reason, and converges once it is applied', async () => {
    await kubectlApply(stack, [fn('late', { iamRole: 'late-role' })]);
    const waiting = await k8s.waitForCondition('lambdas', 'late', 'Synced', 'False', { reason: 'WaitingForRole' });
    expect(condition(waiting, 'Synced')?.message).toContain('IAMRole default/late-role (spec.iamRole) does not exist yet');
    await kubectlApply(stack, [lambdaRole('late-role')]);
    await waitReady('late');
    expect((await configurationOf('late')).Role).toBe(`arn:aws:iam::${ACCOUNT}:role/late-role`);
  });

  it('converges when role and function come in one kubectl apply, in either order', async () => {
    await kubectlApply(stack, [fn('order-a', { iamRole: 'order-a-role' }), lambdaRole('order-a-role')]);
    await kubectlApply(stack, [lambdaRole('order-b-role'), fn('order-b', { iamRole: 'order-b-role' })]);
    await waitReady('order-a');
    await waitReady('order-b');
  });

  it('generates an execution role that trusts Lambda from this account and may write only its own logs', async () => {
    await kubectlApply(stack, [fn('generated', { iamRole: undefined })]);
    await waitReady('generated');
    const role = await k8s.get('iamroles', 'generated-execution-role');
    expect(role.metadata).toMatchObject({ ownerReferences: [expect.objectContaining({ kind: 'Lambda', name: 'generated', controller: true })] });
    const iamRole = (await iam.send(new GetRoleCommand({ RoleName: 'generated-execution' }))).Role!;
    expect((await configurationOf('generated')).Role).toBe(iamRole.Arn);
    expect(parseIamPolicy(iamRole.AssumeRolePolicyDocument!).Statement).toEqual([{
      Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    }]);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: 'generated-execution', PolicyName: 'FunctionPermissions' }));
    expect(parseIamPolicy(inline.PolicyDocument!).Statement).toEqual([
      { Sid: 'CreateOwnLogGroup', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/generated:*` },
      { Sid: 'WriteOwnLogStreams', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/generated:log-stream:*` },
    ]);
  });

  it('gives each Agent that uses the function a statement with its exact ARN, and takes it away with the Agent', async () => {
    await kubectlApply(stack, [fn('agent-tool', {})]);
    await waitReady('agent-tool');
    await kubectlApply(stack, [{
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'uses-tool', namespace: 'default' },
      spec: {
        foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0',
        instruction: 'You help customers look up their orders and nothing else.',
        actionGroups: [{ name: 'orders', actionGroupExecutor: { lambda: 'agent-tool' }, functionSchema: { functions: [{ name: 'lookup' }] } }],
      },
    }]);
    const agentArn = await waitFor('the agent\'s ARN', async () => (await k8s.get('agents', 'uses-tool')).status?.agentArn as string | undefined, { timeoutMs: 30_000 });
    const statement = await waitFor('the agent\'s statement', async () => (await policyOf('agent-tool')).find((s) => s.Sid === `bedrock-agent-${agentArn.split('/').pop()}`), { timeoutMs: 15_000 });
    expect(statement.Principal).toEqual({ Service: 'bedrock.amazonaws.com' });
    expect(statement.Condition).toEqual({ StringEquals: { 'AWS:SourceAccount': ACCOUNT }, ArnLike: { 'AWS:SourceArn': agentArn } });
    await kubectl(stack, ['delete', 'agent', 'uses-tool']);
    await waitFor('the agent\'s statement to go', async () => ((await policyOf('agent-tool')).length === 0 ? true : undefined), { timeoutMs: 15_000 });
  });

  it('ends bad input in a clear condition and one Event, with no hot loop and nothing else touched', async () => {
    // A bucket that exists, without the key the function names.
    await s3.send(new CreateBucketCommand({ Bucket: 'empty-bucket' }));
    await kubectlApply(stack, [fn('missing-code', { code: { s3Bucket: 'empty-bucket', s3Key: 'does-not-exist.zip' } })]);
    const failed = await k8s.waitForCondition('lambdas', 'missing-code', 'Synced', 'False');
    expect(condition(failed, 'Synced')?.message).toMatch(/Lambda refused the change: .*(S3|NoSuchKey|does-not-exist)/i);
    await startRecording(stack.awsEndpoint);
    await waitFor('three resync periods', async () => ((await recordedCalls(stack.awsEndpoint)).filter((c) => /^GET .*\/functions\/missing-code$/.test(c.operation)).length >= 3 ? true : undefined), { timeoutMs: 20_000 });
    const creates = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation === 'POST /2015-03-31/functions');
    expect(creates.length).toBeLessThanOrEqual(4);
    expect((await k8s.events('missing-code')).filter((e) => e.type === 'Warning')).toHaveLength(1);

    const refused = await kubectlApply(stack, [fn('image-for-zip', { code: { imageUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/x:1` } })]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('code.imageUri needs packageType: Image');

    await kubectlApply(stack, [fn('bad-principal', { resourcePolicy: { allowBedrockAgents: true, statements: [{ sid: 'Bad', principal: { aws: 'arn:aws:iam::123456789012:nothing' }, action: 'lambda:InvokeFunction' }] } })]);
    const bad = await k8s.waitForCondition('lambdas', 'bad-principal', 'Synced', 'False', { reason: 'InvalidParameterValue' });
    expect(condition(bad, 'Synced')?.message).toMatch(/principal/i);
    expect((await configurationOf('bad-principal')).State).toBeDefined();
  });

  it('deletes the function and its generated role, and keeps both with deletion policy retain', async () => {
    await kubectlApply(stack, [
      fn('doomed', { iamRole: undefined }),
      fn('kept', { iamRole: undefined }, { 'bedrockforge.io/deletion-policy': 'retain' }),
    ]);
    await waitReady('doomed');
    await waitReady('kept');
    expect((await kubectl(stack, ['delete', 'lambda', 'doomed', 'kept', '--wait=true', '--timeout=30s'])).code).toBe(0);
    await expect(getFunction('doomed')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await waitFor('the generated role of doomed to be deleted', async () =>
      (await iam.send(new GetRoleCommand({ RoleName: 'doomed-execution' })).then(() => undefined, (e: Error) => (e.name === 'NoSuchEntityException' ? true : undefined))), { timeoutMs: 15_000 });
    expect((await configurationOf('kept')).FunctionName).toBe('kept');
    // Kubernetes' garbage collector deletes the generated IAMRole with its owner; its role stays.
    expect((await k8s.get('iamroles', 'kept-execution-role')).metadata.annotations?.['bedrockforge.io/deletion-policy']).toBe('retain');
    await kubectl(stack, ['delete', 'iamrole', 'kept-execution-role', '--wait=true', '--timeout=30s']);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'kept-execution' }))).Role?.RoleName).toBe('kept-execution');
  });

  it('publishes a version after each change with publish, applies SnapStart to it, and then publishes nothing more', async () => {
    await kubectlApply(stack, [fn('versioned', { publish: true, snapStart: { applyOn: 'PublishedVersions' } })]);
    const first = await waitFor('version 1', async () => {
      const o = await waitReady('versioned');
      return o.status?.version === '1' ? o : undefined;
    }, { timeoutMs: 30_000 });
    expect((await configurationOf('versioned')).SnapStart).toMatchObject({ ApplyOn: 'PublishedVersions' });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' }))).Configuration?.SnapStart).toEqual({ ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' });
    // A changed configuration makes version 2, with it.
    await kubectlApply(stack, [fn('versioned', { publish: true, snapStart: { applyOn: 'PublishedVersions' }, timeout: 20 })]);
    await waitFor('version 2', async () => ((await k8s.get('lambdas', 'versioned')).status?.version === '2' ? true : undefined), { timeoutMs: 30_000 });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'versioned', Qualifier: '2' }))).Configuration?.Timeout).toBe(20);
    // In sync: reads only (each pass reads the resource policy; the versions only on a full read).
    await startRecording(stack.awsEndpoint);
    const calls = await waitFor('three resyncs of versioned', async () => {
      const seen = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes('/functions/versioned'));
      return seen.filter((c) => /^GET .*\/functions\/versioned\/policy$/.test(c.operation)).length >= 3 ? seen : undefined;
    }, { timeoutMs: 60_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    expect(first.status?.version).toBe('1');
  });

  it('applies an image function\'s overrides (imageConfig), and refuses them for a zip function', async () => {
    const image = (imageConfig: object) => fn('image-overrides', { packageType: 'Image', runtime: undefined, handler: undefined, code: { imageUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/orders:1` }, imageConfig });
    await kubectlApply(stack, [image({ command: ['app.handler'], workingDirectory: '/srv' })]);
    await waitReady('image-overrides');
    expect((await configurationOf('image-overrides')).ImageConfigResponse?.ImageConfig).toEqual({ Command: ['app.handler'], EntryPoint: [], WorkingDirectory: '/srv' });
    await kubectlApply(stack, [image({ entryPoint: ['/lambda-entrypoint.sh'] })]);
    await waitFor('the new overrides', async () => {
      const c = (await configurationOf('image-overrides')).ImageConfigResponse?.ImageConfig;
      return c?.EntryPoint?.[0] === '/lambda-entrypoint.sh' ? c : undefined;
    }, { timeoutMs: 30_000 });
    expect((await configurationOf('image-overrides')).ImageConfigResponse?.ImageConfig?.Command).toEqual([]);
    const refused = await kubectlApply(stack, [fn('zip-overrides', { imageConfig: { command: ['x'] } })]);
    expect(refused.stderr).toContain('imageConfig needs packageType: Image');
  });

  it('links the function to its code signing configuration, unlinks it when the spec drops it, and refuses one that does not exist', async () => {
    const { CodeSigningConfig } = await lambda.send(new CreateCodeSigningConfigCommand({
      AllowedPublishers: { SigningProfileVersionArns: [`arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/team/abcdef1234`] },
    }));
    const csc = CodeSigningConfig!.CodeSigningConfigArn!;
    const linkedTo = async () => (await lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }))).CodeSigningConfigArn;
    await kubectlApply(stack, [fn('signed', { codeSigningConfigArn: csc })]);
    expect((await waitReady('signed')).status?.codeSigningConfigArn).toBe(csc);
    expect(await linkedTo()).toBe(csc);
    // Unlinked by hand: linked again within a resync.
    await lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }));
    await waitFor('the link restored', async () => ((await linkedTo()) === csc ? true : undefined), { timeoutMs: 30_000 });
    // Dropped from the spec: unlinked.
    await kubectlApply(stack, [fn('signed', {})]);
    await waitFor('the link removed', async () => ((await linkedTo()) === '' ? true : undefined), { timeoutMs: 30_000 });
    await waitFor('status without it', async () => ((await k8s.get('lambdas', 'signed')).status?.codeSigningConfigArn === undefined ? true : undefined), { timeoutMs: 30_000 });
    // One that does not exist: Lambda's refusal in the condition.
    await kubectlApply(stack, [fn('unsigned', { codeSigningConfigArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:code-signing-config:csc-00000000000000000` })]);
    const refused = await k8s.waitForCondition('lambdas', 'unsigned', 'Synced', 'False', { reason: 'ResourceNotFound' });
    expect(condition(refused, 'Synced')?.message).toContain('code signing configuration cannot be found');
  });

  it('takes Bedrock Forge\'s spelling: role as {ref}, skipDestroy as retain, Terraform\'s own fields with no effect', async () => {
    const terraformOnly = { sourceCodeHash: 'abc123=', replaceSecurityGroupsOnDestroy: true, replacementSecurityGroupIds: ['sg-0123abcd'], timeouts: { create: '10m', delete: '1h30m' } };
    const applied = await kubectlApply(stack, [lambdaRole('forge-role'), fn('forge-spelling', { iamRole: undefined, role: { ref: 'forge-role' }, skipDestroy: true, ...terraformOnly })]);
    expect(applied.code, applied.stderr).toBe(0);
    await waitReady('forge-spelling');
    expect((await configurationOf('forge-spelling')).Role).toBe(`arn:aws:iam::${ACCOUNT}:role/forge-role`);
    // No role generated: the reference names one.
    await expect(k8s.get('iamroles', 'forge-spelling-execution-role')).rejects.toThrow();
    expect((await kubectl(stack, ['delete', 'lambda', 'forge-spelling', '--wait=true', '--timeout=30s'])).code).toBe(0);
    expect((await configurationOf('forge-spelling')).FunctionName).toBe('forge-spelling');
    // Both spellings of the role at once are refused at apply (role is typeless: OpenAPI's not says so, not CEL).
    const both = await kubectlApply(stack, [fn('two-roles', { iamRole: 'forge-role', role: 'forge-role' })]);
    expect(both.stderr).toContain('"spec" must not validate the schema (not)');
  });
});
