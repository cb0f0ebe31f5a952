// The reconcile contract against the real apiserver and the emulator, as a user sees it:
// converging from nothing is progress, never drift; a read that fails never turns into a write;
// a hung AWS endpoint holds only its own key, which is retried; the finalizer is added only to
// the object as the apiserver holds it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { IAMRoleKind } from '../../src/api/kinds.ts';
import type { AnyResource } from '../../src/api/metadata.ts';
import { KubeWrites } from '../../src/runtime/kube-writes.ts';
import { clearFaults, injectFault, listFaults } from '../harness/emulator/faults.ts';
import { isWrite, recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { condition, Resources } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const RESYNC_S = 1;
const RECONCILE_TIMEOUT_S = 3;
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let complete: Record<string, unknown>[];

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--reconcile-timeout', String(RECONCILE_TIMEOUT_S), '--cluster-name', 'test']);
  k8s = new Resources(stack);
  complete = parseAllDocuments(await readFile(join(repoRoot, 'examples', 'complete', 'order-assistant.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
});
afterAll(async () => {
  await clearFaults(stack.awsEndpoint).catch(() => undefined);
  await operator?.stop();
  await stack?.stop();
});

/** The complete example (an Agent calling a Lambda, roles generated) in a namespace of its own, under AWS names of its own. */
async function applyComplete(namespace: string): Promise<void> {
  await kubectlApply(stack, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }]);
  const objects = complete.map((o) => {
    const spec = { ...(o.spec as Record<string, unknown>) };
    if (o.kind === 'Lambda') spec.functionName = `order-lookup-${namespace}`;
    if (o.kind === 'Agent') spec.agentName = `order-assistant-${namespace}`;
    return { ...o, metadata: { ...(o.metadata as object), namespace }, spec };
  });
  expect((await kubectlApply(stack, objects)).code).toBe(0);
}

