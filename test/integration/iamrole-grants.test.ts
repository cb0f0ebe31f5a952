// IAMRoles for workloads against the real apiserver and the emulator: grants on an Agent alias and
// a Flow alias, and a ServiceAccount's trust, become exactly those statements and that trust in
// IAM; the role waits while what it names is not Ready, follows an alias that is deleted and
// re-created with a new ARN, and says in its status what the ServiceAccount needs.
import {
  BedrockAgentClient, DeleteAgentAliasCommand, DeleteFlowAliasCommand, ListAgentAliasesCommand, ListFlowAliasesCommand,
} from '@aws-sdk/client-bedrock-agent';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policiesEqual } from '../../src/aws/iam/policy-json.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { condition, Resources, type TestResource } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const RESYNC_S = 2;
const ACCOUNT = '123456789012';
const NS = 'apps';
const CLUSTER = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/test-bed`;
const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/TESTBED0123456789';
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let bedrock: BedrockAgentClient;
let iam: IAMClient;

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--cluster-name', 'test', '--eks-cluster-arn', CLUSTER, '--eks-oidc-provider-arn', OIDC]);
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  bedrock = new BedrockAgentClient(aws);
  iam = new IAMClient(aws);
  k8s = new Resources(stack);
  await kubectl(stack, ['create', 'namespace', NS]);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

// An Agent whose action group calls a Lambda: until the Lambda is Ready, the Agent is not.
const agent = {
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'orders', namespace: NS },
  spec: {
    foundationModel: MODEL, instruction: 'You help customers look up their orders and nothing else, politely.', aliases: [{ name: 'live' }],
    actionGroups: [{ name: 'orders', actionGroupExecutor: { lambda: 'order-lookup' }, functionSchema: { functions: [{ name: 'lookup_order', parameters: { order_id: { type: 'string', required: true } } }] } }],
  },
};
const lookup = {
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name: 'order-lookup', namespace: NS },
  spec: { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'def handler(e, c):\n    return {}\n' } } },
};

const io = (name: string) => ({ name, type: 'String', expression: '$.data' });
const flow = {
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Flow', metadata: { name: 'triage', namespace: NS },
  spec: {
    description: 'Echoes the message',
    definition: {
      nodes: [
        { name: 'FlowInput', type: 'Input', configuration: { input: {} }, outputs: [{ name: 'document', type: 'String' }] },
        { name: 'FlowOutput', type: 'Output', configuration: { output: {} }, inputs: [io('document')] },
      ],
      connections: [{ name: 'InputToOutput', type: 'Data', source: 'FlowInput', target: 'FlowOutput', configuration: { data: { sourceOutput: 'document', targetInput: 'document' } } }],
    },
    aliases: [{ name: 'prod' }],
  },
};

const role = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name, namespace: NS }, spec });

const podIdentityTrust = (sa: string) => ({
  sid: 'EksPodIdentity', effect: 'Allow', principal: { service: 'pods.eks.amazonaws.com' }, action: ['sts:AssumeRole', 'sts:TagSession'],
  condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 'aws:RequestTag/eks-cluster-arn': CLUSTER, 'aws:RequestTag/kubernetes-namespace': NS, 'aws:RequestTag/kubernetes-service-account': sa } },
});

const aliasArn = (o: TestResource, alias: string) => (o.status?.aliases as { name: string; aliasArn?: string }[] | undefined)?.find((a) => a.name === alias)?.aliasArn;

/** The role as IAM has it: its trust policy and its inline policies by name (documents as IAM returns them). */
async function inIam(roleName: string): Promise<{ trust: string; inline: Record<string, string> }> {
  const trust = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!;
  const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
  const inline: Record<string, string> = {};
  for (const name of names) inline[name] = (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument!;
  return { trust, inline };
}

const grantsPolicy = (statement: unknown[]) => ({ version: '2012-10-17', statement });

/** Waits until the role's grants policy in IAM is `expected`. */
function waitForGrants(roleName: string, expected: unknown[], what: string, timeoutMs = 60_000) {
  return waitFor(`${what}: the grants of role ${roleName} in IAM`, async () => {
    const doc = (await inIam(roleName).catch(() => undefined))?.inline.BedrockForgeGrants;
    return doc && policiesEqual(grantsPolicy(expected) as never, doc) ? doc : undefined;
  }, { timeoutMs });
}

describe('IAMRole grants and ServiceAccount trust', () => {
  it('waits for the Agent, then has exactly the grant on its alias and the Pod Identity trust, and follows the alias when it is re-created', async () => {
    // The role first, naming an Agent that does not exist yet: it waits, and nothing is created in IAM.
    expect((await kubectlApply(stack, [role('order-app', {
      serviceAccount: { name: 'order-app', mechanism: 'podIdentity' },
      grants: [{ invokeAgent: { agent: 'orders', alias: 'live' } }, { invokeModel: { model: MODEL, regions: ['us-east-1', 'us-west-2'] } }],
    })])).code).toBe(0);
    const waiting = await k8s.waitForCondition('iamroles', 'order-app', 'Synced', 'False', { namespace: NS, reason: 'WaitingForAgent' });
    expect(condition(waiting, 'Synced')?.message).toContain(`Agent ${NS}/orders (spec.grants[0]) does not exist yet`);
    expect(condition(waiting, 'Ready')?.status).toBe('False');
    await expect(iam.send(new GetRoleCommand({ RoleName: 'order-app' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });

    // The Agent exists but is not Ready (its Lambda is missing): the role still waits.
    expect((await kubectlApply(stack, [agent])).code).toBe(0);
    await k8s.waitForCondition('agents', 'orders', 'Synced', 'False', { namespace: NS, reason: 'WaitingForLambda' });
    await waitFor('the role waiting for the Agent to be Ready', async () => {
      const synced = condition(await k8s.get('iamroles', 'order-app', NS), 'Synced');
      return synced?.reason === 'WaitingForAgent' && synced.message?.includes('is not Ready with its alias live yet') ? synced : undefined;
    }, { timeoutMs: 30_000 });
    await expect(iam.send(new GetRoleCommand({ RoleName: 'order-app' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });

    // The Agent becomes Ready: the role is created with exactly its statements and the trust.
    expect((await kubectlApply(stack, [lookup])).code).toBe(0);
    const readyAgent = await k8s.waitForReadyGeneration('agents', 'orders', NS, 90_000);
    const live = aliasArn(readyAgent, 'live')!;
    expect(live).toMatch(new RegExp(`^arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/`));
    const ready = await k8s.waitForReadyGeneration('iamroles', 'order-app', NS, 60_000);
    const models = {
      sid: 'InvokeModelsInuseast1Anduswest2', effect: 'Allow', action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      resource: [`arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`, `arn:aws:bedrock:us-west-2::foundation-model/${MODEL}`],
      condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } },
    };
    const role1 = await inIam('order-app');
    expect(Object.keys(role1.inline)).toEqual(['BedrockForgeGrants']);
    expect(policiesEqual(grantsPolicy([{ sid: 'InvokeAgentAliases', effect: 'Allow', action: ['bedrock:InvokeAgent'], resource: [live] }, models]) as never, role1.inline.BedrockForgeGrants!)).toBe(true);
    expect(policiesEqual({ version: '2012-10-17', statement: [podIdentityTrust('order-app')] } as never, role1.trust)).toBe(true);
    // Bounded like every role the operator makes: the grants add nothing past the platform's boundary.
    expect((await iam.send(new GetRoleCommand({ RoleName: 'order-app' }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(stack.permissionsBoundaryArn);
    // What the user must do for the ServiceAccount's Pods to get the role.
    expect(ready.status?.serviceAccount).toEqual({
      name: 'order-app', mechanism: 'podIdentity',
      podIdentityAssociation: { clusterName: 'test-bed', namespace: NS, serviceAccount: 'order-app', roleArn: ready.status?.arn },
      instructions: `create the Pod Identity association: aws eks create-pod-identity-association --cluster-name test-bed --namespace ${NS} --service-account order-app --role-arn ${ready.status?.arn as string}`,
    });

    // The alias deleted in AWS: the Agent re-creates it (a new ID, a new ARN) and the role follows.
    const agentId = readyAgent.status?.agentId as string;
    const liveInAws = (await bedrock.send(new ListAgentAliasesCommand({ agentId }))).agentAliasSummaries!.find((a) => a.agentAliasName === 'live')!;
    await bedrock.send(new DeleteAgentAliasCommand({ agentId, agentAliasId: liveInAws.agentAliasId }));
    const recreated = await waitFor('the Agent with its alias live re-created', async () => {
      const arn = aliasArn(await k8s.get('agents', 'orders', NS), 'live');
      return arn && arn !== live ? arn : undefined;
    }, { timeoutMs: RESYNC_S * 1000 * 10 + 30_000 });
    await waitForGrants('order-app', [{ sid: 'InvokeAgentAliases', effect: 'Allow', action: ['bedrock:InvokeAgent'], resource: [recreated] }, models], 'the re-created alias');
    expect(Object.keys((await inIam('order-app')).inline)).toEqual(['BedrockForgeGrants']);
    await k8s.waitForEvent('order-app', [], (e) => e.reason === 'Updated' && (e.message ?? '').includes('inline policy BedrockForgeGrants'), NS);
  });

  it('merges an IRSA trust with spec.assumeRolePolicy and says which annotation the ServiceAccount needs', async () => {
    const ci = { effect: 'Allow', principal: { aws: `arn:aws:iam::${ACCOUNT}:role/ci` }, action: 'sts:AssumeRole' };
    expect((await kubectlApply(stack, [role('order-worker', {
      assumeRolePolicy: { version: '2012-10-17', statement: [ci] },
      serviceAccount: { name: 'order-worker', mechanism: 'irsa' },
    })])).code).toBe(0);
    const ready = await k8s.waitForReadyGeneration('iamroles', 'order-worker', NS, 60_000);
    const irsa = {
      sid: 'EksServiceAccount', effect: 'Allow', principal: { federated: OIDC }, action: ['sts:AssumeRoleWithWebIdentity'],
      condition: { StringEquals: { [`${ISSUER}:sub`]: `system:serviceaccount:${NS}:order-worker`, [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
    };
    const inAws = await inIam('order-worker');
    expect(policiesEqual({ version: '2012-10-17', statement: [ci, irsa] } as never, inAws.trust)).toBe(true);
    expect(inAws.inline).toEqual({});
    expect(ready.status?.serviceAccount).toMatchObject({ mechanism: 'irsa', annotations: { 'eks.amazonaws.com/role-arn': ready.status?.arn } });
  });

  it('is refused at apply without trust, or with an inline policy of the operator\'s name', async () => {
    const noTrust = await kubectlApply(stack, [role('no-trust', { grants: [{ invokeModel: { model: MODEL } }] })]);
    expect(noTrust.code).not.toBe(0);
    expect(noTrust.stderr).toContain('set spec.assumeRolePolicy, spec.serviceAccount, or both');
    const reserved = await kubectlApply(stack, [role('reserved', {
      serviceAccount: { name: 'a', mechanism: 'irsa' },
      inlinePolicies: [{ name: 'BedrockForgeGrants', policy: { statement: [{ effect: 'Allow', action: 's3:GetObject', resource: 'arn:aws:s3:::b/*' }] } }],
    })]);
    expect(reserved.code).not.toBe(0);
    expect(reserved.stderr).toContain('BedrockForgeGrants is the inline policy the operator writes from spec.grants');
    const twoKinds = await kubectlApply(stack, [role('two-kinds', {
      serviceAccount: { name: 'a', mechanism: 'irsa' },
      grants: [{ invokeModel: { model: MODEL }, invokeAgent: { agent: 'orders', alias: 'live' } }],
    })]);
    expect(twoKinds.code).not.toBe(0);
  });

  // Runs on the Flow controller (src/kinds/flow/), which makes the Flow Ready and re-creates its alias.
  it('has exactly the grant on a Flow alias, and follows the alias when it is re-created', async () => {
    expect((await kubectlApply(stack, [flow, role('triage-caller', {
      serviceAccount: { name: 'triage-caller', mechanism: 'podIdentity' },
      grants: [{ invokeFlow: { flow: 'triage', alias: 'prod' } }],
    })])).code).toBe(0);
    const readyFlow = await k8s.waitForReadyGeneration('flows', 'triage', NS, 90_000);
    const prod = aliasArn(readyFlow, 'prod')!;
    expect(prod).toContain(`${readyFlow.status?.flowArn as string}/alias/`);
    await k8s.waitForReadyGeneration('iamroles', 'triage-caller', NS, 60_000);
    const inAws = await inIam('triage-caller');
    expect(Object.keys(inAws.inline)).toEqual(['BedrockForgeGrants']);
    expect(policiesEqual(grantsPolicy([{ sid: 'InvokeFlowAliases', effect: 'Allow', action: ['bedrock:InvokeFlow'], resource: [prod] }]) as never, inAws.inline.BedrockForgeGrants!)).toBe(true);
    expect(policiesEqual({ version: '2012-10-17', statement: [podIdentityTrust('triage-caller')] } as never, inAws.trust)).toBe(true);

    const flowId = readyFlow.status?.flowId as string;
    const prodInAws = (await bedrock.send(new ListFlowAliasesCommand({ flowIdentifier: flowId }))).flowAliasSummaries!.find((a) => a.name === 'prod')!;
    await bedrock.send(new DeleteFlowAliasCommand({ flowIdentifier: flowId, aliasIdentifier: prodInAws.id }));
    const recreated = await waitFor('the Flow with its alias prod re-created', async () => {
      const arn = aliasArn(await k8s.get('flows', 'triage', NS), 'prod');
      return arn && arn !== prod ? arn : undefined;
    }, { timeoutMs: RESYNC_S * 1000 * 10 + 30_000 });
    await waitForGrants('triage-caller', [{ sid: 'InvokeFlowAliases', effect: 'Allow', action: ['bedrock:InvokeFlow'], resource: [recreated] }], 'the re-created flow alias');
  });
});
