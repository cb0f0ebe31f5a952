// The Helm chart against the real apiserver: it lints, installs, and the operator started with
// the chart's own arguments and environment, as the chart's ServiceAccount (a real token from the
// TokenRequest API, so exactly the chart's RBAC), brings the complete example to Ready. The
// ServiceAccount may do nothing the operator does not need.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { argoHealth } from '../harness/argocd-health.ts';
import { kubectl } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { condition, Resources } from '../harness/resources.ts';
import { runCommand } from '../harness/run-command.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const CHART = join(repoRoot, 'charts', 'bedrock-forge-operator');
const RELEASE_NAMESPACE = 'bedrock-forge';
const SERVICE_ACCOUNT = 'bfo-bedrock-forge-operator';
const AS_OPERATOR = `--as=system:serviceaccount:${RELEASE_NAMESPACE}:${SERVICE_ACCOUNT}`;
let stack: Stack;
let operator: RunningOperator | undefined;
let k8s: Resources;

const helm = (args: string[]) => runCommand(stack.bin.helm, args, { env: { ...process.env, ...stack.env } });
// The test bed's permissions boundary, which the operator's IAM policy (enforced by the emulator) requires on every role.
const BOUNDARY = 'arn:aws:iam::123456789012:policy/bedrock-forge-boundary';
const VALUES = ['--set', 'operator.clusterName=test', '--set', 'operator.resyncSeconds=5', '--set', 'tenancy.adoptNamespaces={platform}', '--set', `tenancy.permissionsBoundary=${BOUNDARY}`];

