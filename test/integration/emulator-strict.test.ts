// The emulator refuses what AWS refuses (iam_ext.py, lambda_ext.py, bedrock_agent_ext.py), with
// AWS's error code, HTTP status and message, seen from the JS SDK as the operator sees them; and
// next to each refusal, what AWS accepts still succeeds. The rules come from the data the operator
// reads too (src/iam/iam-rules.json, the IAM catalogue, src/aws/lambda/lambda-rules.json). Only
// the emulator runs here: no Kubernetes.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockAgentClient, CreateAgentActionGroupCommand, CreateAgentCommand, UpdateAgentActionGroupCommand, UpdateAgentCommand,
} from '@aws-sdk/client-bedrock-agent';
import {
  AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, GetPolicyVersionCommand, IAMClient, ListPoliciesCommand,
  PutRolePermissionsBoundaryCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand, type Policy,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, type CreateFunctionRequest } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { waitFor } from '../harness/wait.ts';
import { zipArchive } from '../harness/zip.ts';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const INSTRUCTION = 'You are a support assistant: look orders up and explain their status to customers.';

const iamRules = JSON.parse(readFileSync(join(repoRoot, 'src/iam/iam-rules.json'), 'utf8')) as {
  quotas: Record<'roleInlinePoliciesChars' | 'trustPolicyChars' | 'managedPoliciesPerRole', { default: number }>;
};
const lambdaRules = JSON.parse(readFileSync(join(repoRoot, 'src/aws/lambda/lambda-rules.json'), 'utf8')) as {
  deprecatedRuntimes: Array<{ identifier: string; blockCreate: string; blockUpdate: string }>;
  environment: { maxBytes: number };
};
const INLINE_LIMIT = iamRules.quotas.roleInlinePoliciesChars.default;
const TRUST_LIMIT = iamRules.quotas.trustPolicyChars.default;
const MANAGED_LIMIT = iamRules.quotas.managedPoliciesPerRole.default;

/**
 * What a failed call threw: the SDK's name for the error, the error code on the wire (IAM's query
 * protocol: <Error><Code>; REST-JSON: x-amzn-ErrorType, which is also the name), message and status.
 */
async function failure(call: Promise<unknown>): Promise<{ name: string; code: string; message: string; status: number | undefined }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number }; Error?: { Code?: string } };
    return { name: e.name, code: e.Error?.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded; it was expected to fail');
}

/** A document's size as IAM counts it: its characters, whitespace excluded. */
const iamSize = (document: string) => document.replace(/\s/g, '').length;

/** A JSON document of exactly `size` characters (whitespace excluded), padded through its statement's Sid. */
function sized(build: (sid: string) => object, size: number): string {
  const base = iamSize(JSON.stringify(build('')));
  if (size < base) throw new Error(`a document of this shape has at least ${base} characters`);
  const document = JSON.stringify(build('S'.repeat(size - base)));
  expect(iamSize(document)).toBe(size);
  return document;
}

const trustStatement = (extra: object = {}) => ({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', ...extra });
const trustPolicy = (extra: object = {}) => JSON.stringify({ Version: '2012-10-17', Statement: [trustStatement(extra)] });
const trustOfSize = (size: number) => sized((Sid) => ({ Version: '2012-10-17', Statement: [trustStatement({ Sid })] }), size);
const permissions = (extra: object = {}) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra });
const permissionsPolicy = (extra: object = {}) => JSON.stringify({ Version: '2012-10-17', Statement: [permissions(extra)] });
const permissionsOfSize = (size: number) => sized((Sid) => ({ Version: '2012-10-17', Statement: [permissions({ Sid })] }), size);

const helloZip = zipArchive({ 'index.mjs': 'export const handler = async () => "hello";\n' });
const today = new Date().toISOString().slice(0, 10);

let dir: string;
let emulator: Emulator;
let iam: IAMClient;
let lambda: LambdaClient;
let bedrock: BedrockAgentClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-strict-'));
  const saved = process.env.MOTO_LAMBDA_DELAY_SECONDS;
  process.env.MOTO_LAMBDA_DELAY_SECONDS = '0'; // functions are Active at once: updates need not wait
  try {
    emulator = await startEmulator(await ensureEmulator(), join(dir, 'moto.log'));
  } finally {
    if (saved === undefined) delete process.env.MOTO_LAMBDA_DELAY_SECONDS;
    else process.env.MOTO_LAMBDA_DELAY_SECONDS = saved;
  }
  // No SDK retries: every error the emulator sends is seen.
  const config = { endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };
  iam = new IAMClient(config);
  lambda = new LambdaClient(config);
  bedrock = new BedrockAgentClient(config);
});

