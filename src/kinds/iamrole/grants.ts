// What an IAMRole's spec.grants expand to: the statements of the inline policy the operator writes
// (GRANTS_POLICY_NAME), per seed 002 ("the permissions an application needs to call Bedrock",
// with a Region condition) and scoped to the exact ARNs of the objects the grants name:
//   invokeAgent  an Agent of the namespace on Bedrock Agents: bedrock:InvokeAgent on the alias ARN
//                (status.aliases). On AgentCore the alias is a harness endpoint, which callers
//                reach with InvokeHarness (harnessArn + qualifier = endpoint name); AWS's harness
//                security page: InvokeHarness needs bedrock-agentcore:InvokeHarness and
//                bedrock-agentcore:InvokeAgentRuntime, on the harness ARN and, for a named
//                endpoint, its ARN (docs/research/agentcore.md 3.6). The harness's own runtime ARN
//                is left out: it would let the caller skip the harness and its endpoint.
//   invokeFlow   a Flow of the namespace: bedrock:InvokeFlow on the flow alias ARN (status.aliases).
//   invokeModel  bedrock:InvokeModel and InvokeModelWithResponseStream on the model's ARNs in each
//                listed region (agent/service-role.ts modelResources: a foundation model per
//                region; an inference profile and the model in the regions it routes to), with
//                StringEquals aws:RequestedRegion on those regions (default: the operator's).
// An Agent or Flow that is not Ready with the alias yet makes the role wait; one whose spec has no
// such alias is refused until the grant or the object changes.
import type { Grant } from '../../api/iamrole.ts';
import type { AgentResource, FlowResource } from '../../api/kinds.ts';
import type { PolicyStatement } from '../../api/policy-document.ts';
import type { AwsScope } from '../../aws/aws-environment.ts';
import { findCondition } from '../../runtime/conditions.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import { modelResources } from '../agent/service-role.ts';

/** The Agents and Flows of the role's namespace, as the informers have them. */
export interface GrantLookups {
  agent(namespace: string, name: string): AgentResource | undefined;
  flow(namespace: string, name: string): FlowResource | undefined;
}

/** The statements one grant needs; `sid` groups grants of one kind (and, for models, one set of regions) into one statement. */
interface Expanded {
  sid: string;
  action: string[];
  resource: string[];
  regions?: string[];
}

const isReady = (obj: AgentResource | FlowResource): boolean => findCondition(obj.status?.conditions, 'Ready')?.status === 'True';

/** What a grant names, checked alike for Agents and Flows: it exists (else a wait) and its spec has the alias (else a refusal). */
function named<T extends AgentResource | FlowResource>(kind: 'Agent' | 'Flow', obj: T | undefined, where: string, alias: string): { obj: T; notReady: () => WaitingError } {
  const waiting = kind === 'Agent' ? 'WaitingForAgent' : 'WaitingForFlow';
  if (!obj) throw new WaitingError(waiting, `${where} does not exist yet; the role gets its grant once the ${kind} is Ready`, 'dependency');
  const aliases = (obj.spec.aliases ?? []).map((a) => a.name);
  if (!aliases.includes(alias)) {
    throw new TerminalError(kind === 'Agent' ? 'UnknownAgentAlias' : 'UnknownFlowAlias', `${where} has no alias ${alias} in spec.aliases: name one of ${aliases.join(', ') || '(none)'}`);
  }
  return { obj, notReady: () => new WaitingError(waiting, `${where} is not Ready with its alias ${alias} yet; the role gets its grant once it is`, 'dependency') };
}

