// Drift at scale, at the operator's default resync: among 1,000 IAMRoles in sync, one role changed
// directly in AWS (its inline policy rewritten, as in the console) is put back within a minute,
// with an Event, and no other role is written meanwhile. The operator runs with its defaults but
// the test bed's raised budget on AWS (the emulator has no quota), so that the 1,000 roles
// converge in about a minute.
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/runtime/defaults.ts';
import { isWrite, recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { condition, Resources, type TestResource } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const ROLES = 1000;
let stack: Stack;
let operator: RunningOperator;
let iam: IAMClient;
let k8s: Resources;

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, ['--cluster-name', 'test']);
  iam = new IAMClient({ endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  k8s = new Resources(stack);
}, 120_000);
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const policy = (i: number) => ({ version: '2012-10-17', statement: [{ effect: 'Allow', action: 'bedrock:InvokeModel', resource: `arn:aws:bedrock:us-east-1::foundation-model/m-${i}` }] });
const role = (i: number) => ({
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: `scale-role-${i}`, namespace: 'default' },
  spec: {
    assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] },
    inlinePolicies: [{ name: 'Invoke', policy: policy(i) }],
  },
});

async function readyCount(): Promise<number> {
  const list = await k8s.objects.listNamespacedCustomObject({ group: 'bedrockforge.io', version: 'v1alpha1', plural: 'iamroles', namespace: 'default' }) as { items: TestResource[] };
  return list.items.filter((o) => condition(o, 'Ready')?.status === 'True').length;
}

describe('drift at scale', () => {
  it('reverts drift made in AWS on one role among 1,000 within one default resync, and writes nothing else', async () => {
    expect(DEFAULTS.resyncSeconds).toBeLessThanOrEqual(60);
    expect((await kubectlApply(stack, Array.from({ length: ROLES }, (_, i) => role(i)))).code).toBe(0);
    await waitFor(`${ROLES} IAMRoles Ready`, async () => ((await readyCount()) === ROLES ? true : undefined), { timeoutMs: 300_000, intervalMs: 2_000 });

    const target = 'scale-role-500';
    const before = await k8s.events(target);
    await startRecording(stack.awsEndpoint);
    const widened = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:*', Resource: '*' }] });
    await iam.send(new PutRolePolicyCommand({ RoleName: target, PolicyName: 'Invoke', PolicyDocument: widened }));
    const driftedAt = Date.now();

    await waitFor(`${target}'s inline policy put back`, async () => {
      const document = (await iam.send(new GetRolePolicyCommand({ RoleName: target, PolicyName: 'Invoke' }))).PolicyDocument!;
      return decodeURIComponent(document).includes('foundation-model/m-500') ? true : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    // Within the next load of the account's role listing (at most half a resync later) and the
    // load itself, whose comparison with the load before queues the role's drift check.
    expect(Date.now() - driftedAt).toBeLessThanOrEqual(60_000);
    await k8s.waitForEvent(target, before, (e) => e.reason === 'DriftCorrected');

    // The only writes meanwhile went to the drifted role (the test's own PutRolePolicy among them).
    const writes = (await recordedCalls(stack.awsEndpoint)).filter(isWrite);
    expect(writes.map((c) => c.params.RoleName)).toEqual(writes.map(() => target));
    expect(writes.filter((c) => c.operation === 'PutRolePolicy')).toHaveLength(2);
  }, 480_000);
});
