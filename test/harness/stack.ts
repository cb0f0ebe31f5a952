import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { ensureKubeBinaries, type KubeBinaries } from './binaries.ts';
import { installCrds } from './crds.ts';
import { authorizerDecisions, restoreOperatorPolicy, setOperatorPolicy, startAuthorizer, type Authorizer, type AuthorizerDecision } from './emulator/authorizer/authorizer.ts';
import { ensurePermissionsBoundary, OPERATOR_ACCESS_KEY_ID, OPERATOR_SECRET_ACCESS_KEY, PERMISSIONS_BOUNDARY_ARN } from './emulator/authorizer/operator-identity.ts';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from './emulator/emulator.ts';
import { startEtcd, type Etcd } from './etcd.ts';
import { startKubeApiserver, testUsers, type KubeApiserver, type KubeApiserverOptions, type NonAdminUser, type TestUser } from './kube-apiserver.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { harnessLog } from './log.ts';
import type { AnyPolicy } from '../../src/aws/iam/policy-json.ts';
import type { ManagedProcess } from './managed-process.ts';
import { ensureNodeAssets, reserveNodeSlot, startNode, type Node, type NodeAssets, type NodeProcessName } from './node/node.ts';
import { releaseSlot, type NodeSlot } from './node/slot.ts';
import { repoRoot } from './repo-paths.ts';

/**
 * The operator's budget on the emulator (--aws-qps): the emulator has no quota, and the tests resync
 * every second or two over dozens of resources, which AWS's rates (the operator's defaults) would
 * stretch into minutes. The budget itself is tested in test/unit/aws-rate-limits.test.ts.
 */
export const TESTBED_AWS_QPS = 'iam=500,lambda=500,bedrock-agent=500,bedrock=500,bedrock-agentcore=500,sts=500';

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
  /**
   * Put the authorizing front before moto (default true; TESTBED_AUTHORIZE=0 turns it off): requests
   * signed with the operator's access key are authorized against policies/operator-iam-policy.json.
   */
  authorize?: boolean;
}

export type StackProcessName = 'etcd' | 'kube-apiserver' | 'moto' | 'authorizer';

/** The authorizing front before moto (emulator/authorizer/). */
export interface StackAuthorizer {
  /** Its address (the stack's awsEndpoint). */
  endpoint: string;
  /** Its log: one JSON line per decision. */
  logPath: string;
  /** Replaces the operator's IAM policy (placeholders filled) until restoreOperatorPolicy() or resetAws(). */
  setOperatorPolicy(document: AnyPolicy): Promise<void>;
  restoreOperatorPolicy(): Promise<void>;
  /** Decisions numbered above `after`. */
  decisions(after?: number): Promise<AuthorizerDecision[]>;
}

