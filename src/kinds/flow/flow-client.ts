// The Flow kind's external client: a Bedrock flow with its definition, tags, versions and aliases.
// Each pass takes the next steps of Bedrock's state machine and no more:
//   fields    UpdateFlow with the whole flow (it clears what it is not sent); the flow is then
//             NotPrepared;
//   tags;
//   prepare   PrepareFlow after any change or when not prepared (Failed: Bedrock's validations in
//             the condition), then wait for Prepared;
//   version   once prepared, a new version when an alias follows the newest and the newest was
//             not made from this flow;
//   aliases   created, routed, removed; the versions no alias routes to any more are deleted.
// The flow ID is assigned by AWS: until status records it, the flow is found by name and checked
// by its ownership tags, so a crash between CreateFlow and the status write makes no twin.
import {
  CreateFlowAliasCommand, CreateFlowCommand, CreateFlowVersionCommand, DeleteFlowAliasCommand, DeleteFlowCommand, DeleteFlowVersionCommand, GetFlowCommand,
  GetFlowVersionCommand, ListFlowAliasesCommand, ListFlowVersionsCommand, ListFlowsCommand, ListTagsForResourceCommand, PrepareFlowCommand, TagResourceCommand,
  UntagResourceCommand, UpdateFlowAliasCommand, UpdateFlowCommand,
  type BedrockAgentClient, type FlowAliasSummary, type FlowDefinition, type GetFlowResponse,
} from '@aws-sdk/client-bedrock-agent';
import type { FlowSpec, FlowStatus } from '../../api/flow.ts';
import type { AgentResource, FlowResource, IAMRoleResource, LambdaResource } from '../../api/kinds.ts';
import type { DeletionPolicy } from '../../api/metadata.ts';
import type { AwsEnvironment } from '../../aws/aws-environment.ts';
import { allPages, classified, ignoreNotFound } from '../../aws/aws-errors.ts';
import { classifyBedrockError } from '../../aws/bedrock-agent/bedrock-agent-errors.ts';
import type { TagChanges } from '../../aws/ownership.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import type { AccessVerdict, DeleteResult, ExternalClient, Observation, UpdateResult } from '../../runtime/external-client.ts';
import { accessVerdict } from '../../iam/access-check.ts';
import { readyRoleArn, type GeneratedRoles } from '../generated-roles.ts';
import { managedTagKeys, type OwnershipGuard } from '../ownership-guard.ts';
import { PlatformRules } from '../platform-rules.ts';
import type { RoleDocumentsReader } from '../role-documents.ts';
import { requireSameAccount, type TenancyPolicy } from '../tenancy-policy.ts';
import { definitionsMatch, desiredDefinition } from './desired-flow.ts';
import { flowCalls } from './flow-access.ts';
import { flowReferences } from './flow-references.ts';
import { flowRoleObjectName, flowRoleSpec } from './service-role.ts';

/** What the Flow client reads from the informers' caches. */
export interface FlowLookups {
  iamRole(namespace: string, name: string): IAMRoleResource | undefined;
  lambda(namespace: string, name: string): LambdaResource | undefined;
  agent(namespace: string, name: string): AgentResource | undefined;
}

/** The test alias AWS gives every flow (routes to DRAFT); not the operator's to manage. */
const TEST_ALIAS_ID = 'TSTALIASID';
const DRAFT = 'DRAFT';

type AliasSpec = NonNullable<FlowSpec['aliases']>[number];
/** An alias of the spec with the version it must route to. */
type TargetedAlias = AliasSpec & { target: string };
interface AliasChanges { create: TargetedAlias[]; update: { alias: FlowAliasSummary; spec: TargetedAlias }[]; remove: FlowAliasSummary[] }

/** The flow the spec asks for, with its role and the ARNs of what it names resolved. */
export interface FlowResolved {
  flowName: string;
  fields: { name: string; description?: string; executionRoleArn: string; customerEncryptionKeyArn?: string; definition: FlowDefinition };
  tags: Record<string, string>;
  aliases: AliasSpec[];
}

