// What an IAMRole's spec.grants and spec.serviceAccount become (src/kinds/iamrole/grants.ts,
// service-account-trust.ts): the statements, proven with the policy evaluator (the calls the
// workload makes are allowed, their neighbours denied), the trust for the ServiceAccount alone, the
// waits and refusals while what a grant names is not ready, and the same checks as the rest of the
// role (IAM's quotas, the boundary, the findings) on the generated documents.
import { IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { Grant, IAMRoleSpec } from '../../src/api/iamrole.ts';
import type { AgentResource, FlowResource, IAMRoleResource } from '../../src/api/kinds.ts';
import type { PolicyStatement, TrustPolicy } from '../../src/api/policy-document.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import type { AccessRequest, RequestPrincipal } from '../../src/iam/evaluator/types.ts';
import { grantStatements, knownGrantStatements, type GrantLookups } from '../../src/kinds/iamrole/grants.ts';
import { IAMRoleExternalClient, type RoleResolved, type WorkloadAccess } from '../../src/kinds/iamrole/iamrole-client.ts';
import { checkWorkloadIdentitySettings, serviceAccountStatus, serviceAccountTrustStatement } from '../../src/kinds/iamrole/service-account-trust.ts';
import { OwnershipGuard } from '../../src/kinds/ownership-guard.ts';
import { PlatformRules } from '../../src/kinds/platform-rules.ts';
import { TenancyPolicy } from '../../src/kinds/tenancy-policy.ts';
import { TerminalError, WaitingError } from '../../src/runtime/errors.ts';

const ACCOUNT = '123456789012';
const scope = { partition: 'aws', region: 'us-east-1', account: ACCOUNT };
const NS = 'team-a';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/order-app`;
const AGENT_ALIAS = `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/AGENT12345/ALIAS12345`;
const OTHER_ALIAS = `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/AGENT12345/ALIAS99999`;
const HARNESS = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:harness/orders_ac-abcdefghij`;
const ENDPOINT = `${HARNESS}/harness-endpoint/live`;
const RUNTIME = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/harness_orders_ac-abcdefghij`;
const FLOW_ALIAS = `arn:aws:bedrock:us-east-1:${ACCOUNT}:flow/FLOW123456/alias/FALIAS1234`;
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const CLUSTER = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/prod`;
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789`;
const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789';

const ready = [{ type: 'Ready', status: 'True' as const, reason: 'Available', lastTransitionTime: '2026-12-01T00:00:00Z' }];
const notReady = [{ type: 'Ready', status: 'False' as const, reason: 'Pending', lastTransitionTime: '2026-12-01T00:00:00Z' }];

function agent(name: string, status: AgentResource['status'], namespace = NS): AgentResource {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name, namespace },
    spec: { foundationModel: MODEL, instruction: 'x'.repeat(40), aliases: [{ name: 'live' }] } as AgentResource['spec'], status,
  };
}
const classic = agent('orders', { conditions: ready, runtime: 'classic', aliases: [{ name: 'live', aliasId: 'ALIAS12345', aliasArn: AGENT_ALIAS }] });
const onAgentCore = agent('orders-ac', {
  conditions: ready, runtime: 'agentcore',
  agentCore: { harnessArn: HARNESS, runtimeArn: RUNTIME, endpoints: [{ name: 'live', alias: 'live', arn: ENDPOINT, status: 'READY' }] },
});
const flow: FlowResource = {
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Flow', metadata: { name: 'triage', namespace: NS },
  spec: { aliases: [{ name: 'prod' }] } as unknown as FlowResource['spec'],
  status: { conditions: ready, aliases: [{ name: 'prod', aliasId: 'FALIAS1234', aliasArn: FLOW_ALIAS, flowVersion: '1' }] },
};

function lookupsOf(agents: AgentResource[], flows: FlowResource[] = [flow]): GrantLookups {
  return {
    agent: (namespace, name) => agents.find((a) => a.metadata.namespace === namespace && a.metadata.name === name),
    flow: (namespace, name) => flows.find((f) => f.metadata.namespace === namespace && f.metadata.name === name),
  };
}
const lookups = lookupsOf([classic, onAgentCore]);

const GRANTS: Grant[] = [
  { invokeAgent: { agent: 'orders', alias: 'live' } },
  { invokeAgent: { agent: 'orders-ac', alias: 'live' } },
  { invokeFlow: { flow: 'triage', alias: 'prod' } },
  { invokeModel: { model: MODEL, regions: ['us-east-1', 'us-west-2'] } },
  { invokeModel: { model: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0' } },
];

/** Whether the role with these statements may make the call. */
function allowed(statement: PolicyStatement[], action: string, resource: string, context: Record<string, string> = {}): boolean {
  const request: AccessRequest = { principal: { type: 'AWS', arn: ROLE_ARN, account: ACCOUNT }, action, resource, context };
  return authorize(request, { identity: [{ name: 'grants', document: { version: '2012-10-17', statement } }] }).decision === 'Allow';
}

/** Whether `principal` may assume the role with this trust policy. */
function assumes(trust: TrustPolicy, principal: RequestPrincipal, action: string, context: Record<string, string>): boolean {
  const request: AccessRequest = { principal, action, resource: ROLE_ARN, context };
  return authorize(request, { resource: { name: 'trust', document: trust } }).decision === 'Allow';
}

describe('spec.grants', () => {
  const statements = grantStatements(GRANTS, NS, lookups, scope);

  it('expands to one statement per kind of call, scoped to the exact ARNs, models with their regions', () => {
    expect(statements).toEqual([
      { sid: 'InvokeAgentAliases', effect: 'Allow', action: ['bedrock:InvokeAgent'], resource: [AGENT_ALIAS] },
      { sid: 'InvokeAgentCoreEndpoints', effect: 'Allow', action: ['bedrock-agentcore:InvokeHarness', 'bedrock-agentcore:InvokeAgentRuntime'], resource: [HARNESS, ENDPOINT] },
      { sid: 'InvokeFlowAliases', effect: 'Allow', action: ['bedrock:InvokeFlow'], resource: [FLOW_ALIAS] },
      {
        sid: 'InvokeModelsInuseast1Anduswest2', effect: 'Allow', action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resource: [`arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`, `arn:aws:bedrock:us-west-2::foundation-model/${MODEL}`],
        condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } },
      },
      {
        sid: 'InvokeModelsInuseast1', effect: 'Allow', action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resource: [`arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0`, 'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0'],
        condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1'] } },
      },
    ]);
  });

  it('allows the calls the workload makes, and denies the neighbours', () => {
    const east = { 'aws:RequestedRegion': 'us-east-1' };
    const calls: [string, string, Record<string, string>?][] = [
      ['bedrock:InvokeAgent', AGENT_ALIAS],
      // InvokeHarness with the endpoint as qualifier: both actions on the harness and the endpoint (harness-security).
      ['bedrock-agentcore:InvokeHarness', HARNESS], ['bedrock-agentcore:InvokeHarness', ENDPOINT],
      ['bedrock-agentcore:InvokeAgentRuntime', HARNESS], ['bedrock-agentcore:InvokeAgentRuntime', ENDPOINT],
      ['bedrock:InvokeFlow', FLOW_ALIAS],
      ['bedrock:InvokeModel', `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`, east],
      ['bedrock:InvokeModelWithResponseStream', `arn:aws:bedrock:us-west-2::foundation-model/${MODEL}`, { 'aws:RequestedRegion': 'us-west-2' }],
      ['bedrock:InvokeModel', `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0`, east],
    ];
    for (const [action, resource, context] of calls) expect(allowed(statements, action, resource, context), `${action} on ${resource}`).toBe(true);
    const denied: [string, string, Record<string, string>?][] = [
      ['bedrock:InvokeAgent', OTHER_ALIAS],
      ['bedrock:InvokeAgent', `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/OTHERAGENT/ALIAS12345`],
      ['bedrock:GetAgent', `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/AGENT12345`],
      // The harness's runtime directly, skipping the harness and its endpoint.
      ['bedrock-agentcore:InvokeAgentRuntime', RUNTIME],
      ['bedrock-agentcore:InvokeHarness', `${HARNESS}/harness-endpoint/other`],
      ['bedrock-agentcore:UpdateHarness', HARNESS],
      ['bedrock:InvokeFlow', FLOW_ALIAS.replace('FALIAS1234', 'OTHER12345')],
      ['bedrock:InvokeModel', `arn:aws:bedrock:eu-west-1::foundation-model/${MODEL}`, { 'aws:RequestedRegion': 'eu-west-1' }],
      // The right ARN, asked for in a region the grant does not list.
      ['bedrock:InvokeModel', `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`, { 'aws:RequestedRegion': 'eu-west-1' }],
      ['bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0', east],
      ['bedrock:CreateModelCustomizationJob', `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`, east],
    ];
    for (const [action, resource, context] of denied) expect(allowed(statements, action, resource, context), `${action} on ${resource}`).toBe(false);
  });

  it('waits while an Agent or Flow is missing or not Ready with its alias, and refuses an alias its spec lacks', () => {
    const grant = (g: Grant, l: GrantLookups) => () => grantStatements([g], NS, l, scope);
    const waits = (fn: () => unknown, reason: string) => {
      expect(fn).toThrow(WaitingError);
      try { fn(); } catch (error) { expect((error as WaitingError).reason).toBe(reason); }
    };
    waits(grant({ invokeAgent: { agent: 'missing', alias: 'live' } }, lookups), 'WaitingForAgent');
    waits(grant({ invokeAgent: { agent: 'orders', alias: 'live' } }, lookupsOf([{ ...classic, status: { ...classic.status, conditions: notReady } }])), 'WaitingForAgent');
    waits(grant({ invokeAgent: { agent: 'orders', alias: 'live' } }, lookupsOf([{ ...classic, status: { ...classic.status, aliases: [] } }])), 'WaitingForAgent');
    waits(grant({ invokeFlow: { flow: 'triage', alias: 'prod' } }, lookupsOf([], [])), 'WaitingForFlow');
    waits(grant({ invokeFlow: { flow: 'triage', alias: 'prod' } }, lookupsOf([], [{ ...flow, status: { ...flow.status, conditions: notReady } }])), 'WaitingForFlow');
    expect(grant({ invokeAgent: { agent: 'orders', alias: 'canary' } }, lookups)).toThrow(/has no alias canary in spec.aliases: name one of live/);
    expect(grant({ invokeFlow: { flow: 'triage', alias: 'beta' } }, lookups)).toThrow(TerminalError);
    // Only the role's own namespace: an Agent of that name elsewhere is not found.
    waits(() => grantStatements([{ invokeAgent: { agent: 'orders', alias: 'live' } }], 'team-b', lookups, scope), 'WaitingForAgent');
  });

  it('follows a re-created alias', () => {
    const recreated = `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/AGENT12345/NEWALIAS99`;
    const after = grantStatements([GRANTS[0]!], NS, lookupsOf([{ ...classic, status: { ...classic.status, aliases: [{ name: 'live', aliasArn: recreated }] } }]), scope);
    expect(allowed(after, 'bedrock:InvokeAgent', recreated)).toBe(true);
    expect(allowed(after, 'bedrock:InvokeAgent', AGENT_ALIAS)).toBe(false);
  });

  it('leaves out, for the analysis before resolve, only what cannot be known yet', () => {
    const known = knownGrantStatements([...GRANTS, { invokeAgent: { agent: 'missing', alias: 'live' } }], NS, lookups, scope);
    expect(known).toEqual(statements);
  });
});

describe('spec.serviceAccount', () => {
  const settings = { eksClusterArn: CLUSTER, oidcProviderArn: OIDC };
  const pods: RequestPrincipal = { type: 'Service', service: 'pods.eks.amazonaws.com' };
  const tags = (namespace: string, sa: string, cluster = CLUSTER) => ({
    'aws:SourceAccount': ACCOUNT, 'aws:RequestTag/eks-cluster-arn': cluster, 'aws:RequestTag/eks-cluster-name': 'prod',
    'aws:RequestTag/kubernetes-namespace': namespace, 'aws:RequestTag/kubernetes-service-account': sa,
  });

  it('Pod Identity: EKS may assume the role and tag the session for that ServiceAccount of that cluster only', () => {
    const trust = { version: '2012-10-17' as const, statement: [serviceAccountTrustStatement({ name: 'order-app', mechanism: 'podIdentity' }, NS, settings)] };
    expect(trust.statement[0]).toEqual({
      sid: 'EksPodIdentity', effect: 'Allow', principal: { service: 'pods.eks.amazonaws.com' }, action: ['sts:AssumeRole', 'sts:TagSession'],
      condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 'aws:RequestTag/eks-cluster-arn': CLUSTER, 'aws:RequestTag/kubernetes-namespace': NS, 'aws:RequestTag/kubernetes-service-account': 'order-app' } },
    });
    for (const action of ['sts:AssumeRole', 'sts:TagSession']) expect(assumes(trust, pods, action, tags(NS, 'order-app')), action).toBe(true);
    expect(assumes(trust, pods, 'sts:AssumeRole', tags(NS, 'other-app'))).toBe(false);
    expect(assumes(trust, pods, 'sts:AssumeRole', tags('team-b', 'order-app'))).toBe(false);
    expect(assumes(trust, pods, 'sts:AssumeRole', tags(NS, 'order-app', CLUSTER.replace('/prod', '/dev')))).toBe(false);
    expect(assumes(trust, pods, 'sts:AssumeRole', { ...tags(NS, 'order-app'), 'aws:SourceAccount': '210987654321' })).toBe(false);
    expect(assumes(trust, { type: 'Service', service: 'ec2.amazonaws.com' }, 'sts:AssumeRole', tags(NS, 'order-app'))).toBe(false);
    expect(assumes(trust, { type: 'AWS', arn: `arn:aws:iam::${ACCOUNT}:role/other`, account: ACCOUNT }, 'sts:AssumeRole', {})).toBe(false);
    expect(serviceAccountStatus({ name: 'order-app', mechanism: 'podIdentity' }, NS, settings, ROLE_ARN)).toEqual({
      name: 'order-app', mechanism: 'podIdentity',
      podIdentityAssociation: { clusterName: 'prod', namespace: NS, serviceAccount: 'order-app', roleArn: ROLE_ARN },
      instructions: `create the Pod Identity association: aws eks create-pod-identity-association --cluster-name prod --namespace ${NS} --service-account order-app --role-arn ${ROLE_ARN}`,
    });
  });

  it('IRSA: a web identity of the cluster\'s OIDC provider for that ServiceAccount, audience STS', () => {
    const trust = { version: '2012-10-17' as const, statement: [serviceAccountTrustStatement({ name: 'order-app', mechanism: 'irsa' }, NS, settings)] };
    expect(trust.statement[0]).toEqual({
      sid: 'EksServiceAccount', effect: 'Allow', principal: { federated: OIDC }, action: ['sts:AssumeRoleWithWebIdentity'],
      condition: { StringEquals: { [`${ISSUER}:sub`]: `system:serviceaccount:${NS}:order-app`, [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
    });
    const web: RequestPrincipal = { type: 'Federated', provider: OIDC };
    const token = (sub: string, aud = 'sts.amazonaws.com') => ({ [`${ISSUER}:sub`]: sub, [`${ISSUER}:aud`]: aud });
    expect(assumes(trust, web, 'sts:AssumeRoleWithWebIdentity', token(`system:serviceaccount:${NS}:order-app`))).toBe(true);
    expect(assumes(trust, web, 'sts:AssumeRoleWithWebIdentity', token(`system:serviceaccount:${NS}:other-app`))).toBe(false);
    expect(assumes(trust, web, 'sts:AssumeRoleWithWebIdentity', token(`system:serviceaccount:team-b:order-app`))).toBe(false);
    expect(assumes(trust, web, 'sts:AssumeRoleWithWebIdentity', token(`system:serviceaccount:${NS}:order-app`, 'other'))).toBe(false);
    expect(assumes(trust, { type: 'Federated', provider: OIDC.replace('ABCDEF', '999999') }, 'sts:AssumeRoleWithWebIdentity', token(`system:serviceaccount:${NS}:order-app`))).toBe(false);
    expect(assumes(trust, web, 'sts:AssumeRole', token(`system:serviceaccount:${NS}:order-app`))).toBe(false);
    expect(serviceAccountStatus({ name: 'order-app', mechanism: 'irsa' }, NS, settings, ROLE_ARN)).toMatchObject({
      annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN },
      instructions: `annotate the ServiceAccount: kubectl annotate serviceaccount --namespace ${NS} order-app eks.amazonaws.com/role-arn=${ROLE_ARN}`,
    });
  });

  it('takes only a cluster ARN and an OIDC provider ARN as the flags', () => {
    expect(checkWorkloadIdentitySettings({ eksClusterArn: CLUSTER, oidcProviderArn: OIDC })).toBeUndefined();
    expect(checkWorkloadIdentitySettings({ eksClusterArn: 'prod' })).toMatch(/^--eks-cluster-arn must be an EKS cluster ARN/);
    expect(checkWorkloadIdentitySettings({ oidcProviderArn: `https://${ISSUER}` })).toMatch(/^--eks-oidc-provider-arn must be an IAM OIDC provider ARN/);
  });

  it('refuses, naming the flag, when the operator does not know the cluster', () => {
    expect(() => serviceAccountTrustStatement({ name: 'a', mechanism: 'podIdentity' }, NS, { oidcProviderArn: OIDC })).toThrow(/--eks-cluster-arn/);
    expect(() => serviceAccountTrustStatement({ name: 'a', mechanism: 'irsa' }, NS, { eksClusterArn: CLUSTER })).toThrow(/--eks-oidc-provider-arn/);
  });
});

