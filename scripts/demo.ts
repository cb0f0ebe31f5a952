// `npm run demo`: the operator on the built-in local stack. Starts kube-apiserver, etcd and the
// AWS emulator, installs the CRDs, starts the operator, applies examples/, and shows a table of
// the resources and their conditions; then makes a drift in the emulator and shows the operator
// correcting it, and the complete example (Agent, Lambda, generated roles) becoming Ready on both
// runtimes: Bedrock Agents (order-assistant) and Bedrock AgentCore (order-assistant-agentcore:
// harness, gateway and its target's tools, endpoint, generated roles), and the flow order-triage
// that calls the agent's alias (prepared, alias routed, generated role); then goes on showing the
// table until Ctrl-C, which stops everything.
//   --once         stop once the complete example is Ready (for CI and tests)
//   --in-cluster   run the operator as users do: its image, built from the Dockerfile, as Pods on
//                  a node of the test bed, installed by the Helm chart
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BedrockAgentCoreControlClient, GetGatewayCommand, GetGatewayTargetCommand, GetHarnessCommand, ListGatewayTargetsCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { AgentStatus } from '../src/api/agent.ts';
import type { FlowStatus } from '../src/api/flow.ts';
import { GROUP, KINDS, VERSION } from '../src/api/kinds.ts';
import { parseIamPolicy, toIamPolicy, type IamStatement } from '../src/aws/iam/policy-json.ts';
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

/** The last part of an ARN: a model's ID, a function's or role's name, a gateway's ID. */
const shortName = (arn: string) => arn.replace(/^arn:[^:]*:lambda:[^:]*:[^:]*:function:/, '').split('/').pop()!;
const names = (arns: string[]) => arns.map(shortName).join(', ');
/** An ARN's resource, with its type: harness/…, runtime/…, gateway/… */
const resources = (arns: string[]) => arns.map((arn) => arn.split(':').slice(5).join(':')).join(' and ');
/** The log groups of log-stream ARNs. */
const logGroups = (arns: string[]) => [...new Set(arns.map((arn) => arn.replace(/^.*:log-group:/, '').replace(/:log-stream:.*$/, '')))].join(', ');

