// policies/operator-iam-policy.json, the IAM policy recommended for the operator (with
// --permissions-boundary), allows every AWS action the operator's code calls, and nothing
// broader: adding an AWS call without updating the policy fails here. Each action is granted on
// the resource type IAM's catalogue says it is authorized on. (The test bed's emulator enforces
// the policy on every request of the operator: test/integration/operator-iam-policy-enforced.test.ts.)
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyPolicy } from '../../src/aws/iam/policy-json.ts';
import { catalogueAction, wildcardRegExp } from '../../src/iam/catalogue.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import type { AccessRequest, RequestContext } from '../../src/iam/evaluator/types.ts';
import { checksFor, type AuthorizationEnv } from '../harness/emulator/authorizer/access-requests.ts';
import type { ServiceModel } from '../harness/emulator/authorizer/service-models.ts';

const root = join(import.meta.dirname, '..', '..');

interface Statement { Sid: string; Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> }

const policy = async () => JSON.parse(await readFile(join(root, 'policies', 'operator-iam-policy.json'), 'utf8')) as { Version: string; Statement: Statement[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** The IAM action prefix of each SDK client the operator uses (STS's GetCallerIdentity needs no permission). */
const PREFIX: Record<string, string | undefined> = { iam: 'iam', lambda: 'lambda', 'bedrock-agent': 'bedrock', bedrock: 'bedrock', 'bedrock-agentcore-control': 'bedrock-agentcore', sts: undefined };

/**
 * The calls of the Agent kind's AgentCore backend (issue 16; docs/research/agentcore.md), which the
 * policy grants ahead of the code: counted as called until the code sends them itself (then the
 * scan of src/ finds them too).
 */
const AGENTCORE_CALLS = [
  'CreateHarness', 'GetHarness', 'UpdateHarness', 'DeleteHarness', 'ListHarnesses',
  'CreateHarnessEndpoint', 'GetHarnessEndpoint', 'UpdateHarnessEndpoint', 'DeleteHarnessEndpoint', 'ListHarnessEndpoints',
  'CreateGateway', 'GetGateway', 'UpdateGateway', 'DeleteGateway', 'ListGateways',
  'CreateGatewayTarget', 'GetGatewayTarget', 'UpdateGatewayTarget', 'DeleteGatewayTarget', 'ListGatewayTargets',
  'TagResource', 'UntagResource', 'ListTagsForResource',
].map((operation) => `bedrock-agentcore:${operation}`);

/** Actions AWS authorizes besides the operation's own, for what the operator sends with it. */
const IMPLIED: Record<string, string[]> = {
  'iam:CreateRole': ['iam:TagRole'], // ownership tags in the create call
  'lambda:GetFunction': ['lambda:ListTags'], // GetFunction returns tags only with lambda:ListTags
  'lambda:CreateFunction': ['lambda:TagResource', 'iam:PassRole', 's3:GetObject', 's3:GetObjectVersion'], // tags, the execution role, S3 code
  'lambda:UpdateFunctionConfiguration': ['iam:PassRole'],
  'lambda:UpdateFunctionCode': ['s3:GetObject', 's3:GetObjectVersion'],
  'bedrock:CreateAgent': ['bedrock:TagResource', 'iam:PassRole'], // tags, the service role
  'bedrock:CreateAgentAlias': ['bedrock:TagResource'], // tags
  'bedrock:UpdateAgent': ['iam:PassRole'],
  'bedrock:CreateFlow': ['bedrock:TagResource', 'iam:PassRole'], // tags, the service role
  'bedrock:CreateFlowAlias': ['bedrock:TagResource'], // tags
  'bedrock:UpdateFlow': ['iam:PassRole'],
  'bedrock:CreatePrompt': ['bedrock:TagResource'], // tags
  'bedrock:CreateGuardrail': ['bedrock:TagResource'], // tags
  // AgentCore harness calls also need the Runtime and Memory action of the same verb (AWS's
  // harness-security.html, "Required IAM permissions for callers"; research §3.6). Further:
  // GetAgentRuntime and GetMemory for CreateHarness (AWS's agent-toolkit-for-aws,
  // agentcore-harness.md); the harness's workload identity, the runtime's DEFAULT endpoint and
  // reading the runtime until it is gone on CreateHarness and DeleteHarness (a third party's
  // measurement, research §3.6); PassRole of the execution role; TagResource for tags at create.
  'bedrock-agentcore:CreateHarness': [
    'bedrock-agentcore:CreateAgentRuntime', 'bedrock-agentcore:CreateMemory', 'bedrock-agentcore:TagResource', 'iam:PassRole',
    'bedrock-agentcore:GetAgentRuntime', 'bedrock-agentcore:GetMemory', 'bedrock-agentcore:CreateWorkloadIdentity', 'bedrock-agentcore:CreateAgentRuntimeEndpoint',
  ],
  'bedrock-agentcore:UpdateHarness': ['bedrock-agentcore:UpdateAgentRuntime', 'bedrock-agentcore:UpdateMemory', 'iam:PassRole'],
  'bedrock-agentcore:DeleteHarness': [
    'bedrock-agentcore:DeleteAgentRuntime', 'bedrock-agentcore:DeleteMemory',
    'bedrock-agentcore:GetAgentRuntime', 'bedrock-agentcore:DeleteWorkloadIdentity', 'bedrock-agentcore:DeleteAgentRuntimeEndpoint',
  ],
  'bedrock-agentcore:CreateHarnessEndpoint': ['bedrock-agentcore:CreateAgentRuntimeEndpoint', 'bedrock-agentcore:TagResource'],
  'bedrock-agentcore:UpdateHarnessEndpoint': ['bedrock-agentcore:UpdateAgentRuntimeEndpoint'],
  'bedrock-agentcore:DeleteHarnessEndpoint': ['bedrock-agentcore:DeleteAgentRuntimeEndpoint'],
  'bedrock-agentcore:CreateGateway': ['bedrock-agentcore:TagResource', 'iam:PassRole'], // tags, the gateway's service role
  'bedrock-agentcore:UpdateGateway': ['iam:PassRole'], // a PUT: the role is sent every time
};

/** Refused by design: with an enforced boundary the operator never removes one. */
const DENIED_BY_DESIGN = ['iam:DeleteRolePermissionsBoundary'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return (await Promise.all(entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []))))).flat();
}

