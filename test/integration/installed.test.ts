// The operator as users run it: its real image (the Dockerfile, built unchanged), installed by the
// Helm chart, running as two Pods on a node of the test bed (containerd, kubelet, scheduler,
// controller manager), talking to the apiserver through the `kubernetes` Service's address and to
// the AWS emulator through the chart's aws.endpointUrl, with credentials from a Secret.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BedrockAgentClient, ListAgentsCommand } from '@aws-sdk/client-bedrock-agent';
import { BedrockAgentCoreControlClient, ListGatewaysCommand, ListHarnessesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorImage } from '../harness/image/operator-image.ts';
import { CHART, helm as helmIn, helmInstallOperator, importOperatorImage, RELEASE, RELEASE_NAMESPACE, RELEASE_SELECTOR } from '../harness/installed-operator.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { harnessLog } from '../harness/log.ts';
import { ip } from '../harness/node/host.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { condition, Resources } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const NAMESPACE = RELEASE_NAMESPACE;
const SELECTOR = RELEASE_SELECTOR;
const LEASE = 'bedrock-forge-operator';
const LEASE_DURATION_SECONDS = 15;
const NONROOT = 65532;

let stack: Stack;
let image: OperatorImage;
let k8s: Resources;

beforeAll(async () => {
  stack = await startStack({ node: true });
  k8s = new Resources(stack);
  const importStarted = Date.now();
  image = await importOperatorImage(stack);
  harnessLog.info(`imported ${image.ref} (${image.sizeMiB} MiB) in ${((Date.now() - importStarted) / 1000).toFixed(1)} s`);
}, 900_000);
afterAll(async () => {
  await stack?.stop();
});

const helm = (args: string[]) => helmIn(stack, args);
const get = async <T>(args: string[]): Promise<T> => JSON.parse((await kubectlOk(['get', ...args, '-o', 'json'])).stdout) as T;

async function kubectlOk(args: string[], stdin?: string) {
  const result = await kubectl(stack, args, stdin);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result;
}

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: {
    nodeName?: string;
    securityContext: Record<string, unknown>;
    containers: { name: string; image: string; imagePullPolicy: string; securityContext: Record<string, unknown> }[];
  };
  status: {
    phase: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { ready: boolean; containerID?: string; restartCount: number }[];
  };
}

const operatorPods = async (): Promise<Pod[]> =>
  (await get<{ items: Pod[] }>(['pods', '-n', NAMESPACE, '-l', SELECTOR])).items.filter((pod) => !pod.metadata.deletionTimestamp);
const isReady = (pod: Pod): boolean => pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const leaseHolder = async (): Promise<string> =>
  (await kubectlOk(['get', 'lease', LEASE, '-n', NAMESPACE, '-o', 'jsonpath={.spec.holderIdentity}'])).stdout;

/** Both replicas Running and Ready. */
async function readyPods(timeoutMs = 120_000): Promise<Pod[]> {
  return waitFor('both operator pods Running and Ready', async () => {
    const pods = await operatorPods();
    return pods.length === 2 && pods.every((pod) => pod.status.phase === 'Running' && isReady(pod)) ? pods : undefined;
  }, { timeoutMs, intervalMs: 500 });
}

/**
 * A pod's address, once `ip route get` says the machine reaches it on the node's pod bridge: never
 * through the default route, off the machine.
 */
async function podAddress(pod: Pod): Promise<string> {
  const address = pod.status.podIP!;
  const route = await ip(['route', 'get', address]);
  expect(route).toContain(`dev ${stack.node!.slot.podBridge}`);
  return address;
}