/** A generated role as AWS holds it: who may assume it (its trust's aws:SourceArn) and its inline statements. */
async function roleOf(iam: IAMClient, roleName: string): Promise<{ pinnedTo: string[]; statements: IamStatement[] }> {
  const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
  const trust = toIamPolicy(parseIamPolicy(role.AssumeRolePolicyDocument!));
  // Condition keys are case-insensitive: seed 003 spells it AWS:SourceArn.
  const pinnedTo = trust.Statement.flatMap((s) => Object.values(s.Condition ?? {})
    .flatMap((c) => Object.entries(c).filter(([key]) => key.toLowerCase() === 'aws:sourcearn').flatMap(([, arns]) => arns)));
  const statements: IamStatement[] = [];
  for (const policyName of (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? []) {
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    statements.push(...toIamPolicy(parseIamPolicy(inline.PolicyDocument!)).Statement);
  }
  return { pinnedTo, statements };
}

/** The resources a role's statements allow `action` on. */
const allowedOn = (statements: IamStatement[], action: string) =>
  statements.filter((s) => s.Effect === 'Allow' && s.Action?.includes(action)).flatMap((s) => s.Resource ?? []);

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
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } };
  const iam = new IAMClient(aws);
  await iam.send(new DeleteRolePolicyCommand({ RoleName: 'least-privilege-agent-role', PolicyName: 'MinimalPermissions' }));
  say('\nDrift made in the emulator: deleted the inline policy MinimalPermissions of least-privilege-agent-role.');
  const corrected = await waitFor('the drift to be corrected', async () => {
    const events = await kubectl(stack, ['get', 'events', '-n', 'default', '--field-selector', 'involvedObject.name=least-privilege-agent-role,reason=DriftCorrected', '-o', 'jsonpath={.items[*].message}']);
    return events.stdout.trim() || undefined;
  }, { timeoutMs: 60_000 });
  say(`The operator corrected it (Event DriftCorrected: ${corrected}).`);

  // The complete example, on both runtimes. On Bedrock Agents (classic) the agent is created once
  // its generated role and its Lambda are Ready, then prepared, and its alias routed to a version
  // of the prepared agent. On AgentCore (spec.runtime: agentcore) the same spec becomes a harness,
  // a gateway with a Lambda target per action group, and an endpoint per alias.
  const readyAgent = (rows: ResourceRow[], name: string) => rows.find((r) => r.kind === 'Agent' && r.metadata.name === name
    && r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const [agent, agentCoreAgent] = await waitFor('the complete example (Agents order-assistant and order-assistant-agentcore) to be Ready', async () => {
    const rows = await listResources(kc);
    const both = [readyAgent(rows, 'order-assistant'), readyAgent(rows, 'order-assistant-agentcore')];
    return both.every(Boolean) ? both as [ResourceRow, ResourceRow] : undefined;
  }, { timeoutMs: 120_000 });
  await show();
  const status = agent.status as AgentStatus;
  const alias = status.aliases?.[0];
  say(`\nThe complete example is Ready: agent ${status.agentId} is prepared and alias ${alias?.name} routes to version ${alias?.agentVersion}`
    + ` (Bedrock Agents, runs as ${status.roleArn ? shortName(status.roleArn) : 'its role'}).`);

  const agentcore = new BedrockAgentCoreControlClient(aws);
  const ac = (agentCoreAgent.status as AgentStatus).agentCore ?? {};
  const harness = (await agentcore.send(new GetHarnessCommand({ harnessId: ac.harnessId! }))).harness!;
  const gateway = await agentcore.send(new GetGatewayCommand({ gatewayIdentifier: ac.gatewayId! }));
  say(`The same agent on Bedrock AgentCore is Ready (Agent order-assistant-agentcore, spec.runtime agentcore):`);
  say(`  harness ${harness.harnessName} (${ac.harnessId}) is ${ac.harnessStatus} at version ${ac.harnessVersion}, model ${harness.model && 'bedrockModelConfig' in harness.model ? harness.model.bedrockModelConfig?.modelId : '?'}`);
  say(`  gateway ${gateway.name} (${ac.gatewayId}) is ${gateway.status}, at ${ac.gatewayUrl}`);
  for (const summary of (await agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier: ac.gatewayId! }))).items ?? []) {
    const target = await agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier: ac.gatewayId!, targetId: summary.targetId! }));
    const lambda = (target.targetConfiguration as { mcp?: { lambda?: { lambdaArn?: string; toolSchema?: { inlinePayload?: { name: string; inputSchema?: { properties?: object } }[] } } } })?.mcp?.lambda;
    const tools = (lambda?.toolSchema?.inlinePayload ?? []).map((t) => `${t.name}(${Object.keys(t.inputSchema?.properties ?? {}).join(', ')})`);
    say(`    target ${target.name} is ${target.status}: Lambda ${lambda?.lambdaArn ? shortName(lambda.lambdaArn) : '?'}, tools ${tools.join(', ') || 'none'}`);
  }
  for (const e of ac.endpoints ?? []) say(`  endpoint ${e.name} (alias ${e.alias}) is ${e.status} and serves harness version ${e.liveVersion}`);
  const coverage = agentCoreAgent.status?.conditions?.find((c) => c.type === 'RuntimeCoverage');
  if (coverage) say(`  condition RuntimeCoverage ${coverage.status} (${coverage.reason}): ${coverage.message}`);

  // The generated roles, as AWS holds them.
  const harnessRole = await roleOf(iam, shortName(ac.executionRoleArn!));
  const gatewayRole = await roleOf(iam, shortName(ac.gatewayRoleArn!));
  say(`  role ${shortName(ac.executionRoleArn!)} (the harness's): invokes only ${names(allowedOn(harnessRole.statements, 'bedrock:InvokeModel'))}, `
    + `calls only gateway ${names(allowedOn(harnessRole.statements, 'bedrock-agentcore:InvokeGateway'))}, `
    + `writes logs only to ${logGroups(allowedOn(harnessRole.statements, 'logs:PutLogEvents'))}; `
    + `AgentCore may assume it only for ${resources(harnessRole.pinnedTo)}`);
  say(`  role ${shortName(ac.gatewayRoleArn!)} (the gateway's): invokes only Lambda ${names(allowedOn(gatewayRole.statements, 'lambda:InvokeFunction'))}; `
    + `AgentCore may assume it only for ${resources(gatewayRole.pinnedTo)}`);
  // The Lambda's resource policy names the gateway's role once the Lambda has seen the Agent's status.
  const lambda = new LambdaClient(aws);
  const callers = await waitFor('the Lambda policy of order-lookup-agentcore to allow the gateway role', async () => {
    const policy = toIamPolicy(parseIamPolicy((await lambda.send(new GetPolicyCommand({ FunctionName: 'order-lookup-agentcore' }))).Policy!));
    const principals = policy.Statement.flatMap((s) => (s.Principal === '*' ? ['*'] : Object.values(s.Principal ?? {}).flat()));
    return principals.includes(ac.gatewayRoleArn!) ? principals : undefined;
  }, { timeoutMs: 30_000 });
  say(`  Lambda order-lookup-agentcore may be invoked only by ${names(callers)}`);

  // The flow of the complete example: its Agent node names order-assistant's alias live, so it
  // is created once that alias exists, prepared, and its alias prod routed to a version of it.
  const triage = await waitFor('the flow order-triage to be Ready', async () =>
    (await listResources(kc)).find((r) => r.kind === 'Flow' && r.metadata.name === 'order-triage' && r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
  { timeoutMs: 120_000 });
  await show();
  const flowStatus = triage.status as FlowStatus;
  const prod = flowStatus.aliases?.find((a) => a.name === 'prod');
  // The role's trust is narrowed to the flow's ARN once the flow exists (a pass after its create).
  const flowRole = await waitFor('the flow role\'s trust to name the flow', async () => {
    const role = await roleOf(iam, shortName(flowStatus.roleArn!));
    return role.pinnedTo.includes(flowStatus.flowArn!) ? role : undefined;
  }, { timeoutMs: 30_000 });
  say(`\nThe flow order-triage is Ready: flow ${flowStatus.flowId} is ${flowStatus.flowStatus} and alias ${prod?.name} routes to version ${prod?.flowVersion}.`);
  say(`  its Agent node calls alias live of order-assistant: ${resources(allowedOn(flowRole.statements, 'bedrock:InvokeAgent'))}`);
  say(`  role ${shortName(flowStatus.roleArn!)}: invokes only ${names(allowedOn(flowRole.statements, 'bedrock:InvokeModel'))} `
    + `and agent alias ${names(allowedOn(flowRole.statements, 'bedrock:InvokeAgent'))}; Bedrock may assume it only for ${resources(flowRole.pinnedTo)}`);

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