/** A running test bed: etcd + kube-apiserver (token auth, RBAC) + the moto AWS emulator. */
export interface Stack {
  /** Directory holding data, certificates, logs (logs/*.log) and kubeconfigs. */
  dir: string;
  /** Kubeconfig of the admin user (group system:masters). */
  kubeconfigPath: string;
  /** Kubeconfig of a user with no rights until RBAC grants them some. */
  kubeconfigFor(user: NonAdminUser): string;
  /**
   * http://127.0.0.1:PORT of AWS: the authorizing front, which forwards to moto (see authorizer),
   * or moto itself when the stack was started with `authorize: false`.
   */
  awsEndpoint: string;
  /** http://127.0.0.1:PORT of moto itself: nothing is authorized there. */
  motoEndpoint: string;
  /** KUBECONFIG, AWS_ENDPOINT_URL, AWS_REGION, dummy AWS credentials (not the operator's: unrestricted), helm's homes, PATH with kubectl and helm first. */
  env: Record<string, string>;
  /**
   * What the operator runs with, on top of env: its own access key (whose requests the front
   * authorizes against the operator's IAM policy) and PERMISSIONS_BOUNDARY.
   */
  operatorEnv: Record<string, string>;
  /** A managed policy in the emulated account, created at start and after each resetAws(); the operator's --permissions-boundary. */
  permissionsBoundaryArn: string;
  /** The authorizing front, unless the stack was started with `authorize: false`. */
  authorizer?: StackAuthorizer;
  bin: { kubectl: string; helm: string };
  /** Process ids of the stack's children, all gone once stop() resolves. */
  pids: Record<Exclude<StackProcessName, 'authorizer'>, number> & Partial<Record<'authorizer' | NodeProcessName, number>>;
  /** The node, when the stack was started with `node: true`. */
  node?: Node;
  /** Forgets every AWS resource created so far (but for the permissions boundary) and restores the operator's policy. */
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
  const authorize = options.authorize ?? process.env.TESTBED_AUTHORIZE !== '0';
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
    started = await startProcesses(binaries, python, dir, apiserverOptions, authorize);
  } catch (error) {
    if (slot) await releaseSlot(slot);
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { etcd, apiserver, emulator, authorizer } = started;
  const awsEndpoint = authorizer?.endpoint ?? emulator.endpoint;
  const processes: Record<Exclude<StackProcessName, 'authorizer'>, ManagedProcess> & { authorizer?: ManagedProcess } = {
    etcd: etcd.process,
    'kube-apiserver': apiserver.process,
    moto: emulator.process,
    ...(authorizer ? { authorizer: authorizer.process } : {}),
  };
  let node: Node | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // The node first (its pods and containers), and its slot whether or not it started.
      if (node) await node.stop();
      else if (slot) await releaseSlot(slot);
      // The API server first, so that it does not log errors about an etcd that went away.
      await Promise.all([apiserver.process.stop(), processes.moto.stop(), processes.authorizer?.stop()]);
      await processes.etcd.stop();
      if (ownsDir && !process.env.TESTBED_KEEP_DIR) await rm(dir, { recursive: true, force: true });
    })());

  try {
    const kubeconfigs = await writeKubeconfigs(apiserver, kubeconfigDir);
    const crdDir = options.crdDir ?? defaultCrdDir;
    if (options.crdDir !== undefined || existsSync(crdDir)) await installCrds(binaries.kubectl, kubeconfigs.admin, crdDir);
    // Pods reach AWS where the test process does: through the front.
    if (slot && nodeAssets) node = await startStackNode(slot, nodeAssets, nodeDir, dir, apiserver, awsEndpoint, kubeconfigs.admin, binaries.kubectl);
    if (!authorizer) await ensurePermissionsBoundary(emulator.endpoint);
    const stack: Stack = {
      dir,
      kubeconfigPath: kubeconfigs.admin,
      kubeconfigFor: (user) => kubeconfigs[user],
      awsEndpoint,
      motoEndpoint: emulator.endpoint,
      env: stackEnv(dir, kubeconfigs.admin, awsEndpoint, dirname(binaries.kubectl)),
      operatorEnv: {
        AWS_ACCESS_KEY_ID: OPERATOR_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: OPERATOR_SECRET_ACCESS_KEY,
        PERMISSIONS_BOUNDARY: PERMISSIONS_BOUNDARY_ARN,
        AWS_QPS: TESTBED_AWS_QPS,
      },
      permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN,
      ...(authorizer ? {
        authorizer: {
          endpoint: authorizer.endpoint,
          logPath: authorizer.process.logPath,
          setOperatorPolicy: (document: AnyPolicy) => setOperatorPolicy(authorizer.endpoint, document),
          restoreOperatorPolicy: () => restoreOperatorPolicy(authorizer.endpoint),
          decisions: (after?: number) => authorizerDecisions(authorizer.endpoint, after),
        },
      } : {}),
      bin: { kubectl: binaries.kubectl, helm: binaries.helm },
      pids: {
        etcd: processes.etcd.pid,
        'kube-apiserver': processes['kube-apiserver'].pid,
        moto: processes.moto.pid,
        ...(processes.authorizer ? { authorizer: processes.authorizer.pid } : {}),
        ...(node ? Object.fromEntries(Object.entries(node.processes).map(([name, child]) => [name, child.pid])) : {}),
      },
      ...(node ? { node } : {}),
      // Through the front, which then creates the boundary again and restores the operator's policy.
      resetAws: async () => {
        await resetAws(awsEndpoint);
        if (!authorizer) await ensurePermissionsBoundary(emulator.endpoint);
      },
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

/**
 * etcd then kube-apiserver, and meanwhile moto then the authorizing front before it; if any of them
 * fails to start, the others are stopped.
 */
async function startProcesses(
  binaries: KubeBinaries,
  python: string,
  dir: string,
  apiserverOptions: KubeApiserverOptions,
  authorize: boolean,
): Promise<{ etcd: Etcd; apiserver: KubeApiserver; emulator: Emulator; authorizer: Authorizer | undefined }> {
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
  const startAws = async (): Promise<{ emulator: Emulator; authorizer: Authorizer | undefined }> => {
    const emulator = track(await startEmulator(python, logPath('moto')));
    const authorizer = authorize
      ? track(await startAuthorizer({ motoEndpoint: emulator.endpoint, python, region: AWS_REGION, logPath: logPath('authorizer') }))
      : undefined;
    return { emulator, authorizer };
  };
  const [kube, aws] = await Promise.allSettled([startKube(), startAws()]);
  if (kube.status === 'fulfilled' && aws.status === 'fulfilled') return { ...kube.value, ...aws.value };
  await Promise.all(running.map((child) => child.stop()));
  throw kube.status === 'rejected' ? kube.reason : (aws as PromiseRejectedResult).reason;
}

function startStackNode(
  slot: NodeSlot,
  assets: NodeAssets,
  nodeDir: string,
  dir: string,
  apiserver: KubeApiserver,
  awsEndpoint: string,
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
      emulatorPort: Number(new URL(awsEndpoint).port),
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
