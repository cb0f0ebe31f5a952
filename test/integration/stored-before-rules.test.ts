// An object stored before the CRD refused what it says (CRD validation ratchets: unchanged fields
// are not validated again) still gets a clear answer: an Agent that never prepares but has an alias
// that needs a prepared version gets one Warning and costs no AWS call, instead of looping.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { condition, Resources } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;

beforeAll(async () => {
  stack = await startStack();
  k8s = new Resources(stack);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

type Crd = { spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { 'x-kubernetes-validations'?: { rule: string }[] } } } } }[] } };

describe('objects stored before a rule', () => {
  it('an Agent with prepareAgent false and an unrouted alias: one Warning, no AWS call, no loop', async () => {
    const crdPath = join(repoRoot, 'crds', 'bedrockforge.io_agents.yaml');
    const crd = parse(await readFile(crdPath, 'utf8')) as Crd;
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec;
    // The CRD as it was before the rule.
    spec['x-kubernetes-validations'] = spec['x-kubernetes-validations']?.filter((r) => !r.rule.includes('routingConfiguration'));
    expect((await kubectl(stack, ['apply', '--server-side', '--force-conflicts', '-f', '-'], stringify(crd))).code).toBe(0);
    const agent = {
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'never-prepared', namespace: 'default' },
      spec: {
        foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0', instruction: 'You help customers look up their orders and nothing else, politely.',
        iamRole: 'arn:aws:iam::123456789012:role/agent-role', prepareAgent: false, aliases: [{ name: 'live' }],
      },
    };
    await waitFor('the object stored under the old CRD', async () => ((await kubectlApply(stack, [agent])).code === 0 ? true : undefined), { timeoutMs: 15_000 });
    // Today's CRD, which would refuse it at apply.
    expect((await kubectl(stack, ['apply', '--server-side', '--force-conflicts', '-f', crdPath])).code).toBe(0);
    expect((await kubectlApply(stack, [{ ...agent, metadata: { ...agent.metadata, name: 'refused-now' } }])).stderr).toContain('needs a prepared agent');

    await startRecording(stack.awsEndpoint);
    operator = await startOperator(stack, ['--cluster-name', 'test']);
    const refused = await k8s.waitForCondition('agents', 'never-prepared', 'Synced', 'False', { reason: 'AliasNeedsPreparedAgent' });
    expect(condition(refused, 'Synced')?.message).toMatch(/^alias live has no routingConfiguration, so it needs a prepared agent/);
    // Over 30 s: no AWS call at all for it, and one Warning Event.
    const started = Date.now();
    await waitFor('30 s to pass with the operator running', () => (Date.now() - started >= 30_000 ? true : undefined), { timeoutMs: 35_000, intervalMs: 1_000 });
    const calls = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes('/agents'));
    expect(calls.length).toBeLessThan(5);
    expect((await k8s.events('never-prepared')).filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['AliasNeedsPreparedAgent']);
  });
});
