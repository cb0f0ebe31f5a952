// The Agent kind's external client: a Bedrock agent with its action groups, knowledge bases,
// tags and aliases. Each pass takes the next steps of Bedrock's state machine and no more:
//   fields          the agent's own fields (UpdateAgent, always complete: it clears what it is
//                   not sent); the agent is then UPDATING, so the pass ends there;
//   draft children  action groups and knowledge-base associations on DRAFT;
//   tags;
//   prepare         PrepareAgent once after any DRAFT change (FAILED: AWS's reasons), then wait;
//   aliases         one alias created or moved to a new version per pass, and removals.
// The agent ID is assigned by AWS: until it is recorded, the agent is found by name and checked
// by its ownership tags, so a crash between CreateAgent and the status write makes no twin.
// An agent found in sync is compared from the account's listing (agent-snapshot.ts) while its
// summary and the desired agent stay as they were: only its aliases are read each resync.
import { createHash } from 'node:crypto';
import {
  AssociateAgentKnowledgeBaseCommand, CreateAgentActionGroupCommand, CreateAgentAliasCommand, CreateAgentCommand, DeleteAgentActionGroupCommand,
  DeleteAgentAliasCommand, DeleteAgentCommand, DisassociateAgentKnowledgeBaseCommand, GetAgentActionGroupCommand, GetAgentCommand, GetAgentVersionCommand,
  ListAgentActionGroupsCommand, ListAgentAliasesCommand, ListAgentKnowledgeBasesCommand, ListAgentsCommand, ListTagsForResourceCommand, PrepareAgentCommand,
  TagResourceCommand, UntagResourceCommand, UpdateAgentActionGroupCommand, UpdateAgentAliasCommand, UpdateAgentCommand, UpdateAgentKnowledgeBaseCommand,
  type Agent, type AgentAliasSummary, type AgentKnowledgeBaseSummary, type BedrockAgentClient,
} from '@aws-sdk/client-bedrock-agent';
import type { AgentSpec, AgentStatus } from '../../api/agent.ts';
import type { AgentResource, GuardrailResource, IAMRoleResource, LambdaResource, PromptResource } from '../../api/kinds.ts';
import type { DeletionPolicy } from '../../api/metadata.ts';
import { FULL_READ_EVERY } from '../../aws/account-snapshot.ts';
import type { AwsEnvironment } from '../../aws/aws-environment.ts';
import { summaryKey, type AgentSnapshot } from '../../aws/bedrock-agent/agent-snapshot.ts';
import { allPages, classified, ignoreNotFound } from '../../aws/aws-errors.ts';
import { classifyBedrockError } from '../../aws/bedrock-agent/bedrock-agent-errors.ts';
import type { TagChanges } from '../../aws/ownership.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import type { AccessVerdict, DeleteResult, ExternalClient, Observation, UpdateResult } from '../../runtime/external-client.ts';
import { accessVerdict } from '../../iam/access-check.ts';
import type { RoleDocumentsReader } from '../role-documents.ts';
import { agentCalls } from './agent-access.ts';
import { retainAgentOn } from '../agent-lambda-link.ts';
import { readyRoleArn, type GeneratedRoles } from '../generated-roles.ts';
import { managedTagKeys, type OwnershipGuard } from '../ownership-guard.ts';
import { PlatformRules } from '../platform-rules.ts';
import type { TenancyPolicy } from '../tenancy-policy.ts';
import { executorLambdaArn, generatesRole, namedIAMRole, namedRoleArn, withNamedGuardrail } from './agent-references.ts';
import { checkApiSchemas } from './api-schema.ts';
import {
  actionGroupMatches, agentDiff, desiredActionGroup, desiredAgentFields, desiredKnowledgeBases, knowledgeBaseMatches,
  type AgentFields, type DesiredActionGroup, type DesiredKnowledgeBase,
} from './desired-agent.ts';
import { serviceRoleObjectName, serviceRoleSpec } from './service-role.ts';
import { promptModels, resolvePromptOverrides } from './prompt-overrides.ts';
import { referenceName } from '../../api/common.ts';

