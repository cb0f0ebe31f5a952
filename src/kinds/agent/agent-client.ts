// The Agent kind's external client: a Bedrock agent with its action groups, knowledge bases,
// tags and aliases. Each pass does the next step of Bedrock's state machine and no more:
//   1. the agent's own fields (UpdateAgent, always complete: it clears what it is not sent);
//   2. action groups and knowledge-base associations on DRAFT, and tags;
//   3. PrepareAgent once after any of those, then wait for PREPARED (FAILED: AWS's reasons);
//   4. aliases: created, moved to a new version when the prepared agent changed, removed.
// The agent ID is assigned by AWS: until it is known, the agent is found by name and ownership
// tags, so a crash between CreateAgent and the status write never makes a twin.
import {
  AssociateAgentKnowledgeBaseCommand, CreateAgentActionGroupCommand, CreateAgentAliasCommand, CreateAgentCommand, DeleteAgentActionGroupCommand,
  DeleteAgentAliasCommand, DeleteAgentCommand, DisassociateAgentKnowledgeBaseCommand, GetAgentActionGroupCommand, GetAgentCommand, GetAgentVersionCommand,
  ListAgentActionGroupsCommand, ListAgentAliasesCommand, ListAgentKnowledgeBasesCommand, ListAgentsCommand, ListTagsForResourceCommand, PrepareAgentCommand,
  TagResourceCommand, UntagResourceCommand, UpdateAgentActionGroupCommand, UpdateAgentAliasCommand, UpdateAgentCommand, UpdateAgentKnowledgeBaseCommand,
  type Agent, type AgentActionGroup, type AgentAlias, type AgentAliasSummary, type AgentKnowledgeBase, type BedrockAgentClient,
} from '@aws-sdk/client-bedrock-agent';
import type { AgentSpec, AgentStatus } from '../../api/agent.ts';
import type { LambdaStatus } from '../../api/lambda.ts';
import type { AwsEnvironment } from '../../aws/aws-environment.ts';
import { classifyBedrockError } from '../../aws/bedrock-errors.ts';
import { awsErrorName } from '../../aws/iam/iam-errors.ts';
import { objectOwner, ownershipConflict, ownershipTagMap, tagChanges, type Owner, type TagChanges } from '../../aws/ownership.ts';
import type { TenancyPolicy } from '../tenancy-policy.ts';
import type { DeletionPolicy, ExternalClient, Observation } from '../../runtime/controller.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import type { AnyResource } from '../../runtime/kube-writes.ts';
import { readyRoleArn, type GeneratedRoles } from '../generated-roles.ts';
import { RETAINED_AGENTS_ANNOTATION, retainedAgentArns } from '../lambda/lambda-client.ts';
import {
  actionGroupMatches, agentDiff, desiredActionGroup, desiredAgentFields, desiredKnowledgeBases, knowledgeBaseMatches,
  type AgentFields, type DesiredActionGroup, type DesiredKnowledgeBase,
} from './desired-agent.ts';
import { serviceRoleObjectName, serviceRoleSpec } from './service-role.ts';

/** What the Agent client reads from the informers' caches. */
export interface AgentLookups {
  iamRole(namespace: string, name: string): AnyResource | undefined;
  lambda(namespace: string, name: string): AnyResource | undefined;
}

/** The test alias AWS gives every agent (routes to DRAFT); not the operator's to manage. */
const TEST_ALIAS_ID = 'TSTALIASID';
const BUSY = new Set(['CREATING', 'UPDATING', 'PREPARING', 'VERSIONING', 'DELETING']);
const DRAFT = 'DRAFT';

type AliasSpec = NonNullable<AgentSpec['aliases']>[number];

interface Desired {
  fields: AgentFields;
  actionGroups: DesiredActionGroup[];
  knowledgeBases: DesiredKnowledgeBase[];
  tags: Record<string, string>;
  aliases: AliasSpec[];
}