/** Every `service:Operation` the operator's code sends, from the Commands each file imports. */
async function actionsInCode(): Promise<Set<string>> {
  const actions = new Set<string>();
  for (const file of await sourceFiles(join(root, 'src'))) {
    const text = await readFile(file, 'utf8');
    for (const [, names, client] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z-]+)'/g)) {
      const prefix = PREFIX[client!];
      if (!(client! in PREFIX)) throw new Error(`${file} uses @aws-sdk/client-${client}: add its IAM prefix to this test`);
      if (!prefix) continue;
      for (const name of names!.split(',').map((n) => n.trim())) {
        const operation = /^([A-Z]\w+)Command$/.exec(name)?.[1];
        if (operation && text.includes(`new ${name}(`)) actions.add(`${prefix}:${operation}`);
      }
    }
  }
  return actions;
}

const matches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(action);

describe('the operator\'s IAM policy', () => {
  it('allows every action the operator calls, and what AWS authorizes with them', async () => {
    const { Statement } = await policy();
    const code = new Set([...await actionsInCode(), ...AGENTCORE_CALLS]);
    expect(code.size).toBeGreaterThan(40);
    const needed = [...code, ...[...code].flatMap((a) => IMPLIED[a] ?? [])].filter((a) => !DENIED_BY_DESIGN.includes(a));
    const allowed = (action: string) => Statement.some((s) => s.Effect === 'Allow' && list(s.Action).some((p) => matches(p, action)));
    expect([...new Set(needed)].filter((a) => !allowed(a)).sort()).toEqual([]);
    for (const action of DENIED_BY_DESIGN) expect(Statement.some((s) => s.Effect === 'Deny' && list(s.Action).includes(action))).toBe(true);
  });

  it('allows nothing the operator does not call', async () => {
    const code = new Set([...await actionsInCode(), ...AGENTCORE_CALLS]);
    const needed = new Set([...code, ...[...code].flatMap((a) => IMPLIED[a] ?? [])]);
    const extra = (await policy()).Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)).filter((a) => !needed.has(a));
    expect(extra).toEqual([]);
  });

  it('grants each action on a resource of a type IAM authorizes it on', async () => {
    const { Statement } = await policy();
    const fill = (text: string) => text.replaceAll('${AWS_ACCOUNT_ID}', '123456789012').replaceAll('${AWS_REGION}', 'us-east-1');
    const wrong = Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action).flatMap((action) => {
      const types = catalogueAction(action)?.resourceTypes;
      if (!types) return [`${action}: not in IAM's catalogue`];
      const resources = list(s.Resource).map((r) => wildcardRegExp(fill(r)));
      // An ARN of each type, as IAM would authorize the action on it; `*` for an action that takes none.
      const arns = types.length === 0 ? ['*'] : types.map((t) => t.arnFormat.replace(/\$\{(\w+)\}/g, (_, v: string) => ({ Partition: 'aws', Region: 'us-east-1', Account: '123456789012' } as Record<string, string>)[v] ?? 'example'));
      return arns.some((arn) => resources.some((r) => r.test(arn))) ? [] : [`${action} (${s.Sid}): ${list(s.Resource).join(', ')} names no ${types.map((t) => t.name).join(' or ') || '*'}`];
    }));
    expect(wrong).toEqual([]);
  });

  it('scopes every statement to this account, and changes role permissions only within the boundary', async () => {
    const { Version, Statement } = await policy();
    expect(Version).toBe('2012-10-17');
    for (const s of Statement.filter((x) => x.Effect === 'Allow')) {
      for (const resource of list(s.Resource)) {
        // Creates and lists of agents, flows, prompts, harnesses and gateways, and the runtime and memory AgentCore
        // makes for a harness, and IAM's account-wide listings of roles take no resource ARN; S3 objects are scoped by aws:ResourceAccount;
        // AWS managed policies (read for the access check) belong to the account "aws".
        if (resource === '*') {
          expect(['CreateAndFindAgents', 'CreateAndFindFlows', 'CreateAndFindPrompts', 'CreateAndFindGuardrails', 'CreateAndFindHarnessesAndGateways', 'CreateTheRuntimeAndMemoryAwsAuthorizesWithCreateHarness', 'ReadEveryRoleInBulkInsteadOfOneByOne', 'ListEveryFunctionInBulkInsteadOfOneByOne']).toContain(s.Sid);
          // `*` only for actions that need no resource: none, or only optional ones (ListPrompts naming no
          // prompt, CreateGuardrail's automated-reasoning policy, ListGuardrails without a guardrail named).
          for (const action of list(s.Action)) expect([action, catalogueAction(action)?.resourceTypes.filter((t) => t.required)]).toEqual([action, []]);
        }
        else if (resource === 'arn:aws:iam::aws:policy/*') expect(list(s.Action).sort()).toEqual(['iam:GetPolicy', 'iam:GetPolicyVersion']);
        else if (resource.startsWith('arn:aws:s3:::')) expect(s.Condition?.StringEquals?.['aws:ResourceAccount']).toBe('${AWS_ACCOUNT_ID}');
        else expect(resource).toContain(':${AWS_ACCOUNT_ID}:');
      }
    }
    const boundary = Statement.find((s) => list(s.Action).includes('iam:CreateRole'))!;
    expect(list(boundary.Action).sort()).toEqual(['iam:AttachRolePolicy', 'iam:CreateRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy']);
    expect(boundary.Condition).toEqual({ StringEquals: { 'iam:PermissionsBoundary': '${PERMISSIONS_BOUNDARY_ARN}' } });
    const passRole = Statement.find((s) => list(s.Action).includes('iam:PassRole'))!;
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'bedrock.amazonaws.com', 'bedrock-agentcore.amazonaws.com'] } });
  });
});

