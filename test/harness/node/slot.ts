// A node's share of the machine's network: a small index, unique among the nodes running on this
// machine (tests run in parallel forks), from which its addresses, bridge names and routing table
// derive. Reserving a slot also fences its addresses so that nothing can ever be routed off the
// machine: unreachable routes under the service and pod ranges, and a policy rule that lets
// traffic from its pods reach local addresses only.
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDirLock } from '../dir-lock.ts';
import { harnessLog } from '../log.ts';
import { isProcessAlive } from '../managed-process.ts';
import { ip, ipQuiet, killProcessesOf, readSysctls, restoreSysctls, unmountAllUnder } from './host.ts';

const SLOTS_DIR = join(tmpdir(), 'bedrock-forge-node-slots');
const SYSCTLS_FILE = join(SLOTS_DIR, 'sysctls.json');
const MAX_SLOTS = 64;
/** Below the connected routes (metric 0) that the bridges' addresses add: they apply only where no address is. */
const FENCE_METRIC = '4000';
const CNI_RESULTS_DIR = '/var/lib/cni/results';
const CGROUP_ROOT = '/sys/fs/cgroup';

export interface NodeSlot {
  index: number;
  /** The apiserver's --service-cluster-ip-range: the lower half of `hostCidr`. */
  serviceClusterIpRange: string;
  /** First address of that range: the `kubernetes` Service, in the apiserver's serving certificate. */
  kubernetesServiceIp: string;
  /** Where pods reach the AWS emulator: outside the apiserver's range (no Service gets it), inside the fence. */
  emulatorIp: string;
  /** Addresses of the host that pods reach (the two above), fenced by an unreachable route. */
  hostCidr: string;
  /** The pods' subnet, on `podBridge`. */
  podCidr: string;
  podBridge: string;
  /** An empty bridge holding `kubernetesServiceIp` and `emulatorIp` as /32s. */
  hostBridge: string;
  /** CNI network name (prefix of the kubelet-independent files in /var/lib/cni/results). */
  cniNetwork: string;
  routeTable: number;
  /** The directory of the stack that holds it, for the cleanup after a crash. */
  dir: string;
}

/** containerd's socket of the node whose files are in `nodeDir` (shims name it on their command line). */
export function containerdSocket(nodeDir: string): string {
  return join(nodeDir, 'containerd', 'containerd.sock');
}

interface SlotFile {
  pid: number;
  dir: string;
}

/** Takes the first free slot and sets up its fence and host bridge; `releaseSlot` undoes everything. */
export async function reserveSlot(dir: string): Promise<NodeSlot> {
  await mkdir(SLOTS_DIR, { recursive: true });
  const slot = await withDirLock(join(SLOTS_DIR, 'lock'), 'the node slots', async () => {
    const taken = await readSlots();
    let index: number | undefined;
    for (let candidate = 0; candidate < MAX_SLOTS && index === undefined; candidate++) {
      const holder = taken.get(candidate);
      if (holder === undefined) index = candidate;
      else if (!isProcessAlive(holder.pid)) {
        harnessLog.warn(`node slot ${candidate} was left by dead pid ${holder.pid}: cleaning up after it`);
        await cleanUp(slotOf(candidate, holder.dir));
        index = candidate;
      }
    }
    if (index === undefined) throw new Error(`all ${MAX_SLOTS} node slots are taken (${SLOTS_DIR})`);
    // The machine's own values, saved by the first node and restored by the last (kept after a crash).
    if (![...taken.values()].some((holder) => isProcessAlive(holder.pid))) {
      const saved = await readFile(SYSCTLS_FILE, 'utf8').catch(() => undefined);
      if (saved === undefined) await writeFile(SYSCTLS_FILE, JSON.stringify(await readSysctls()));
    }
    await writeFile(join(SLOTS_DIR, `slot-${index}.json`), JSON.stringify({ pid: process.pid, dir } satisfies SlotFile));
    return slotOf(index, dir);
  });
  try {
    await fence(slot);
  } catch (error) {
    await releaseSlot(slot);
    throw error;
  }
  return slot;
}

/** Removes the slot's bridges, routes and CNI files; the last node to go restores the kernel parameters. */
export async function releaseSlot(slot: NodeSlot): Promise<void> {
  await withDirLock(join(SLOTS_DIR, 'lock'), 'the node slots', async () => {
    await cleanUp(slot);
    await rm(join(SLOTS_DIR, `slot-${slot.index}.json`), { force: true });
    const others = [...(await readSlots()).values()].filter((holder) => isProcessAlive(holder.pid));
    if (others.length > 0) return;
    const saved = await readFile(SYSCTLS_FILE, 'utf8').catch(() => undefined);
    if (saved === undefined) return;
    await removeEmptyCgroupParents();
    const failed = await restoreSysctls(JSON.parse(saved) as Record<string, string>);
    if (failed.length > 0) harnessLog.warn(`could not restore ${failed.join(', ')} to ${saved}`);
    await rm(SYSCTLS_FILE, { force: true });
  });
}