/** What a pod logs from now until its container stops (kubectl logs -f). */
function followLogs(pod: string): Promise<string> {
  const follow = spawn(stack.bin.kubectl, ['logs', '-f', '-n', NAMESPACE, pod], { env: { ...process.env, ...stack.env }, stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  follow.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return new Promise<string>((resolve) => follow.once('close', () => resolve(text)));
}

let installed: Promise<void> | undefined;
/** `helm install` of the chart with the real image, once per stack, so that each test also runs alone. */
function install(): Promise<void> {
  return (installed ??= (async () => {
    const started = Date.now();
    await helmInstallOperator(stack, image, { 'operator.clusterName': 'test', 'operator.resyncSeconds': 5, 'operator.leaseDurationSeconds': LEASE_DURATION_SECONDS });
    await readyPods();
    harnessLog.info(`helm install: both operator pods Ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  })());
}

const role = (name: string) => ({
  apiVersion: 'bedrockforge.io/v1alpha1',
  kind: 'IAMRole',
  metadata: { name, namespace: 'default' },
  spec: { assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole' }] } },
});

describe('the operator installed by its Helm chart, from its image, on a node', () => {
  it('runs two replicas, Ready as the kubelet probes them on the pod IP', async () => {
    await install();
    const pods = await readyPods();
    for (const pod of pods) {
      expect(pod.spec.nodeName).toBe(stack.node!.name);
      expect(pod.spec.containers[0]).toMatchObject({ image: image.ref, imagePullPolicy: 'Never' });
      expect(pod.status.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0 });
      // What the kubelet asks: the health server answers on the pod's own address, not only on loopback.
      const response = await fetch(`http://${await podAddress(pod)}:8081/readyz`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(200);
    }
    // Nothing a pod sends leaves the machine: the kernel's route for it off the machine is "unreachable" (a lookup, no packet sent).
    const refused = await ip(['route', 'get', '8.8.8.8', 'from', pods[0]!.status.podIP!, 'iif', stack.node!.slot.podBridge]).then((route) => route, (error: Error) => error.message);
    expect(refused).toContain('No route to host');
    // One of them leads.
    expect(pods.map((pod) => pod.metadata.name)).toContain((await leaseHolder()).split('_')[0]);
  });

  it('runs as the chart says: uid 65532, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', async () => {
    await install();
    for (const pod of await readyPods()) {
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: NONROOT, runAsGroup: NONROOT, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.spec.containers[0]!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });

      // And as it really runs: the container's spec in containerd, and its process seen from the host.
      const id = pod.status.containerStatuses![0]!.containerID!.replace(/^containerd:\/\//, '');
      const info = JSON.parse(await stack.node!.ctr(['containers', 'info', id])) as {
        Spec: { root: { readonly?: boolean }; process: { user: { uid: number; gid: number }; noNewPrivileges?: boolean; capabilities?: Record<string, string[] | undefined> }; linux: { seccomp?: { defaultAction: string } } };
      };
      expect(info.Spec.root.readonly).toBe(true);
      expect(info.Spec.process.user).toMatchObject({ uid: NONROOT, gid: NONROOT });
      expect(info.Spec.process.noNewPrivileges).toBe(true);
      expect(Object.values(info.Spec.process.capabilities ?? {}).flatMap((set) => set ?? [])).toEqual([]);
      expect(info.Spec.linux.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');

      const task = (await stack.node!.ctr(['tasks', 'ls'])).split('\n').map((line) => line.trim().split(/\s+/)).find(([taskId]) => taskId === id);
      const pid = Number(task?.[1]);
      expect(pid).toBeGreaterThan(0);
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const field = (name: string) => status.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1]?.trim().split(/\s+/);
      expect(field('Uid')).toEqual([`${NONROOT}`, `${NONROOT}`, `${NONROOT}`, `${NONROOT}`]);
      expect(field('Gid')).toEqual([`${NONROOT}`, `${NONROOT}`, `${NONROOT}`, `${NONROOT}`]);
      expect(field('NoNewPrivs')).toEqual(['1']);
      expect(field('Seccomp')).toEqual(['2']); // filter mode
      for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(`${set} ${field(set)?.[0]}`).toBe(`${set} 0000000000000000`);
      // The root file system, as the process sees it, is mounted read-only.
      const rootMount = (await readFile(`/proc/${pid}/mountinfo`, 'utf8')).split('\n').map((line) => line.split(' ')).find((fields) => fields[4] === '/');
      expect(rootMount?.[5]?.split(',')).toContain('ro');
    }
  });

  it('brings the complete example to Ready, with the emulator as AWS and the operator\'s IAM policy enforced', async () => {
    await install();
    // Both runtimes: Bedrock Agents and Bedrock AgentCore.
    await kubectlOk(['apply', '-f', join(repoRoot, 'examples', 'complete', 'order-assistant.yaml'), '-f', join(repoRoot, 'examples', 'complete', 'order-assistant-agentcore.yaml')]);
    const started = Date.now();
    const [agent, onAgentCore] = await Promise.all(['order-assistant', 'order-assistant-agentcore'].map((name) => waitFor(`the complete example ${name} Ready`, async () => {
      const found = await k8s.get('agents', name);
      return condition(found, 'Ready')?.status === 'True' ? found : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 })));
    harnessLog.info(`complete examples Ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(agent!.status?.agentStatus).toBe('PREPARED');
    expect(onAgentCore!.status?.agentCore).toMatchObject({ harnessStatus: 'READY', endpoints: [expect.objectContaining({ name: 'live', status: 'READY' })] });
    const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const functions = await new LambdaClient(aws).send(new ListFunctionsCommand({}));
    expect(functions.Functions?.map((f) => f.FunctionName)).toContain('order-lookup');
    // The pods' requests came through the emulator's authorizing front, with the operator's key
    // from the chart's Secret, and every one was allowed by policies/operator-iam-policy.json.
    const decisions = await stack.authorizer!.decisions();
    for (const action of ['iam:CreateRole', 'lambda:CreateFunction', 'bedrock:CreateAgent', 'bedrock-agentcore:CreateHarness', 'bedrock-agentcore:CreateGatewayTarget', 'iam:PassRole']) {
      expect([action, decisions.some((d) => d.action === action && d.decision === 'Allow')]).toEqual([action, true]);
    }
    expect(decisions.filter((d) => d.decision !== 'Allow')).toEqual([]);
  });

  it('serves /metrics on the pod IP, with the reconciles it did', async () => {
    await install();
    await kubectlApply(stack, [role('metrics-probe')]);
    await k8s.waitForCondition('iamroles', 'metrics-probe', 'Ready', 'True', { timeoutMs: 60_000 });
    const leader = (await leaseHolder()).split('_')[0];
    const pod = (await operatorPods()).find((p) => p.metadata.name === leader)!;
    const metrics = await (await fetch(`http://${await podAddress(pod)}:8080/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).toMatch(/^bedrockforge_reconciles_total\{kind="IAMRole",result="[a-z_]+"\} [1-9]\d*$/m);
  });

  it('hands the Lease to the other replica when the leader\'s pod is deleted, which then does the work', async () => {
    await install();
    await readyPods();
    const leader = (await leaseHolder()).split('_')[0]!;
    const deleted = Date.now();
    await kubectlOk(['delete', 'pod', leader, '-n', NAMESPACE, '--wait=false']);
    const next = await waitFor('another replica to hold the Lease', async () => {
      const holder = (await leaseHolder()).split('_')[0];
      return holder && holder !== leader ? holder : undefined;
    }, { timeoutMs: LEASE_DURATION_SECONDS * 1000, intervalMs: 250 });
    harnessLog.info(`Lease taken over by ${next} ${((Date.now() - deleted) / 1000).toFixed(1)} s after deleting ${leader}`);
    await kubectlApply(stack, [role('after-failover')]);
    await k8s.waitForCondition('iamroles', 'after-failover', 'Ready', 'True', { timeoutMs: 60_000 });
    // The Deployment replaces the deleted pod.
    await readyPods();
  });

  it('rolls out a helm upgrade with no reconcile lost: the old leader finishes its passes and releases the Lease on SIGTERM', async () => {
    await install();
    const old = await readyPods();
    const oldLeader = (await leaseHolder()).split('_')[0]!;
    const leaderLog = followLogs(oldLeader);
    const started = Date.now();
    // A changed value changes the pod template: the Deployment replaces both pods.
    await helm(['upgrade', RELEASE, CHART, '-n', NAMESPACE, '--reuse-values', '--set', 'operator.workers=3']);
    // Work applied while the pods are being replaced.
    const roles = Array.from({ length: 8 }, (_, i) => role(`during-upgrade-${i}`));
    await kubectlApply(stack, roles);
    const replaced = await waitFor('the rollout: two new pods Ready, the old ones gone', async () => {
      const pods = await get<{ items: Pod[] }>(['pods', '-n', NAMESPACE, '-l', SELECTOR]);
      const ready = pods.items.filter((pod) => isReady(pod) && !pod.metadata.deletionTimestamp);
      return pods.items.length === 2 && ready.length === 2 && ready.every((pod) => !old.some((o) => o.metadata.name === pod.metadata.name)) ? ready : undefined;
    }, { timeoutMs: 180_000, intervalMs: 500 });
    harnessLog.info(`helm upgrade rolled out in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const r of roles) await k8s.waitForCondition('iamroles', r.metadata.name, 'Ready', 'True', { timeoutMs: 60_000 });
    // One of the new pods leads (it takes the released Lease within a retry period).
    await waitFor('a new pod to hold the Lease', async () => {
      const holder = (await leaseHolder()).split('_')[0];
      return replaced.some((pod) => pod.metadata.name === holder) ? true : undefined;
    }, { timeoutMs: LEASE_DURATION_SECONDS * 1000 });
    // The kubelet's SIGTERM: passes in flight finish, then the Lease is released at once.
    const lines = (await leaderLog).split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { msg: string }).msg);
    // The whole JSON lines, times included, for when the order below is ever in question.
    await writeFile(join(stack.dir, 'logs', `operator-pod-${oldLeader}.log`), await leaderLog);
    const stopping = lines.indexOf('stopping: finishing reconciles in flight');
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(lines.slice(stopping)).toEqual(expect.arrayContaining(['released the lease', 'stopped']));
    expect(lines.indexOf('stopped')).toBeGreaterThan(lines.indexOf('released the lease'));
  });

  it('uninstalls, after the custom resources are deleted, leaving no object and no AWS resource', async () => {
    await install();
    await kubectlApply(stack, [role('before-uninstall')]);
    await k8s.waitForCondition('iamroles', 'before-uninstall', 'Ready', 'True', { timeoutMs: 60_000 });
    // As the README says: the custom resources first, while the operator still runs its finalizers.
    await kubectlOk(['delete', 'agents,lambdas,iamroles', '--all', '--all-namespaces', '--timeout=120s']);
    const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    expect((await new IAMClient(aws).send(new ListRolesCommand({}))).Roles).toEqual([]);
    expect((await new LambdaClient(aws).send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    expect((await new BedrockAgentClient(aws).send(new ListAgentsCommand({}))).agentSummaries).toEqual([]);
    const agentcore = new BedrockAgentCoreControlClient(aws);
    expect((await agentcore.send(new ListHarnessesCommand({}))).harnesses).toEqual([]);
    expect((await agentcore.send(new ListGatewaysCommand({}))).items).toEqual([]);

    // What the pods say while they stop, kept in the stack's logs.
    const followed = (await operatorPods()).map((pod) => ({ pod: pod.metadata.name, done: followLogs(pod.metadata.name) }));
    await helm(['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '120s']);
    const stopLogs = await Promise.all(followed.map(async ({ pod, done }) => `${pod}:\n${await done}`));
    await writeFile(join(stack.dir, 'logs', 'operator-pods-uninstall.log'), stopLogs.join('\n'));
    installed = undefined;
    await waitFor('the operator pods to be gone', async () =>
      ((await get<{ items: Pod[] }>(['pods', '-n', NAMESPACE, '-l', SELECTOR])).items.length === 0 ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
    const left = await kubectlOk(['get', 'all,serviceaccounts,roles,rolebindings,poddisruptionbudgets,leases,clusterroles,clusterrolebindings', '-A', '-l', SELECTOR, '-o', 'name']);
    expect(left.stdout.trim()).toBe('');
    // In the release namespace: only what the cluster and this test made. The Lease is the release's, so it went with it.
    const inNamespace = (await kubectlOk(['get', 'all,configmaps,secrets,serviceaccounts,roles,rolebindings,leases', '-n', NAMESPACE, '-o', 'name'])).stdout.trim().split('\n');
    expect(inNamespace.sort()).toEqual(['configmap/kube-root-ca.crt', 'secret/aws-credentials', 'serviceaccount/default']);
  });
});