describe('the operator\'s IAM policy, for the AgentCore backend\'s calls on the resources it makes', () => {
  const ACCOUNT = '123456789012';
  const REGION = 'us-east-1';
  const filled = async () => JSON.parse(JSON.stringify(await policy())
    .replaceAll('${AWS_ACCOUNT_ID}', ACCOUNT).replaceAll('${AWS_REGION}', REGION)
    .replaceAll('${PERMISSIONS_BOUNDARY_ARN}', `arn:aws:iam::${ACCOUNT}:policy/forge-boundary`)) as AnyPolicy;
  const env: AuthorizationEnv = {
    principal: { type: 'AWS', arn: `arn:aws:iam::${ACCOUNT}:role/bedrock-forge-operator`, account: ACCOUNT },
    account: ACCOUNT,
    region: REGION,
    role: () => Promise.resolve(undefined),
  };
  const agentcore = { signingName: 'bedrock-agentcore' } as ServiceModel;
  const decide = async (request: AccessRequest) => authorize(request, { identity: [{ name: 'operator policy', document: await filled() }] }).decision;
  const direct = (action: string, resource: string, context: RequestContext = {}): AccessRequest =>
    ({ principal: env.principal, action, resource, resourceAccount: ACCOUNT, context: { 'aws:RequestedRegion': REGION, ...context } });

  // What the operator names: an Agent `support-bot` of namespace team-a becomes harness `support_bot`,
  // gateway `support-bot`, endpoint `live` for its alias, and roles it creates under the boundary.
  const ARN = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}`;
  const harnessId = 'support_bot-AbCdEf1234';
  const harness = `${ARN}:harness/${harnessId}`;
  const gatewayIdentifier = 'support-bot-k3j5h7g9f1';
  const gateway = `${ARN}:gateway/${gatewayIdentifier}`;
  const harnessRole = `arn:aws:iam::${ACCOUNT}:role/BedrockAgentCoreHarness_support-bot`;
  const gatewayRole = `arn:aws:iam::${ACCOUNT}:role/BedrockAgentCoreGateway_support-bot`;
  const tags = { 'bedrockforge.io/owner': 'team-a.support-bot' };
  const target = { gatewayIdentifier, targetId: 'TARGET1234' };
  const endpoint = { harnessId, endpointName: 'live' };
  const gatewayConfig = { name: 'support-bot', roleArn: gatewayRole, authorizerType: 'AWS_IAM', protocolType: 'MCP' };
  const calls: Array<[string, Record<string, unknown>]> = [
    ['CreateHarness', { harnessName: 'support_bot', executionRoleArn: harnessRole, tags }],
    ['GetHarness', { harnessId }],
    ['UpdateHarness', { harnessId, executionRoleArn: harnessRole }],
    ['DeleteHarness', { harnessId }],
    ['ListHarnesses', {}],
    ['CreateHarnessEndpoint', { ...endpoint, targetVersion: '2', tags }],
    ['GetHarnessEndpoint', endpoint],
    ['UpdateHarnessEndpoint', { ...endpoint, targetVersion: '3' }],
    ['DeleteHarnessEndpoint', endpoint],
    ['ListHarnessEndpoints', { harnessId }],
    ['CreateGateway', { ...gatewayConfig, tags }],
    ['GetGateway', { gatewayIdentifier }],
    ['UpdateGateway', { gatewayIdentifier, ...gatewayConfig }],
    ['DeleteGateway', { gatewayIdentifier }],
    ['ListGateways', {}],
    ['CreateGatewayTarget', { gatewayIdentifier, name: 'orders', targetConfiguration: {} }],
    ['GetGatewayTarget', target],
    ['UpdateGatewayTarget', { ...target, targetConfiguration: {} }],
    ['DeleteGatewayTarget', target],
    ['ListGatewayTargets', { gatewayIdentifier }],
    ['TagResource', { resourceArn: harness, tags }],
    ['TagResource', { resourceArn: gateway, tags }],
    ['UntagResource', { resourceArn: harness, tagKeys: ['bedrockforge.io/owner'] }],
    ['UntagResource', { resourceArn: gateway, tagKeys: ['bedrockforge.io/owner'] }],
    ['ListTagsForResource', { resourceArn: harness }],
    ['ListTagsForResource', { resourceArn: gateway }],
  ];

  it('allows each call, and each authorization AWS makes with it, as the test bed\'s front maps them', async () => {
    expect(new Set(calls.map(([operation]) => `bedrock-agentcore:${operation}`))).toEqual(new Set(AGENTCORE_CALLS));
    const refused: string[] = [];
    for (const [operation, input] of calls) {
      for (const { request } of await checksFor({ service: agentcore, operation, input }, env)) {
        const decision = await decide(request);
        if (decision !== 'Allow') refused.push(`${operation}: ${request.action} on ${request.resource} (${decision})`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('allows what AgentCore also checks on the harness\'s own runtime, memory and workload identity', async () => {
    const runtime = `${ARN}:runtime/harness_support_bot-Zx9Yw8Vu7T`;
    const identity = `${ARN}:workload-identity-directory/default/workload-identity/harness_support_bot-Zx9Yw8Vu7T`;
    const requests = [
      direct('bedrock-agentcore:GetAgentRuntime', runtime),
      direct('bedrock-agentcore:UpdateAgentRuntime', runtime),
      direct('bedrock-agentcore:DeleteAgentRuntime', runtime),
      direct('bedrock-agentcore:DeleteAgentRuntime', `${ARN}:runtime/*`),
      direct('bedrock-agentcore:CreateAgentRuntimeEndpoint', runtime),
      direct('bedrock-agentcore:UpdateAgentRuntimeEndpoint', `${runtime}/runtime-endpoint/live`),
      direct('bedrock-agentcore:DeleteAgentRuntimeEndpoint', `${runtime}/runtime-endpoint/DEFAULT`),
      direct('bedrock-agentcore:GetMemory', `${ARN}:memory/harness_support_bot_Ab12Cd34Ef`),
      direct('bedrock-agentcore:UpdateMemory', `${ARN}:memory/harness_support_bot_Ab12Cd34Ef`),
      direct('bedrock-agentcore:DeleteMemory', `${ARN}:memory/harness_support_bot_Ab12Cd34Ef`),
      ...['CreateWorkloadIdentity', 'DeleteWorkloadIdentity'].flatMap((action) => [
        direct(`bedrock-agentcore:${action}`, `${ARN}:workload-identity-directory/default`),
        direct(`bedrock-agentcore:${action}`, identity),
      ]),
    ];
    const refused = [];
    for (const request of requests) if (await decide(request) !== 'Allow') refused.push(`${request.action} on ${request.resource}`);
    expect(refused).toEqual([]);
  });

  it('passes AgentCore\'s roles to AgentCore only, and stays in its account and region', async () => {
    for (const role of [harnessRole, gatewayRole]) {
      expect(await decide(direct('iam:PassRole', role, { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' }))).toBe('Allow');
      expect(await decide(direct('iam:PassRole', role, { 'iam:PassedToService': 'ec2.amazonaws.com' }))).toBe('ImplicitDeny');
      expect(await decide(direct('iam:PassRole', role, { 'iam:PassedToService': 'sagemaker.amazonaws.com' }))).toBe('ImplicitDeny');
      expect(await decide(direct('iam:PassRole', role))).toBe('ImplicitDeny');
    }
    expect(await decide(direct('bedrock-agentcore:DeleteHarness', `arn:aws:bedrock-agentcore:${REGION}:444455556666:harness/${harnessId}`))).toBe('ImplicitDeny');
    expect(await decide(direct('bedrock-agentcore:DeleteGateway', `arn:aws:bedrock-agentcore:eu-west-1:${ACCOUNT}:gateway/${gatewayIdentifier}`))).toBe('ImplicitDeny');
    // Nothing else of AgentCore: no invocation, no policy engines, no credential providers.
    expect(await decide(direct('bedrock-agentcore:InvokeHarness', harness))).toBe('ImplicitDeny');
    expect(await decide(direct('bedrock-agentcore:InvokeGateway', gateway))).toBe('ImplicitDeny');
    expect(await decide(direct('bedrock-agentcore:CreatePolicyEngine', '*'))).toBe('ImplicitDeny');
    expect(await decide(direct('bedrock-agentcore:GetResourceApiKey', `${ARN}:token-vault/default`))).toBe('ImplicitDeny');
  });
});