async function driftMetric(): Promise<number> {
  const text = await (await fetch(`${operator.metricsUrl()}/metrics`)).text();
  return [...text.matchAll(/^bedrockforge_drift_corrections_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('reconcile contract', () => {
  it('converges an Agent and its Lambda from nothing with no DriftCorrected Event and no drift counted', async () => {
    const before = await driftMetric();
    await applyComplete('progress');
    await k8s.waitForReadyGeneration('agents', 'order-assistant', 'progress');
    await k8s.waitForReadyGeneration('lambdas', 'order-lookup', 'progress');
    // The Lambda's statement for the agent is the last step: wait until its resource policy has it.
    await waitFor('the Lambda to record the agent\'s statement', async () =>
      ((await k8s.get('lambdas', 'order-lookup', 'progress')).status?.policyStatementIds as string[] | undefined)?.some((s) => s.startsWith('bedrock-agent-')) || undefined, { timeoutMs: 30_000 });
    const objects = ['order-assistant', 'order-lookup', 'order-assistant-service-role', 'order-lookup-execution-role'];
    const events = (await Promise.all(objects.map((name) => k8s.events(name, 'progress')))).flat();
    expect(events.filter((e) => e.reason === 'DriftCorrected')).toEqual([]);
    expect(events.filter((e) => e.reason === 'Created').length).toBeGreaterThanOrEqual(4);
    expect(await driftMetric()).toBe(before);
  });

  // Thirteen reads throttled in turn: the budget on AWS slows each service down after its
  // throttling (as it should with AWS), so this takes minutes, not seconds.
  it('never writes to AWS in a pass whose read failed: each read of the Agent and Lambda clients and each account listing throttled in turn', { timeout: 900_000 }, async () => {
    await applyComplete('reads');
    await k8s.waitForReadyGeneration('agents', 'order-assistant', 'reads');
    await k8s.waitForReadyGeneration('lambdas', 'order-lookup', 'reads');
    const reads = [
      // The agent comes from the account's ListAgents while its summary has not moved, with a full
      // read (GetAgent to GetAgentVersion) every tenth pass; its aliases are read every pass.
      ...['ListAgents', 'GetAgent', 'ListTagsForResource', 'ListAgentActionGroups', 'GetAgentActionGroup', 'ListAgentKnowledgeBases', 'ListAgentAliases', 'GetAgentVersion']
        .map((operation) => ({ plural: 'agents' as const, name: 'order-assistant', service: 'bedrock-agent', operation, status: 429, code: 'ThrottlingException' })),
      // GetFunction comes every tenth pass of a function in sync, the account's listing between.
      ...['ListFunctions', 'GetFunction', 'GetPolicy']
        .map((operation) => ({ plural: 'lambdas' as const, name: 'order-lookup', service: 'lambda', operation, status: 429, code: 'TooManyRequestsException' })),
      // The account's role listings, which every IAMRole in sync is observed from.
      ...['GetAccountAuthorizationDetails', 'ListRoles']
        .map((operation) => ({ plural: 'iamroles' as const, name: 'order-lookup-execution-role', service: 'iam', operation, status: 400, code: 'Throttling' })),
    ];
    for (const read of reads) {
      await startRecording(stack.awsEndpoint);
      await injectFault(stack.awsEndpoint, { service: read.service, operation: read.operation, status: read.status, code: read.code, count: -1 });
      const failed = await waitFor(`${read.operation} to fail the ${read.plural} pass`, async () => {
        const o = await k8s.get(read.plural, read.name, 'reads');
        const synced = condition(o, 'Synced');
        // Throttled: the pass fails with AWS's message, or, once the budget has slowed the
        // service's calls down (it learns from every throttled call of the service), with this
        // test's 3-second pass deadline; either way it fails.
        return synced?.status === 'False' && /Rate exceeded|did not finish within its deadline/.test(synced.message ?? '') ? o : undefined;
      }, { timeoutMs: 60_000 });
      expect(condition(failed, 'Ready')?.status, `a Ready ${read.plural} stays Ready while ${read.operation} fails`).toBe('True');
      const faulted = (await listFaults(stack.awsEndpoint))[0]!;
      expect(faulted.failed, `${read.operation} was refused`).toBeGreaterThan(0);
      expect((await recordedCalls(stack.awsEndpoint)).filter(isWrite), `no AWS write while ${read.operation} fails`).toEqual([]);
      await clearFaults(stack.awsEndpoint);
      // Recovery is not immediate, by design: the key waits out its backoff (doubled by each pass
      // failed while the fault held, longer on a loaded machine), and the service's rate climbs
      // back from where throttling left it, within seconds whatever the calls (with the SDK's
      // adaptive mode, which let a service few calls go to back only to twice their rate, a pass
      // of eight calls could miss this test's 3-second deadline for minutes, seen in CI).
      await waitFor(`${read.plural} Synced again after ${read.operation}`, async () =>
        condition(await k8s.get(read.plural, read.name, 'reads'), 'Synced')?.status === 'True' || undefined, { timeoutMs: 90_000 });
    }
  });

  it('aborts a call that hangs at the pass deadline and retries that key, while other keys go on', async () => {
    await injectFault(stack.awsEndpoint, { service: 'lambda', operation: 'GetFunction', hang: true, count: -1 });
    try {
      await kubectlApply(stack, [
        { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: 'hung-fn', namespace: 'default' },
          spec: { runtime: 'python3.12', handler: 'app.handler', roleArn: 'arn:aws:iam::123456789012:role/any', code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } } } },
        { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: 'unaffected-role', namespace: 'default' },
          spec: { assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole' }] } } },
      ]);
      const hung = await k8s.waitForCondition('lambdas', 'hung-fn', 'Synced', 'False', { reason: 'DeadlineExceeded', timeoutMs: (RECONCILE_TIMEOUT_S + 10) * 1000 });
      expect(condition(hung, 'Synced')?.message).toMatch(/did not finish within its deadline .*\(retrying with backoff\)/);
      await k8s.waitForCondition('iamroles', 'unaffected-role', 'Ready', 'True', { timeoutMs: 10_000 });
      // Retried: the emulator holds a second GetFunction of the same key.
      await waitFor('the hung key to be tried again', async () => ((await listFaults(stack.awsEndpoint))[0]!.failed >= 2 ? true : undefined), { timeoutMs: 30_000 });
    } finally {
      await clearFaults(stack.awsEndpoint);
    }
    // Once the endpoint answers again, the key converges.
    await waitFor('hung-fn to get past its deadline', async () =>
      condition(await k8s.get('lambdas', 'hung-fn'), 'Synced')?.reason !== 'DeadlineExceeded' || undefined, { timeoutMs: 60_000 });
  });

  it('adds the finalizer only to the finalizer list the apiserver holds: a stale copy is refused, not written twice', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfigPath);
    const objects = kc.makeApiClient(CustomObjectsApi);
    const target = { group: 'bedrockforge.io', version: 'v1alpha1', plural: 'iamroles', namespace: 'default' };
    // Paused for the operator: a role whose name it refuses at apply cannot exist, so create one it will reconcile,
    // and take the copy before the operator adds its finalizer.
    const stale = await objects.createNamespacedCustomObject({ ...target, body: {
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: 'guarded-role', finalizers: ['example.com/other'] },
      spec: { assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole' }] } },
    } }) as AnyResource;
    // The operator adds its finalizer; the copy above no longer shows the list as it is.
    await waitFor('the operator\'s finalizer', async () =>
      ((await objects.getNamespacedCustomObject({ ...target, name: 'guarded-role' })) as AnyResource).metadata.finalizers?.includes('bedrockforge.io/finalizer') || undefined, { timeoutMs: 15_000 });
    await expect(new KubeWrites(kc, IAMRoleKind).addFinalizer(stale)).rejects.toMatchObject({ code: 422 });
    const now = (await objects.getNamespacedCustomObject({ ...target, name: 'guarded-role' })) as AnyResource;
    expect(now.metadata.finalizers).toEqual(['example.com/other', 'bedrockforge.io/finalizer']);
    // Let the object go: another controller would remove its own finalizer.
    await objects.patchNamespacedCustomObject({ ...target, name: 'guarded-role', body: [{ op: 'remove', path: '/metadata/finalizers/0' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  });
});
