// With a controller manager in the test bed, Kubernetes' garbage collector deletes what owner
// references point at, as in any cluster: a generated IAMRole whose owner is gone is deleted by it
// even when the operator is not running (the operator's own finalizer did not do it), and when both
// the operator's finalizer and the collector delete the same IAMRole, neither fails.
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { Resources } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

let stack: Stack;
let operator: RunningOperator | undefined;
let k8s: Resources;
let iam: IAMClient;

beforeAll(async () => {
  stack = await startStack({ node: true });
  k8s = new Resources(stack);
  iam = new IAMClient({ endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}, 900_000);
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

function lambda(name: string, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name, namespace: 'default', annotations },
    spec: { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } } },
  };
}

const roleExists = (roleName: string) => iam.send(new GetRoleCommand({ RoleName: roleName })).then(() => true, (e: Error) => {
  if (e.name === 'NoSuchEntityException') return false;
  throw e;
});
const iamRole = (name: string) => k8s.get('iamroles', name).then((o) => o, (e: { code?: number }) => {
  if (e.code === 404) return undefined;
  throw e;
});

describe('garbage collection of generated roles', () => {
  it('deletes the generated IAMRole of a deleted owner by itself, with the operator stopped', async () => {
    operator = await startOperator(stack, ['--cluster-name', 'test']);
    await kubectlApply(stack, [lambda('collected')]);
    await k8s.waitForReadyGeneration('lambdas', 'collected');
    await k8s.waitForReadyGeneration('iamroles', 'collected-execution-role');
    await operator.stop();
    operator = undefined;
    // The owner goes without the operator: someone removes its finalizer by hand.
    await kubectl(stack, ['delete', 'lambda', 'collected', '--wait=false']);
    await kubectl(stack, ['patch', 'lambda', 'collected', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    // Only the garbage collector is left to act on the owner reference of the orphan.
    const collected = await waitFor('the garbage collector to delete the orphaned IAMRole', async () =>
      ((await iamRole('collected-execution-role'))?.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp, { timeoutMs: 60_000 });
    expect(collected).toBeTruthy();
    // The IAMRole waits for the operator's finalizer, which, once the operator is back, deletes the IAM role.
    operator = await startOperator(stack, ['--cluster-name', 'test'], 'operator-back');
    await waitFor('the IAMRole object and the IAM role gone', async () =>
      ((await iamRole('collected-execution-role')) === undefined && !(await roleExists('collected-execution')) ? true : undefined), { timeoutMs: 30_000 });
  });

  it('keeps the IAM role of a retained owner when the collector deletes its IAMRole', async () => {
    operator ??= await startOperator(stack, ['--cluster-name', 'test'], 'operator-retain');
    await kubectlApply(stack, [lambda('retained', { 'bedrockforge.io/deletion-policy': 'retain' })]);
    await k8s.waitForReadyGeneration('lambdas', 'retained');
    await kubectl(stack, ['delete', 'lambda', 'retained']);
    // The owner's finalizer marked the IAMRole retain; the collector then deletes the object, and the
    // IAMRole's finalizer keeps the role in AWS.
    await waitFor('the IAMRole object gone', async () => ((await iamRole('retained-execution-role')) === undefined ? true : undefined), { timeoutMs: 60_000 });
    expect(await roleExists('retained-execution')).toBe(true);
  });

  it('deletes owner, IAMRole and IAM role when the operator\'s finalizer and the collector both act, with no error', async () => {
    operator ??= await startOperator(stack, ['--cluster-name', 'test'], 'operator-both');
    await kubectlApply(stack, [lambda('doubly-deleted')]);
    await k8s.waitForReadyGeneration('lambdas', 'doubly-deleted');
    await kubectl(stack, ['delete', 'lambda', 'doubly-deleted', '--wait=false']);
    await waitFor('the IAMRole object and the IAM role gone', async () =>
      ((await iamRole('doubly-deleted-execution-role')) === undefined && !(await roleExists('doubly-deleted-execution')) ? true : undefined), { timeoutMs: 30_000 });
    const warnings = [...await k8s.events('doubly-deleted'), ...await k8s.events('doubly-deleted-execution-role')].filter((e) => e.type === 'Warning');
    expect(warnings).toEqual([]);
  });
});