describe('an IAMRole with grants and a ServiceAccount', () => {
  const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/team-boundary`;
  const workload: WorkloadAccess = { lookups, settings: { eksClusterArn: CLUSTER }, aws: { region: 'us-east-1', partition: 'aws', account: async () => ACCOUNT } };
  const tenancy = new TenancyPolicy({ permissionsBoundary: BOUNDARY, adoptNamespaces: [], externalRoleArns: [] });
  const client = new IAMRoleExternalClient(new IAMClient({ region: 'us-east-1' }), new OwnershipGuard('test', tenancy), tenancy, new PlatformRules(), undefined, workload);
  const role = (spec: IAMRoleSpec): IAMRoleResource => ({ apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: 'order-app', namespace: NS }, spec });
  const ciTrust = { version: '2012-10-17' as const, statement: [{ effect: 'Allow' as const, principal: { aws: `arn:aws:iam::${ACCOUNT}:role/ci` }, action: 'sts:AssumeRole' }] };

  it('gets the merged trust, the grants as the operator\'s inline policy, and the enforced boundary', async () => {
    const resolved: RoleResolved = await client.resolve(role({
      assumeRolePolicy: ciTrust, serviceAccount: { name: 'order-app', mechanism: 'podIdentity' }, grants: GRANTS,
      inlinePolicies: [{ name: 'Own', policy: { statement: [{ effect: 'Allow', action: 's3:GetObject', resource: 'arn:aws:s3:::orders/*' }] } }],
    }));
    expect(resolved.boundary).toBe(BOUNDARY);
    expect(resolved.trust.statement).toEqual([ciTrust.statement[0], serviceAccountTrustStatement({ name: 'order-app', mechanism: 'podIdentity' }, NS, workload.settings)]);
    expect(resolved.inline.map((p) => p.name)).toEqual(['Own', 'BedrockForgeGrants']);
    expect(resolved.inline[1]!.policy.statement).toEqual(grantStatements(GRANTS, NS, lookups, scope));
    // A ServiceAccount alone is enough trust; no grants, no operator policy.
    const plain = await client.resolve(role({ serviceAccount: { name: 'order-app', mechanism: 'podIdentity' } }));
    expect(plain.trust.statement).toHaveLength(1);
    expect(plain.inline).toEqual([]);
    // Bedrock Forge's policyName names a policy resource this operator does not manage.
    await expect(client.resolve(role({ assumeRolePolicy: ciTrust, policies: [{ policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', policyName: 'team-policy' }] })))
      .rejects.toMatchObject({ reason: 'UnsupportedPolicyReference', message: expect.stringContaining('spec.policies[0].policyName') });
    // The spec's policy language version stays as written.
    const old = await client.resolve(role({ assumeRolePolicy: { ...ciTrust, version: '2008-10-17' } }));
    expect(old.trust).toEqual({ version: '2008-10-17', statement: ciTrust.statement });
  });

  it('counts the generated statements against IAM\'s quotas, as the spec\'s own', async () => {
    // A trust policy just under 2,048 characters, which the ServiceAccount's statement pushes over.
    const principals = Array.from({ length: 36 }, (_, i) => `arn:aws:iam::${ACCOUNT}:role/caller-${String(i).padStart(3, '0')}`);
    const near = { version: '2012-10-17' as const, statement: [{ effect: 'Allow' as const, principal: { aws: principals }, action: 'sts:AssumeRole' }] };
    await expect(client.resolve(role({ assumeRolePolicy: near }))).resolves.toBeDefined();
    await expect(client.resolve(role({ assumeRolePolicy: near, serviceAccount: { name: 'order-app', mechanism: 'podIdentity' } })))
      .rejects.toThrow(/spec.assumeRolePolicy: the trust policy is \d+ characters .*IAM allows 2048/);
  });

  it('is refused, naming the flag, when the operator lacks it; and the analysis sees the generated statements', async () => {
    await expect(client.resolve(role({ serviceAccount: { name: 'order-app', mechanism: 'irsa' } }))).rejects.toMatchObject({ reason: 'OperatorFlagMissing' });
    // The generated documents are least privilege: no finding (the trust names the account, the grants exact ARNs).
    expect(client.findings(role({ serviceAccount: { name: 'order-app', mechanism: 'podIdentity' }, grants: GRANTS }))).toEqual([]);
    // A service principal without the account's condition is found; the generated trust has it.
    const loose = { version: '2012-10-17' as const, statement: [{ effect: 'Allow' as const, principal: { service: 'pods.eks.amazonaws.com' }, action: ['sts:AssumeRole', 'sts:TagSession'] }] };
    expect(client.findings(role({ assumeRolePolicy: loose })).map((f) => f.check)).toEqual(['ConfusedDeputy']);
  });
});