afterAll(async () => {
  await emulator?.process.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetAws(emulator.endpoint);
});

const createRole = async (RoleName: string, AssumeRolePolicyDocument = trustPolicy(), extra: { PermissionsBoundary?: string } = {}) =>
  (await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument, ...extra }))).Role!;
const putRolePolicy = (RoleName: string, PolicyName: string, PolicyDocument: string) =>
  iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument }));

describe('the emulated IAM', () => {
  it('refuses inline policies of a role over 10,240 characters together, whitespace not counted (PutRolePolicy)', async () => {
    await createRole('inline');
    await putRolePolicy('inline', 'first', permissionsOfSize(6000));
    // Just at the limit, and pretty-printed: the whitespace is not counted.
    const rest = JSON.stringify(JSON.parse(permissionsOfSize(INLINE_LIMIT - 6000)), null, 8);
    expect(rest.length).toBeGreaterThan(INLINE_LIMIT - 6000);
    await putRolePolicy('inline', 'second', rest);

    const tooBig = { name: 'LimitExceededException', code: 'LimitExceeded', status: 409, message: `Maximum policy size of ${INLINE_LIMIT} bytes exceeded for role inline` };
    expect(await failure(putRolePolicy('inline', 'third', permissionsPolicy()))).toMatchObject(tooBig);
    expect(await failure(putRolePolicy('inline', 'second', permissionsOfSize(INLINE_LIMIT - 6000 + 1)))).toMatchObject(tooBig);
    // Replacing a policy by one of the same size counts it once.
    await putRolePolicy('inline', 'second', permissionsOfSize(INLINE_LIMIT - 6000));
  });

  it('refuses a trust policy over 2,048 characters (CreateRole, UpdateAssumeRolePolicy)', async () => {
    const quota = { name: 'LimitExceededException', code: 'LimitExceeded', status: 409, message: `Cannot exceed quota for ACLSizePerRole: ${TRUST_LIMIT}` };
    expect(await failure(createRole('big-trust', trustOfSize(TRUST_LIMIT + 1)))).toMatchObject(quota);
    await createRole('big-trust', JSON.stringify(JSON.parse(trustOfSize(TRUST_LIMIT)), null, 4));

    expect(await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'big-trust', PolicyDocument: trustOfSize(TRUST_LIMIT + 1) })))).toMatchObject(quota);
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'big-trust', PolicyDocument: trustOfSize(TRUST_LIMIT) }));
  });

  it('refuses a condition operator IAM does not know in every policy document', async () => {
    const invalid = (operator: string) => ({ name: 'MalformedPolicyDocumentException', code: 'MalformedPolicyDocument', status: 400, message: `Invalid Condition type : ${operator}` });
    const condition = (operator: string) => ({ Condition: { [operator]: { 'aws:SourceAccount': ACCOUNT } } });

    expect(await failure(createRole('conditions', trustPolicy(condition('StringEqual'))))).toMatchObject(invalid('StringEqual'));
    await createRole('conditions', trustPolicy(condition('StringEquals')));
    expect(await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'conditions', PolicyDocument: trustPolicy(condition('StringEqual')) }))))
      .toMatchObject(invalid('StringEqual'));
    expect(await failure(putRolePolicy('conditions', 'p', permissionsPolicy(condition('StringEqual'))))).toMatchObject(invalid('StringEqual'));
    expect(await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'p', PolicyDocument: permissionsPolicy(condition('StringEqual')) }))))
      .toMatchObject(invalid('StringEqual'));
    // IAM's operator names are case-sensitive, and Null takes no IfExists.
    for (const operator of ['stringEquals', 'NullIfExists', 'ForSomeValues:StringLike']) {
      expect(await failure(putRolePolicy('conditions', 'p', permissionsPolicy(condition(operator))))).toMatchObject(invalid(operator));
    }

    for (const operator of ['StringEqualsIgnoreCase', 'ForAnyValue:StringLike', 'ForAllValues:StringEquals', 'ArnLikeIfExists', 'Null', 'Bool']) {
      await putRolePolicy('conditions', 'p', permissionsPolicy(condition(operator)));
    }
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'conditions', PolicyDocument: trustPolicy(condition('StringEqualsIfExists')) }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'p', PolicyDocument: permissionsPolicy(condition('DateGreaterThan')) }));
  });

  it('refuses a trust policy action that is not an sts action on a role', async () => {
    const notTrust = { name: 'MalformedPolicyDocumentException', code: 'MalformedPolicyDocument', status: 400, message: 'AssumeRole policy may only specify STS AssumeRole actions.' };
    expect(await failure(createRole('trust-actions', trustPolicy({ Action: 'sts:AssumeRoles' })))).toMatchObject(notTrust);
    expect(await failure(createRole('trust-actions', trustPolicy({ Action: ['sts:AssumeRole', 's3:GetObject'] })))).toMatchObject(notTrust);
    expect(await failure(createRole('trust-actions', trustPolicy({ Action: 'sts:GetCallerIdentity' })))).toMatchObject(notTrust);

    // The catalogue's trust actions, and wildcards that cover one, are accepted.
    await createRole('trust-actions', trustPolicy({ Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:SetContext'] }));
    expect(await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'trust-actions', PolicyDocument: trustPolicy({ Action: 'sts:AssumeRoles' }) }))))
      .toMatchObject(notTrust);
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'trust-actions', PolicyDocument: trustPolicy({ Action: 'sts:Assume*' }) }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'trust-actions', PolicyDocument: trustPolicy({ Action: 'sts:assumerole' }) }));
  });

  it('refuses a permissions boundary that does not exist (CreateRole, PutRolePermissionsBoundary)', async () => {
    const missing = `arn:aws:iam::${ACCOUNT}:policy/no-such-boundary`;
    const noScope = { name: 'NoSuchEntityException', code: 'NoSuchEntity', status: 404, message: `Scope ARN: ${missing} does not exist or is not attachable.` };
    expect(await failure(createRole('bounded', trustPolicy(), { PermissionsBoundary: missing }))).toMatchObject(noScope);

    const { Policy: boundary } = await iam.send(new CreatePolicyCommand({ PolicyName: 'boundary', PolicyDocument: permissionsPolicy() }));
    expect(await createRole('bounded', trustPolicy(), { PermissionsBoundary: boundary!.Arn })).toMatchObject({ PermissionsBoundary: { PermissionsBoundaryArn: boundary!.Arn } });
    expect(await failure(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: missing })))).toMatchObject(noScope);
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' }));
  });

  it('refuses an eleventh managed policy on a role (AttachRolePolicy)', async () => {
    await createRole('attached');
    const arns: string[] = [];
    for (let i = 0; i <= MANAGED_LIMIT; i++) {
      arns.push((await iam.send(new CreatePolicyCommand({ PolicyName: `managed-${i}`, PolicyDocument: permissionsPolicy() }))).Policy!.Arn!);
    }
    for (const arn of arns.slice(0, MANAGED_LIMIT)) await iam.send(new AttachRolePolicyCommand({ RoleName: 'attached', PolicyArn: arn }));
    expect(await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'attached', PolicyArn: arns[MANAGED_LIMIT] }))))
      .toMatchObject({ name: 'LimitExceededException', code: 'LimitExceeded', status: 409, message: `Cannot exceed quota for PoliciesPerRole: ${MANAGED_LIMIT}` });
    // Attaching one the role already has changes nothing, and is no eleventh.
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'attached', PolicyArn: arns[0] }));
  });

  it('accepts as an inline policy every AWS managed policy moto ships that is within the inline limit', async () => {
    const policies: Policy[] = [];
    let Marker: string | undefined;
    do {
      const page = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 1000, Marker }));
      policies.push(...(page.Policies ?? []));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);

    const refused: string[] = [];
    let within = 0;
    let over = 0;
    let largest = 0;
    const queue = [...policies];
    await Promise.all(Array.from({ length: 8 }, async (_, worker) => {
      await createRole(`managed-probe-${worker}`);
      for (let policy = queue.shift(); policy; policy = queue.shift()) {
        const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: policy.DefaultVersionId }));
        const raw = version.PolicyVersion!.Document!;
        const document = raw.startsWith('%7B') ? decodeURIComponent(raw) : raw; // AWS sends it URL-encoded
        const size = iamSize(document);
        if (size > INLINE_LIMIT) {
          over++;
          continue;
        }
        within++;
        largest = Math.max(largest, size);
        const result = await putRolePolicy(`managed-probe-${worker}`, 'probe', document).then(() => undefined, (e: Error) => `${policy.PolicyName}: ${e.name}: ${e.message}`);
        if (result) refused.push(result);
      }
    }));
    console.info(`AWS managed policies in the emulator: ${policies.length}; within ${INLINE_LIMIT} characters: ${within} (largest ${largest}); over: ${over}`);
    expect(policies.length).toBeGreaterThan(500);
    expect(within + over).toBe(policies.length);
    expect(refused).toEqual([]);
  }, 300_000);
});

