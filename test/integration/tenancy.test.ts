// The operator's guard rails for application teams, against the real apiserver and the emulator:
// with --permissions-boundary every role it makes (generated ones included) is bounded and an
// IAMRole asking for another boundary is refused; --adopt-namespaces keeps other namespaces from
// taking over roles the operator did not create; --external-role-arns keeps Lambdas and Agents
// from running as roles nobody granted them.
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BedrockAgentClient, ListAgentsCommand } from '@aws-sdk/client-bedrock-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORY_REASONS } from '../../src/api/reasons.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { condition, Resources } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';

const ACCOUNT = '123456789012';
// The test bed's boundary (a managed policy it creates in the account): the operator's IAM policy,
// which the emulator enforces, lets it create and change roles only with that boundary.
let BOUNDARY: string;
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let iam: IAMClient;
let lambda: LambdaClient;
let bedrock: BedrockAgentClient;

const LAMBDA_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

beforeAll(async () => {
  stack = await startStack();
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  iam = new IAMClient(aws);
  lambda = new LambdaClient(aws);
  bedrock = new BedrockAgentClient(aws);
  k8s = new Resources(stack);
  BOUNDARY = stack.permissionsBoundaryArn;
  for (const namespace of ['team-a', 'platform']) await kubectl(stack, ['create', 'namespace', namespace]);
  operator = await startOperator(stack, [
    '--resync', '2', '--cluster-name', 'test',
    '--permissions-boundary', BOUNDARY, '--adopt-namespaces', 'platform', '--external-role-arns', `arn:aws:iam::${ACCOUNT}:role/shared-*`,
  ]);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const role = (name: string, namespace: string, spec: Record<string, unknown> = {}, annotations?: Record<string, string>) => ({
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
  spec: {
    description: 'managed by the operator',
    assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] },
    policies: [{ policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    ...spec,
  },
});
const fn = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name, namespace: 'team-a' },
  spec: { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } }, ...spec },
});
const boundaryOf = async (roleName: string) => (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn;

describe('tenancy guard rails', () => {
  it('bounds every role the operator makes, generated execution roles included', async () => {
    await kubectlApply(stack, [role('team-role', 'team-a'), fn('bounded-fn', {})]);
    await k8s.waitForCondition('iamroles', 'team-role', 'Ready', 'True', { namespace: 'team-a' });
    // AdministratorAccess is attached, but the role can do no more than the boundary allows.
    expect(await boundaryOf('team-role')).toBe(BOUNDARY);
    await k8s.waitForCondition('lambdas', 'bounded-fn', 'Ready', 'True', { namespace: 'team-a' });
    expect(await boundaryOf('bounded-fn-execution')).toBe(BOUNDARY);
  });

  it('refuses an IAMRole that asks for another boundary, and creates nothing', async () => {
    await kubectlApply(stack, [role('unbounded', 'team-a', { permissionsBoundary: 'arn:aws:iam::aws:policy/AdministratorAccess' })]);
    const refused = await k8s.waitForCondition('iamroles', 'unbounded', 'Synced', 'False', { namespace: 'team-a', reason: 'PermissionsBoundaryRequired' });
    expect(condition(refused, 'Synced')?.message).toBe(`this operator gives every role the permissions boundary ${BOUNDARY} (its --permissions-boundary); remove spec.permissionsBoundary or set it to that ARN`);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'unbounded' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('lets only the allowed namespaces adopt a role the operator did not create', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'org-role', AssumeRolePolicyDocument: LAMBDA_TRUST, Description: 'the organisation\'s own' }));
    await kubectlApply(stack, [role('org-role', 'team-a', {}, { 'bedrockforge.io/adopt': 'true' })]);
    const refused = await k8s.waitForCondition('iamroles', 'org-role', 'Synced', 'False', { namespace: 'team-a', reason: 'AdoptionNotAllowed' });
    expect(condition(refused, 'Synced')?.message).toContain('objects of namespace team-a may not adopt AWS resources');
    const untouched = (await iam.send(new GetRoleCommand({ RoleName: 'org-role' }))).Role!;
    expect(untouched.Description).toBe('the organisation\'s own');
    expect(untouched.PermissionsBoundary).toBeUndefined();
    // Besides advice on the role's policies (AdministratorAccess is a finding), only the refusal.
    const advice = ADVISORY_REASONS as readonly (string | undefined)[];
    expect((await k8s.events('org-role', 'team-a')).filter((e) => e.type === 'Warning' && !advice.includes(e.reason)).map((e) => e.reason)).toEqual(['AdoptionNotAllowed']);

    await kubectl(stack, ['delete', 'iamrole', 'org-role', '-n', 'team-a', '--wait=true', '--timeout=30s']);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'org-role' }))).Role?.Description).toBe('the organisation\'s own');
    await kubectlApply(stack, [role('org-role', 'platform', {}, { 'bedrockforge.io/adopt': 'true' })]);
    await k8s.waitForCondition('iamroles', 'org-role', 'Ready', 'True', { namespace: 'platform' });
    const adopted = (await iam.send(new GetRoleCommand({ RoleName: 'org-role' }))).Role!;
    expect(adopted.Description).toBe('managed by the operator');
    expect(adopted.PermissionsBoundary?.PermissionsBoundaryArn).toBe(BOUNDARY);
  });

  it('lets Lambdas and Agents name only the allowed role ARNs directly', async () => {
    for (const RoleName of ['admin', 'shared-fn']) await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: LAMBDA_TRUST }));
    await kubectlApply(stack, [
      fn('as-admin', { roleArn: `arn:aws:iam::${ACCOUNT}:role/admin` }),
      fn('as-shared', { iamRole: `arn:aws:iam::${ACCOUNT}:role/shared-fn` }),
      {
        apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'as-admin', namespace: 'team-a' },
        spec: { foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0', instruction: 'You help customers look up their orders and nothing else.', iamRole: `arn:aws:iam::${ACCOUNT}:role/admin` },
      },
    ]);
    for (const plural of ['lambdas', 'agents'] as const) {
      const refused = await k8s.waitForCondition(plural, 'as-admin', 'Synced', 'False', { namespace: 'team-a', reason: 'RoleNotAllowed' });
      expect(condition(refused, 'Synced')?.message).toMatch(/^spec\.(roleArn|iamRole) names arn:aws:iam::123456789012:role\/admin, which this operator does not allow roles to be named directly .*name an IAMRole of this namespace instead$/);
    }
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'as-admin' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(((await bedrock.send(new ListAgentsCommand({}))).agentSummaries ?? []).filter((a) => a.agentName === 'as-admin')).toEqual([]);
    await k8s.waitForCondition('lambdas', 'as-shared', 'Ready', 'True', { namespace: 'team-a' });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'as-shared' }))).Configuration?.Role).toBe(`arn:aws:iam::${ACCOUNT}:role/shared-fn`);
  });
});
