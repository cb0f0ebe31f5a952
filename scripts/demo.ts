// `npm run demo`: the operator on the built-in local stack. Starts kube-apiserver, etcd and the
// AWS emulator, installs the CRDs, starts the operator, applies examples/, and shows a table of
// the resources and their conditions; then makes a drift in the emulator and shows the operator
// correcting it, and the complete example (Agent, Lambda, generated roles) becoming Ready; then
// goes on showing the table until Ctrl-C, which stops everything.
//   --once         stop once the complete example is Ready (for CI and tests)
//   --in-cluster   run the operator as users do: its image, built from the Dockerfile, as Pods on
//                  a node of the test bed, installed by the Helm chart
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeleteRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, KINDS, VERSION } from '../src/api/kinds.ts';
import { statusTable, type ResourceRow } from '../src/cli/status-table.ts';
import { kubectl } from '../test/harness/kubectl.ts';
import { repoRoot } from '../test/harness/repo-paths.ts';
import { helm, helmInstallOperator, importOperatorImage, RELEASE, RELEASE_NAMESPACE, RELEASE_SELECTOR } from '../test/harness/installed-operator.ts';
import { startOperator, type RunningOperator } from '../test/harness/operator.ts';
import { startStack } from '../test/harness/stack.ts';
import { waitFor } from '../test/harness/wait.ts';

const { values } = parseArgs({ options: { once: { type: 'boolean' }, 'in-cluster': { type: 'boolean' } } });
const inCluster = values['in-cluster'] === true;
const REFRESH_MS = 2000;
const DEMO_RESYNC_S = 5;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function listResources(kc: KubeConfig): Promise<ResourceRow[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const lists = await Promise.all(KINDS.map((k) => api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: k.plural })));
  return lists.flatMap((l) => (l as { items: ResourceRow[] }).items);
}

say(inCluster
  ? 'Starting the local stack with a node (kube-apiserver, etcd, containerd, kubelet, AWS emulator); the first run builds the binaries and the image…'
  : 'Starting the local stack (kube-apiserver, etcd, AWS emulator); the first run builds the binaries… (`npm run demo -- --in-cluster` runs the operator as a Pod from its image)');
const stack = await startStack({ node: inCluster });
let operator: RunningOperator | undefined;
const stopAll = async (): Promise<void> => {
  await operator?.stop();
  if (inCluster) await helm(stack, ['uninstall', RELEASE, '-n', RELEASE_NAMESPACE]).catch(() => undefined);
  await stack.stop();
};

try {
  say(`Stack ready. To use it from another shell: KUBECONFIG=${stack.kubeconfigPath} AWS_ENDPOINT_URL=${stack.awsEndpoint}`);
  // A short drift check, so the demo shows a correction within seconds (the default is 10 minutes).
  if (inCluster) {
    const image = await importOperatorImage(stack);
    await helmInstallOperator(stack, image, { 'operator.resyncSeconds': DEMO_RESYNC_S, replicaCount: 1 });
    await waitFor('the operator pod to be Ready', async () => {
      const ready = await kubectl(stack, ['get', 'pods', '-n', RELEASE_NAMESPACE, '-l', RELEASE_SELECTOR, '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}']);
      return ready.stdout.trim() === 'True' || undefined;
    }, { timeoutMs: 120_000 });
    say(`Operator running as a Pod from ${image.ref} (${image.sizeMiB} MiB), installed by the Helm chart, checking for drift every ${DEMO_RESYNC_S} s (logs: kubectl logs -n ${RELEASE_NAMESPACE} -l ${RELEASE_SELECTOR}).`);
  } else {
    operator = await startOperator(stack, ['--resync', String(DEMO_RESYNC_S)]);
    say(`Operator running, checking for drift every ${DEMO_RESYNC_S} s (logs: ${operator.logFile}).`);
  }

  const applied = await kubectl(stack, ['apply', '-R', '-f', join(repoRoot, 'examples')]);
  say(`\n$ kubectl apply -R -f examples/\n${applied.stdout}${applied.stderr}`);
  if (applied.code !== 0) throw new Error('kubectl apply of examples/ failed');

  const kc = new KubeConfig();
  kc.loadFromFile(stack.kubeconfigPath);
  let shown = '';
  const show = async (): Promise<void> => {
    const table = statusTable(await listResources(kc), process.stdout.columns ?? 160);
    if (table !== shown) say(`\n${new Date().toISOString()}\n${table}`);
    shown = table;
  };
  await show();

  // Once the example roles and functions have settled, change a role directly in the emulator,
  // as someone with console access might, and let the operator put it back.
  const settled = (r: ResourceRow) => r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
    || r.status?.conditions?.some((c) => c.type === 'Synced' && c.status === 'False' && !c.reason.startsWith('Waiting'));
  await waitFor('the example IAMRoles and Lambdas to be reconciled', async () =>
    ((await listResources(kc)).filter((r) => r.kind === 'IAMRole' || r.kind === 'Lambda').every(settled) ? true : undefined),
  { timeoutMs: 90_000 });
  await show();
  const iam = new IAMClient({ endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } });
  await iam.send(new DeleteRolePolicyCommand({ RoleName: 'least-privilege-agent-role', PolicyName: 'MinimalPermissions' }));
  say('\nDrift made in the emulator: deleted the inline policy MinimalPermissions of least-privilege-agent-role.');
  const corrected = await waitFor('the drift to be corrected', async () => {
    const events = await kubectl(stack, ['get', 'events', '-n', 'default', '--field-selector', 'involvedObject.name=least-privilege-agent-role,reason=DriftCorrected', '-o', 'jsonpath={.items[*].message}']);
    return events.stdout.trim() || undefined;
  }, { timeoutMs: 60_000 });
  say(`The operator corrected it (Event DriftCorrected: ${corrected}).`);

  // The complete example: the agent is created once its generated role and its Lambda are Ready,
  // then prepared, and its alias routed to a version of the prepared agent.
  const agent = await waitFor('the complete example (Agent order-assistant) to be Ready', async () =>
    (await listResources(kc)).find((r) => r.kind === 'Agent' && r.metadata.name === 'order-assistant'
      && r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
  { timeoutMs: 120_000 });
  await show();
  const status = agent.status as { agentId?: string; aliases?: { name: string; agentVersion?: string }[] };
  const alias = status.aliases?.[0];
  say(`\nThe complete example is Ready: agent ${status.agentId} is prepared and alias ${alias?.name} routes to version ${alias?.agentVersion}.`);

  if (!values.once) {
    say('\nWatching; Ctrl-C stops the operator and the stack.');
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => void show().catch((e: unknown) => say(`cannot list resources: ${String(e)}`)), REFRESH_MS);
      const done = () => { clearInterval(timer); resolve(); };
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
  }
} finally {
  say('\nStopping the operator and the stack…');
  await stopAll();
}
