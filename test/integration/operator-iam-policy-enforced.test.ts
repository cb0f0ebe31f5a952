// The operator's IAM policy (policies/operator-iam-policy.json) enforced in the test bed: the
// emulator's authorizing front authorizes every request signed with the operator's access key
// against it, with the project's evaluator, and refuses as AWS does, in each API's wire format.
// Requests of the tests' own key stay unrestricted. With the operator running, a permission taken
// out of its policy shows in the resource's Synced condition, naming the action; put back, the
// resource becomes Ready.
import {
  AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, DeleteRolePermissionsBoundaryCommand, GetPolicyCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { BedrockAgentClient, GetKnowledgeBaseCommand, ListAgentsCommand } from '@aws-sdk/client-bedrock-agent';
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient, ListFunctionsCommand, ListLayersCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { operatorPolicy } from '../harness/emulator/authorizer/operator-identity.ts';
import { withoutActions } from '../harness/emulator/authorizer/authorizer.ts';
import { kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { condition, Resources } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';
import { zipArchive } from '../harness/zip.ts';

const ACCOUNT = '123456789012';
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/bedrock-forge-operator/testbed`;
const LAMBDA_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const ZIP = zipArchive({ 'app.py': 'def handler(event, context):\n    return {}\n' });

let stack: Stack;
let operator: RunningOperator | undefined;
/** Clients signing with the operator's access key, and with the tests' own. */
let asOperator: { iam: IAMClient; lambda: LambdaClient; bedrock: BedrockAgentClient; sts: STSClient };
let asTests: { iam: IAMClient; lambda: LambdaClient; s3: S3Client };

beforeAll(async () => {
  stack = await startStack();
  const aws = (accessKeyId: string, secretAccessKey: string) => ({ endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  const operatorAws = aws(stack.operatorEnv.AWS_ACCESS_KEY_ID!, stack.operatorEnv.AWS_SECRET_ACCESS_KEY!);
  asOperator = { iam: new IAMClient(operatorAws), lambda: new LambdaClient(operatorAws), bedrock: new BedrockAgentClient(operatorAws), sts: new STSClient(operatorAws) };
  const testsAws = aws('testing', 'testing');
  asTests = { iam: new IAMClient(testsAws), lambda: new LambdaClient(testsAws), s3: new S3Client({ ...testsAws, forcePathStyle: true }) };
});
afterEach(async () => {
  await stack.authorizer!.restoreOperatorPolicy();
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

/** The error a call fails with (it must fail). */
async function refusal(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('the call was not refused');
}

const policyFor = (name: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${name}` }] });