/** What differs, by the step that fixes it. */
export interface FlowPlan {
  flow: GetFlowResponse;
  fieldDiff: string[];
  tags: TagChanges;
  /** The newest version, if it was made from the flow as the spec has it; else undefined. */
  currentVersion: string | undefined;
  /** A version must be made (an alias follows the newest and none is current). */
  needsVersion: boolean;
  aliases: AliasChanges;
}

type StepResult = 'unchanged' | 'wrote' | 'wrote-then-wait';

interface Pass {
  obj: FlowResource;
  desired: FlowResolved;
  plan: FlowPlan;
  flowId: string;
  changed: boolean;
}

export function flowNameOf(obj: FlowResource): string {
  return obj.spec.flowName ?? obj.metadata.name;
}

/** What this process remembers of flows between passes; forgotten on deletion. */
class FlowMemory {
  /** Flow IDs learned from CreateFlow, until status records them (by object UID). */
  readonly createdIds = new Map<string, string>();
  /** When this process last prepared the flow (by object UID): a Failed flow is prepared again after retryFailedPrepareMs. */
  readonly preparedAt = new Map<string, number>();
  /** What a version was made from (`flowId/version`): versions never change, so each is read once. */
  readonly versions = new Map<string, VersionFacts>();

  forget(uid: string, flowId: string | undefined): void {
    this.createdIds.delete(uid);
    this.preparedAt.delete(uid);
    if (flowId) for (const key of [...this.versions.keys()].filter((k) => k.startsWith(`${flowId}/`))) this.versions.delete(key);
  }
}

interface VersionFacts {
  definition: FlowDefinition | undefined;
  executionRoleArn: string | undefined;
  customerEncryptionKeyArn: string | undefined;
}

export class FlowExternalClient implements ExternalClient<FlowSpec, FlowStatus, FlowResolved, FlowPlan> {
  readonly #bedrock: BedrockAgentClient;
  readonly #aws: AwsEnvironment;
  readonly #lookups: FlowLookups;
  readonly #roles: GeneratedRoles;
  readonly #ownership: OwnershipGuard;
  readonly #tenancy: TenancyPolicy;
  readonly #platform: PlatformRules;
  readonly #retryFailedPrepareMs: number;
  readonly #roleDocuments: RoleDocumentsReader | undefined;
  readonly #memory = new FlowMemory();

  constructor(
    bedrock: BedrockAgentClient, aws: AwsEnvironment, lookups: FlowLookups, roles: GeneratedRoles, ownership: OwnershipGuard, tenancy: TenancyPolicy,
    retryFailedPrepareMs: number, platform = new PlatformRules(), roleDocuments?: RoleDocumentsReader,
  ) {
    this.#bedrock = bedrock;
    this.#aws = aws;
    this.#lookups = lookups;
    this.#roles = roles;
    this.#ownership = ownership;
    this.#tenancy = tenancy;
    this.#retryFailedPrepareMs = retryFailedPrepareMs;
    this.#platform = platform;
    this.#roleDocuments = roleDocuments;
  }

