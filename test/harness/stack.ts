import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { ensureKubeBinaries, type KubeBinaries } from './binaries.ts';
import { installCrds } from './crds.ts';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from './emulator/emulator.ts';
import { startEtcd, type Etcd } from './etcd.ts';
import { startKubeApiserver, testUsers, type KubeApiserver, type KubeApiserverOptions, type NonAdminUser, type TestUser } from './kube-apiserver.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { harnessLog } from './log.ts';
import type { ManagedProcess } from './managed-process.ts';
import { ensureNodeAssets, reserveNodeSlot, startNode, type Node, type NodeAssets, type NodeProcessName } from './node/node.ts';
import { releaseSlot, type NodeSlot } from './node/slot.ts';
import { repoRoot } from './repo-paths.ts';

export interface StackOptions {
  /** Directory whose *.yaml files are applied once the API server is ready (default: the repository's crds/). */
  crdDir?: string;
  /** Where data, certificates, logs and kubeconfigs go (default: a new temporary directory, removed by stop()). */
  dir?: string;
  /**
   * Also run a node (containerd, kubelet, kube-scheduler, kube-controller-manager), so that pods run
   * as in a cluster. Needs root and Debian packages (see test/harness/README.md); the node binaries
   * are built on first use.
   */
  node?: boolean;
}

export type StackProcessName = 'etcd' | 'kube-apiserver' | 'moto';

/** A running test bed: etcd + kube-apiserver (token auth, RBAC) + the moto AWS emulator. */
export interface Stack {
  /** Directory holding data, certificates, logs (logs/*.log) and kubeconfigs. */
  dir: string;
  /** Kubeconfig of the admin user (group system:masters). */
  kubeconfigPath: string;
  /** Kubeconfig of a user with no rights until RBAC grants them some. */
  kubeconfigFor(user: NonAdminUser): string;
  /** http://127.0.0.1:PORT of moto. */
  awsEndpoint: string;
  /** KUBECONFIG, AWS_ENDPOINT_URL, AWS_REGION, dummy AWS credentials, helm's homes, PATH with kubectl and helm first. */
  env: Record<string, string>;
  bin: { kubectl: string; helm: string };
  /** Process ids of the stack's children, all gone once stop() resolves. */
  pids: Record<StackProcessName, number> & Partial<Record<NodeProcessName, number>>;
  /** The node, when the stack was started with `node: true`. */
  node?: Node;
  /** Forgets every AWS resource created so far. */
  resetAws(): Promise<void>;
  /** Stops kube-apiserver and starts it again on the same address (clients' watches break). */
  restartApiserver(): Promise<void>;
  /** Stops the children (SIGTERM, then SIGKILL after a grace period); idempotent. */
  stop(): Promise<void>;
}