describe('the operator\'s requests, authorized against its IAM policy', () => {
  it('IAM (query protocol): roles only with the boundary, which is never removed; AccessDenied as AWS writes it', async () => {
    const { iam } = asOperator;
    await iam.send(new CreateRoleCommand({ RoleName: 'bounded', AssumeRolePolicyDocument: LAMBDA_TRUST, PermissionsBoundary: stack.permissionsBoundaryArn, Tags: [{ Key: 'Team', Value: 'ai' }] }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'bounded', PolicyName: 'logs', PolicyDocument: policyFor('bounded') }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(stack.permissionsBoundaryArn);

    const unbounded = await refusal(iam.send(new CreateRoleCommand({ RoleName: 'unbounded', AssumeRolePolicyDocument: LAMBDA_TRUST })));
    expect([unbounded.name, unbounded.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 403]);
    expect(unbounded.message).toBe(`User: ${SESSION} is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${ACCOUNT}:role/unbounded because no identity-based policy allows the iam:CreateRole action`);
    await expect(asTests.iam.send(new GetRoleCommand({ RoleName: 'unbounded' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });

    const removal = await refusal(iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'bounded' })));
    expect([removal.name, removal.message]).toEqual(['AccessDenied',
      `User: ${SESSION} is not authorized to perform: iam:DeleteRolePermissionsBoundary on resource: arn:aws:iam::${ACCOUNT}:role/bounded with an explicit deny in an identity-based policy`]);

    // A role someone else made without the boundary: the operator may not change its permissions
    // (iam:PermissionsBoundary is the role's current boundary), while the tests' own key may.
    await asTests.iam.send(new CreateRoleCommand({ RoleName: 'foreign', AssumeRolePolicyDocument: LAMBDA_TRUST, Path: '/org/' }));
    const foreign = await refusal(iam.send(new PutRolePolicyCommand({ RoleName: 'foreign', PolicyName: 'logs', PolicyDocument: policyFor('foreign') })));
    expect(foreign.message).toBe(`User: ${SESSION} is not authorized to perform: iam:PutRolePolicy on resource: arn:aws:iam::${ACCOUNT}:role/org/foreign because no identity-based policy allows the iam:PutRolePolicy action`);
    await asTests.iam.send(new PutRolePolicyCommand({ RoleName: 'foreign', PolicyName: 'logs', PolicyDocument: policyFor('foreign') }));

    // Deleting a role takes it out of its instance profiles first, which IAM authorizes on the profile.
    await asTests.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'profile', Path: '/ec2/' }));
    await asTests.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'profile', RoleName: 'bounded' }));
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'profile', RoleName: 'bounded' }));

    // Managed policies, AWS's (account "aws") and the account's, are read by their ARN.
    for (const PolicyArn of ['arn:aws:iam::aws:policy/ReadOnlyAccess', stack.permissionsBoundaryArn]) {
      expect((await iam.send(new GetPolicyCommand({ PolicyArn }))).Policy?.Arn).toBe(PolicyArn);
    }

    // Tags in a create are authorized as iam:TagRole too.
    await stack.authorizer!.setOperatorPolicy(withoutActions(operatorPolicy(placeholders()), ['iam:TagRole']));
    const tagged = await refusal(iam.send(new CreateRoleCommand({ RoleName: 'tagged', AssumeRolePolicyDocument: LAMBDA_TRUST, PermissionsBoundary: stack.permissionsBoundaryArn, Tags: [{ Key: 'Team', Value: 'ai' }] })));
    expect(tagged.message).toBe(`User: ${SESSION} is not authorized to perform: iam:TagRole on resource: arn:aws:iam::${ACCOUNT}:role/tagged because no identity-based policy allows the iam:TagRole action`);
  });

  it('Lambda (REST-JSON): AccessDeniedException, PassRole of the execution role, S3 code, and tags only with lambda:ListTags', async () => {
    const { lambda } = asOperator;
    await asTests.iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: LAMBDA_TRUST }));
    const Role = `arn:aws:iam::${ACCOUNT}:role/fn-role`;
    const create = (FunctionName: string, Code: { ZipFile?: Uint8Array; S3Bucket?: string; S3Key?: string } = { ZipFile: ZIP }) =>
      lambda.send(new CreateFunctionCommand({ FunctionName, Runtime: 'python3.12', Handler: 'app.handler', Role, Code, Tags: { Team: 'ai' } }));
    await create('allowed');
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'allowed' }))).Tags).toEqual({ Team: 'ai' });

    // The operator never lists layers: its policy does not allow it.
    const list = await refusal(lambda.send(new ListLayersCommand({})));
    expect([list.name, list.$metadata?.httpStatusCode, list.message]).toEqual(['AccessDeniedException', 403,
      `User: ${SESSION} is not authorized to perform: lambda:ListLayers on resource: * because no identity-based policy allows the lambda:ListLayers action`]);
    expect((await asTests.lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toEqual(['allowed']);

    await stack.authorizer!.setOperatorPolicy(withoutActions(operatorPolicy(placeholders()), ['iam:PassRole']));
    const passRole = await refusal(create('no-pass-role'));
    expect([passRole.name, passRole.message]).toEqual(['AccessDeniedException',
      `User: ${SESSION} is not authorized to perform: iam:PassRole on resource: ${Role} because no identity-based policy allows the iam:PassRole action`]);

    await asTests.s3.send(new CreateBucketCommand({ Bucket: 'code' }));
    await asTests.s3.send(new PutObjectCommand({ Bucket: 'code', Key: 'app.zip', Body: ZIP }));
    await stack.authorizer!.setOperatorPolicy(withoutActions(operatorPolicy(placeholders()), ['s3:GetObject']));
    const s3 = await refusal(create('from-s3', { S3Bucket: 'code', S3Key: 'app.zip' }));
    // Lambda reads the code with the caller's permissions, and reports S3's refusal as invalid input.
    expect([s3.name, s3.$metadata?.httpStatusCode]).toEqual(['InvalidParameterValueException', 400]);
    expect(s3.message).toContain('please make sure your request credentials have permission to GetObject for code/app.zip');
    await stack.authorizer!.restoreOperatorPolicy();
    await create('from-s3', { S3Bucket: 'code', S3Key: 'app.zip' });

    await stack.authorizer!.setOperatorPolicy(withoutActions(operatorPolicy(placeholders()), ['lambda:ListTags']));
    const untagged = await lambda.send(new GetFunctionCommand({ FunctionName: 'allowed' }));
    expect(untagged.Configuration?.FunctionName).toBe('allowed');
    expect(untagged.Tags).toBeUndefined();
    expect(untagged.TagsError?.Message).toContain('lambda:ListTags on resource: arn:aws:lambda:us-east-1:123456789012:function:allowed');
  });

  it('bedrock-agent (REST-JSON): AccessDeniedException with its message member', async () => {
    const { bedrock } = asOperator;
    expect((await bedrock.send(new ListAgentsCommand({}))).agentSummaries).toEqual([]);
    const kb = await refusal(bedrock.send(new GetKnowledgeBaseCommand({ knowledgeBaseId: 'KB12345678' })));
    expect([kb.name, kb.$metadata?.httpStatusCode, kb.message]).toEqual(['AccessDeniedException', 403,
      `User: ${SESSION} is not authorized to perform: bedrock:GetKnowledgeBase on resource: arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KB12345678 because no identity-based policy allows the bedrock:GetKnowledgeBase action`]);
    await stack.authorizer!.setOperatorPolicy(withoutActions(operatorPolicy(placeholders()), ['bedrock:ListAgents']));
    await expect(bedrock.send(new ListAgentsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('bedrock:ListAgents on resource: *') });
  });

  it('STS: GetCallerIdentity needs no permission, even under an explicit deny', async () => {
    await stack.authorizer!.setOperatorPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
    expect((await asOperator.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
    await expect(asOperator.iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).rejects.toMatchObject({
      name: 'AccessDenied', message: expect.stringContaining('iam:GetRole on resource: arn:aws:iam::123456789012:role/bounded with an explicit deny'),
    });
  });

  it('logs every decision of the operator\'s requests, and none of the tests\' own', async () => {
    const before = (await stack.authorizer!.decisions()).at(-1)?.n ?? 0;
    await asTests.lambda.send(new ListLayersCommand({}));
    await refusal(asOperator.lambda.send(new ListLayersCommand({})));
    expect((await stack.authorizer!.decisions(before)).map((d) => [d.operation, d.action, d.resource, d.decision])).toEqual([
      ['lambda:ListLayers', 'lambda:ListLayers', '*', 'ImplicitDeny'],
    ]);
  });
});