  /** The ARNs of the Agents and Lambdas the nodes name (waits until each is Ready), then the role. */
  async resolve(obj: FlowResource): Promise<FlowResolved> {
    const spec = obj.spec;
    this.#platform.requireTags(obj, spec.tags);
    const definition = desiredDefinition(spec.definition, flowReferences(this.#lookups, obj.metadata.namespace ?? 'default'));
    const flowName = flowNameOf(obj);
    const executionRoleArn = await this.#roleArn(obj, flowName, definition);
    return {
      flowName,
      fields: {
        name: flowName, executionRoleArn, definition,
        ...(spec.description ? { description: spec.description } : {}),
        ...(spec.customerEncryptionKeyArn ? { customerEncryptionKeyArn: spec.customerEncryptionKeyArn } : {}),
      },
      tags: this.#ownership.desiredTags(obj, spec.tags),
      aliases: spec.aliases ?? [],
    };
  }

  /** Whether AWS would allow what Bedrock does with the flow's role for its nodes (advice: AccessCheck). */
  async checkAccess(obj: FlowResource, resolved: FlowResolved): Promise<AccessVerdict | undefined> {
    if (!this.#roleDocuments) return undefined;
    const namespace = obj.metadata.namespace ?? 'default';
    const objectName = obj.spec.iamRole?.startsWith('arn:') ? undefined : obj.spec.iamRole ?? flowRoleObjectName(obj.metadata.name);
    const role = objectName ? this.#lookups.iamRole(namespace, objectName) : undefined;
    const { executionRoleArn, definition, customerEncryptionKeyArn } = resolved.fields;
    const documents = await this.#roleDocuments.forRole(role, executionRoleArn, this.#tenancy.permissionsBoundary);
    const { partition, region } = this.#aws;
    return accessVerdict(flowCalls(definition, customerEncryptionKeyArn, documents, { partition, region, account: await this.#aws.account() }, obj.status?.flowArn));
  }

  async observe(obj: FlowResource, desired: FlowResolved): Promise<Observation<FlowStatus, FlowPlan>> {
    const flow = await this.#find(obj);
    if (!flow) return { exists: false, status: { flowId: undefined, flowArn: undefined, flowStatus: undefined } };
    const flowId = flow.id!;
    const tags = (await this.#call(this.#bedrock.send(new ListTagsForResourceCommand({ resourceArn: flow.arn })))).tags ?? {};
    const blocked = this.#ownership.conflict(obj, `Bedrock flow ${flow.name} (${flowId})`, tags, 'spec.flowName');
    if (blocked) return { exists: true, status: {}, blocked };

    const fieldDiff = fieldChanges(desired.fields, flow);
    const diff = [...fieldDiff];
    const tagUpdates = this.#ownership.tagChanges(obj, obj.spec.tags, tags, obj.status?.managedTagKeys);
    if (tagUpdates.any) diff.push('tags');
    if (flow.status !== 'Prepared') diff.push(`flow ${flow.status?.toLowerCase() ?? 'not prepared'}`);

    const versions = await this.#versionNumbers(flowId);
    const newest = versions.at(-1);
    const currentVersion = fieldDiff.length === 0 && newest !== undefined && await this.#madeFrom(flowId, newest, desired.fields) ? newest : undefined;
    const aliases = await this.#aliases(flowId);
    const plan = aliasChanges(desired.aliases, aliases, currentVersion);
    const needsVersion = currentVersion === undefined && desired.aliases.some((a) => a.flowVersion === undefined);
    if (needsVersion) diff.push('version');
    for (const a of plan.create) diff.push(`alias ${a.name}`);
    for (const a of [...plan.update.map((u) => u.alias), ...plan.remove]) diff.push(`alias ${a.name}`);

    const routed = aliases.filter((a) => desired.aliases.some((s) => s.name === a.name));
    return {
      exists: true,
      status: {
        flowId, flowArn: flow.arn, flowStatus: flow.status, roleArn: flow.executionRoleArn, flowVersion: newest,
        aliases: routed.map((a) => ({ name: a.name!, aliasId: a.id, aliasArn: a.arn, flowVersion: a.routingConfiguration?.[0]?.flowVersion }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        managedTagKeys: managedTagKeys(obj.spec.tags),
      },
      diff: [...new Set(diff)],
      plan: { flow, fieldDiff, tags: tagUpdates, currentVersion, needsVersion, aliases: plan },
    };
  }

  async create(obj: FlowResource, desired: FlowResolved): Promise<void> {
    const created = await this.#call(this.#bedrock.send(new CreateFlowCommand({
      ...desired.fields,
      // The ownership tags go with the create call, so a flow never exists without them.
      tags: desired.tags,
    })), 'creating the flow');
    this.#memory.createdIds.set(obj.metadata.uid ?? '', created.id!);
    // Preparation, the version and the aliases follow on the next passes.
  }

  async update(obj: FlowResource, desired: FlowResolved, plan: FlowPlan): Promise<UpdateResult> {
    if (plan.flow.status === 'Preparing') throw new WaitingError('FlowBusy', 'the flow is being prepared; the next change follows once it is done', 'settling');
    const pass: Pass = { obj, desired, plan, flowId: plan.flow.id!, changed: false };
    let wrote = false;
    for (const step of [this.#fields, this.#tags, this.#prepare, this.#version, this.#aliasesStep]) {
      const result = await step.call(this, pass);
      if (result !== 'unchanged') wrote = true;
      if (result === 'wrote-then-wait') break;
    }
    return { wrote };
  }

  async #fields(pass: Pass): Promise<StepResult> {
    if (pass.plan.fieldDiff.length === 0) return 'unchanged';
    await this.#call(this.#bedrock.send(new UpdateFlowCommand({ flowIdentifier: pass.flowId, ...pass.desired.fields })), 'updating the flow');
    pass.changed = true;
    return 'wrote';
  }

  async #tags({ plan: { flow, tags } }: Pass): Promise<StepResult> {
    if (Object.keys(tags.set).length > 0) await this.#call(this.#bedrock.send(new TagResourceCommand({ resourceArn: flow.arn, tags: tags.set })), 'tagging the flow');
    if (tags.remove.length > 0) await this.#call(this.#bedrock.send(new UntagResourceCommand({ resourceArn: flow.arn, tagKeys: tags.remove })), 'untagging the flow');
    return tags.any ? 'wrote' : 'unchanged';
  }

  /** PrepareFlow after a change or when not prepared; a Failed preparation is tried again after retryFailedPrepareMs. */
  async #prepare({ obj, flowId, plan: { flow }, changed }: Pass): Promise<StepResult> {
    if (!changed && flow.status === 'Prepared') return 'unchanged';
    const uid = obj.metadata.uid ?? '';
    const lastPrepare = this.#memory.preparedAt.get(uid);
    if (!changed && flow.status === 'Failed' && lastPrepare !== undefined && Date.now() - lastPrepare < this.#retryFailedPrepareMs) {
      const reasons = (flow.validations ?? []).map((v) => v.message).filter(Boolean);
      throw new TerminalError('PrepareFailed', `Bedrock could not prepare the flow: ${reasons.join('; ') || 'no reason given'}. Fix spec.definition`);
    }
    await this.#call(this.#bedrock.send(new PrepareFlowCommand({ flowIdentifier: flowId })), 'preparing the flow');
    this.#memory.preparedAt.set(uid, Date.now());
    return 'wrote-then-wait'; // Preparing: the version and the aliases wait for Prepared.
  }

  /** A version of the prepared flow, for the aliases that follow the newest. */
  async #version(pass: Pass): Promise<StepResult> {
    if (!pass.plan.needsVersion) return 'unchanged';
    const made = await this.#call(this.#bedrock.send(new CreateFlowVersionCommand({ flowIdentifier: pass.flowId })), 'making a version of the flow');
    const version = made.version!;
    const { executionRoleArn, customerEncryptionKeyArn, definition } = made;
    this.#memory.versions.set(`${pass.flowId}/${version}`, { definition, executionRoleArn, customerEncryptionKeyArn });
    // The aliases that follow the newest move to it in this pass.
    const aliases = await this.#aliases(pass.flowId);
    pass.plan.aliases = aliasChanges(pass.desired.aliases, aliases, version);
    return 'wrote';
  }

  /** Removals, creations and moves; then the versions that no alias routes to any more. */
  async #aliasesStep({ flowId, plan: { aliases } }: Pass): Promise<StepResult> {
    const before = new Set([...aliases.update.map((u) => u.alias), ...aliases.remove].map(routedVersion).filter((v): v is string => v !== undefined && v !== DRAFT));
    for (const a of aliases.remove) {
      await this.#call(ignoreNotFound(this.#bedrock.send(new DeleteFlowAliasCommand({ flowIdentifier: flowId, aliasIdentifier: a.id }))), `deleting alias ${a.name}`);
    }
    for (const a of aliases.create) {
      await this.#call(this.#bedrock.send(new CreateFlowAliasCommand({
        flowIdentifier: flowId, name: a.name, description: a.description, tags: a.tags, routingConfiguration: [{ flowVersion: a.target }],
      })), `creating alias ${a.name}`);
    }
    for (const { alias, spec } of aliases.update) {
      await this.#call(this.#bedrock.send(new UpdateFlowAliasCommand({
        flowIdentifier: flowId, aliasIdentifier: alias.id, name: spec.name, description: spec.description, routingConfiguration: [{ flowVersion: spec.target }],
      })), `routing alias ${spec.name} to version ${spec.target}`);
    }
    const wrote = aliases.remove.length + aliases.create.length + aliases.update.length > 0;
    if (before.size > 0) {
      // Versions this pass moved aliases away from, unless another alias still routes to them.
      const stillRouted = new Set((await this.#aliases(flowId)).map(routedVersion));
      for (const version of before) {
        if (stillRouted.has(version)) continue;
        await this.#call(ignoreNotFound(this.#bedrock.send(new DeleteFlowVersionCommand({ flowIdentifier: flowId, flowVersion: version }))), `deleting version ${version}`);
        this.#memory.versions.delete(`${flowId}/${version}`);
      }
    }
    return wrote ? 'wrote' : 'unchanged';
  }

  /** Deletes the aliases, the versions and the flow; the next pass confirms it is gone. */
  async delete(obj: FlowResource): Promise<DeleteResult> {
    const flow = await this.#find(obj);
    if (!flow) return { wrote: false, remaining: false };
    const flowIdentifier = flow.id!;
    const tags = await this.#call(ignoreNotFound(this.#bedrock.send(new ListTagsForResourceCommand({ resourceArn: flow.arn }))));
    if (!tags) return { wrote: false, remaining: false };
    if (this.#ownership.conflict(obj, `Bedrock flow ${flow.name} (${flowIdentifier})`, tags.tags ?? {}, 'spec.flowName')) return { wrote: false, remaining: false };
    for (const a of await this.#aliases(flowIdentifier)) {
      await this.#call(ignoreNotFound(this.#bedrock.send(new DeleteFlowAliasCommand({ flowIdentifier, aliasIdentifier: a.id }))), `deleting alias ${a.name}`);
    }
    for (const version of await this.#versionNumbers(flowIdentifier)) {
      await this.#call(ignoreNotFound(this.#bedrock.send(new DeleteFlowVersionCommand({ flowIdentifier, flowVersion: version, skipResourceInUseCheck: true }))), `deleting version ${version}`);
    }
    await this.#call(ignoreNotFound(this.#bedrock.send(new DeleteFlowCommand({ flowIdentifier, skipResourceInUseCheck: true }))), 'deleting the flow');
    return { wrote: true, remaining: true };
  }

  async finalize(obj: FlowResource, policy: DeletionPolicy): Promise<void> {
    this.#memory.forget(obj.metadata.uid ?? '', obj.status?.flowId);
    if (generatesRole(obj.spec)) await this.#roles.release(obj, flowRoleObjectName(obj.metadata.name), policy);
  }

  /** The flow: by the ID this process created or status recorded, else by name (a create whose ID was never recorded). */
  async #find(obj: FlowResource): Promise<GetFlowResponse | undefined> {
    for (const id of new Set([this.#memory.createdIds.get(obj.metadata.uid ?? ''), obj.status?.flowId])) {
      if (!id) continue;
      const flow = await this.#call(ignoreNotFound(this.#bedrock.send(new GetFlowCommand({ flowIdentifier: id }))));
      if (flow) return flow;
    }
    const name = flowNameOf(obj);
    const summaries = await allPages((nextToken) => this.#call(this.#bedrock.send(new ListFlowsCommand({ nextToken })))
      .then((page) => ({ items: page.flowSummaries ?? [], next: page.nextToken })));
    const match = summaries.find((f) => f.name === name);
    return match ? this.#call(ignoreNotFound(this.#bedrock.send(new GetFlowCommand({ flowIdentifier: match.id })))) : undefined;
  }

  /** The flow's numbered versions, oldest first. */
  async #versionNumbers(flowIdentifier: string): Promise<string[]> {
    const summaries = await allPages((nextToken) => this.#call(this.#bedrock.send(new ListFlowVersionsCommand({ flowIdentifier, nextToken })))
      .then((r) => ({ items: r.flowVersionSummaries ?? [], next: r.nextToken })));
    return summaries.map((v) => v.version!).filter((v) => v !== DRAFT).sort((a, b) => Number(a) - Number(b));
  }

  async #aliases(flowIdentifier: string): Promise<FlowAliasSummary[]> {
    const summaries = await allPages((nextToken) => this.#call(this.#bedrock.send(new ListFlowAliasesCommand({ flowIdentifier, nextToken })))
      .then((r) => ({ items: r.flowAliasSummaries ?? [], next: r.nextToken })));
    return summaries.filter((a) => a.id !== TEST_ALIAS_ID);
  }

  /** Whether the version was made from the flow as `fields` has it (its definition, role and key). */
  async #madeFrom(flowIdentifier: string, version: string, fields: FlowResolved['fields']): Promise<boolean> {
    const key = `${flowIdentifier}/${version}`;
    let facts = this.#memory.versions.get(key);
    if (!facts) {
      const read = await this.#call(ignoreNotFound(this.#bedrock.send(new GetFlowVersionCommand({ flowIdentifier, flowVersion: version }))));
      if (!read) return false;
      facts = { definition: read.definition, executionRoleArn: read.executionRoleArn, customerEncryptionKeyArn: read.customerEncryptionKeyArn };
      this.#memory.versions.set(key, facts);
    }
    return definitionsMatch(facts.definition, fields.definition) && facts.executionRoleArn === fields.executionRoleArn
      && (facts.customerEncryptionKeyArn ?? '') === (fields.customerEncryptionKeyArn ?? '');
  }

  async #roleArn(obj: FlowResource, flowName: string, definition: FlowDefinition): Promise<string> {
    const namespace = obj.metadata.namespace ?? 'default';
    const role = obj.spec.iamRole;
    const account = await this.#aws.account();
    if (role?.startsWith('arn:')) return requireSameAccount(this.#tenancy.externalRole(role, 'spec.iamRole'), account, 'spec.iamRole');
    if (role) return readyRoleArn(this.#lookups.iamRole(namespace, role), namespace, role, 'spec.iamRole');
    const name = flowRoleObjectName(obj.metadata.name);
    const { partition, region } = this.#aws;
    // The trust is pinned to the flow's ARN once status records it.
    const spec = flowRoleSpec(flowName, definition, obj.spec.customerEncryptionKeyArn, { partition, region, account }, obj.status?.flowArn);
    return readyRoleArn(await this.#roles.ensure(obj, name, spec), namespace, name, 'the generated service role');
  }

  #call<T>(call: Promise<T>, change?: string): Promise<T> {
    return classified(call, (error) => classifyBedrockError(error, change));
  }
}