/** What the Agent client reads from the informers' caches, and the one write it makes to a Lambda. */
export interface AgentLookups {
  iamRole(namespace: string, name: string): IAMRoleResource | undefined;
  lambda(namespace: string, name: string): LambdaResource | undefined;
  /** A Prompt object an override names (prompt-overrides.ts). */
  prompt(namespace: string, name: string): PromptResource | undefined;
  /** The Guardrail object spec.guardrail.name names. */
  guardrail(namespace: string, name: string): GuardrailResource | undefined;
  annotateLambda(namespace: string, name: string, annotations: Record<string, string>): Promise<void>;
}

/** The test alias AWS gives every agent (routes to DRAFT); not the operator's to manage. */
const TEST_ALIAS_ID = 'TSTALIASID';
const BUSY = new Set(['CREATING', 'UPDATING', 'PREPARING', 'VERSIONING', 'DELETING']);
const DRAFT = 'DRAFT';

type AliasSpec = NonNullable<AgentSpec['aliases']>[number];

/** The agent the spec asks for, with its role and Lambdas resolved. */
export interface AgentResolved {
  agentName: string;
  fields: AgentFields;
  actionGroups: DesiredActionGroup[];
  knowledgeBases: DesiredKnowledgeBase[];
  tags: Record<string, string>;
  aliases: AliasSpec[];
  prepare: boolean;
}

/** What differs, by the step that fixes it. */
export interface AgentPlan {
  agent: Agent;
  fieldDiff: string[];
  groups: { create: DesiredActionGroup[]; update: { id: string; desired: DesiredActionGroup }[]; remove: { id: string; name: string }[] };
  knowledgeBases: { associate: DesiredKnowledgeBase[]; update: DesiredKnowledgeBase[]; disassociate: string[] };
  tags: TagChanges;
  aliases: { create: AliasSpec[]; update: { alias: AgentAliasSummary; spec: AliasSpec }[]; remove: AgentAliasSummary[]; busy: string[] };
}

/** What a step did: nothing, wrote and the next step may follow, or wrote and the agent is now busy. */
type StepResult = 'unchanged' | 'wrote' | 'wrote-then-wait';

/** One pass's facts shared by its steps. */
interface Pass {
  obj: AgentResource;
  desired: AgentResolved;
  plan: AgentPlan;
  agentId: string;
  draftChanged: boolean;
}

export function agentNameOf(obj: AgentResource): string {
  return obj.spec.agentName ?? obj.metadata.name;
}

/** What the last full read of an agent found in sync gave beyond its summary in the listing. */
interface InSync {
  /** The listing's summary of the agent then (summaryKey), and the desired agent then (desiredKey). */
  summary: string;
  desired: string;
  agent: Agent;
  tags: Record<string, string>;
  /** When each version an alias routed to was made (versions do not change). */
  versionCreated: Map<string, number | undefined>;
  /** Resyncs compared from the listing since that read. */
  listedPasses: number;
}

const NO_GROUP_CHANGES: AgentPlan['groups'] = { create: [], update: [], remove: [] };
const NO_KNOWLEDGE_BASE_CHANGES: AgentPlan['knowledgeBases'] = { associate: [], update: [], disassociate: [] };

/** What this process remembers of an agent between passes, by object UID; forgotten on deletion. */
class AgentMemory {
  /** Agent IDs learned from CreateAgent, until status records them. */
  readonly createdIds = new Map<string, string>();
  /** When this process last prepared the agent: a FAILED agent is prepared again after retryFailedPrepareMs. */
  readonly preparedAt = new Map<string, number>();
  readonly inSync = new Map<string, InSync>();

  forget(uid: string): void {
    this.createdIds.delete(uid);
    this.preparedAt.delete(uid);
    this.inSync.delete(uid);
  }
}

/** The desired agent and what decides its tag changes, as a short key. */
function desiredKey(obj: AgentResource, desired: AgentResolved): string {
  return createHash('sha256').update(JSON.stringify([desired, obj.status?.managedTagKeys])).digest('base64url');
}

