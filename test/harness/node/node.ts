// A node for the test bed, so that pods run as in a cluster: containerd (with runc and the CNI
// bridge plugin), kubelet, kube-scheduler and kube-controller-manager, all with their state under
// the stack's directory. Pods reach the apiserver and the AWS emulator, which listen on loopback,
// through TCP proxies on addresses of the node's slot (see slot.ts); nothing they send can leave
// the machine.
import { access, mkdir, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ensureNodeBinaries, type NodeBinaries } from '../binaries.ts';
import { BUSYBOX, ensurePauseImage, type PauseImage } from '../image/pause-image.ts';
import { harnessLog } from '../log.ts';
import { ManagedProcess } from '../managed-process.ts';
import { freeLoopbackPorts } from '../ports.ts';
import { runCommand } from '../run-command.ts';
import { waitFor } from '../wait.ts';
import { killProcessesOf, unmountAllUnder } from './host.ts';
import { containerdSocket, releaseSlot, reserveSlot, type NodeSlot } from './slot.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

export const NODE_NAME = 'localhost';
export type NodeProcessName = 'containerd' | 'kube-controller-manager' | 'kube-scheduler' | 'kubelet';

const RUNC = '/usr/sbin/runc';
const CNI_BIN_DIR = '/usr/lib/cni';
const START_TIMEOUT_MS = 60_000;
const PACKAGES = 'containerd runc containernetworking-plugins busybox-static buildah';

/** What a node needs built or cached before the stack starts. */
export interface NodeAssets {
  binaries: NodeBinaries;
  pauseImage: PauseImage;
}

/** The parts of the stack a node is started against. */
export interface NodeHost {
  /** The node's own directory (under the stack's). */
  dir: string;
  logDir: string;
  slot: NodeSlot;
  kubeconfigPath: string;
  caPem: string;
  serviceAccountKeyPath: string;
  apiserverPort: number;
  emulatorPort: number;
  kubectl: string;
}

export interface Node {
  name: typeof NODE_NAME;
  slot: NodeSlot;
  /** http://<emulator address>:<port>: the AWS emulator as pods reach it. */
  awsEndpoint: string;
  /** containerd's socket, for `ctr --address`. */
  containerdAddress: string;
  processes: Record<NodeProcessName, ManagedProcess>;
  /** `ctr -n k8s.io …` against the node's containerd; returns stdout. */
  ctr(args: string[]): Promise<string>;
  /** Imports an OCI archive into the node's containerd, for pods with imagePullPolicy Never. */
  importImage(archive: string): Promise<void>;
  stop(): Promise<void>;
}

/** Checks the machine (root, Debian packages), then builds or finds the node binaries and the sandbox image. */
export async function ensureNodeAssets(): Promise<NodeAssets> {
  await requireNodeTools();
  const [binaries, pauseImage] = await Promise.all([ensureNodeBinaries(), ensurePauseImage()]);
  return { binaries, pauseImage };
}

async function requireNodeTools(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('a test bed node needs root (containerd, runc, bridges and routes)');
  const needed = ['/usr/bin/containerd', '/usr/bin/containerd-shim-runc-v2', '/usr/bin/ctr', RUNC, ...['bridge', 'host-local', 'loopback'].map((p) => join(CNI_BIN_DIR, p)), BUSYBOX, '/usr/bin/buildah'];
  const missing: string[] = [];
  for (const path of needed) await access(path).catch(() => missing.push(path));
  if (missing.length > 0) {
    throw new Error(`a test bed node needs ${missing.join(', ')}: apt-get install -y ${PACKAGES} (.ci/run installs them)`);
  }
}

/** Reserves the node's slot (addresses, bridge names): before the apiserver starts, which takes its service range. */
export function reserveNodeSlot(nodeDir: string): Promise<NodeSlot> {
  return reserveSlot(nodeDir);
}

/**
 * Starts containerd (with the sandbox image imported), kube-controller-manager, kube-scheduler and
 * kubelet, and resolves once the node is Ready. If it fails, what it started is stopped; the slot
 * stays reserved until `stop()` or `releaseSlot`.
 */