/** Whether the Flow uses a generated role (names none). */
export function generatesRole(spec: FlowSpec): boolean {
  return spec.iamRole === undefined;
}

function routedVersion(alias: FlowAliasSummary): string | undefined {
  return alias.routingConfiguration?.[0]?.flowVersion;
}

/** The fields of the flow that differ from what the spec asks for, named for Events. */
function fieldChanges(desired: FlowResolved['fields'], flow: GetFlowResponse): string[] {
  const diff: string[] = [];
  if (flow.name !== desired.name) diff.push('name');
  if ((flow.description ?? '') !== (desired.description ?? '')) diff.push('description');
  if (flow.executionRoleArn !== desired.executionRoleArn) diff.push('service role');
  if ((flow.customerEncryptionKeyArn ?? '') !== (desired.customerEncryptionKeyArn ?? '')) diff.push('encryption key');
  if (!definitionsMatch(flow.definition, desired.definition)) diff.push('definition');
  return diff;
}


/**
 * Aliases to create, to route anew, to remove. An alias with flowVersion routes there; one without
 * follows `newest` (the version made from the flow as the spec has it), and waits while there is none.
 */
function aliasChanges(desired: AliasSpec[], inAws: FlowAliasSummary[], newest: string | undefined): AliasChanges {
  const byName = new Map(inAws.map((a) => [a.name!, a]));
  const changes: AliasChanges = { create: [], update: [], remove: inAws.filter((a) => !desired.some((s) => s.name === a.name)) };
  for (const spec of desired) {
    const target = spec.flowVersion ?? newest;
    if (target === undefined) continue;
    const alias = byName.get(spec.name);
    if (!alias) changes.create.push({ ...spec, target });
    else if (routedVersion(alias) !== target || (alias.description ?? '') !== (spec.description ?? '')) changes.update.push({ alias, spec: { ...spec, target } });
  }
  return changes;
}