describe('the emulated Lambda', () => {
  let role: string;
  beforeEach(async () => {
    role = (await createRole('fn-role')).Arn!;
  });

  const createFunction = (FunctionName: string, request: Partial<CreateFunctionRequest> = {}) => lambda.send(new CreateFunctionCommand({
    FunctionName, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: role, Code: { ZipFile: helloZip }, ...request,
  }));
  /** Waits until the function takes updates (State Active, no update in progress). */
  const ready = (FunctionName: string) => waitFor(`${FunctionName} to take updates`, async () =>
    lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName })).then(() => true, (e: Error) => e.name === 'ResourceConflictException' ? undefined : Promise.reject(e)),
  { timeoutMs: 10_000, intervalMs: 100 });

  it('refuses a runtime past its block-create date, and one past its block-update date on update', async () => {
    const message = (runtime: string) =>
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`;
    expect(await failure(createFunction('old', { Runtime: 'python2.7' }))).toMatchObject({ name: 'InvalidParameterValueException', status: 400, message: message('python2.7') });
    for (const runtime of lambdaRules.deprecatedRuntimes.filter((r) => r.blockCreate <= today).map((r) => r.identifier)) {
      expect((await failure(createFunction('old', { Runtime: runtime as CreateFunctionRequest['Runtime'] }))).message).toBe(message(runtime));
    }

    await createFunction('current');
    // Deprecated, but its block-create date is still to come: created.
    const notYetBlocked = lambdaRules.deprecatedRuntimes.find((r) => r.blockCreate > today);
    if (notYetBlocked) await createFunction('deprecated', { Runtime: notYetBlocked.identifier as CreateFunctionRequest['Runtime'] });

    await ready('current');
    expect(await failure(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'current', Runtime: 'python2.7' }))))
      .toMatchObject({ name: 'InvalidParameterValueException', status: 400, message: message('python2.7') });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'current', Runtime: 'python3.13', Handler: 'index.handler' }));
  });

  it('refuses ZipFile bytes that are not a zip (CreateFunction, UpdateFunctionCode)', async () => {
    const unzip = { name: 'InvalidParameterValueException', status: 400, message: 'Could not unzip uploaded file. Please check your file, then try to upload again.' };
    expect(await failure(createFunction('zip', { Code: { ZipFile: Buffer.from('export const handler = async () => "not zipped";\n') } }))).toMatchObject(unzip);
    const truncated = Buffer.from(helloZip).subarray(0, helloZip.length - 30);
    expect(await failure(createFunction('zip', { Code: { ZipFile: truncated } }))).toMatchObject(unzip);

    await createFunction('zip');
    await ready('zip');
    expect(await failure(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'zip', ZipFile: Buffer.from('PK but no archive') })))).toMatchObject(unzip);
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'zip', ZipFile: zipArchive({ 'index.mjs': 'export const handler = async () => "bye";\n' }) }));
  });

  it('refuses environment variables over 4 KB, measured as the JSON of the map', async () => {
    const max = lambdaRules.environment.maxBytes;
    const fill = max - JSON.stringify({ BIG: '' }).length;
    const atLimit = { BIG: 'x'.repeat(fill) };
    const overLimit = { BIG: 'x'.repeat(fill + 1) };
    const tooBig = await failure(createFunction('env', { Environment: { Variables: overLimit } }));
    expect(tooBig).toMatchObject({
      name: 'InvalidParameterValueException', status: 400,
      message: `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(overLimit)}`,
    });

    await createFunction('env', { Environment: { Variables: atLimit } });
    await ready('env');
    expect((await failure(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'env', Environment: { Variables: overLimit } })))).name)
      .toBe('InvalidParameterValueException');
  });

  it('refuses a reserved environment key', async () => {
    const reserved = (keys: string) => ({
      name: 'InvalidParameterValueException', status: 400,
      message: `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${keys}`,
    });
    expect(await failure(createFunction('reserved', { Environment: { Variables: { STAGE: 'prod', AWS_REGION: 'eu-west-1' } } }))).toMatchObject(reserved('AWS_REGION'));

    // TZ and LANG are Lambda's too, but not reserved.
    await createFunction('reserved', { Environment: { Variables: { STAGE: 'prod', TZ: 'Europe/Paris', LANG: 'fr_FR.UTF-8' } } });
    await ready('reserved');
    expect(await failure(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'reserved', Environment: { Variables: { _HANDLER: 'x' } } }))))
      .toMatchObject(reserved('_HANDLER'));
  });

  it('refuses an execution role of another account with a 403', async () => {
    expect(await failure(createFunction('cross', { Role: `arn:aws:iam::${OTHER_ACCOUNT}:role/fn-role` })))
      .toMatchObject({ name: 'AccessDeniedException', status: 403, message: 'Cross-account pass role is not allowed.' });
    expect(await createFunction('cross')).toMatchObject({ Role: `arn:aws:iam::${ACCOUNT}:role/fn-role` });
  });
});

describe('the emulated bedrock-agent', () => {
  const createAgent = async (agentName: string, agentResourceRoleArn = `arn:aws:iam::${ACCOUNT}:role/agent-role`) =>
    (await bedrock.send(new CreateAgentCommand({ agentName, foundationModel: MODEL, instruction: INSTRUCTION, agentResourceRoleArn }))).agent!;

  it('refuses an action group whose apiSchema payload is not an OpenAPI 3 document', async () => {
    const agent = await createAgent('schemas');
    const ids = { agentId: agent.agentId, agentVersion: 'DRAFT', actionGroupExecutor: { customControl: 'RETURN_CONTROL' as const } };
    const create = (actionGroupName: string, payload: string) => bedrock.send(new CreateAgentActionGroupCommand({ ...ids, actionGroupName, apiSchema: { payload } }));
    const refused = async (payload: string, why: string) => {
      const error = await failure(create('orders', payload));
      expect(error).toMatchObject({ name: 'ValidationException', status: 400 });
      expect(error.message).toContain('Failed to create OpenAPI 3 model from the JSON/YAML object that you provided for action: orders.');
      expect(error.message).toContain(why);
    };
    await refused(JSON.stringify({ swagger: '2.0', info: { title: 'orders', version: '1' }, paths: {} }), 'Swagger 2.0 is not OpenAPI 3');
    await refused('just some text', 'not a JSON/YAML object');
    await refused('openapi: 3.0.0\npaths: {}\n', "'info' is a required property");
    await refused('openapi: 3.0.0\ninfo: { title: orders, version: "1" }\npaths:\n  /orders:\n    get:\n      responses: 5\n', 'is not of type');
    await refused('{"openapi": "3.0.0", "info": {', 'neither JSON nor YAML');

    const yamlDoc = 'openapi: 3.0.0\ninfo: { title: orders, version: "1" }\npaths:\n  /orders/{id}:\n    get:\n      operationId: getOrder\n'
      + '      parameters:\n        - { name: id, in: path, required: true, schema: { type: string } }\n'
      + '      responses:\n        "200": { description: the order }\n';
    const group = (await create('orders', yamlDoc)).agentActionGroup!;
    const jsonDoc = JSON.stringify({ openapi: '3.0.0', info: { title: 'orders', version: '2' }, paths: {} });
    await create('orders-json', jsonDoc);

    const update = (payload: string) => bedrock.send(new UpdateAgentActionGroupCommand({ ...ids, actionGroupId: group.actionGroupId, actionGroupName: 'orders', apiSchema: { payload } }));
    expect(await failure(update('openapi: 2.0\n'))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect((await update(jsonDoc)).agentActionGroup?.apiSchema).toEqual({ payload: jsonDoc });
  });

  it('refuses a service role of another account with a 403 (CreateAgent, UpdateAgent)', async () => {
    const otherRole = `arn:aws:iam::${OTHER_ACCOUNT}:role/agent-role`;
    const crossAccount = { name: 'AccessDeniedException', status: 403, message: 'Cross-account pass role is not allowed.' };
    expect(await failure(createAgent('cross-account', otherRole))).toMatchObject(crossAccount);

    const agent = await createAgent('cross-account');
    const update = (agentResourceRoleArn: string) =>
      bedrock.send(new UpdateAgentCommand({ agentId: agent.agentId, agentName: 'cross-account', foundationModel: MODEL, instruction: INSTRUCTION, agentResourceRoleArn }));
    expect(await failure(update(otherRole))).toMatchObject(crossAccount);
    expect((await update(`arn:aws:iam::${ACCOUNT}:role/other-agent-role`)).agent?.agentResourceRoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/other-agent-role`);
  });
});
