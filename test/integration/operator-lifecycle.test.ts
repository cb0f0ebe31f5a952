// Two replicas: only the Lease holder works, the other takes over when it dies; SIGTERM stops a
// replica gracefully and hands the Lease on at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const FAST_LEASE = ['--lease-duration', '3', '--renew-deadline', '2', '--retry-period', '0.5', '--resync', '60'];
let stack: Stack;
/** Every replica a test starts, stopped in afterAll should the test fail before stopping it. */
const replicas: RunningOperator[] = [];

beforeAll(async () => { stack = await startStack(); });
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await stack?.stop();
});

const role = (name: string) => ({
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name, namespace: 'default' },
  spec: { assumeRolePolicy: { statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] } },
});

async function readyStatus(name: string): Promise<string> {
  const r = await kubectl(stack, ['get', 'iamrole', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  return r.stdout;
}

async function leaseHolder(): Promise<string> {
  return (await kubectl(stack, ['get', 'lease', 'bedrock-forge-operator', '-n', 'default', '-o', 'jsonpath={.spec.holderIdentity}'])).stdout;
}

describe('watch recovery', () => {
  it('goes on reconciling after kube-apiserver restarts under the running operator', async () => {
    const operator = await startOperator(stack, [...FAST_LEASE, '--leader-elect', 'false'], 'recovering');
    try {
      await kubectlApply(stack, [role('before-outage')]);
      await waitFor('the role from before the outage to be Ready', async () => ((await readyStatus('before-outage')) === 'True' ? true : undefined), { timeoutMs: 30_000 });
      await stack.restartApiserver();
      // Created after the restart: only a watch that was re-established (with a relist) sees it.
      await kubectlApply(stack, [role('after-outage')]);
      await waitFor('the role from after the outage to be Ready', async () => ((await readyStatus('after-outage')) === 'True' ? true : undefined), { timeoutMs: 60_000 });
      expect(operator.child.exitCode).toBeNull();
    } finally {
      await operator.stop();
    }
  });
});

describe('replicas', () => {
  it('one works, the other takes over within the lease duration when the first dies', async () => {
    const first = await startOperator(stack, FAST_LEASE, 'replica-1');
    replicas.push(first);
    const second = await startOperator(stack, FAST_LEASE, 'replica-2', 'waiting to become leader');
    replicas.push(second);
    try {
      await kubectlApply(stack, [role('while-first-leads')]);
      await waitFor('the first replica to make the role Ready', async () => ((await readyStatus('while-first-leads')) === 'True' ? true : undefined), { timeoutMs: 30_000 });
      expect(second.lines().some((l) => l.includes('"msg":"became leader"') || l.includes('created in AWS'))).toBe(false);

      first.child.kill('SIGKILL');
      await first.stop();
      const diedAt = Date.now();
      await waitFor('the second replica to lead', () => (second.lines().some((l) => l.includes('"msg":"watching"')) ? true : undefined), { timeoutMs: 10_000 });
      expect(Date.now() - diedAt).toBeLessThan(3_000 + 2_000);
      await kubectlApply(stack, [role('after-takeover')]);
      await waitFor('the second replica to make the new role Ready', async () => ((await readyStatus('after-takeover')) === 'True' ? true : undefined), { timeoutMs: 30_000 });
    } finally {
      // Leaves no replica holding the Lease for the tests after this one.
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('stops on SIGTERM, exiting 0, and releases the Lease at once', async () => {
    // A leader of its own: resolves once it leads, so the Lease has a holder.
    const leader = await startOperator(stack, FAST_LEASE, 'replica-sigterm');
    replicas.push(leader);
    expect(await leaseHolder()).not.toBe('');
    leader.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => leader.child.once('exit', resolve));
    expect(code).toBe(0);
    expect(leader.lines().some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(await leaseHolder()).toBe('');
  });
});