export class AgentExternalClient implements ExternalClient<AgentSpec, AgentStatus, AgentResolved, AgentPlan> {
  readonly #bedrock: BedrockAgentClient;
  readonly #aws: AwsEnvironment;
  readonly #lookups: AgentLookups;
  readonly #roles: GeneratedRoles;
  readonly #ownership: OwnershipGuard;
  readonly #tenancy: TenancyPolicy;
  readonly #retryFailedPrepareMs: number;
  readonly #memory = new AgentMemory();

  readonly #platform: PlatformRules;
  readonly #roleDocuments: RoleDocumentsReader | undefined;
  readonly #snapshot: AgentSnapshot | undefined;

  constructor(
    bedrock: BedrockAgentClient, aws: AwsEnvironment, lookups: AgentLookups, roles: GeneratedRoles, ownership: OwnershipGuard, tenancy: TenancyPolicy,
    retryFailedPrepareMs: number, platform = new PlatformRules(), roleDocuments?: RoleDocumentsReader, snapshot?: AgentSnapshot,
  ) {
    this.#snapshot = snapshot;
    this.#platform = platform;
    this.#roleDocuments = roleDocuments;
    this.#bedrock = bedrock;
    this.#aws = aws;
    this.#lookups = lookups;
    this.#roles = roles;
    this.#ownership = ownership;
    this.#tenancy = tenancy;
    this.#retryFailedPrepareMs = retryFailedPrepareMs;
  }