interface AgentDetails {
  agent: Agent;
  desired: Desired;
  fieldDiff: string[];
  groups: { create: DesiredActionGroup[]; update: { id: string; desired: DesiredActionGroup }[]; remove: AgentActionGroup[] };
  knowledgeBases: { associate: DesiredKnowledgeBase[]; update: DesiredKnowledgeBase[]; disassociate: string[] };
  tags: TagChanges;
  aliases: { create: AliasSpec[]; update: { alias: AgentAliasSummary; spec: AliasSpec }[]; remove: AgentAliasSummary[]; busy: string[] };
}

export function agentNameOf(obj: AnyResource): string {
  return (obj.spec as AgentSpec).agentName ?? obj.metadata.name;
}

export class BedrockAgentsClient implements ExternalClient {
  readonly #bedrock: BedrockAgentClient;
  readonly #aws: AwsEnvironment;
  readonly #cluster: string;
  readonly #lookups: AgentLookups;
  readonly #roles: GeneratedRoles;
  /** Agent IDs learned from CreateAgent, by object UID, until status records them. */
  readonly #knownIds = new Map<string, string>();
  /** When this process last prepared each agent: a FAILED agent is prepared again once a resync. */
  readonly #preparedAt = new Map<string, number>();
  readonly #retryFailedPrepareMs: number;
  readonly #annotateLambda: (namespace: string, name: string, annotations: Record<string, string>) => Promise<void>;
  readonly #tenancy: TenancyPolicy;

  constructor(
    bedrock: BedrockAgentClient, aws: AwsEnvironment, cluster: string, lookups: AgentLookups, roles: GeneratedRoles, retryFailedPrepareMs: number,
    annotateLambda: (namespace: string, name: string, annotations: Record<string, string>) => Promise<void>, tenancy: TenancyPolicy,
  ) {
    this.#tenancy = tenancy;
    this.#annotateLambda = annotateLambda;
    this.#bedrock = bedrock;
    this.#aws = aws;
    this.#cluster = cluster;
    this.#lookups = lookups;
    this.#roles = roles;
    this.#retryFailedPrepareMs = retryFailedPrepareMs;
  }

  #owner(obj: AnyResource): Owner {
    return objectOwner(this.#cluster, obj);
  }