/** runc puts every node's containers under /k8s.io in each cgroup hierarchy; the last node removes it once empty. */
async function removeEmptyCgroupParents(): Promise<void> {
  const hierarchies = await readdir(CGROUP_ROOT).catch(() => [] as string[]);
  await Promise.all(hierarchies.map((hierarchy) => rmdir(join(CGROUP_ROOT, hierarchy, 'k8s.io')).catch(() => undefined)));
}

/** How many slots are held by live processes on this machine (another test file's node, a stack:up). */
export async function liveSlots(): Promise<number> {
  await mkdir(SLOTS_DIR, { recursive: true });
  return [...(await readSlots()).values()].filter((holder) => isProcessAlive(holder.pid)).length;
}

function slotOf(index: number, dir: string): NodeSlot {
  return {
    index,
    serviceClusterIpRange: `10.96.${index}.0/25`,
    kubernetesServiceIp: `10.96.${index}.1`,
    emulatorIp: `10.96.${index}.200`,
    hostCidr: `10.96.${index}.0/24`,
    podCidr: `10.97.${index}.0/24`,
    podBridge: `bfo${index}pods`,
    hostBridge: `bfo${index}host`,
    cniNetwork: `bedrock-forge-node-${index}`,
    routeTable: 7100 + index,
    dir,
  };
}

async function readSlots(): Promise<Map<number, SlotFile>> {
  const slots = new Map<number, SlotFile>();
  for (const name of await readdir(SLOTS_DIR)) {
    const index = name.match(/^slot-(\d+)\.json$/)?.[1];
    if (index === undefined) continue;
    try {
      slots.set(Number(index), JSON.parse(await readFile(join(SLOTS_DIR, name), 'utf8')) as SlotFile);
    } catch {
      // half-written by a process that died: free
    }
  }
  return slots;
}

async function fence(slot: NodeSlot): Promise<void> {
  // First the fence: whatever address is missing later, a connection to it fails here instead of
  // following the default route off the machine.
  await ip(['route', 'add', 'unreachable', slot.hostCidr, 'metric', FENCE_METRIC]);
  await ip(['route', 'add', 'unreachable', slot.podCidr, 'metric', FENCE_METRIC]);
  // Traffic from the pods that is not for a local address (checked first, in the local table) is
  // refused: nothing is forwarded, even though the CNI bridge plugin turns on ip_forward.
  await ip(['route', 'add', 'unreachable', 'default', 'table', String(slot.routeTable)]);
  await ip(['rule', 'add', 'iif', slot.podBridge, 'priority', String(slot.routeTable), 'table', String(slot.routeTable)]);
  await ip(['link', 'add', slot.hostBridge, 'type', 'bridge']);
  for (const address of [slot.kubernetesServiceIp, slot.emulatorIp]) await ip(['addr', 'add', `${address}/32`, 'dev', slot.hostBridge]);
  await ip(['link', 'set', slot.hostBridge, 'up']);
  for (const address of [slot.kubernetesServiceIp, slot.emulatorIp]) {
    const route = await ip(['route', 'get', address]);
    if (!route.startsWith('local ')) throw new Error(`${address} is not a local address of this machine: ip route get says ${route.trim()}`);
  }
}

async function cleanUp(slot: NodeSlot): Promise<void> {
  // After a crash: containers and shims of that node, and its mounts, before its bridges.
  await killProcessesOf(slot.dir, ` -address ${containerdSocket(slot.dir)}`).catch(() => undefined);
  await unmountAllUnder(slot.dir);
  await ipQuiet(['link', 'del', slot.podBridge]);
  await ipQuiet(['link', 'del', slot.hostBridge]);
  await ipQuiet(['rule', 'del', 'priority', String(slot.routeTable)]);
  await ipQuiet(['route', 'flush', 'table', String(slot.routeTable)]);
  await ipQuiet(['route', 'del', 'unreachable', slot.hostCidr, 'metric', FENCE_METRIC]);
  await ipQuiet(['route', 'del', 'unreachable', slot.podCidr, 'metric', FENCE_METRIC]);
  // CNI caches a result per sandbox and network: ours under its network name, and containerd's
  // loopback ones under "cni-loopback" and the sandbox's id.
  const sandboxes = new Set<string>();
  for (const base of ['root', 'state']) {
    for (const id of await readdir(join(slot.dir, 'containerd', base, 'io.containerd.grpc.v1.cri', 'sandboxes')).catch(() => [] as string[])) sandboxes.add(id);
  }
  const results = await readdir(CNI_RESULTS_DIR).catch(() => [] as string[]);
  const ours = results.filter((name) => name.startsWith(`${slot.cniNetwork}-`) || sandboxes.has(name.match(/^cni-loopback-([0-9a-f]{64})-lo$/)?.[1] ?? ''));
  await Promise.all(ours.map((name) => rm(join(CNI_RESULTS_DIR, name), { force: true })));
}