  /** The role (generated if the spec names none) and the Lambdas' ARNs; waits while one is not Ready. */
  async resolve(obj: AgentResource): Promise<AgentResolved> {
    const namespace = obj.metadata.namespace ?? 'default';
    const spec = withNamedGuardrail(obj.spec, namespace, this.#lookups);
    // The CRD refuses this at apply; an object stored before that rule existed ends here, before any AWS call.
    const unrouted = (spec.aliases ?? []).filter((a) => !a.routingConfiguration).map((a) => a.name);
    if (spec.prepareAgent === false && unrouted.length > 0) {
      throw new TerminalError('AliasNeedsPreparedAgent',
        `alias ${unrouted.join(', ')} has no routingConfiguration, so it needs a prepared agent, and spec.prepareAgent is false: remove the alias, give it a routingConfiguration to an existing version, or set prepareAgent true`);
    }
    this.#platform.requireTags(obj, spec.tags);
    await checkApiSchemas(spec.actionGroups ?? []);
    const prompts = resolvePromptOverrides(spec, namespace, this.#lookups.prompt);
    const roleArn = await this.#roleArn(obj, promptModels([...prompts.values()]));
    const lambdaArn = (name: string) => executorLambdaArn(this.#lookups, namespace, { lambda: name }, 'the action group is created');
    const agentName = agentNameOf(obj);
    return {
      agentName,
      fields: desiredAgentFields(spec, agentName, roleArn, prompts),
      actionGroups: (spec.actionGroups ?? []).map((g) => desiredActionGroup(g, lambdaArn)),
      knowledgeBases: desiredKnowledgeBases(spec),
      tags: this.#ownership.desiredTags(obj, spec.tags),
      aliases: spec.aliases ?? [],
      prepare: spec.prepareAgent !== false,
    };
  }

  /** Whether AWS would allow what Bedrock does with the agent's role (advice: AccessCheck). */
  async checkAccess(obj: AgentResource, resolved: AgentResolved): Promise<AccessVerdict | undefined> {
    const roleArn = resolved.fields.agentResourceRoleArn;
    if (!this.#roleDocuments || !roleArn) return undefined;
    const namespace = obj.metadata.namespace ?? 'default';
    const objectName = namedIAMRole(obj.spec)?.name ?? (generatesRole(obj.spec) ? serviceRoleObjectName(obj.metadata.name) : undefined);
    const role = objectName ? this.#lookups.iamRole(namespace, objectName) : undefined;
    const documents = await this.#roleDocuments.forRole(role, roleArn, this.#tenancy.permissionsBoundary);
    const { partition, region } = this.#aws;
    const spec = withNamedGuardrail(obj.spec, namespace, this.#lookups);
    const models = promptModels(resolved.fields.promptOverrideConfiguration?.promptConfigurations);
    return accessVerdict(agentCalls(spec, documents, { partition, region, account: await this.#aws.account() }, obj.status?.agentArn, models));
  }

  async observe(obj: AgentResource, desired: AgentResolved): Promise<Observation<AgentStatus, AgentPlan>> {
    const uid = obj.metadata.uid ?? '';
    const key = desiredKey(obj, desired);
    const listed = await this.#listedInSync(uid, key);
    const agent = listed?.agent ?? await this.#find(obj);
    if (!agent) return { exists: false, status: { agentId: undefined, agentArn: undefined, agentStatus: undefined } };
    const agentId = agent.agentId!;
    const tags = listed?.tags ?? await this.#tagsOf(agent);
    const blocked = this.#ownership.conflict(obj, `Bedrock agent ${agent.agentName} (${agentId})`, tags, 'spec.agentName');
    if (blocked) return { exists: true, status: {}, blocked };

    const fieldDiff = agentDiff(desired.fields, agent);
    const diff: string[] = [...fieldDiff];
    const groups = listed ? NO_GROUP_CHANGES : await this.#actionGroupChanges(agentId, desired.actionGroups);
    for (const g of [...groups.create, ...groups.update.map((u) => u.desired)]) diff.push(`action group ${g.actionGroupName}`);
    for (const g of groups.remove) diff.push(`action group ${g.name}`);
    const knowledgeBases = listed ? NO_KNOWLEDGE_BASE_CHANGES : await this.#knowledgeBaseChanges(agentId, desired.knowledgeBases);
    for (const id of [...knowledgeBases.associate.map((k) => k.knowledgeBaseId), ...knowledgeBases.update.map((k) => k.knowledgeBaseId), ...knowledgeBases.disassociate]) {
      diff.push(`knowledge base ${id}`);
    }
    const tagUpdates = this.#ownership.tagChanges(obj, obj.spec.tags, tags, obj.status?.managedTagKeys);
    if (tagUpdates.any) diff.push('tags');
    if (desired.prepare && agent.agentStatus !== 'PREPARED') diff.push(`agent ${agent.agentStatus?.toLowerCase().replace('_', ' ') ?? 'not prepared'}`);
    const versionCreated = listed?.versionCreated ?? new Map<string, number | undefined>();
    const { aliases, inAws } = await this.#aliasChanges(agent, desired.aliases, versionCreated);
    for (const a of aliases.create) diff.push(`alias ${a.name}`);
    for (const a of [...aliases.update.map((u) => u.alias), ...aliases.remove]) diff.push(`alias ${a.agentAliasName}`);
    for (const name of aliases.busy) diff.push(`alias ${name} (in progress)`);
    if (diff.length > 0) {
      this.#memory.inSync.delete(uid);
      // A difference is confirmed, and acted on, with a full read.
      if (listed) return this.observe(obj, desired);
    } else if (!listed) {
      await this.#rememberInSync(uid, key, agent, tags, versionCreated);
    }

    const routed = inAws.filter((a) => desired.aliases.some((s) => s.name === a.agentAliasName));
    return {
      exists: true,
      status: {
        agentId, agentArn: agent.agentArn, agentStatus: agent.agentStatus, roleArn: agent.agentResourceRoleArn, preparedAt: agent.preparedAt?.toISOString(),
        agentVersion: routed.map((a) => a.routingConfiguration?.[0]?.agentVersion).find((v) => v !== undefined),
        aliases: routed.map((a) => ({ name: a.agentAliasName!, aliasId: a.agentAliasId, aliasArn: aliasArn(agent.agentArn!, a.agentAliasId!), agentVersion: a.routingConfiguration?.[0]?.agentVersion }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        managedTagKeys: managedTagKeys(obj.spec.tags),
      },
      diff: [...new Set(diff)],
      plan: { agent, fieldDiff, groups, knowledgeBases, tags: tagUpdates, aliases },
    };
  }

  async create(obj: AgentResource, desired: AgentResolved): Promise<void> {
    const created = await this.#call(this.#bedrock.send(new CreateAgentCommand({
      ...desired.fields,
      // The ownership tags go with the create call, so an agent never exists without them.
      tags: desired.tags,
    })), 'creating the agent');
    this.#memory.createdIds.set(obj.metadata.uid ?? '', created.agent!.agentId!);
    this.#snapshot?.touch(created.agent!.agentId!);
    // Action groups, knowledge bases, preparation and aliases follow on the next passes.
  }

  async update(obj: AgentResource, desired: AgentResolved, plan: AgentPlan): Promise<UpdateResult> {
    const status = plan.agent.agentStatus ?? '';
    if (BUSY.has(status)) throw new WaitingError('AgentBusy', `the agent is ${status}; the next change follows once it is done`, 'settling');
    const pass: Pass = { obj, desired, plan, agentId: plan.agent.agentId!, draftChanged: false };
    const steps = [this.#fields, this.#draftChildren, this.#tags, this.#prepare, this.#aliases];
    let wrote = false;
    try {
      for (const step of steps) {
        const result = await step.call(this, pass);
        if (result !== 'unchanged') wrote = true;
        if (result === 'wrote-then-wait') break;
      }
    } finally {
      this.#touched(obj, pass.agentId);
    }
    return { wrote };
  }

  /** UpdateAgent with every field; the agent is UPDATING afterwards, so DRAFT changes wait for the next pass. */
  async #fields({ agentId, desired, plan }: Pass): Promise<StepResult> {
    if (plan.fieldDiff.length === 0) return 'unchanged';
    await this.#call(this.#bedrock.send(new UpdateAgentCommand({ agentId, ...desired.fields })), 'updating the agent');
    return 'wrote-then-wait';
  }

  async #draftChildren(pass: Pass): Promise<StepResult> {
    const { agentId, plan: { groups, knowledgeBases } } = pass;
    const version = { agentId, agentVersion: DRAFT };
    const calls: { change: string; send: () => Promise<unknown> }[] = [
      ...groups.remove.map((g) => ({ change: `deleting action group ${g.name}`,
        send: () => this.#bedrock.send(new DeleteAgentActionGroupCommand({ ...version, actionGroupId: g.id, skipResourceInUseCheck: true })) })),
      ...groups.create.map((g) => ({ change: `creating action group ${g.actionGroupName}`,
        send: () => this.#bedrock.send(new CreateAgentActionGroupCommand({ ...version, ...g })) })),
      ...groups.update.map(({ id, desired }) => ({ change: `updating action group ${desired.actionGroupName}`,
        send: () => this.#bedrock.send(new UpdateAgentActionGroupCommand({ ...version, actionGroupId: id, ...desired })) })),
      ...knowledgeBases.disassociate.map((knowledgeBaseId) => ({ change: `disassociating knowledge base ${knowledgeBaseId}`,
        send: () => this.#bedrock.send(new DisassociateAgentKnowledgeBaseCommand({ ...version, knowledgeBaseId })) })),
      ...knowledgeBases.associate.map((kb) => ({ change: `associating knowledge base ${kb.knowledgeBaseId}`,
        send: () => this.#bedrock.send(new AssociateAgentKnowledgeBaseCommand({ ...version, ...kb })) })),
      ...knowledgeBases.update.map((kb) => ({ change: `updating knowledge base ${kb.knowledgeBaseId}`,
        send: () => this.#bedrock.send(new UpdateAgentKnowledgeBaseCommand({ ...version, ...kb })) })),
    ];
    for (const { change, send } of calls) await this.#call(send(), change);
    pass.draftChanged = calls.length > 0;
    return pass.draftChanged ? 'wrote' : 'unchanged';
  }

  async #tags({ plan: { agent, tags } }: Pass): Promise<StepResult> {
    if (Object.keys(tags.set).length > 0) await this.#call(this.#bedrock.send(new TagResourceCommand({ resourceArn: agent.agentArn, tags: tags.set })), 'tagging the agent');
    if (tags.remove.length > 0) await this.#call(this.#bedrock.send(new UntagResourceCommand({ resourceArn: agent.agentArn, tagKeys: tags.remove })), 'untagging the agent');
    return tags.any ? 'wrote' : 'unchanged';
  }

  /** PrepareAgent after a DRAFT change or when not prepared; a FAILED preparation is tried again after retryFailedPrepareMs. */
  async #prepare({ obj, agentId, desired, plan: { agent }, draftChanged }: Pass): Promise<StepResult> {
    if (!desired.prepare) return 'unchanged';
    if (!draftChanged && agent.agentStatus !== 'NOT_PREPARED' && agent.agentStatus !== 'FAILED') return 'unchanged';
    const uid = obj.metadata.uid ?? '';
    const lastPrepare = this.#memory.preparedAt.get(uid);
    if (!draftChanged && agent.agentStatus === 'FAILED' && lastPrepare !== undefined && Date.now() - lastPrepare < this.#retryFailedPrepareMs) {
      throw new TerminalError('PrepareFailed', `Bedrock could not prepare the agent: ${(agent.failureReasons ?? []).join('; ') || 'no reason given'}`);
    }
    await this.#call(this.#bedrock.send(new PrepareAgentCommand({ agentId })), 'preparing the agent');
    this.#memory.preparedAt.set(uid, Date.now());
    return 'wrote-then-wait'; // PREPARING: aliases wait for PREPARED.
  }

  /**
   * Removals, then one alias created or updated: an alias without routing makes a new version,
   * and the agent is VERSIONING (refusing the next alias) until that is done.
   */
  async #aliases({ agentId, plan: { aliases } }: Pass): Promise<StepResult> {
    if (aliases.busy.length > 0) throw new WaitingError('AliasBusy', `alias ${aliases.busy.join(', ')} is still being created or updated`, 'settling');
    for (const a of aliases.remove) {
      await this.#call(ignoreNotFound(this.#bedrock.send(new DeleteAgentAliasCommand({ agentId, agentAliasId: a.agentAliasId }))), `deleting alias ${a.agentAliasName}`);
    }
    const [create] = aliases.create;
    const [update] = aliases.update;
    if (create) {
      await this.#call(this.#bedrock.send(new CreateAgentAliasCommand({
        agentId, agentAliasName: create.name, description: create.description, tags: create.tags,
        ...(create.routingConfiguration ? { routingConfiguration: create.routingConfiguration } : {}),
      })), `creating alias ${create.name}`);
    } else if (update) {
      const { alias, spec: a } = update;
      await this.#call(this.#bedrock.send(new UpdateAgentAliasCommand({
        agentId, agentAliasId: alias.agentAliasId, agentAliasName: a.name, description: a.description,
        ...(a.routingConfiguration ? { routingConfiguration: a.routingConfiguration } : {}),
      })), `updating alias ${a.name}`);
    } else {
      return aliases.remove.length > 0 ? 'wrote' : 'unchanged';
    }
    return 'wrote-then-wait';
  }

  /** Deletes the agent with its aliases; the next passes wait until Bedrock no longer finds it. */
  async delete(obj: AgentResource): Promise<DeleteResult> {
    const agent = await this.#find(obj);
    if (!agent) return { wrote: false, remaining: false };
    if (agent.agentStatus === 'DELETING') return { wrote: false, remaining: true };
    // An agent that vanishes between two reads is deleted: that is what this pass wants.
    const tags = await this.#call(ignoreNotFound(this.#bedrock.send(new ListTagsForResourceCommand({ resourceArn: agent.agentArn }))));
    if (!tags) return { wrote: false, remaining: false };
    if (this.#ownership.conflict(obj, `Bedrock agent ${agent.agentName} (${agent.agentId})`, tags.tags ?? {}, 'spec.agentName')) return { wrote: false, remaining: false };
    const deleted = await this.#call(ignoreNotFound(this.#bedrock.send(new DeleteAgentCommand({ agentId: agent.agentId, skipResourceInUseCheck: true }))), 'deleting the agent')
      .finally(() => this.#touched(obj, agent.agentId!));
    return { wrote: true, remaining: deleted !== undefined };
  }

  /** After writes to the agent (made, or perhaps made: a call that failed may have taken effect): read it in full next. */
  #touched(obj: AgentResource, agentId: string): void {
    this.#snapshot?.touch(agentId);
    this.#memory.inSync.delete(obj.metadata.uid ?? '');
  }

  /**
   * What the last full read found, while the agent's summary in the listing and the desired agent
   * are what they were then and fewer than FULL_READ_EVERY resyncs have passed since.
   */
  async #listedInSync(uid: string, desired: string): Promise<InSync | undefined> {
    const memo = this.#memory.inSync.get(uid);
    if (!this.#snapshot || !memo || memo.desired !== desired || memo.listedPasses >= FULL_READ_EVERY) return undefined;
    const summary = await this.#call(this.#snapshot.view(memo.agent.agentId!));
    if (typeof summary !== 'object' || summaryKey(summary) !== memo.summary) return undefined;
    memo.listedPasses += 1;
    return memo;
  }

  /** An agent a full read found in sync, remembered with its summary, when the listing shows the agent as that read did. */
  async #rememberInSync(uid: string, desired: string, agent: Agent, tags: Record<string, string>, versionCreated: Map<string, number | undefined>): Promise<void> {
    if (!this.#snapshot) return;
    const summary = await this.#call(this.#snapshot.view(agent.agentId!));
    if (typeof summary !== 'object' || summary.agentStatus !== agent.agentStatus || summary.updatedAt?.getTime() !== agent.updatedAt?.getTime()) return;
    this.#memory.inSync.set(uid, { summary: summaryKey(summary), desired, agent, tags, versionCreated, listedPasses: 0 });
  }

  async finalize(obj: AgentResource, policy: DeletionPolicy): Promise<void> {
    this.#memory.forget(obj.metadata.uid ?? '');
    if (generatesRole(obj.spec)) await this.#roles.release(obj, serviceRoleObjectName(obj.metadata.name), policy);
    const agentArn = obj.status?.agentArn;
    if (policy !== 'retain' || !agentArn) return;
    // The retained agent keeps its access to the Lambdas it calls.
    const namespace = obj.metadata.namespace ?? 'default';
    for (const group of obj.spec.actionGroups ?? []) {
      const lambda = group.actionGroupExecutor?.lambda ? this.#lookups.lambda(namespace, referenceName(group.actionGroupExecutor.lambda)) : undefined;
      const annotations = lambda && retainAgentOn(lambda, agentArn);
      if (annotations) await this.#lookups.annotateLambda(namespace, lambda.metadata.name, annotations);
    }
  }

  /** The agent: by the ID this process created or status recorded, else by name (a create whose ID was never recorded). */
  async #find(obj: AgentResource): Promise<Agent | undefined> {
    const uid = obj.metadata.uid ?? '';
    for (const id of new Set([this.#memory.createdIds.get(uid), obj.status?.agentId])) {
      if (!id) continue;
      const agent = await this.#getAgent(id);
      if (agent) return agent;
    }
    const name = agentNameOf(obj);
    const summaries = await allPages((nextToken) => this.#call(this.#bedrock.send(new ListAgentsCommand({ nextToken })))
      .then((page) => ({ items: page.agentSummaries ?? [], next: page.nextToken })));
    const match = summaries.find((a) => a.agentName === name);
    return match ? this.#getAgent(match.agentId!) : undefined;
  }

  #getAgent(agentId: string): Promise<Agent | undefined> {
    return this.#call(ignoreNotFound(this.#bedrock.send(new GetAgentCommand({ agentId })))).then((r) => r?.agent);
  }

  async #tagsOf(agent: Agent): Promise<Record<string, string>> {
    return (await this.#call(this.#bedrock.send(new ListTagsForResourceCommand({ resourceArn: agent.agentArn })))).tags ?? {};
  }

  /** `promptModels`: the models prompt overrides run steps on besides the agent's own. */
  async #roleArn(obj: AgentResource, promptModels: string[]): Promise<string> {
    const namespace = obj.metadata.namespace ?? 'default';
    const spec = withNamedGuardrail(obj.spec, namespace, this.#lookups);
    const account = await this.#aws.account();
    const named = namedRoleArn(obj, this.#tenancy, account, this.#lookups);
    if (named) return named;
    const name = serviceRoleObjectName(obj.metadata.name);
    const { partition, region } = this.#aws;
    // The trust is pinned to the agent's ARN once status records it.
    const generated = await this.#roles.ensure(obj, name, serviceRoleSpec(agentNameOf(obj), spec, { partition, region, account }, obj.status?.agentArn, promptModels));
    return readyRoleArn(generated, namespace, name, 'the generated service role');
  }

  async #actionGroupChanges(agentId: string, desired: DesiredActionGroup[]): Promise<AgentPlan['groups']> {
    const summaries = await allPages((nextToken) => this.#call(this.#bedrock.send(new ListAgentActionGroupsCommand({ agentId, agentVersion: DRAFT, nextToken })))
      .then((r) => ({ items: r.actionGroupSummaries ?? [], next: r.nextToken })));
    const byName = new Map(summaries.map((s) => [s.actionGroupName!, s]));
    const wanted = new Set(desired.map((g) => g.actionGroupName));
    const changes: AgentPlan['groups'] = { create: [], update: [], remove: [] };
    for (const g of desired) {
      const summary = byName.get(g.actionGroupName);
      if (!summary) {
        changes.create.push(g);
        continue;
      }
      const actual = (await this.#call(this.#bedrock.send(new GetAgentActionGroupCommand({ agentId, agentVersion: DRAFT, actionGroupId: summary.actionGroupId })))).agentActionGroup!;
      if (!actionGroupMatches(g, actual)) changes.update.push({ id: summary.actionGroupId!, desired: g });
    }
    changes.remove = summaries.filter((s) => !wanted.has(s.actionGroupName!)).map((s) => ({ id: s.actionGroupId!, name: s.actionGroupName! }));
    return changes;
  }

  async #knowledgeBaseChanges(agentId: string, desired: DesiredKnowledgeBase[]): Promise<AgentPlan['knowledgeBases']> {
    const actual: AgentKnowledgeBaseSummary[] = await allPages((nextToken) => this.#call(this.#bedrock.send(new ListAgentKnowledgeBasesCommand({ agentId, agentVersion: DRAFT, nextToken })))
      .then((r) => ({ items: r.agentKnowledgeBaseSummaries ?? [], next: r.nextToken })));
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
  async #aliasChanges(agent: Agent, desired: AliasSpec[], versionCreated: Map<string, number | undefined>): Promise<{ aliases: AgentPlan['aliases']; inAws: AgentAliasSummary[] }> {
    const agentId = agent.agentId!;
    const summaries = (await allPages((nextToken) => this.#call(this.#bedrock.send(new ListAgentAliasesCommand({ agentId, nextToken })))
      .then((r) => ({ items: r.agentAliasSummaries ?? [], next: r.nextToken })))).filter((a) => a.agentAliasId !== TEST_ALIAS_ID);
    const byName = new Map(summaries.map((a) => [a.agentAliasName!, a]));
    const changes: AgentPlan['aliases'] = { create: [], update: [], remove: [], busy: [] };
    // versionCreated: when each routed version was made; a version that does not exist (any more) is never current.
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
          // A failed read fails the pass: it must never pass for "made at time 0" and move the alias.
          const version = await this.#call(ignoreNotFound(this.#bedrock.send(new GetAgentVersionCommand({ agentId, agentVersion: routed }))));
          versionCreated.set(routed, version?.agentVersion?.createdAt?.getTime());
        }
        const created = versionCreated.get(routed);
        current = created !== undefined && (agent.preparedAt?.getTime() ?? 0) <= created;
      }
      if (!current || (alias.description ?? '') !== (spec.description ?? '')) changes.update.push({ alias, spec });
    }
    changes.remove = summaries.filter((a) => !desired.some((s) => s.name === a.agentAliasName));
    return { aliases: changes, inAws: summaries };
  }

  #call<T>(call: Promise<T>, change?: string): Promise<T> {
    return classified(call, (error) => classifyBedrockError(error, change));
  }
}

function aliasArn(agentArn: string, aliasId: string): string {
  return agentArn.replace(/:agent\/([^/]+)$/, `:agent-alias/$1/${aliasId}`);
}