const AWS_REGION = 'us-east-1';
const defaultCrdDir = join(repoRoot, 'crds');

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const startedAt = Date.now();
  const [binaries, python, nodeAssets] = await Promise.all([
    ensureKubeBinaries(),
    ensureEmulator(),
    options.node ? ensureNodeAssets() : Promise.resolve(undefined),
  ]);
  const ownsDir = options.dir === undefined;
  const dir = options.dir ? resolve(options.dir) : await mkdtemp(join(tmpdir(), 'bedrock-forge-testbed-'));
  const kubeconfigDir = join(dir, 'kubeconfigs');
  await Promise.all([join(dir, 'logs'), kubeconfigDir, join(dir, 'pki')].map((path) => mkdir(path, { recursive: true })));

  // A node's addresses are reserved (and fenced) first: the apiserver takes its service range.
  const nodeDir = join(dir, 'node');
  let slot: NodeSlot | undefined;
  try {
    slot = nodeAssets ? await reserveNodeSlot(nodeDir) : undefined;
  } catch (error) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const apiserverOptions: KubeApiserverOptions = slot ? { serviceClusterIpRange: slot.serviceClusterIpRange, serviceAccountAdmission: true } : {};
  let started: Awaited<ReturnType<typeof startProcesses>>;
  try {
    started = await startProcesses(binaries, python, dir, apiserverOptions);
  } catch (error) {
    if (slot) await releaseSlot(slot);
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { etcd, apiserver, emulator } = started;
  const awsEndpoint = emulator.endpoint;
  const processes: Record<StackProcessName, ManagedProcess> = {
    etcd: etcd.process,
    'kube-apiserver': apiserver.process,
    moto: emulator.process,
  };
  let node: Node | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // The node first (its pods and containers), and its slot whether or not it started.
      if (node) await node.stop();
      else if (slot) await releaseSlot(slot);
      // The API server first, so that it does not log errors about an etcd that went away.
      await Promise.all([apiserver.process.stop(), processes.moto.stop()]);
      await processes.etcd.stop();
      if (ownsDir && !process.env.TESTBED_KEEP_DIR) await rm(dir, { recursive: true, force: true });
    })());

  try {
    const kubeconfigs = await writeKubeconfigs(apiserver, kubeconfigDir);
    const crdDir = options.crdDir ?? defaultCrdDir;
    if (options.crdDir !== undefined || existsSync(crdDir)) await installCrds(binaries.kubectl, kubeconfigs.admin, crdDir);
    if (slot && nodeAssets) node = await startStackNode(slot, nodeAssets, nodeDir, dir, apiserver, emulator, kubeconfigs.admin, binaries.kubectl);
    const stack: Stack = {
      dir,
      kubeconfigPath: kubeconfigs.admin,
      kubeconfigFor: (user) => kubeconfigs[user],
      awsEndpoint,
      env: stackEnv(dir, kubeconfigs.admin, awsEndpoint, dirname(binaries.kubectl)),
      bin: { kubectl: binaries.kubectl, helm: binaries.helm },
      pids: {
        etcd: processes.etcd.pid,
        'kube-apiserver': processes['kube-apiserver'].pid,
        moto: processes.moto.pid,
        ...(node ? Object.fromEntries(Object.entries(node.processes).map(([name, child]) => [name, child.pid])) : {}),
      },
      ...(node ? { node } : {}),
      resetAws: () => resetAws(awsEndpoint),
      restartApiserver: async () => {
        await apiserver.restart();
        stack.pids['kube-apiserver'] = apiserver.process.pid;
      },
      stop,
    };
    harnessLog.info(`stack ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (${dir})`);
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** etcd then kube-apiserver, and moto meanwhile; if any of them fails to start, the others are stopped. */
async function startProcesses(
  binaries: KubeBinaries,
  python: string,
  dir: string,
  apiserverOptions: KubeApiserverOptions,
): Promise<{ etcd: Etcd; apiserver: KubeApiserver; emulator: Emulator }> {
  const logPath = (name: StackProcessName): string => join(dir, 'logs', `${name}.log`);
  const running: ManagedProcess[] = [];
  const track = <T extends { process: ManagedProcess }>(started: T): T => {
    running.push(started.process);
    return started;
  };
  const startKube = async (): Promise<{ etcd: Etcd; apiserver: KubeApiserver }> => {
    const etcd = track(await startEtcd(binaries.etcd, join(dir, 'etcd'), logPath('etcd')));
    const apiserver = track(await startKubeApiserver(binaries.kubeApiserver, etcd.clientUrl, join(dir, 'pki'), logPath('kube-apiserver'), apiserverOptions));
    return { etcd, apiserver };
  };
  const [kube, emulator] = await Promise.allSettled([startKube(), startEmulator(python, logPath('moto')).then(track)]);
  if (kube.status === 'fulfilled' && emulator.status === 'fulfilled') return { ...kube.value, emulator: emulator.value };
  await Promise.all(running.map((child) => child.stop()));
  throw kube.status === 'rejected' ? kube.reason : (emulator as PromiseRejectedResult).reason;
}

function startStackNode(
  slot: NodeSlot,
  assets: NodeAssets,
  nodeDir: string,
  dir: string,
  apiserver: KubeApiserver,
  emulator: Emulator,
  kubeconfigPath: string,
  kubectl: string,
): Promise<Node> {
  return startNode(
    {
      dir: nodeDir,
      logDir: join(dir, 'logs'),
      slot,
      kubeconfigPath,
      caPem: apiserver.caPem,
      serviceAccountKeyPath: apiserver.serviceAccountKeyPath,
      apiserverPort: apiserver.port,
      emulatorPort: Number(new URL(emulator.endpoint).port),
      kubectl,
    },
    assets,
  );
}

async function writeKubeconfigs(apiserver: KubeApiserver, kubeconfigDir: string): Promise<Record<TestUser, string>> {
  const users = Object.keys(testUsers) as TestUser[];
  const paths = Object.fromEntries(users.map((user) => [user, join(kubeconfigDir, `${user}.kubeconfig`)])) as Record<TestUser, string>;
  await Promise.all(
    users.map((user) =>
      writeKubeconfig(paths[user], { server: apiserver.url, caPem: apiserver.caPem, user, token: apiserver.tokens[user] }),
    ),
  );
  return paths;
}

function stackEnv(dir: string, kubeconfigPath: string, awsEndpoint: string, binDir: string): Record<string, string> {
  return {
    KUBECONFIG: kubeconfigPath,
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_REGION,
    AWS_DEFAULT_REGION: AWS_REGION,
    // moto accepts any credentials; these only keep the SDKs from looking further.
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    HELM_CACHE_HOME: join(dir, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(dir, 'helm', 'config'),
    HELM_DATA_HOME: join(dir, 'helm', 'data'),
    PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
  };
}
