// `npm run bench`: how the operator does at scale on the local stack, in figures (no pass/fail):
//   - time for N IAMRoles and M Lambdas (each with a generated execution role) applied at once to
//     become Ready, and the AWS calls that took;
//   - AWS calls per resource per resync once everything is in sync (reads only, no writes);
//   - the operator's resident memory after convergence.
// The emulator answers at once, so the times measure the operator and kube-apiserver, not AWS.
//   --roles N (default 200)   --lambdas M (default 50)   --workers W (default 4)
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../src/api/kinds.ts';
import { isWrite, recordedCalls, startRecording } from '../test/harness/emulator/recorder.ts';
import { kubectlApply } from '../test/harness/kubectl.ts';
import { startOperator } from '../test/harness/operator.ts';
import { startStack } from '../test/harness/stack.ts';
import { waitFor } from '../test/harness/wait.ts';

const { values } = parseArgs({ options: { roles: { type: 'string', default: '200' }, lambdas: { type: 'string', default: '50' }, workers: { type: 'string', default: '4' } } });
const ROLES = Number(values.roles);
const LAMBDAS = Number(values.lambdas);
const RESYNC_S = 20;

const role = (i: number) => ({
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: `bench-role-${i}`, namespace: 'default' },
  spec: {
    assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] },
    inlinePolicies: [{ name: 'Invoke', policy: { version: '2012-10-17', statement: [{ effect: 'Allow', action: 'bedrock:InvokeModel', resource: `arn:aws:bedrock:us-east-1::foundation-model/m-${i}` }] } }],
    tags: { Bench: String(i) },
  },
});
const fn = (i: number) => ({
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: `bench-fn-${i}`, namespace: 'default' },
  spec: { runtime: 'python3.12', handler: 'app.handler', memorySize: 256, code: { inline: { 'app.py': `def handler(e, c):\n    return ${i}\n` } } },
});

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

say(`Benchmark: ${ROLES} IAMRoles and ${LAMBDAS} Lambdas (each with a generated execution role), ${values.workers} workers per kind`);
const stack = await startStack();
const operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--workers', values.workers!]);
try {
  const kc = new KubeConfig();
  kc.loadFromFile(stack.kubeconfigPath);
  const api = kc.makeApiClient(CustomObjectsApi);
  const readyCount = async (plural: string) => ((await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural })) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] })
    .items.filter((o) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  const total = ROLES + 2 * LAMBDAS; // each Lambda's generated role is an IAMRole too

  await startRecording(stack.awsEndpoint);
  const started = Date.now();
  for (let i = 0; i < ROLES; i += 100) await kubectlApply(stack, Array.from({ length: Math.min(100, ROLES - i) }, (_, k) => role(i + k)));
  for (let i = 0; i < LAMBDAS; i += 100) await kubectlApply(stack, Array.from({ length: Math.min(100, LAMBDAS - i) }, (_, k) => fn(i + k)));
  await waitFor('everything Ready', async () => ((await readyCount('iamroles')) + (await readyCount('lambdas')) === total ? true : undefined), { timeoutMs: 30 * 60_000, intervalMs: 500 });
  const convergedS = (Date.now() - started) / 1000;
  const convergeCalls = await recordedCalls(stack.awsEndpoint);

  // Two resync periods (with jitter) once in sync: every resource is read twice, nothing written.
  const versions = async () => new Map((await Promise.all(['iamroles', 'lambdas'].map((plural) => api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural }))))
    .flatMap((l) => (l as { items: { metadata: { name: string; resourceVersion: string } }[] }).items).map((o) => [o.metadata.name, o.metadata.resourceVersion]));
  const versionsBefore = await versions();
  await startRecording(stack.awsEndpoint);
  const steadyStarted = Date.now();
  await waitFor('two resync periods', async () => (Date.now() - steadyStarted >= 2 * RESYNC_S * 1000 ? true : undefined), { timeoutMs: 3 * RESYNC_S * 1000, intervalMs: 1000 });
  const steadyCalls = await recordedCalls(stack.awsEndpoint);
  const versionsAfter = await versions();
  const objectWrites = [...versionsAfter].filter(([name, version]) => versionsBefore.get(name) !== version).length;
  const rssMiB = Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${operator.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const metrics = await (await fetch(`${operator.metricsUrl()}/metrics`)).text();
  const heapMiB = (space: string) => Number(new RegExp(`^nodejs_heap_size_${space}_bytes (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0) / 1024 / 1024;

  say('');
  say(`converged: ${total} resources Ready in ${convergedS.toFixed(1)} s (${(total / convergedS).toFixed(1)} per second)`);
  say(`AWS calls to converge: ${convergeCalls.length} (${(convergeCalls.length / total).toFixed(1)} per resource), writes ${convergeCalls.filter(isWrite).length}`);
  say(`in sync, over ${2 * RESYNC_S} s (two resync periods): ${steadyCalls.length} AWS calls (${(steadyCalls.length / total / 2).toFixed(1)} per resource per resync), AWS writes ${steadyCalls.filter(isWrite).length}, objects written (status included) ${objectWrites}`);
  say(`operator memory: resident ${rssMiB.toFixed(0)} MiB, JS heap used ${heapMiB('used').toFixed(0)} MiB of ${heapMiB('total').toFixed(0)} MiB`);
} finally {
  await operator.stop();
  await stack.stop();
}
