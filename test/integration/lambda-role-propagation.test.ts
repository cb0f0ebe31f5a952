// A role IAM has not propagated yet: AWS refuses CreateFunction with "cannot be assumed by Lambda"
// for a while after the role is created. The operator waits (a Normal Event, reason
// WaitingForRolePropagation, no hot loop) and creates the function once Lambda accepts the role.
// The emulator refuses roles younger than MOTO_IAM_PROPAGATION_SECONDS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { condition, Resources } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';

const PROPAGATION_S = 4;
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;

beforeAll(async () => {
  process.env.MOTO_IAM_PROPAGATION_SECONDS = String(PROPAGATION_S); // read by the emulator this file starts
  stack = await startStack();
  operator = await startOperator(stack, ['--resync', '60', '--cluster-name', 'test']);
  k8s = new Resources(stack);
  await startRecording(stack.awsEndpoint);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

describe('a new execution role IAM has not propagated yet', () => {
  it('is waited for with a clear reason, then the function is created', async () => {
    await kubectlApply(stack, [{
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: 'fresh-role-fn', namespace: 'default' },
      spec: { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } } },
    }]);
    const waiting = await k8s.waitForCondition('lambdas', 'fresh-role-fn', 'Synced', 'False', { reason: 'WaitingForRolePropagation' });
    expect(condition(waiting, 'Synced')?.message).toMatch(/^Lambda cannot use the execution role yet \(IAM takes up to a minute.*cannot be assumed by Lambda/);
    await k8s.waitForCondition('lambdas', 'fresh-role-fn', 'Ready', 'True', { timeoutMs: 60_000 });

    const creates = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation === 'POST /2015-03-31/functions');
    // Refused while the role was young, then one success: a retry every few seconds, not a loop.
    expect(creates.length).toBeGreaterThanOrEqual(2);
    expect(creates.length).toBeLessThanOrEqual(PROPAGATION_S + 2);
    const events = await k8s.events('fresh-role-fn');
    expect(events.filter((e) => e.type === 'Warning')).toEqual([]);
    expect(events.filter((e) => e.reason === 'WaitingForRolePropagation').map((e) => e.type)).toEqual(['Normal']);
  });
});
