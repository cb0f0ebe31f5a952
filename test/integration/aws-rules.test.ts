// What AWS would refuse is refused before any AWS call, naming the field; what a policy allows
// that it should not is a finding (status, condition, Warning Event, column, metric), and the
// platform's flags refuse such objects, or objects without the organisation's tags.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedCalls, startRecording, type RecordedCall } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { condition, Resources, type Plural } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';
import { zipArchive } from '../harness/zip.ts';

let stack: Stack;
let operator: RunningOperator;
let iam: IAMClient;
let k8s: Resources;
let sharedRoleArn: string;

const KIND: Record<Plural, string> = { iamroles: 'IAMRole', lambdas: 'Lambda', agents: 'Agent', flows: 'Flow', actiongroups: 'ActionGroup', agentknowledgebaseassociations: 'AgentKnowledgeBaseAssociation', prompts: 'Prompt', guardrails: 'Guardrail' };
const manifest = (plural: Plural, name: string, spec: unknown) =>
  ({ apiVersion: 'bedrockforge.io/v1alpha1', kind: KIND[plural], metadata: { name, namespace: 'default' }, spec });

const bedrockTrust = { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole', condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] };
const lambdaTrust = { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole', condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] };
const invoke = (resource: string) => ({ version: '2012-10-17', statement: [{ effect: 'Allow', action: ['bedrock:InvokeModel'], resource }] });
const role = (extra: Record<string, unknown>) => ({ assumeRolePolicy: bedrockTrust, ...extra });
const fn = (extra: Record<string, unknown>) => ({ runtime: 'python3.12', handler: 'app.handler', roleArn: sharedRoleArn, code: { inline: { 'app.py': 'def handler(e, c):\n  return 1\n' } }, ...extra });
const agent = (extra: Record<string, unknown>) => ({
  foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0',
  instruction: 'You answer questions about orders, politely and briefly, in English.',
  ...extra,
});

beforeAll(async () => {
  stack = await startStack();
  iam = new IAMClient({ endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  k8s = new Resources(stack);
  operator = await startOperator(stack, ['--resync', '5']);
  // One execution role for the Lambdas below, so that a refused Lambda makes no IAM call either.
  expect((await kubectlApply(stack, [manifest('iamroles', 'shared-execution-role', { assumeRolePolicy: lambdaTrust })])).stderr).toBe('');
  const ready = await k8s.waitForCondition('iamroles', 'shared-execution-role', 'Ready', 'True');
  sharedRoleArn = ready.status!.arn as string;
}, 120_000);
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

/** Calls the emulator received that name `name` (in a parameter or the path). */
const callsAbout = (calls: RecordedCall[], name: string) =>
  calls.filter((c) => c.operation.includes(name) || Object.values(c.params).some((v) => v.includes(name)));

describe('what AWS refuses, known before any AWS call', () => {
  const bigPolicy = { version: '2012-10-17', statement: Array.from({ length: 60 }, (_, i) => ({ sid: `S${i}`, effect: 'Allow', action: ['bedrock:InvokeModel'], resource: `arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-model-${'x'.repeat(200)}-${i}` })) };
  const longTrust = { version: '2012-10-17', statement: Array.from({ length: 12 }, (_, i) => ({ effect: 'Allow', principal: { aws: `arn:aws:iam::123456789012:role/a-role-with-a-rather-long-name-number-${i}-${'y'.repeat(100)}` }, action: 'sts:AssumeRole' })) };
  const cases: Array<{ title: string; plural: Plural; name: string; spec: () => unknown; reason: string; field: string }> = [
    { title: 'an inline policy over 10,240 characters', plural: 'iamroles', name: 'big-inline', spec: () => role({ inlinePolicies: [{ name: 'Big', policy: bigPolicy }] }), reason: 'LimitExceeded', field: 'spec.inlinePolicies' },
    { title: 'a trust policy over 2,048 characters', plural: 'iamroles', name: 'long-trust', spec: () => ({ assumeRolePolicy: longTrust }), reason: 'LimitExceeded', field: 'spec.assumeRolePolicy' },
    { title: 'the condition operator StringEqual', plural: 'iamroles', name: 'string-equal', spec: () => ({ assumeRolePolicy: { statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole', condition: { StringEqual: { 'aws:SourceAccount': '123456789012' } } }] } }), reason: 'MalformedPolicyDocument', field: 'spec.assumeRolePolicy.statement[0].condition' },
    { title: 'the trust action sts:AssumeRoles', plural: 'iamroles', name: 'assume-roles', spec: () => ({ assumeRolePolicy: { statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRoles' }] } }), reason: 'MalformedPolicyDocument', field: 'spec.assumeRolePolicy.statement[0].action' },
    { title: 'eleven managed policies', plural: 'iamroles', name: 'eleven-policies', spec: () => role({ policies: ['AWSLambdaExecute', 'AmazonS3ReadOnlyAccess', 'AmazonSQSReadOnlyAccess', 'AmazonSNSReadOnlyAccess', 'AmazonDynamoDBReadOnlyAccess', 'AmazonEC2ReadOnlyAccess', 'AmazonRDSReadOnlyAccess', 'CloudWatchReadOnlyAccess', 'AWSLambda_ReadOnlyAccess', 'IAMReadOnlyAccess', 'AmazonKinesisReadOnlyAccess'].map((p) => ({ policyArn: `arn:aws:iam::aws:policy/${p}` })) }), reason: 'LimitExceeded', field: 'spec.policies' },
    { title: 'runtime python2.7', plural: 'lambdas', name: 'python-two', spec: () => fn({ runtime: 'python2.7' }), reason: 'RuntimeNotSupported', field: 'spec.runtime' },
    { title: 'a zipFile that is not a zip', plural: 'lambdas', name: 'not-a-zip', spec: () => fn({ code: { zipFile: Buffer.from('just some text, not a zip archive').toString('base64') } }), reason: 'InvalidCode', field: 'spec.code.zipFile' },
    { title: 'an environment of 6 KB', plural: 'lambdas', name: 'big-environment', spec: () => fn({ environment: { A: 'a'.repeat(3000), B: 'b'.repeat(3000) } }), reason: 'InvalidEnvironment', field: 'spec.environment' },
    { title: 'an API schema that is not OpenAPI', plural: 'agents', name: 'not-openapi', spec: () => agent({ actionGroups: [{ name: 'orders', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, apiSchema: { payload: 'swagger: "2.0"\ninfo: {title: x, version: "1"}\npaths: {}\n' } }] }), reason: 'InvalidApiSchema', field: 'spec.actionGroups[0].apiSchema.payload' },
    { title: 'a role ARN of another account', plural: 'agents', name: 'other-account-role', spec: () => agent({ iamRole: 'arn:aws:iam::210987654321:role/AmazonBedrockExecutionRoleForAgents_x' }), reason: 'CrossAccountRole', field: 'spec.iamRole' },
    { title: 'a Lambda role ARN of another account', plural: 'lambdas', name: 'other-account-lambda', spec: () => fn({ roleArn: 'arn:aws:iam::210987654321:role/x' }), reason: 'CrossAccountRole', field: 'spec.roleArn' },
  ];

  for (const c of cases) {
    it(`${c.title}: Synced=False ${c.reason} naming ${c.field}, with no AWS call about it`, async () => {
      await startRecording(stack.awsEndpoint);
      const applied = await kubectlApply(stack, [manifest(c.plural, c.name, c.spec())]);
      expect(applied.stderr).toBe('');
      const object = await k8s.waitForCondition(c.plural, c.name, 'Synced', 'False', { reason: c.reason });
      expect(condition(object, 'Synced')!.message).toContain(c.field);
      expect(condition(object, 'Ready')?.status).toBe('False');
      // The refusal is remembered: the next passes make no call either.
      expect(callsAbout(await recordedCalls(stack.awsEndpoint), c.name)).toEqual([]);
      const events = await k8s.events(c.name);
      expect(events.filter((e) => e.reason === c.reason && e.type === 'Warning')).toHaveLength(1);
    });
  }

  it('a reserved environment key (AWS_REGION) is refused at kubectl apply', async () => {
    const applied = await kubectlApply(stack, [manifest('lambdas', 'reserved-key', fn({ environment: { AWS_REGION: 'eu-west-1' } }))]);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain('spec.environment');
    expect(applied.stderr).toContain('AWS_REGION');
  });

  it('a zip, an environment and a runtime within the rules make a Ready Lambda', async () => {
    const code = zipArchive({ 'app.py': 'def handler(e, c):\n  return 1\n' }).toString('base64');
    await kubectlApply(stack, [manifest('lambdas', 'within-rules', fn({ runtime: 'python3.13', code: { zipFile: code }, environment: { A: 'a'.repeat(3000) } }))]);
    await k8s.waitForCondition('lambdas', 'within-rules', 'Ready', 'True', { timeoutMs: 60_000 });
  });
});

const dangerous: Array<{ title: string; plural: Plural; name: string; spec: () => unknown; check: string }> = [
  { title: 'a role any AWS account may assume', plural: 'iamroles', name: 'anyone-may-assume', spec: () => ({ assumeRolePolicy: { statement: [{ effect: 'Allow', principal: { AWS: '*' }, action: 'sts:AssumeRole' }] } }), check: 'PublicPrincipal' },
  { title: 'a role whose principal is "*"', plural: 'iamroles', name: 'star-principal', spec: () => ({ assumeRolePolicy: { statement: [{ effect: 'Allow', principal: '*', action: 'sts:AssumeRole' }] } }), check: 'PublicPrincipal' },
  { title: 'a role trusting every service', plural: 'iamroles', name: 'every-service', spec: () => ({ assumeRolePolicy: { statement: [{ effect: 'Allow', principal: { service: '*' }, action: 'sts:AssumeRole' }] } }), check: 'EveryService' },
  { title: 'Allow * on *', plural: 'iamroles', name: 'full-access', spec: () => role({ inlinePolicies: [{ name: 'All', policy: { statement: [{ effect: 'Allow', action: '*', resource: '*' }] } }] }), check: 'FullAccess' },
  { title: 'Allow with notPrincipal', plural: 'iamroles', name: 'not-principal', spec: () => ({ assumeRolePolicy: { statement: [{ effect: 'Allow', notPrincipal: { aws: 'arn:aws:iam::123456789012:role/blocked' }, action: 'sts:AssumeRole' }] } }), check: 'AllowWithNotPrincipal' },
  { title: 'iam:PassRole on *', plural: 'iamroles', name: 'pass-any-role', spec: () => role({ inlinePolicies: [{ name: 'Pass', policy: { statement: [{ effect: 'Allow', action: 'iam:PassRole', resource: '*' }] } }] }), check: 'PassRoleToAnyRole' },
  { title: 'a typo in an action', plural: 'iamroles', name: 'typo-action', spec: () => role({ inlinePolicies: [{ name: 'Read', policy: { statement: [{ effect: 'Allow', action: 's3:GetObjct', resource: 'arn:aws:s3:::bucket/*' }] } }] }), check: 'UnknownAction' },
  { title: 'a Lambda any account may invoke', plural: 'lambdas', name: 'public-lambda', spec: () => fn({ resourcePolicy: { statements: [{ sid: 'Anyone', principal: '*', action: 'lambda:InvokeFunction' }] } }), check: 'PublicPrincipal' },
];

describe('findings', () => {

  for (const d of dangerous) {
    it(`${d.title}: a ${d.check} finding in status, the Findings condition, a Warning Event and the column`, async () => {
      await kubectlApply(stack, [manifest(d.plural, d.name, d.spec())]);
      const object = await waitFor(`${d.name} to carry its findings`, async () => {
        const o = await k8s.get(d.plural, d.name);
        return (o.status?.findings as Array<{ check: string }> | undefined)?.some((f) => f.check === d.check) ? o : undefined;
      }, { timeoutMs: 30_000 });
      expect(condition(object, 'Findings')).toMatchObject({ status: 'True', reason: 'FindingsPresent' });
      expect(object.status!.findingCount).toBe((object.status!.findings as unknown[]).length);
      await k8s.waitForEvent(d.name, [], (e) => e.type === 'Warning' && e.reason === 'FindingsPresent');
      const table = await kubectl(stack, ['get', KIND[d.plural], d.name]);
      expect(table.stdout.split('\n')[0]).toContain('FINDINGS');
      expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`\\s${object.status!.findingCount}\\s`));
    });
  }

  it('one Warning Event per distinct finding, not one per pass', async () => {
    const object = await k8s.get('iamroles', 'full-access');
    const count = (object.status!.findings as unknown[]).length;
    // Several passes of the role later, still one Event per finding. A role in sync is checked when
    // the account's listing shows it changed; an annotation changed starts a pass too.
    const passes = async () => Number(/bedrockforge_reconciles_total\{kind="IAMRole",result="success"\} (\d+)/.exec(await (await fetch(`${operator.metricsUrl()}/metrics`)).text())?.[1] ?? 0);
    for (const value of ['1', '2', '3']) {
      const before = await passes();
      expect((await kubectl(stack, ['annotate', '--overwrite', 'iamroles', 'full-access', `example.com/pass=${value}`])).code).toBe(0);
      await waitFor(`pass ${value} of full-access`, async () => ((await passes()) > before ? true : undefined), { timeoutMs: 30_000 });
    }
    const events = (await k8s.events('full-access')).filter((e) => e.reason === 'FindingsPresent');
    expect(events).toHaveLength(count);
    expect(events.every((e) => (e as { count?: number }).count === 1 || (e as { count?: number }).count === undefined)).toBe(true);
  });

  it('the metric counts findings by severity', async () => {
    const text = await (await fetch(`${operator.metricsUrl()}/metrics`)).text();
    expect(text).toMatch(/bedrockforge_policy_findings\{kind="IAMRole",severity="high"\} [1-9]/);
  });

  it('a role without findings says so, and generated roles have none', async () => {
    await kubectlApply(stack, [manifest('iamroles', 'clean-role', role({ inlinePolicies: [{ name: 'Invoke', policy: invoke('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0') }] }))]);
    const clean = await k8s.waitForCondition('iamroles', 'clean-role', 'Findings', 'False', { reason: 'NoFindings' });
    expect(clean.status!.findings).toEqual([]);
    expect(clean.status!.findingCount).toBe(0);
    await kubectlApply(stack, [manifest('lambdas', 'generated-role-fn', { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'x = 1\n' } }, vpcConfig: { subnetIds: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] }, tracingConfig: { mode: 'Active' } })]);
    await kubectlApply(stack, [manifest('agents', 'generated-role-agent', agent({ knowledgeBases: [{ knowledgeBaseId: 'KB12345678', description: 'FAQ' }], guardrail: { identifier: 'gr1abc', version: '1' } }))]);
    for (const name of ['generated-role-fn-execution-role', 'generated-role-agent-service-role']) {
      const generated = await k8s.waitForCondition('iamroles', name, 'Findings', 'False', { reason: 'NoFindings' });
      expect(generated.status!.findings).toEqual([]);
    }
  });
});

describe('the access check', () => {
  it('the seed\'s custom-agent-role, used by an Agent whose model it does not allow: AccessWouldBeDenied naming the model; allowed, it clears', async () => {
    const seed = parseAllDocuments(await readFile(join(repoRoot, 'examples', 'seed', 'custom-agent-role.yaml'), 'utf8'))[0]!.toJS() as { spec: Record<string, unknown> };
    // Without the managed policy the seed names, which AWS does not have (examples/README.md).
    delete seed.spec.policies;
    expect((await kubectlApply(stack, [manifest('iamroles', 'custom-agent-role', seed.spec)])).stderr).toBe('');
    await k8s.waitForCondition('iamroles', 'custom-agent-role', 'Ready', 'True');
    const haiku = 'anthropic.claude-3-haiku-20240307-v1:0';
    await kubectlApply(stack, [manifest('agents', 'custom-agent', agent({ foundationModel: haiku, iamRole: 'custom-agent-role' }))]);
    const denied = await k8s.waitForCondition('agents', 'custom-agent', 'AccessCheck', 'False', { reason: 'AccessWouldBeDenied' });
    expect(condition(denied, 'AccessCheck')!.message).toBe(`role custom-agent-role does not allow bedrock:InvokeModel on arn:aws:bedrock:us-east-1::foundation-model/${haiku}`);
    await k8s.waitForEvent('custom-agent', [], (e) => e.type === 'Warning' && e.reason === 'AccessWouldBeDenied');
    await kubectlApply(stack, [manifest('agents', 'custom-agent', agent({ foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0', iamRole: 'custom-agent-role' }))]);
    const allowed = await k8s.waitForCondition('agents', 'custom-agent', 'AccessCheck', 'True', { reason: 'AccessAllowed' });
    expect(condition(allowed, 'AccessCheck')!.message).toContain('bedrock:InvokeModel');
  });

  it('a Lambda whose role does not trust Lambda: AccessWouldBeDenied naming the trust policy', async () => {
    await kubectlApply(stack, [manifest('lambdas', 'bedrock-role-fn', fn({ roleArn: undefined, iamRole: 'custom-agent-role' }))]);
    const object = await k8s.waitForCondition('lambdas', 'bedrock-role-fn', 'AccessCheck', 'False', { reason: 'AccessWouldBeDenied', timeoutMs: 60_000 });
    expect(condition(object, 'AccessCheck')!.message).toContain('the trust policy of role custom-agent-role does not allow lambda.amazonaws.com sts:AssumeRole');
  });
});

describe('the platform\'s flags', () => {
  let strict: RunningOperator;
  beforeAll(async () => {
    await operator.stop();
    strict = await startOperator(stack, ['--resync', '5', '--refuse-findings', 'medium', '--required-tags', 'team'], 'strict-operator');
  });
  // Stopped before the next operator takes the Lease.
  afterAll(async () => { await strict?.stop(); });

  for (const d of dangerous) {
    it(`--refuse-findings=medium refuses ${d.title} (${d.check}) before anything is created`, async () => {
      const name = `refused-${d.name}`;
      await startRecording(stack.awsEndpoint);
      const spec = d.spec() as Record<string, unknown>;
      await kubectlApply(stack, [manifest(d.plural, name, { ...spec, tags: { team: 'ai' } })]);
      const object = await k8s.waitForCondition(d.plural, name, 'Synced', 'False', { reason: 'FindingsRefused' });
      expect(condition(object, 'Synced')!.message).toContain('--refuse-findings');
      expect((object.status!.findings as Array<{ check: string }>).map((f) => f.check)).toContain(d.check);
      expect(callsAbout(await recordedCalls(stack.awsEndpoint), name)).toEqual([]);
    });
  }

  it('--refuse-findings=medium lets a role with only a low finding through', async () => {
    await kubectlApply(stack, [manifest('iamroles', 'low-only', role({ inlinePolicies: [{ name: 'Invoke', policy: invoke('*') }], tags: { team: 'ai' } }))]);
    const object = await k8s.waitForCondition('iamroles', 'low-only', 'Ready', 'True');
    expect((object.status!.findings as Array<{ check: string }>).map((f) => f.check)).toEqual(['WildcardResource']);
  });

  it('--required-tags refuses an object without the tag key, and takes it once tagged', async () => {
    await kubectlApply(stack, [manifest('iamroles', 'untagged', role({}))]);
    const object = await k8s.waitForCondition('iamroles', 'untagged', 'Synced', 'False', { reason: 'RequiredTagsMissing' });
    expect(condition(object, 'Synced')!.message).toContain('team');
    await kubectlApply(stack, [manifest('iamroles', 'untagged', role({ tags: { team: 'ai' } }))]);
    await k8s.waitForCondition('iamroles', 'untagged', 'Ready', 'True');
  });
});

describe('an operator without an enforced boundary, with the account\'s own credentials', () => {
  let open: RunningOperator;
  beforeAll(async () => {
    open = await startOperator(stack, ['--resync', '5'], 'open-operator', 'watching', { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', PERMISSIONS_BOUNDARY: '' });
  });
  afterAll(async () => { await open?.stop(); });

  it('a permissions boundary that does not exist: NoSuchEntity naming spec.permissionsBoundary, and no role', async () => {
    const boundary = 'arn:aws:iam::123456789012:policy/no-such-boundary';
    await kubectlApply(stack, [manifest('iamroles', 'missing-boundary', role({ permissionsBoundary: boundary }))]);
    const object = await k8s.waitForCondition('iamroles', 'missing-boundary', 'Synced', 'False', { reason: 'NoSuchEntity' });
    expect(condition(object, 'Synced')!.message).toContain('spec.permissionsBoundary');
    expect(condition(object, 'Synced')!.message).toContain(boundary);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'missing-boundary' }))).rejects.toThrow(/cannot be found|not found/i);
  });
});