  async observe(obj: AnyResource): Promise<Observation> {
    const agent = await this.#find(obj);
    if (!agent) {
      if (!obj.metadata.deletionTimestamp) await this.#desired(obj, undefined); // waits for role and Lambdas before create()
      return { exists: false, upToDate: false, diff: [], status: { agentStatus: undefined, createPending: undefined } };
    }
    const agentId = agent.agentId!;
    const tags = await this.#call(() => this.#bedrock.send(new ListTagsForResourceCommand({ resourceArn: agent.agentArn }))).then((r) => r.tags ?? {});
    const me = this.#owner(obj);
    const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    const blocked = ownershipConflict(`Bedrock agent ${agent.agentName} (${agentId})`, tagList, me, this.#tenancy.adoption(obj), `agent -n ${me.namespace} ${me.name}`, 'spec.agentName');
    const status: Partial<AgentStatus> = {
      agentId, agentArn: agent.agentArn, agentStatus: agent.agentStatus, roleArn: agent.agentResourceRoleArn,
      preparedAt: agent.preparedAt?.toISOString(), createPending: undefined,
    };
    if (blocked) return { exists: true, upToDate: false, diff: [], status: { createPending: undefined }, blocked };
    if (obj.metadata.deletionTimestamp) return { exists: true, upToDate: true, diff: [], status, details: { agent } };

    const spec = obj.spec as AgentSpec;
    const desired = await this.#desired(obj, agent.agentArn);
    const fieldDiff = agentDiff(desired.fields, agent);
    const diff: string[] = [...fieldDiff];
    const groups = await this.#actionGroupChanges(agentId, desired.actionGroups);
    for (const g of [...groups.create, ...groups.update.map((u) => u.desired)]) diff.push(`action group ${g.actionGroupName}`);
    for (const g of groups.remove) diff.push(`action group ${g.actionGroupName}`);
    const knowledgeBases = await this.#knowledgeBaseChanges(agentId, desired.knowledgeBases);
    for (const id of [...knowledgeBases.associate.map((k) => k.knowledgeBaseId), ...knowledgeBases.update.map((k) => k.knowledgeBaseId), ...knowledgeBases.disassociate]) {
      diff.push(`knowledge base ${id}`);
    }
    const tagUpdates = tagChanges(desired.tags, tags, (obj.status as Partial<AgentStatus> | undefined)?.managedTagKeys);
    if (tagUpdates.any) diff.push('tags');

    const preparing = spec.prepareAgent !== false;
    if (preparing && agent.agentStatus !== 'PREPARED') diff.push(`agent ${agent.agentStatus?.toLowerCase().replace('_', ' ') ?? 'not prepared'}`);
    const { aliases, inAws } = await this.#aliasChanges(agent, desired.aliases);
    for (const a of aliases.create) diff.push(`alias ${a.name}`);
    for (const a of [...aliases.update.map((u) => u.alias), ...aliases.remove]) diff.push(`alias ${a.agentAliasName}`);
    for (const name of aliases.busy) diff.push(`alias ${name} (in progress)`);

    const routed = inAws.filter((a) => desired.aliases.some((s) => s.name === a.agentAliasName));
    Object.assign(status, {
      agentVersion: routed.map((a) => a.routingConfiguration?.[0]?.agentVersion).find((v) => v !== undefined),
      aliases: routed.map((a) => ({ name: a.agentAliasName!, aliasId: a.agentAliasId, aliasArn: aliasArn(agent.agentArn!, a.agentAliasId!), agentVersion: a.routingConfiguration?.[0]?.agentVersion }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      managedTagKeys: Object.keys(spec.tags ?? {}).sort(),
    });
    const details: AgentDetails = { agent, desired, fieldDiff, groups, knowledgeBases, tags: tagUpdates, aliases };
    return { exists: true, upToDate: diff.length === 0, diff: [...new Set(diff)], status, details };
  }

  async create(obj: AnyResource): Promise<void> {
    const desired = await this.#desired(obj, undefined);
    const { fields } = desired;
    const created = await this.#call(() => this.#bedrock.send(new CreateAgentCommand({
      ...fields,
      // The ownership tags go with the create call, so an agent never exists without them.
      tags: desired.tags,
    })), 'creating the agent');
    this.#knownIds.set(obj.metadata.uid ?? '', created.agent!.agentId!);
    // Action groups, knowledge bases, preparation and aliases follow on the next passes.
  }

  async update(obj: AnyResource, observation: Observation): Promise<void> {
    const d = observation.details as AgentDetails;
    const agentId = d.agent.agentId!;
    const spec = obj.spec as AgentSpec;
    if (BUSY.has(d.agent.agentStatus ?? '')) {
      throw new WaitingError('AgentBusy', `the agent is ${d.agent.agentStatus}; the next change follows once it is done`, 1_000);
    }
    if (d.fieldDiff.length > 0) {
      await this.#call(() => this.#bedrock.send(new UpdateAgentCommand({ agentId, ...d.desired.fields })), 'updating the agent');
      return; // UPDATING: DRAFT changes wait for the next pass.
    }
    let draftChanged = false;
    for (const g of d.groups.remove) {
      await this.#call(() => this.#bedrock.send(new DeleteAgentActionGroupCommand({ agentId, agentVersion: DRAFT, actionGroupId: g.actionGroupId, skipResourceInUseCheck: true })), `deleting action group ${g.actionGroupName}`);
      draftChanged = true;
    }
    for (const g of d.groups.create) {
      await this.#call(() => this.#bedrock.send(new CreateAgentActionGroupCommand({ agentId, agentVersion: DRAFT, ...g })), `creating action group ${g.actionGroupName}`);
      draftChanged = true;
    }
    for (const { id, desired } of d.groups.update) {
      await this.#call(() => this.#bedrock.send(new UpdateAgentActionGroupCommand({ agentId, agentVersion: DRAFT, actionGroupId: id, ...desired })), `updating action group ${desired.actionGroupName}`);
      draftChanged = true;
    }
    for (const knowledgeBaseId of d.knowledgeBases.disassociate) {
      await this.#call(() => this.#bedrock.send(new DisassociateAgentKnowledgeBaseCommand({ agentId, agentVersion: DRAFT, knowledgeBaseId })), `disassociating knowledge base ${knowledgeBaseId}`);
      draftChanged = true;
    }
    for (const kb of d.knowledgeBases.associate) {
      await this.#call(() => this.#bedrock.send(new AssociateAgentKnowledgeBaseCommand({ agentId, agentVersion: DRAFT, ...kb })), `associating knowledge base ${kb.knowledgeBaseId}`);
      draftChanged = true;
    }
    for (const kb of d.knowledgeBases.update) {
      await this.#call(() => this.#bedrock.send(new UpdateAgentKnowledgeBaseCommand({ agentId, agentVersion: DRAFT, ...kb })), `updating knowledge base ${kb.knowledgeBaseId}`);
      draftChanged = true;
    }
    if (Object.keys(d.tags.set).length > 0) await this.#call(() => this.#bedrock.send(new TagResourceCommand({ resourceArn: d.agent.agentArn, tags: d.tags.set })), 'tagging the agent');
    if (d.tags.remove.length > 0) await this.#call(() => this.#bedrock.send(new UntagResourceCommand({ resourceArn: d.agent.agentArn, tagKeys: d.tags.remove })), 'untagging the agent');
    if (spec.prepareAgent === false) return;

    const uid = obj.metadata.uid ?? '';
    if (draftChanged || d.agent.agentStatus === 'NOT_PREPARED' || d.agent.agentStatus === 'FAILED') {
      const lastPrepare = this.#preparedAt.get(uid);
      if (!draftChanged && d.agent.agentStatus === 'FAILED' && lastPrepare !== undefined && Date.now() - lastPrepare < this.#retryFailedPrepareMs) {
        throw new TerminalError('PrepareFailed', `Bedrock could not prepare the agent: ${(d.agent.failureReasons ?? []).join('; ') || 'no reason given'}`);
      }
      await this.#call(() => this.#bedrock.send(new PrepareAgentCommand({ agentId })), 'preparing the agent');
      this.#preparedAt.set(uid, Date.now());
      return; // PREPARING: aliases wait for PREPARED.
    }
    if (d.aliases.busy.length > 0) throw new WaitingError('AliasBusy', `alias ${d.aliases.busy.join(', ')} is still being created or updated`, 1_000);
    for (const a of d.aliases.remove) await this.#call(() => this.#bedrock.send(new DeleteAgentAliasCommand({ agentId, agentAliasId: a.agentAliasId })), `deleting alias ${a.agentAliasName}`);
    // One alias per pass: an alias without routing makes a new version, and the agent is
    // VERSIONING (refusing the next alias) until that is done.
    const [create] = d.aliases.create;
    if (create) {
      await this.#call(() => this.#bedrock.send(new CreateAgentAliasCommand({
        agentId, agentAliasName: create.name, description: create.description, tags: create.tags,
        ...(create.routingConfiguration ? { routingConfiguration: create.routingConfiguration } : {}),
      })), `creating alias ${create.name}`);
      return;
    }
    const [update] = d.aliases.update;
    if (update) {
      const { alias, spec: a } = update;
      await this.#call(() => this.#bedrock.send(new UpdateAgentAliasCommand({
        agentId, agentAliasId: alias.agentAliasId, agentAliasName: a.name, description: a.description,
        ...(a.routingConfiguration ? { routingConfiguration: a.routingConfiguration } : {}),
      })), `updating alias ${a.name}`);
    }
  }

  async delete(obj: AnyResource, observation: Observation): Promise<void> {
    const agent = (observation.details as { agent: Agent }).agent;
    if (agent.agentStatus === 'DELETING') return;
    // The object is deleted on purpose: its aliases go with it.
    await this.#call(() => this.#bedrock.send(new DeleteAgentCommand({ agentId: agent.agentId, skipResourceInUseCheck: true }))).catch((error: unknown) => {
      if (!(error instanceof TerminalError && error.reason === 'ResourceNotFound')) throw error;
    });
    this.#knownIds.delete(obj.metadata.uid ?? '');
  }

  async finalize(obj: AnyResource, policy: DeletionPolicy): Promise<void> {
    if (generatesRole(obj.spec as AgentSpec)) await this.#roles.release(obj, serviceRoleObjectName(obj.metadata.name), policy);
    const agentArn = (obj.status as Partial<AgentStatus> | undefined)?.agentArn;
    if (policy !== 'retain' || !agentArn) return;
    // The retained agent keeps its access to the Lambdas it calls.
    const namespace = obj.metadata.namespace ?? 'default';
    for (const group of (obj.spec as AgentSpec).actionGroups ?? []) {
      const lambda = group.actionGroupExecutor?.lambda ? this.#lookups.lambda(namespace, group.actionGroupExecutor.lambda) : undefined;
      if (!lambda || retainedAgentArns(lambda).includes(agentArn)) continue;
      await this.#annotateLambda(namespace, lambda.metadata.name, { [RETAINED_AGENTS_ANNOTATION]: [...retainedAgentArns(lambda), agentArn].join(',') });
    }
  }

  /** The agent: by the ID status or this process knows, else by name (a create whose ID was never recorded). */
  async #find(obj: AnyResource): Promise<Agent | undefined> {
    const id = (obj.status as Partial<AgentStatus> | undefined)?.agentId ?? this.#knownIds.get(obj.metadata.uid ?? '');
    if (id) {
      const agent = await this.#getAgent(id);
      if (agent) return agent;
    }
    const name = agentNameOf(obj);
    let nextToken: string | undefined;
    do {
      const page = await this.#call(() => this.#bedrock.send(new ListAgentsCommand({ nextToken })));
      const match = (page.agentSummaries ?? []).find((a) => a.agentName === name);
      if (match) return this.#getAgent(match.agentId!);
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  async #getAgent(agentId: string): Promise<Agent | undefined> {
    try {
      return (await this.#bedrock.send(new GetAgentCommand({ agentId }))).agent;
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw classifyBedrockError(error);
    }
  }

  /** Everything the spec asks for, with references resolved; waits (throws) while one is not ready. */
  async #desired(obj: AnyResource, agentArn: string | undefined): Promise<Desired> {
    const spec = obj.spec as AgentSpec;
    const namespace = obj.metadata.namespace ?? 'default';
    const roleArn = await this.#roleArn(obj, agentArn);
    const lambdaArn = (name: string) => {
      const lambda = this.#lookups.lambda(namespace, name);
      const arn = (lambda?.status as Partial<LambdaStatus> | undefined)?.arn;
      const ready = (lambda?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      if (!lambda || !ready || !arn) {
        throw new WaitingError('WaitingForLambda', `Lambda ${namespace}/${name} (an action group's executor) ${lambda ? 'is not Ready yet' : 'does not exist yet'}; the action group is created once it is Ready`, 10_000);
      }
      return arn;
    };
    return {
      fields: desiredAgentFields(spec, agentNameOf(obj), roleArn),
      actionGroups: (spec.actionGroups ?? []).map((g) => desiredActionGroup(g, lambdaArn)),
      knowledgeBases: desiredKnowledgeBases(spec),
      tags: { ...(spec.tags ?? {}), ...ownershipTagMap(this.#owner(obj)) },
      aliases: spec.aliases ?? [],
    };
  }

  async #roleArn(obj: AnyResource, agentArn: string | undefined): Promise<string> {
    const spec = obj.spec as AgentSpec;
    const namespace = obj.metadata.namespace ?? 'default';
    const role = spec.iamRole;
    if (typeof role === 'string' && role.startsWith('arn:')) return this.#tenancy.externalRole(role, 'spec.iamRole');
    if (typeof role === 'object' && role.roleArn) return this.#tenancy.externalRole(role.roleArn, 'spec.iamRole.roleArn');
    const named = namedIAMRole(spec);
    if (named) return readyRoleArn(this.#lookups.iamRole(namespace, named.name), namespace, named.name, named.field);
    if (typeof role === 'object' && role.autoCreate === false) {
      throw new TerminalError('NoRole', 'spec.iamRole.autoCreate is false and the spec names no role: set spec.iamRole.roleName (an IAMRole of this namespace) or roleArn, or drop autoCreate to have the operator generate one');
    }
    const name = serviceRoleObjectName(obj.metadata.name);
    const account = await this.#aws.account();
    const { partition, region } = this.#aws;
    const generated = await this.#roles.ensure(obj, name, serviceRoleSpec(agentNameOf(obj), spec, { partition, region, account }, agentArn));
    return readyRoleArn(generated, namespace, name, 'the generated service role');
  }

  async #actionGroupChanges(agentId: string, desired: DesiredActionGroup[]): Promise<AgentDetails['groups']> {
    const summaries = await this.#pages((nextToken) => this.#call(() => this.#bedrock.send(new ListAgentActionGroupsCommand({ agentId, agentVersion: DRAFT, nextToken })))
      .then((r) => ({ items: r.actionGroupSummaries ?? [], nextToken: r.nextToken })));
    const byName = new Map(summaries.map((s) => [s.actionGroupName!, s]));
    const wanted = new Set(desired.map((g) => g.actionGroupName));
    const changes: AgentDetails['groups'] = { create: [], update: [], remove: [] };
    for (const g of desired) {
      const summary = byName.get(g.actionGroupName);
      if (!summary) {
        changes.create.push(g);
        continue;
      }
      const actual = (await this.#call(() => this.#bedrock.send(new GetAgentActionGroupCommand({ agentId, agentVersion: DRAFT, actionGroupId: summary.actionGroupId })))).agentActionGroup!;
      if (!actionGroupMatches(g, actual)) changes.update.push({ id: summary.actionGroupId!, desired: g });
    }
    changes.remove = summaries.filter((s) => !wanted.has(s.actionGroupName!)) as AgentActionGroup[];
    return changes;
  }

  async #knowledgeBaseChanges(agentId: string, desired: DesiredKnowledgeBase[]): Promise<AgentDetails['knowledgeBases']> {
    const actual: AgentKnowledgeBase[] = await this.#pages((nextToken) => this.#call(() => this.#bedrock.send(new ListAgentKnowledgeBasesCommand({ agentId, agentVersion: DRAFT, nextToken })))
      .then((r) => ({ items: (r.agentKnowledgeBaseSummaries ?? []) as AgentKnowledgeBase[], nextToken: r.nextToken })));
    const byId = new Map(actual.map((k) => [k.knowledgeBaseId!, k]));
    return {
      associate: desired.filter((k) => !byId.has(k.knowledgeBaseId)),
      update: desired.filter((k) => byId.has(k.knowledgeBaseId) && !knowledgeBaseMatches(k, byId.get(k.knowledgeBaseId)!)),
      disassociate: actual.map((k) => k.knowledgeBaseId!).filter((id) => !desired.some((k) => k.knowledgeBaseId === id)),
    };
  }

  /**
   * Aliases to create, to move to a new version, to remove. An alias without explicit routing must
   * route to a version made after the agent was last prepared; one with routing, to that routing.
   */
  async #aliasChanges(agent: Agent, desired: AliasSpec[]): Promise<{ aliases: AgentDetails['aliases']; inAws: AgentAlias[] }> {
    const agentId = agent.agentId!;
    const summaries = (await this.#pages((nextToken) => this.#call(() => this.#bedrock.send(new ListAgentAliasesCommand({ agentId, nextToken })))
      .then((r) => ({ items: r.agentAliasSummaries ?? [], nextToken: r.nextToken })))).filter((a) => a.agentAliasId !== TEST_ALIAS_ID);
    const byName = new Map(summaries.map((a) => [a.agentAliasName!, a]));
    const changes: AgentDetails['aliases'] = { create: [], update: [], remove: [], busy: [] };
    const versionCreated = new Map<string, number>();
    for (const spec of desired) {
      const alias = byName.get(spec.name);
      if (!alias) {
        changes.create.push(spec);
        continue;
      }
      if (alias.agentAliasStatus !== 'PREPARED') {
        changes.busy.push(spec.name);
        continue;
      }
      const routed = alias.routingConfiguration?.[0]?.agentVersion;
      let current: boolean;
      if (spec.routingConfiguration) {
        current = JSON.stringify(spec.routingConfiguration.map((r) => [r.agentVersion, r.provisionedThroughput]))
          === JSON.stringify((alias.routingConfiguration ?? []).map((r) => [r.agentVersion, r.provisionedThroughput]));
      } else if (!routed || routed === DRAFT) {
        current = false;
      } else {
        if (!versionCreated.has(routed)) {
          const version = await this.#call(() => this.#bedrock.send(new GetAgentVersionCommand({ agentId, agentVersion: routed }))).then((r) => r.agentVersion, () => undefined);
          versionCreated.set(routed, version?.createdAt?.getTime() ?? 0);
        }
        current = (agent.preparedAt?.getTime() ?? 0) <= versionCreated.get(routed)!;
      }
      if (!current || (alias.description ?? '') !== (spec.description ?? '')) changes.update.push({ alias, spec });
    }
    changes.remove = summaries.filter((a) => !desired.some((s) => s.name === a.agentAliasName));
    return { aliases: changes, inAws: summaries as AgentAlias[] };
  }

  async #pages<T>(page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>): Promise<T[]> {
    const all: T[] = [];
    let nextToken: string | undefined;
    do {
      const r = await page(nextToken);
      all.push(...r.items);
      nextToken = r.nextToken;
    } while (nextToken);
    return all;
  }

  async #call<T>(fn: () => Promise<T>, change?: string): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw classifyBedrockError(error, change);
    }
  }
}

/** The IAMRole object of the namespace the Agent runs as, if it names one (a role ARN takes precedence). */
export function namedIAMRole(spec: AgentSpec): { name: string; field: string } | undefined {
  const role = spec.iamRole;
  if (typeof role === 'string') return role.startsWith('arn:') ? undefined : { name: role, field: 'spec.iamRole' };
  if (!role?.roleName || role.roleArn) return undefined;
  return { name: typeof role.roleName === 'string' ? role.roleName : role.roleName.ref, field: 'spec.iamRole.roleName' };
}

/** Whether the Agent uses a generated service role (no role named or given). */
export function generatesRole(spec: AgentSpec): boolean {
  const role = spec.iamRole;
  return role === undefined || (typeof role === 'object' && !role.roleArn && !role.roleName && role.autoCreate !== false);
}

function aliasArn(agentArn: string, aliasId: string): string {
  return agentArn.replace(/:agent\/([^/]+)$/, `:agent-alias/$1/${aliasId}`);
}