export async function startNode(host: NodeHost, assets: NodeAssets): Promise<Node> {
  const started = Date.now();
  const { dir, slot } = host;
  const paths = {
    containerd: join(dir, 'containerd'),
    cniConf: join(dir, 'cni', 'net.d'),
    kubelet: join(dir, 'kubelet'),
    pki: join(dir, 'pki'),
  };
  await Promise.all(Object.values(paths).map((path) => mkdir(path, { recursive: true })));
  const socket = containerdSocket(dir);
  const log = (name: string): string => join(host.logDir, `${name}.log`);
  const ctr = (args: string[]): Promise<string> => runCommand('ctr', ['--address', socket, '--namespace', 'k8s.io', ...args]);

  const proxies: TcpProxy[] = [];
  const processes: Partial<Record<NodeProcessName, ManagedProcess>> = {};
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const control = (['kubelet', 'kube-scheduler', 'kube-controller-manager'] as const).map((name) => processes[name]?.stop());
      await Promise.all(control);
      // Containers and their shims outlive kubelet and containerd: containerd kills them and the
      // shims unmount their root file systems; whatever is left (a shim that did not exit, the
      // sandboxes' network namespaces and /dev/shm) is killed and unmounted here.
      if (processes.containerd && !processes.containerd.exitError()) {
        const tasks = (await ctr(['tasks', 'ls', '--quiet']).catch(() => '')).split('\n').filter(Boolean);
        if (tasks.length > 0) await ctr(['tasks', 'delete', '--force', ...tasks]).catch((error: Error) => harnessLog.debug(`node: ${error.message}`));
      }
      await processes.containerd?.stop();
      const leftovers = await killProcessesOf(dir, ` -address ${socket}`);
      if (leftovers.length > 0) harnessLog.debug(`node: killed ${leftovers.length} leftover container or shim processes`);
      await Promise.all(proxies.map((proxy) => proxy.close()));
      const unmounted = await unmountAllUnder(dir);
      harnessLog.debug(`node: unmounted ${unmounted.length} mounts under ${dir}`);
      await removeContainerLogLinks(dir);
      await releaseSlot(slot);
    })());

  try {
    // Pods reach the apiserver as the `kubernetes` Service (https://<its IP>:443), and the emulator.
    proxies.push(await startTcpProxy(slot.kubernetesServiceIp, 443, host.apiserverPort));
    proxies.push(await startTcpProxy(slot.emulatorIp, host.emulatorPort, host.emulatorPort));

    const caPath = join(paths.pki, 'ca.crt');
    await writeFile(caPath, host.caPem);
    const containerdConfig = join(paths.containerd, 'config.toml');
    await writeFile(containerdConfig, containerdToml(dir, socket, assets.pauseImage.ref, slot));
    await writeFile(join(paths.cniConf, '10-bridge.conflist'), JSON.stringify(cniConflist(dir, slot), null, 2));
    processes.containerd = await ManagedProcess.start({
      name: 'containerd',
      command: 'containerd',
      args: ['--config', containerdConfig],
      logPath: log('containerd'),
      // No registry: an image that is not imported fails to pull here instead of being fetched from the Internet.
      env: { ...process.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' },
    });
    const containerd = processes.containerd;
    await waitFor('containerd to answer on its socket', () => ctr(['version']).then(() => true), {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 200,
      failFast: () => containerd.exitError(),
    });
    const imported = Date.now();
    await ctr(['images', 'import', assets.pauseImage.archive]);
    harnessLog.debug(`node: sandbox image imported in ${Date.now() - imported} ms`);

    const controlPlaneArgs = [`--kubeconfig=${host.kubeconfigPath}`, '--leader-elect=false', '--secure-port=0'];
    processes['kube-controller-manager'] = await ManagedProcess.start({
      name: 'kube-controller-manager',
      command: assets.binaries.kubeControllerManager,
      args: [
        ...controlPlaneArgs,
        `--service-account-private-key-file=${host.serviceAccountKeyPath}`,
        '--use-service-account-credentials=false',
        `--root-ca-file=${caPath}`,
      ],
      logPath: log('kube-controller-manager'),
    });
    processes['kube-scheduler'] = await ManagedProcess.start({
      name: 'kube-scheduler',
      command: assets.binaries.kubeScheduler,
      args: controlPlaneArgs,
      logPath: log('kube-scheduler'),
    });

    const [kubeletPort, healthzPort] = await freeLoopbackPorts(2);
    const kubeletConfig = join(paths.kubelet, 'config.yaml');
    await writeFile(kubeletConfig, stringify(kubeletConfiguration(dir, socket, kubeletPort!, healthzPort!)));
    const kubeletStarted = Date.now();
    processes.kubelet = await ManagedProcess.start({
      name: 'kubelet',
      command: assets.binaries.kubelet,
      args: [
        `--config=${kubeletConfig}`,
        `--kubeconfig=${host.kubeconfigPath}`,
        `--root-dir=${paths.kubelet}`,
        `--cert-dir=${join(paths.kubelet, 'pki')}`,
        // The apiserver reaches the kubelet (logs, exec) at this name: localhost, where it listens.
        `--hostname-override=${NODE_NAME}`,
      ],
      logPath: log('kubelet'),
    });
    const all = Object.values(processes);
    await waitFor(
      `node ${NODE_NAME} to be Ready`,
      async () => {
        const { stdout } = await runKubectl(host, ['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
        return stdout.trim() === 'True' ? true : undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 250, failFast: () => all.map((p) => p.exitError()).find(Boolean) },
    );
    harnessLog.info(
      `node ${NODE_NAME} Ready in ${((Date.now() - started) / 1000).toFixed(1)} s (kubelet: ${((Date.now() - kubeletStarted) / 1000).toFixed(1)} s; pods ${slot.podCidr})`,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    name: NODE_NAME,
    slot,
    awsEndpoint: `http://${slot.emulatorIp}:${host.emulatorPort}`,
    containerdAddress: socket,
    processes: processes as Record<NodeProcessName, ManagedProcess>,
    ctr,
    async importImage(archive) {
      await ctr(['images', 'import', archive]);
    },
    stop,
  };
}

function runKubectl(host: NodeHost, args: string[]): Promise<{ stdout: string }> {
  return runCommand(host.kubectl, [`--kubeconfig=${host.kubeconfigPath}`, ...args]).then((stdout) => ({ stdout }));
}

/** kubelet's links in the shared /var/log/containers to logs of this node's pods. */
async function removeContainerLogLinks(dir: string): Promise<void> {
  const linkDir = '/var/log/containers';
  for (const name of await readdir(linkDir).catch(() => [] as string[])) {
    const target = await readlink(join(linkDir, name)).catch(() => '');
    if (target.startsWith(`${dir}/`)) await rm(join(linkDir, name), { force: true });
  }
}

function containerdToml(dir: string, socket: string, sandboxImage: string, slot: NodeSlot): string {
  const q = (value: string): string => JSON.stringify(value);
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${q(join(dir, 'containerd', 'root'))}
state = ${q(join(dir, 'containerd', 'state'))}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(socket)}

[ttrpc]
  address = ${q(`${socket}.ttrpc`)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(dir, 'containerd', 'opt'))}

${cri}]
  sandbox_image = ${q(sandboxImage)}
  # runc cannot set an oom_score_adj below the parent's without CAP_SYS_RESOURCE, which this machine lacks.
  restrict_oom_score_adj = true
  enable_selinux = false
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  # exec, attach and port-forward: a random loopback port, so that nodes run side by side.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
  BinaryName = ${q(RUNC)}
  Root = ${q(join(dir, 'runc'))}

${cri}.cni]
  bin_dir = ${q(CNI_BIN_DIR)}
  conf_dir = ${q(join(dir, 'cni', 'net.d'))}
  max_conf_num = 1
  # ${slot.cniNetwork}
