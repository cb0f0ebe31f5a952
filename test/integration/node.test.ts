// The test bed's node: pods run, reach the apiserver and the AWS emulator at the addresses pods
// use, kubectl logs and exec work through the kubelet, and stop() leaves nothing on the machine.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePauseImage } from '../harness/image/pause-image.ts';
import { kubectl } from '../harness/kubectl.ts';
import { isProcessAlive } from '../harness/managed-process.ts';
import { ip, mountsUnder, processesOf, readSysctls } from '../harness/node/host.ts';
import { containerdSocket, liveSlots } from '../harness/node/slot.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

let stack: Stack;
let sysctlsBefore: Record<string, string>;
let aloneAtStart: boolean;

beforeAll(async () => {
  aloneAtStart = (await liveSlots()) === 0;
  sysctlsBefore = await readSysctls();
  stack = await startStack({ node: true });
}, 900_000);
afterAll(async () => {
  await stack?.stop();
});

const run = async (args: string[], stdin?: string) => {
  const result = await kubectl(stack, args, stdin);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};

describe('the test bed with a node', () => {
  it('runs a pod that reaches the apiserver and the emulator, with kubectl logs and exec', async () => {
    const node = stack.node!;
    const { ref } = await ensurePauseImage(); // busybox, already imported as the sandbox image
    const emulator = new URL(node.awsEndpoint);
    const nc = (host: string, port: string | number, name: string) => `/bin/busybox nc -w 5 ${host} ${port} </dev/null && echo ${name} reachable`;
    const script = [
      nc(node.slot.kubernetesServiceIp, 443, 'apiserver'),
      nc(emulator.hostname, emulator.port, 'emulator'),
      'echo "service host $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"',
      '/bin/busybox ls /var/run/secrets/kubernetes.io/serviceaccount',
      'exec /bin/busybox sleep 3600',
    ].join('; ');
    await run(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe', namespace: 'default' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'probe', image: ref, imagePullPolicy: 'Never', command: ['/bin/busybox', 'sh', '-c', script] }] },
    }));
    await waitFor('the pod to run', async () => ((await run(['get', 'pod', 'probe', '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined), { timeoutMs: 60_000, intervalMs: 250 });
    const logs = await waitFor('the pod to print what it reached', async () => {
      const out = await run(['logs', 'probe']);
      return out.includes('token') ? out : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(logs).toContain('apiserver reachable');
    expect(logs).toContain('emulator reachable');
    expect(logs).toContain(`service host ${node.slot.kubernetesServiceIp}:443`);
    // ServiceAccount admission and the controller manager: the projected token, CA and namespace.
    expect(logs.split('\n')).toEqual(expect.arrayContaining(['ca.crt', 'namespace', 'token']));
    expect(await run(['exec', 'probe', '--', '/bin/busybox', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace'])).toBe('default');
  });

  it('leaves no process, mount, link, route or CNI file behind once stopped, and restores the kernel parameters', async () => {
    const { dir } = stack;
    const node = stack.node!;
    const { slot } = node;
    const pids = Object.values(stack.pids);
    expect(pids.filter(isProcessAlive)).toEqual(pids);

    const sandboxIds = (await node.ctr(['containers', 'ls', '--quiet'])).split('\n').filter(Boolean);
    await stack.stop();

    expect(pids.filter(isProcessAlive)).toEqual([]);
    expect(await processesOf(slot.dir, ` -address ${containerdSocket(slot.dir)}`)).toEqual([]);
    expect(await mountsUnder(dir)).toEqual([]);
    const links = await ip(['-o', 'link', 'show']);
    expect(links).not.toContain(slot.podBridge);
    expect(links).not.toContain(slot.hostBridge);
    expect(await ip(['rule', 'show'])).not.toMatch(new RegExp(`^${slot.routeTable}:`, 'm'));
    const routes = await ip(['route', 'show', 'table', 'all']);
    expect(routes).not.toContain(slot.hostCidr);
    expect(routes).not.toContain(slot.podCidr);
    const cniResults = await readdir('/var/lib/cni/results').catch(() => [] as string[]);
    expect(cniResults.filter((name) => name.startsWith(`${slot.cniNetwork}-`) || sandboxIds.some((id) => name.includes(id)))).toEqual([]);
    // With another node running (a parallel test file), the last of them restores them.
    if (aloneAtStart && (await liveSlots()) === 0) expect(await readSysctls()).toEqual(sysctlsBefore);
  });
});