function agentGrant(grant: NonNullable<Grant['invokeAgent']>, at: string, namespace: string, lookups: GrantLookups): Expanded {
  const { agent: name, alias } = grant;
  const { obj: agent, notReady } = named('Agent', lookups.agent(namespace, name), `Agent ${namespace}/${name} (${at})`, alias);
  if (!isReady(agent)) throw notReady();
  if (agent.status?.runtime === 'agentcore') {
    const harness = agent.status.agentCore?.harnessArn;
    const endpoint = agent.status.agentCore?.endpoints?.find((e) => e.alias === alias)?.arn;
    if (!harness || !endpoint) throw notReady();
    return { sid: 'InvokeAgentCoreEndpoints', action: ['bedrock-agentcore:InvokeHarness', 'bedrock-agentcore:InvokeAgentRuntime'], resource: [harness, endpoint] };
  }
  const arn = agent.status?.aliases?.find((a) => a.name === alias)?.aliasArn;
  if (!arn) throw notReady();
  return { sid: 'InvokeAgentAliases', action: ['bedrock:InvokeAgent'], resource: [arn] };
}

function flowGrant(grant: NonNullable<Grant['invokeFlow']>, at: string, namespace: string, lookups: GrantLookups): Expanded {
  const { flow: name, alias } = grant;
  const { obj: flow, notReady } = named('Flow', lookups.flow(namespace, name), `Flow ${namespace}/${name} (${at})`, alias);
  const arn = flow.status?.aliases?.find((a) => a.name === alias)?.aliasArn;
  if (!isReady(flow) || !arn) throw notReady();
  return { sid: 'InvokeFlowAliases', action: ['bedrock:InvokeFlow'], resource: [arn] };
}

function modelGrant(grant: NonNullable<Grant['invokeModel']>, scope: AwsScope): Expanded {
  const regions = [...new Set(grant.regions ?? [scope.region])].sort();
  const resource = regions.flatMap((region) => modelResources(grant.model, { ...scope, region }).invoke);
  return { sid: `InvokeModelsIn${regions.join('And').replace(/[^A-Za-z0-9]/g, '')}`, action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resource, regions };
}

function expand(grant: Grant, at: string, namespace: string, lookups: GrantLookups, scope: AwsScope): Expanded {
  if (grant.invokeAgent) return agentGrant(grant.invokeAgent, at, namespace, lookups);
  if (grant.invokeFlow) return flowGrant(grant.invokeFlow, at, namespace, lookups);
  return modelGrant(grant.invokeModel!, scope);
}

/** Statements of expanded grants: one per sid, resources in order and without repeats. */
function statementsOf(expanded: Expanded[]): PolicyStatement[] {
  const bySid = new Map<string, Expanded>();
  for (const e of expanded) {
    const seen = bySid.get(e.sid);
    if (seen) seen.resource = [...new Set([...seen.resource, ...e.resource])];
    else bySid.set(e.sid, { ...e, resource: [...new Set(e.resource)] });
  }
  return [...bySid.values()].map((e): PolicyStatement => ({
    sid: e.sid, effect: 'Allow', action: e.action, resource: e.resource,
    ...(e.regions ? { condition: { StringEquals: { 'aws:RequestedRegion': e.regions } } } : {}),
  }));
}

/**
 * The statements of the grants; waits (WaitingError) until every Agent and Flow they name is Ready
 * with its alias, and refuses (TerminalError) an alias their spec does not have.
 */
export function grantStatements(grants: Grant[], namespace: string, lookups: GrantLookups, scope: AwsScope): PolicyStatement[] {
  return statementsOf(grants.map((g, i) => expand(g, `spec.grants[${i}]`, namespace, lookups, scope)));
}

/** The statements of the grants that can be expanded now, for the policy analysis before resolve. */
export function knownGrantStatements(grants: Grant[], namespace: string, lookups: GrantLookups, scope: AwsScope): PolicyStatement[] {
  return statementsOf(grants.flatMap((g, i) => {
    try {
      return [expand(g, `spec.grants[${i}]`, namespace, lookups, scope)];
    } catch {
      return [];
    }
  }));
}

/** The names of the Agents and of the Flows the grants name: what the IAMRole controller watches them for. */
export function grantedObjects(grants: Grant[] | undefined): { agents: string[]; flows: string[] } {
  return {
    agents: (grants ?? []).flatMap((g) => (g.invokeAgent ? [g.invokeAgent.agent] : [])),
    flows: (grants ?? []).flatMap((g) => (g.invokeFlow ? [g.invokeFlow.flow] : [])),
  };
}
