// The IAMRole controller against the real apiserver and the emulator: roles reach the state their
// spec implies, drift made directly in AWS is reverted with an Event, a role in sync costs reads
// only, and roles the operator did not create are left alone until adopted.
import { join } from 'node:path';
import {
  AttachRolePolicyCommand, CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient,
  PutRolePermissionsBoundaryCommand,
  ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, PutRolePolicyCommand, TagRoleCommand, UpdateAssumeRolePolicyCommand, UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policiesEqual } from '../../src/aws/iam/policy-json.ts';
import { ADVISORY_REASONS } from '../../src/api/reasons.ts';
import type { IAMRoleResource } from '../../src/api/kinds.ts';
import { IAMRoleExternalClient } from '../../src/kinds/iamrole/iamrole-client.ts';
import { OwnershipGuard } from '../../src/kinds/ownership-guard.ts';
import { TenancyPolicy } from '../../src/kinds/tenancy-policy.ts';
import { clearFaults, injectFault, listFaults } from '../harness/emulator/faults.ts';
import { isWrite, recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { condition, Resources, type TestResource } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const RESYNC_S = 1;
let stack: Stack;
let operator: RunningOperator;
let iam: IAMClient;
let k8s: Resources;


beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--cluster-name', 'test']);
  iam = new IAMClient({ endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  k8s = new Resources(stack);
  await kubectl(stack, ['create', 'namespace', 'team-b']);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const getRole = (name: string, namespace = 'default') => k8s.get('iamroles', name, namespace);
const waitForCondition = (name: string, type: string, status: string, namespace = 'default', reason?: string) =>
  k8s.waitForCondition('iamroles', name, type, status, { namespace, reason });
const events = (name: string, namespace = 'default') => k8s.events(name, namespace);
/** Findings and the access check: advice about the role's policies, apart from how a pass went. */
const isAdvice = (reason: string | undefined) => (ADVISORY_REASONS as readonly (string | undefined)[]).includes(reason);

const roleSpec = {
  description: 'drift target',
  maxSessionDuration: 3600,
  assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] },
  inlinePolicies: [{ name: 'Invoke', policy: { version: '2012-10-17', statement: [{ effect: 'Allow', action: ['bedrock:InvokeModel'], resource: 'arn:aws:bedrock:us-east-1::foundation-model/m' }] } }],
  policies: [{ policyArn: 'arn:aws:iam::aws:policy/AWSLambdaExecute' }],
  tags: { Team: 'ai' },
};
const manifest = (name: string, spec: unknown, namespace = 'default', annotations?: Record<string, string>) =>
  ({ apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec });

/**
 * Applies examples/seed and waits until each of its IAMRoles has settled: Ready, or (those that
 * attach a policy AWS does not have) refused. Applying it again changes nothing, so each test that
 * needs the seed's roles calls this and runs alone as well as after the others.
 */
async function applySeed() {
  const applied = await kubectl(stack, ['apply', '-f', join(repoRoot, 'examples', 'seed')]);
  expect(applied.stderr).toBe('');
  const ready: TestResource[] = [];
  for (const name of ['least-privilege-agent-role', 'cross-account-agent-role', 'time-restricted-agent-role', 'env-specific-agent-role', 'custom-lambda-role']) {
    ready.push(await waitForCondition(name, 'Ready', 'True'));
  }
  const refused: TestResource[] = [];
  for (const name of ['custom-agent-role', 'enterprise-agent-role']) {
    refused.push(await waitForCondition(name, 'Synced', 'False', 'default', 'NoSuchEntity'));
  }
  return { ready, refused };
}

describe('IAMRole controller', () => {
  it('brings every IAMRole of examples/ to the state its content implies', async () => {
    const { ready, refused } = await applySeed();
    for (const role of ready) {
      expect(role.status?.arn).toBe(`arn:aws:iam::123456789012:role/${role.metadata.name}`);
    }
    // The seed attaches a policy AWS does not have: a terminal error whose message says which.
    for (const role of refused) {
      expect(condition(role, 'Synced')?.message).toContain('AmazonBedrockAgentResourcePolicy');
      expect(condition(role, 'Ready')?.status).toBe('False');
    }
    const trust = await iam.send(new GetRoleCommand({ RoleName: 'time-restricted-agent-role' }));
    expect(trust.Role?.Tags).toEqual(expect.arrayContaining([{ Key: 'bedrockforge.io/namespace', Value: 'default' }, { Key: 'bedrockforge.io/name', Value: 'time-restricted-agent-role' }]));
  });

  it('reverts drift made directly in AWS within a resync, with an Event naming it', async () => {
    await kubectlApply(stack, [manifest('drift-role', roleSpec)]);
    await waitForCondition('drift-role', 'Ready', 'True');
    const RoleName = 'drift-role';
    const drifts: { aspect: string; make: () => Promise<unknown>; reverted: () => Promise<boolean> }[] = [
      {
        aspect: 'trust policy',
        make: () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) })),
        reverted: async () => policiesEqual(roleSpec.assumeRolePolicy, decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName }))).Role!.AssumeRolePolicyDocument!)),
      },
      {
        aspect: 'inline policy Invoke',
        make: () => iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'Invoke', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) })),
        reverted: async () => policiesEqual(roleSpec.inlinePolicies[0]!.policy, (await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: 'Invoke' }))).PolicyDocument!),
      },
      {
        aspect: 'inline policy Extra',
        make: () => iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'Extra', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) })),
        reverted: async () => !(await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames!.includes('Extra'),
      },
      {
        aspect: 'inline policy Invoke',
        make: () => iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: 'Invoke' })),
        reverted: async () => (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames!.includes('Invoke'),
      },
      {
        aspect: 'managed policy arn:aws:iam::aws:policy/ReadOnlyAccess',
        make: () => iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })),
        reverted: async () => !(await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies!.some((p) => p.PolicyArn === 'arn:aws:iam::aws:policy/ReadOnlyAccess'),
      },
      {
        aspect: 'managed policy arn:aws:iam::aws:policy/AWSLambdaExecute',
        make: () => iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/AWSLambdaExecute' })),
        reverted: async () => (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies!.some((p) => p.PolicyArn === 'arn:aws:iam::aws:policy/AWSLambdaExecute'),
      },
      {
        aspect: 'permissions boundary',
        make: () => iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })),
        // Back to the operator's --permissions-boundary (the test bed's).
        reverted: async () => (await iam.send(new GetRoleCommand({ RoleName }))).Role!.PermissionsBoundary?.PermissionsBoundaryArn === stack.permissionsBoundaryArn,
      },
      {
        aspect: 'tags',
        make: () => iam.send(new TagRoleCommand({ RoleName, Tags: [{ Key: 'Team', Value: 'someone-else' }] })),
        reverted: async () => (await iam.send(new GetRoleCommand({ RoleName }))).Role!.Tags!.some((t) => t.Key === 'Team' && t.Value === 'ai'),
      },
      {
        aspect: 'description',
        make: () => iam.send(new UpdateRoleCommand({ RoleName, Description: 'changed by hand', MaxSessionDuration: 3600 })),
        reverted: async () => (await iam.send(new GetRoleCommand({ RoleName }))).Role!.Description === 'drift target',
      },
      {
        aspect: 'max session duration',
        make: () => iam.send(new UpdateRoleCommand({ RoleName, Description: 'drift target', MaxSessionDuration: 7200 })),
        reverted: async () => (await iam.send(new GetRoleCommand({ RoleName }))).Role!.MaxSessionDuration === 3600,
      },
      {
        aspect: 'it had been deleted in AWS',
        make: async () => {
          await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: 'Invoke' }));
          await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/AWSLambdaExecute' }));
          await iam.send(new DeleteRoleCommand({ RoleName }));
        },
        reverted: async () => (await iam.send(new ListRolePoliciesCommand({ RoleName })).catch(() => undefined))?.PolicyNames?.includes('Invoke') === true,
      },
    ];
    for (const drift of drifts) {
      const before = new Set((await events('drift-role')).map((e) => e.metadata.name));
      await drift.make();
      await waitFor(`${drift.aspect} to be reverted`, async () => ((await drift.reverted()) ? true : undefined), { timeoutMs: RESYNC_S * 1000 * 3 + 5_000 });
      await waitFor(`an Event naming ${drift.aspect}`, async () =>
        (await events('drift-role')).find((e) => !before.has(e.metadata.name) && e.reason === 'DriftCorrected' && e.message?.includes(drift.aspect)), { timeoutMs: 5_000 });
    }
  });

  it('removes a tag key dropped from the spec and leaves tags it never set alone', async () => {
    await kubectlApply(stack, [manifest('tagged-role', { ...roleSpec, tags: { Team: 'ai', Env: 'dev' } })]);
    await waitForCondition('tagged-role', 'Ready', 'True');
    await iam.send(new TagRoleCommand({ RoleName: 'tagged-role', Tags: [{ Key: 'CostCenter', Value: 'org-wide' }] }));
    await kubectlApply(stack, [manifest('tagged-role', { ...roleSpec, tags: { Team: 'ai' } })]);
    const tags = await waitFor('Env to be removed from the role', async () => {
      const t = (await iam.send(new GetRoleCommand({ RoleName: 'tagged-role' }))).Role!.Tags ?? [];
      return t.some((x) => x.Key === 'Env') ? undefined : t;
    }, { timeoutMs: 15_000 });
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'CostCenter', Value: 'org-wide' }, { Key: 'Team', Value: 'ai' }]));
  });

  it('costs no AWS write, no status write and no call of its own over ten resyncs once Ready', async () => {
    await kubectlApply(stack, [manifest('steady-role', roleSpec)]);
    const ready = await waitForCondition('steady-role', 'Ready', 'True');
    await startRecording(stack.awsEndpoint);
    const started = Date.now();
    // Drift is looked for in the account's listing (GetAccountAuthorizationDetails and ListRoles,
    // every role at once), loaded every half resync and shared by every role: twenty loads (each
    // beginning with a ListRoles without Marker) are ten resyncs.
    const loads = async () => (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation === 'ListRoles' && c.params.Marker === undefined).length;
    await waitFor('ten resyncs of listings', async () => ((await loads()) >= 20 ? true : undefined), { timeoutMs: 90_000 });
    const seconds = (Date.now() - started) / 1000;
    const calls = await recordedCalls(stack.awsEndpoint);
    // Not one call of its own, write or read (other roles of examples/ that AWS refuses go on retrying).
    expect(calls.filter((c) => c.params.RoleName === 'steady-role')).toEqual([]);
    // Two loads a resync, not one per role and resync.
    expect(calls.filter((c) => c.operation === 'ListRoles' && c.params.Marker === undefined).length).toBeLessThanOrEqual(2 * seconds / RESYNC_S + 4);
    expect((await getRole('steady-role')).metadata.resourceVersion).toBe(ready.metadata.resourceVersion);
  });

  it('creates a role with one read before the writes and none after, then reads it at the next drift check', async () => {
    await startRecording(stack.awsEndpoint);
    await kubectlApply(stack, [manifest('lean-create', roleSpec)]);
    const ready = await waitForCondition('lean-create', 'Ready', 'True');
    expect((ready.status as { arn?: string }).arn).toMatch(/:role\/lean-create$/);
    const mine = async () => (await recordedCalls(stack.awsEndpoint)).filter((c) => c.params.RoleName === 'lean-create').map((c) => c.operation);
    // The next pass reads the role from AWS: from a listing of every role begun after the writes.
    await waitFor('a listing of the roles begun after the create', async () => {
      const calls = await recordedCalls(stack.awsEndpoint);
      const written = calls.findLastIndex((c) => c.params.RoleName === 'lean-create');
      return calls.slice(written + 1).some((c) => c.operation === 'GetAccountAuthorizationDetails') ? true : undefined;
    }, { timeoutMs: 30_000 });
    // Ready from what IAM acknowledged, with no read of the role after its writes: reading it back
    // at once cost four calls (GetRole, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies)
    // and, IAM being eventually consistent, may not show the writes yet.
    expect(await mine()).toEqual(['GetRole', 'CreateRole', 'PutRolePolicy', 'AttachRolePolicy']);
  });

  it('updates a role with its reads before the writes and none after, keeping the tags it did not change', async () => {
    await kubectlApply(stack, [manifest('lean-update', roleSpec)]);
    await waitForCondition('lean-update', 'Ready', 'True');
    await startRecording(stack.awsEndpoint);
    await kubectlApply(stack, [manifest('lean-update', { ...roleSpec, description: 'changed', tags: { Team: 'ai', Stage: 'prod' } })]);
    await k8s.waitForReadyGeneration('iamroles', 'lean-update');
    const recorded = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.params.RoleName === 'lean-update').map((c) => c.operation);
    // A changed spec reads the role directly (four calls), then writes what differs; the role as
    // the writes were acknowledged stands in for reading it back. (The pass after the create's
    // status write may still be reading when the recording starts: its calls come first.)
    const start = recorded.lastIndexOf('GetRole', recorded.indexOf('UpdateRole'));
    const update = recorded.slice(start, recorded.indexOf('TagRole') + 1);
    expect(update).toEqual(['GetRole', 'ListRolePolicies', 'GetRolePolicy', 'ListAttachedRolePolicies', 'UpdateRole', 'TagRole']);
    // Around it, reads only. (CI sometimes records one more full read right after the update, a
    // second pass the snapshot cannot answer for a role just written; which event starts it is not
    // known yet: see the issue notes of 2026-12-02.)
    const around = [...recorded.slice(0, start), ...recorded.slice(start + update.length)];
    expect(around.filter((c) => isWrite({ operation: c, params: {} }))).toEqual([]);
    expect(recorded.slice(start + update.length).length).toBeLessThanOrEqual(4);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'lean-update' }));
    expect(Role?.Description).toBe('changed');
    expect(Object.fromEntries((Role?.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({ Team: 'ai', Stage: 'prod', 'bedrockforge.io/cluster': 'test' });
  });

  it('converges with no error and no repeated work after dying between creating a role and writing status', async () => {
    await operator.stop();
    await kubectlApply(stack, [manifest('crash-role', roleSpec)]);
    // What the operator had done when it died: the role created in AWS (with the test bed's
    // boundary, which the operator runs with), nothing recorded in Kubernetes.
    const tenancy = new TenancyPolicy({ permissionsBoundary: stack.permissionsBoundaryArn, adoptNamespaces: ['*'], externalRoleArns: ['*'] });
    await new IAMRoleExternalClient(iam, new OwnershipGuard('test', tenancy), tenancy)
      .create(await getRole('crash-role') as unknown as IAMRoleResource, { roleName: 'crash-role', boundary: stack.permissionsBoundaryArn, trust: roleSpec.assumeRolePolicy as never, inline: roleSpec.inlinePolicies as never });
    await startRecording(stack.awsEndpoint);
    operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--cluster-name', 'test'], 'operator-restarted');
    const ready = await waitForCondition('crash-role', 'Ready', 'True');
    expect(condition(ready, 'Synced')?.status).toBe('True');
    const calls = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.params.RoleName === 'crash-role');
    expect(calls.filter(isWrite)).toEqual([]);
    // Advice on the role's policies (findings) is not about the crash.
    expect((await events('crash-role')).filter((e) => e.reason !== 'Created' && !isAdvice(e.reason))).toEqual([]);
    expect((await getRole('crash-role') as unknown as IAMRoleResource).metadata.finalizers).toContain('bedrockforge.io/finalizer');
  });

  it('leaves a role it did not create untouched until adopted', async () => {
    const foreignTrust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'preexisting', AssumeRolePolicyDocument: foreignTrust }));
    await kubectlApply(stack, [manifest('preexisting', roleSpec)]);
    const blocked = await waitForCondition('preexisting', 'Synced', 'False', 'default', 'AlreadyExists');
    expect(condition(blocked, 'Synced')?.message).toContain('bedrockforge.io/adopt=true');
    expect(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'preexisting' }))).Role!.AssumeRolePolicyDocument!)).toContain('ec2.amazonaws.com');

    await kubectl(stack, ['annotate', 'iamrole', 'preexisting', 'bedrockforge.io/adopt=true']);
    await waitForCondition('preexisting', 'Ready', 'True');
    const adopted = (await iam.send(new GetRoleCommand({ RoleName: 'preexisting' }))).Role!;
    expect(policiesEqual(roleSpec.assumeRolePolicy, decodeURIComponent(adopted.AssumeRolePolicyDocument!))).toBe(true);
    expect(adopted.Tags).toEqual(expect.arrayContaining([{ Key: 'bedrockforge.io/name', Value: 'preexisting' }]));
  });

  it('leaves a role owned by an IAMRole of another namespace untouched', async () => {
    await kubectlApply(stack, [manifest('contested-role', roleSpec)]);
    await waitForCondition('contested-role', 'Ready', 'True');
    await kubectlApply(stack, [manifest('contested-role', { ...roleSpec, description: 'the other team' }, 'team-b')]);
    const other = await waitForCondition('contested-role', 'Synced', 'False', 'team-b', 'OwnedByAnother');
    expect(condition(other, 'Synced')?.message).toContain('default/contested-role');
    expect((await iam.send(new GetRoleCommand({ RoleName: 'contested-role' }))).Role!.Description).toBe('drift target');
  });

  it('backs off and retries throttling and server errors, with one Warning, then converges', async () => {
    // Every CreateRole is throttled until the rule is cleared. The SDK tries each call 3 times;
    // the operator then retries with per-key backoff (0.5 s, 1 s, 2 s, …), not in a hot loop.
    await injectFault(stack.awsEndpoint, { service: 'iam', operation: 'CreateRole', status: 400, code: 'Throttling', count: -1 });
    const applied = Date.now();
    await kubectlApply(stack, [manifest('throttled-role', roleSpec)]);
    const throttled = await waitForCondition('throttled-role', 'Synced', 'False', 'default', 'ReconcileError');
    expect(condition(throttled, 'Synced')?.message).toMatch(/^Throttling: Rate exceeded \(retrying with backoff\)$/);
    const failedCalls = async () => (await listFaults(stack.awsEndpoint)).reduce((n, f) => n + f.failed, 0);
    // Four reconciles of three attempts each: a hot loop would get there in milliseconds.
    await waitFor('four throttled reconciles', async () => ((await failedCalls()) >= 12 ? true : undefined), { timeoutMs: 30_000 });
    expect(Date.now() - applied).toBeGreaterThanOrEqual(3_000);
    await clearFaults(stack.awsEndpoint);
    await waitForCondition('throttled-role', 'Ready', 'True', 'default');
    expect((await events('throttled-role')).filter((e) => e.type === 'Warning' && !isAdvice(e.reason)).map((e) => e.reason)).toEqual(['ReconcileError']);

    // A 5xx on a later step (the inline policy) is retried the same way, and the role converges.
    await injectFault(stack.awsEndpoint, { service: 'iam', operation: 'PutRolePolicy', status: 500, code: 'ServiceFailure', count: 5 });
    await kubectlApply(stack, [manifest('throttled-role', { ...roleSpec, inlinePolicies: [{ ...roleSpec.inlinePolicies[0], name: 'Invoke2' }] })]);
    await waitFor('the new inline policy', async () =>
      (await iam.send(new ListRolePoliciesCommand({ RoleName: 'throttled-role' }))).PolicyNames?.join() === 'Invoke2' ? true : undefined, { timeoutMs: 30_000 });
    expect(await failedCalls()).toBe(5);
    await waitForCondition('throttled-role', 'Synced', 'True', 'default');
  });

  it('serves health and Prometheus metrics: reconciles, AWS calls, queue depth, resources Ready and not', async () => {
    await applySeed();
    expect((await fetch(`${operator.healthUrl()}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${operator.metricsUrl()}/metrics`)).text();
    expect(metrics).toMatch(/^bedrockforge_reconciles_total\{kind="IAMRole",result="success"\} [1-9]/m);
    expect(metrics).toMatch(/^bedrockforge_aws_calls_total\{service="iam",operation="GetRole",outcome="success"\} [1-9]/m);
    expect(metrics).toMatch(/^bedrockforge_reconcile_duration_seconds_count\{kind="IAMRole"\} [1-9]/m);
    expect(metrics).toMatch(/^bedrockforge_queue_depth\{kind="IAMRole"\} \d/m);

    // How many IAMRoles are Ready and not: the figure to alert on, equal to what the apiserver holds.
    const inApiserver = async () => {
      const items = (JSON.parse((await kubectl(stack, ['get', 'iamroles', '-A', '-o', 'json'])).stdout) as { items: { metadata: { deletionTimestamp?: string }; status?: { conditions?: { type: string; status: string }[] } }[] }).items
        .filter((o) => !o.metadata.deletionTimestamp);
      const ready = items.filter((o) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      return `true=${ready} false=${items.length - ready}`;
    };
    const inGauge = async () => {
      const text = await (await fetch(`${operator.metricsUrl()}/metrics`)).text();
      const value = (ready: string) => new RegExp(`^bedrockforge_resources\\{kind="IAMRole",ready="${ready}"\\} (\\d+)$`, 'm').exec(text)?.[1];
      return `true=${value('true')} false=${value('false')}`;
    };
    const counted = await waitFor('the resources gauge to match the apiserver', async () => {
      const [expected, actual] = [await inApiserver(), await inGauge()];
      return expected === actual ? actual : undefined;
    }, { timeoutMs: 15_000 });
    // The seed's roles that name a policy AWS lacks are counted as not Ready.
    expect(Number(/false=(\d+)/.exec(counted)![1])).toBeGreaterThanOrEqual(2);
  });

  it('deletes the role with the IAMRole, and keeps it with deletion policy retain', async () => {
    await kubectlApply(stack, [
      manifest('doomed-role', roleSpec),
      manifest('kept-role', roleSpec, 'default', { 'bedrockforge.io/deletion-policy': 'retain' }),
    ]);
    await waitForCondition('doomed-role', 'Ready', 'True');
    await waitForCondition('kept-role', 'Ready', 'True');
    const deleted = await kubectl(stack, ['delete', 'iamrole', 'doomed-role', 'kept-role', '--wait=true', '--timeout=30s']);
    expect(deleted.code).toBe(0);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'doomed-role' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect((await iam.send(new GetRoleCommand({ RoleName: 'kept-role' }))).Role?.RoleName).toBe('kept-role');
  });
});