`;
}

function cniConflist(dir: string, slot: NodeSlot): object {
  return {
    cniVersion: '0.4.0',
    name: slot.cniNetwork,
    plugins: [
      {
        type: 'bridge',
        bridge: slot.podBridge,
        isGateway: true,
        // No NAT, no port mapping: nothing touches iptables, and nothing leaves the machine.
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: join(dir, 'cni', 'ipam'),
          ranges: [[{ subnet: slot.podCidr }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'loopback' },
    ],
  };
}

function kubeletConfiguration(dir: string, socket: string, port: number, healthzPort: number): object {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    containerRuntimeEndpoint: `unix://${socket}`,
    imageServiceEndpoint: `unix://${socket}`,
    cgroupDriver: 'cgroupfs',
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    failSwapOn: false,
    failCgroupV1: false,
    // Loopback only: anonymous and allowed to do anything, as nothing else can reach it.
    address: '127.0.0.1',
    port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort,
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    podLogsDir: join(dir, 'pod-logs'),
    volumePluginDir: join(dir, 'volume-plugins'),
    resolvConf: '/etc/resolv.conf',
    // Images are imported, never pulled: garbage-collecting one would lose it.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    serializeImagePulls: false,
    nodeStatusUpdateFrequency: '10s',
    syncFrequency: '10s',
    maxPods: 50,
    makeIPTablesUtilChains: false,
  };
}
