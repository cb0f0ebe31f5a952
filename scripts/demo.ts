// `npm run demo`: the operator on the built-in local stack. Starts kube-apiserver, etcd and the
// AWS emulator, installs the CRDs, starts the operator, applies examples/, and shows a table of
// the resources and their conditions until Ctrl-C, which stops everything.
//   --once   print the table once everything is applied, then stop (for CI and tests)
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, KINDS, VERSION } from '../src/api/kinds.ts';
import { statusTable, type ResourceRow } from '../src/cli/status-table.ts';
import { kubectl } from '../test/harness/kubectl.ts';
import { repoRoot } from '../test/harness/repo-paths.ts';
import { startOperator, type RunningOperator } from '../test/harness/operator.ts';
import { startStack } from '../test/harness/stack.ts';

const { values } = parseArgs({ options: { once: { type: 'boolean' } } });
const REFRESH_MS = 2000;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function listResources(kc: KubeConfig): Promise<ResourceRow[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const lists = await Promise.all(KINDS.map((k) => api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: k.plural })));
  return lists.flatMap((l) => (l as { items: ResourceRow[] }).items);
}

say('Starting the local stack (kube-apiserver, etcd, AWS emulator); the first run builds the binaries…');
const stack = await startStack();
let operator: RunningOperator | undefined;
const stopAll = async (): Promise<void> => {
  await operator?.stop();
  await stack.stop();
};

try {
  say(`Stack ready. To use it from another shell: KUBECONFIG=${stack.kubeconfigPath} AWS_ENDPOINT_URL=${stack.awsEndpoint}`);
  operator = await startOperator(stack);
  say(`Operator running (logs: ${operator.logFile}).`);

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