describe('the operator running with a permission taken out of its policy', () => {
  beforeAll(async () => {
    await asTests.iam.send(new CreateRoleCommand({ RoleName: 'agents-fn-role', AssumeRolePolicyDocument: LAMBDA_TRUST }));
    operator = await startOperator(stack, ['--resync', '2', '--cluster-name', 'test']);
  });
  const k8s = () => new Resources(stack);

  it('says which permission is missing, and becomes Ready once it is given back', async () => {
    await stack.authorizer!.setOperatorPolicy(withoutActions(operatorPolicy(placeholders()), ['lambda:AddPermission', 'iam:PutRolePolicy']));
    await kubectlApply(stack, [
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: 'with-inline', namespace: 'default' },
        spec: {
          assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole' }] },
          inlinePolicies: [{ name: 'logs', policy: { version: '2012-10-17', statement: [{ effect: 'Allow', action: 'logs:CreateLogGroup', resource: '*' }] } }],
        },
      },
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: 'for-agents', namespace: 'default' },
        spec: { runtime: 'python3.12', handler: 'app.handler', iamRole: `arn:aws:iam::${ACCOUNT}:role/agents-fn-role`, code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } }, resourcePolicy: { allowBedrockAgents: true } },
      },
    ]);
    for (const [plural, name, action, resource] of [
      ['iamroles', 'with-inline', 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/with-inline`],
      ['lambdas', 'for-agents', 'lambda:AddPermission', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:for-agents`],
    ] as const) {
      const refused = await waitFor(`${plural} ${name} Synced=False naming ${action}`, async () => {
        const object = await k8s().get(plural, name);
        const synced = condition(object, 'Synced');
        return synced?.status === 'False' && synced.message?.includes(action) ? synced : undefined;
      }, { timeoutMs: 60_000 });
      expect(refused.message ?? '').toContain(`is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`);
    }
    await stack.authorizer!.restoreOperatorPolicy();
    await k8s().waitForCondition('iamroles', 'with-inline', 'Ready', 'True', { timeoutMs: 60_000 });
    await k8s().waitForCondition('lambdas', 'for-agents', 'Ready', 'True', { timeoutMs: 60_000 });
    expect((await stack.authorizer!.decisions()).filter((d) => d.decision !== 'Allow' && d.action === 'lambda:AddPermission').length).toBeGreaterThan(0);
  });

  it('bedrock:CreateAgent: a missing permission named, not a service role waiting to propagate; lambda:ListTags: not a function "of someone else"', async () => {
    await stack.authorizer!.setOperatorPolicy(withoutActions(operatorPolicy(placeholders()), ['bedrock:CreateAgent', 'lambda:ListTags']));
    await kubectlApply(stack, [
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'needs-create-agent', namespace: 'default' },
        spec: { foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0', instruction: 'You answer questions about orders, politely and briefly, in English.', iamRole: `arn:aws:iam::${ACCOUNT}:role/agents-fn-role` },
      },
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: 'needs-list-tags', namespace: 'default' },
        spec: { runtime: 'python3.12', handler: 'app.handler', iamRole: `arn:aws:iam::${ACCOUNT}:role/agents-fn-role`, code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } } },
      },
    ]);
    for (const [plural, name, action] of [['agents', 'needs-create-agent', 'bedrock:CreateAgent'], ['lambdas', 'needs-list-tags', 'lambda:ListTags']] as const) {
      const synced = await waitFor(`${plural} ${name} Synced=False naming ${action}`, async () => {
        const c = condition(await k8s().get(plural, name), 'Synced');
        return c?.status === 'False' && c.message?.includes(action) ? c : undefined;
      }, { timeoutMs: 60_000 });
      expect(synced.reason).toBe('ReconcileError');
      expect(synced.message).toContain('retrying with backoff');
    }
    await stack.authorizer!.restoreOperatorPolicy();
    await k8s().waitForCondition('lambdas', 'needs-list-tags', 'Ready', 'True', { timeoutMs: 60_000 });
    await k8s().waitForCondition('agents', 'needs-create-agent', 'Synced', 'True', { timeoutMs: 60_000 });
  });
});

function placeholders() {
  return { account: ACCOUNT, region: 'us-east-1', permissionsBoundaryArn: stack.permissionsBoundaryArn };
}