beforeAll(async () => {
  stack = await startStack();
  expect(stack.permissionsBoundaryArn).toBe(BOUNDARY);
  k8s = new Resources(stack);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

interface Container { args: string[]; env: { name: string; value?: string; valueFrom?: unknown }[] }

/** The operator container of the chart's Deployment, as `helm template` renders it. */
async function renderedContainer(): Promise<Container> {
  const rendered = await helm(['template', 'bfo', CHART, '-n', RELEASE_NAMESPACE, ...VALUES]);
  const deployment = parseAllDocuments(rendered).map((d) => d.toJS() as { kind?: string; spec?: { template: { spec: { containers: Container[] } } } })
    .find((o) => o.kind === 'Deployment')!;
  return deployment.spec!.template.spec.containers[0]!;
}

/** What `kubectl auth can-i` answers for the chart's ServiceAccount. */
const can = async (...args: string[]) => (await kubectl(stack, ['auth', 'can-i', AS_OPERATOR, ...args])).stdout.trim();

let installed: Promise<void> | undefined;
/**
 * `helm install` of the release, once per stack: the first test that needs the chart's namespace,
 * ServiceAccount and RBAC installs it and the others reuse that install, so each test runs alone
 * as well as after the others.
 */
function install(): Promise<void> {
  return (installed ??= (async () => {
    await helm(['install', 'bfo', CHART, '-n', RELEASE_NAMESPACE, '--create-namespace', ...VALUES]);
    // The RBAC authorizer sees new bindings through its informer, a moment later.
    await waitFor('the chart\'s RBAC to take effect', async () =>
      ((await can('watch', 'agents.bedrockforge.io', '-A')) === 'yes' && (await can('update', 'leases/bedrock-forge-operator', '-n', RELEASE_NAMESPACE)) === 'yes' ? true : undefined), { timeoutMs: 10_000 });
  })());
}

describe('Helm chart', () => {
  it('lints, and installs with its CRDs and RBAC', async () => {
    expect(await helm(['lint', CHART])).toContain('1 chart(s) linted, 0 chart(s) failed');
    await install();
    const deployment = await kubectl(stack, ['get', 'deployment', '-n', RELEASE_NAMESPACE, 'bfo-bedrock-forge-operator', '-o', 'jsonpath={.spec.replicas}']);
    expect(deployment.stdout).toBe('2');
    // The chart's CRDs are the generated ones (npm run crds:check keeps them so).
    for (const kind of ['agents', 'iamroles', 'lambdas']) {
      expect(await readFile(join(CHART, 'crds', `bedrockforge.io_${kind}.yaml`), 'utf8')).toBe(await readFile(join(repoRoot, 'crds', `bedrockforge.io_${kind}.yaml`), 'utf8'));
    }
  });

  it('grants its ServiceAccount what the operator needs and nothing more', async () => {
    await install();
    expect(await can('watch', 'agents.bedrockforge.io', '-A')).toBe('yes');
    expect(await can('patch', 'lambdas.bedrockforge.io/status', '-n', 'team-a')).toBe('yes');
    expect(await can('create', 'iamroles.bedrockforge.io', '-n', 'team-a')).toBe('yes');
    expect(await can('create', 'events', '-n', 'team-a')).toBe('yes');
    expect(await can('update', 'leases/bedrock-forge-operator', '-n', RELEASE_NAMESPACE)).toBe('yes');
    for (const denied of [
      ['get', 'secrets', '-A'], ['create', 'pods', '-n', 'team-a'], ['delete', 'lambdas.bedrockforge.io', '-n', 'team-a'], ['delete', 'agents.bedrockforge.io', '-n', 'team-a'],
      ['update', 'configmaps', '-n', 'team-a'], ['update', 'leases/someone-else', '-n', RELEASE_NAMESPACE], ['create', 'leases', '-n', 'team-a'], ['create', 'rolebindings', '-n', 'team-a'],
    ]) {
      expect(`${denied.join(' ')}: ${await can(...denied)}`).toBe(`${denied.join(' ')}: no`);
    }
  });

  it('runs the operator with the chart\'s arguments as its ServiceAccount, and the complete example becomes Ready', async () => {
    await install();
    const token = (await kubectl(stack, ['create', 'token', SERVICE_ACCOUNT, '-n', RELEASE_NAMESPACE])).stdout.trim();
    expect(token).toMatch(/^ey/);
    const kubeconfig = parse(await readFile(stack.kubeconfigPath, 'utf8')) as { users: { user: { token: string } }[] };
    kubeconfig.users[0]!.user.token = token;
    const kubeconfigPath = join(stack.dir, 'operator-service-account.kubeconfig');
    await writeFile(kubeconfigPath, stringify(kubeconfig), { mode: 0o600 });

    const container = await renderedContainer();
    const [command, ...args] = container.args;
    expect(command).toBe('run');
    // The chart listens on every interface of the pod (the kubelet probes the pod IP); the test bed
    // picks free loopback ports for each operator. Everything else is the chart's.
    const bindArgs = ['--health-probe-bind-address=', '--metrics-bind-address='];
    expect(args.filter((a) => bindArgs.some((b) => a.startsWith(b)))).toEqual(['--health-probe-bind-address=:8081', '--metrics-bind-address=:8080']);
    const chartArgs = args.filter((a) => !bindArgs.some((b) => a.startsWith(b)));
    expect(chartArgs).toEqual(expect.arrayContaining(['--cluster-name=test', '--resync=5', '--adopt-namespaces=platform', `--permissions-boundary=${BOUNDARY}`]));
    const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    operator = await startOperator(stack, chartArgs, 'operator-chart', 'watching', { ...env, KUBECONFIG: kubeconfigPath, POD_NAMESPACE: RELEASE_NAMESPACE });

    const lease = await kubectl(stack, ['get', 'lease', 'bedrock-forge-operator', '-n', RELEASE_NAMESPACE, '-o', 'jsonpath={.spec.holderIdentity}']);
    expect(lease.stdout).not.toBe('');
    expect((await kubectl(stack, ['apply', '-f', join(repoRoot, 'examples', 'complete', 'order-assistant.yaml')])).code).toBe(0);
    const ready = await waitFor('the complete example Ready under the chart\'s RBAC', async () => {
      const agent = await k8s.get('agents', 'order-assistant');
      return condition(agent, 'Ready')?.status === 'True' ? agent : undefined;
    }, { timeoutMs: 90_000 });
    expect(ready.status?.agentStatus).toBe('PREPARED');
    // What Argo CD shows for it, with the chart's health check (argocd/health.lua).
    expect(await argoHealth(ready)).toEqual({ status: 'Healthy', message: 'Ready' });
    // The same agent on AgentCore, under the same RBAC, with the chart's default runtime (classic) overridden by its spec.
    expect(chartArgs).toContain('--agent-runtime=classic');
    expect((await kubectl(stack, ['apply', '-f', join(repoRoot, 'examples', 'complete', 'order-assistant-agentcore.yaml')])).code).toBe(0);
    const onAgentCore = await waitFor('the AgentCore example Ready under the chart\'s RBAC', async () => {
      const agent = await k8s.get('agents', 'order-assistant-agentcore');
      return condition(agent, 'Ready')?.status === 'True' ? agent : undefined;
    }, { timeoutMs: 90_000 });
    expect(onAgentCore.status?.runtime).toBe('agentcore');
    expect(await argoHealth(onAgentCore)).toEqual({ status: 'Healthy', message: 'Ready' });
    expect(operator.lines().filter((l) => /forbidden/i.test(l))).toEqual([]);

    // The optional alerts and ServiceMonitor render, and every metric the alerts use is one the
    // operator serves.
    const rendered = parseAllDocuments(await helm(['template', 'bfo', CHART, '-n', RELEASE_NAMESPACE, '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.prometheusRule.enabled=true']))
      .map((d) => d.toJS() as { kind?: string; spec?: { groups?: { rules: { alert: string; expr: string }[] }[]; endpoints?: { port: string }[] } });
    expect(rendered.find((o) => o.kind === 'ServiceMonitor')?.spec?.endpoints).toEqual([expect.objectContaining({ port: 'http-metrics' })]);
    const rules = rendered.find((o) => o.kind === 'PrometheusRule')!.spec!.groups![0]!.rules;
    expect(rules.map((r) => r.alert)).toEqual(['BedrockForgeResourcesNotReady', 'BedrockForgeAwsErrors', 'BedrockForgeHighFindings']);
    const served = await (await fetch(`${operator.metricsUrl()}/metrics`)).text();
    for (const name of rules.flatMap((r) => r.expr.match(/bedrockforge_\w+/g) ?? [])) expect(served).toMatch(new RegExp(`^${name}\\{`, 'm'));
    expect(served).toMatch(/^bedrockforge_resources\{kind="Agent",ready="true"\} 2$/m);
  });
});
