// The Agent kind on Bedrock AgentCore: from one Agent object, a harness (model, instruction,
// memory, tools), a gateway with a target per action group and knowledge base, and an endpoint per
// alias. Each pass takes the next steps and no more, in the order the references need them:
//   gateway   created before the harness (the harness's gateway tool names its ARN), its own
//             fields (UpdateGateway is a PUT: always complete), then its targets;
//   harness   UpdateHarness with every field the operator sets; the harness is UPDATING, then a
//             new version: the pass ends there;
//   tags      on the harness and the gateway;
//   endpoints created or moved to the version the alias routes to (the harness's current version
//             unless the alias names one), once the harness is READY; removals;
//   cleanup   a gateway no target needs any more, once the harness no longer names it.
// Harness and gateway IDs are assigned by AWS: until status records them they are found by name,
// and checked by their ownership tags, so a crash between a create and the status write makes no
// twin (AgentCore refuses a second harness or gateway of the same name anyway).
import {
  CreateGatewayCommand, CreateGatewayTargetCommand, CreateHarnessCommand, CreateHarnessEndpointCommand, DeleteGatewayCommand, DeleteGatewayTargetCommand,
  DeleteHarnessCommand, DeleteHarnessEndpointCommand, GetGatewayCommand, GetGatewayTargetCommand, GetHarnessCommand, ListGatewaysCommand, ListGatewayTargetsCommand,
  ListHarnessEndpointsCommand, ListHarnessesCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, UpdateGatewayCommand,
  UpdateGatewayTargetCommand, UpdateHarnessCommand, UpdateHarnessEndpointCommand,
  type BedrockAgentCoreControlClient, type CreateHarnessRequest, type GetGatewayResponse, type Harness, type HarnessEndpoint, type TargetSummary,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { AgentSpec, AgentStatus } from '../../../api/agent.ts';
import type { AgentResource } from '../../../api/kinds.ts';
import type { DeletionPolicy } from '../../../api/metadata.ts';
import { classifyAgentCoreError } from '../../../aws/agentcore/agentcore-errors.ts';
import type { AwsEnvironment } from '../../../aws/aws-environment.ts';
import { allPages, classified, ignoreNotFound } from '../../../aws/aws-errors.ts';
import type { TagChanges } from '../../../aws/ownership.ts';
import { TerminalError, WaitingError } from '../../../runtime/errors.ts';
import { accessVerdict } from '../../../iam/access-check.ts';
import type { RoleDocumentsReader } from '../../role-documents.ts';
import type { AccessVerdict, Blocked, Coverage, DeleteResult, ExternalClient, Observation, UpdateResult } from '../../../runtime/external-client.ts';
import { retainAgentOn } from '../../agent-lambda-link.ts';
import { readyRoleArn, type GeneratedRoles } from '../../generated-roles.ts';
import { managedTagKeys, type OwnershipGuard } from '../../ownership-guard.ts';
import type { PlatformRules } from '../../platform-rules.ts';
import type { TenancyPolicy } from '../../tenancy-policy.ts';
import type { AgentLookups } from '../agent-client.ts';
import { agentNameOf } from '../agent-client.ts';
import { executorLambdaArn, generatesRole, namedIAMRole, namedRoleArn } from '../agent-references.ts';
import { checkApiSchemas } from '../api-schema.ts';
import { harnessCalls } from './agentcore-access.ts';
import { gatewayRoleObjectName, gatewayRoleSpec, harnessRoleObjectName, harnessRoleSpec } from './agentcore-roles.ts';
import {
  coverageGaps, desiredEndpoints, desiredHarness, desiredTargets, harnessDiff, harnessTools, targetConfiguration, targetMatches,
  type DesiredEndpoint, type DesiredHarness, type DesiredTarget,
} from './desired-agentcore.ts';
import { DEFAULT_ENDPOINT, gatewayNameOf, harnessNameOf } from './names.ts';
import { referenceName } from '../../../api/common.ts';

type AgentCoreStatus = NonNullable<AgentStatus['agentCore']>;

/** The AgentCore resources the spec asks for, with roles and Lambdas resolved. */
export interface AgentCoreResolved {
  harnessName: string;
  gatewayName: string;
  harness: DesiredHarness;
  targets: DesiredTarget[];
  /** Undefined when the agent has no target: then it has no gateway. */
  gatewayRoleArn?: string | undefined;
  gatewayDescription?: string | undefined;
  kmsKeyArn?: string | undefined;
  endpoints: DesiredEndpoint[];
  tags: Record<string, string>;
}

type Gateway = GetGatewayResponse;

export interface AgentCorePlan {
  harness: Harness;
  gateway?: Gateway | undefined;
  gatewayFieldsDiffer: boolean;
  targets: { create: DesiredTarget[]; update: { id: string; desired: DesiredTarget }[]; remove: { id: string; name: string }[] };
  harnessDiff: string[];
  tags: { harness: TagChanges; gateway?: TagChanges | undefined };
  endpoints: { create: (DesiredEndpoint & { version: string })[]; update: (DesiredEndpoint & { version: string })[]; remove: string[] };
  /** The gateway is no longer needed: removed once the harness no longer names it. */
  retireGateway: boolean;
}

type StepResult = 'unchanged' | 'wrote' | 'wrote-then-wait';
const BUSY = new Set(['CREATING', 'UPDATING', 'DELETING', 'SYNCHRONIZING']);

/** What this process remembers between passes, by object UID; forgotten on deletion. */
class Memory {
  readonly harnessIds = new Map<string, string>();
  readonly gatewayIds = new Map<string, string>();
  forget(uid: string): void {
    this.harnessIds.delete(uid);
    this.gatewayIds.delete(uid);
  }
}

export class AgentCoreExternalClient implements ExternalClient<AgentSpec, AgentStatus, AgentCoreResolved, AgentCorePlan> {
  readonly #agentcore: BedrockAgentCoreControlClient;
  readonly #aws: AwsEnvironment;
  readonly #lookups: AgentLookups;
  readonly #roles: GeneratedRoles;
  readonly #ownership: OwnershipGuard;
  readonly #tenancy: TenancyPolicy;
  readonly #platform: PlatformRules;
  readonly #roleDocuments: RoleDocumentsReader | undefined;
  readonly #memory = new Memory();

  constructor(
    agentcore: BedrockAgentCoreControlClient, aws: AwsEnvironment, lookups: AgentLookups, roles: GeneratedRoles, ownership: OwnershipGuard, tenancy: TenancyPolicy,
    platform: PlatformRules, roleDocuments?: RoleDocumentsReader,
  ) {
    this.#roleDocuments = roleDocuments;
    this.#agentcore = agentcore;
    this.#aws = aws;
    this.#lookups = lookups;
    this.#roles = roles;
    this.#ownership = ownership;
    this.#tenancy = tenancy;
    this.#platform = platform;
  }

  coverage(obj: AgentResource): Coverage {
    return { runtime: 'Bedrock AgentCore', gaps: coverageGaps(obj.spec) };
  }

  /** The roles (generated unless the spec names the harness's), the Lambdas' ARNs and the tool schemas; waits while one is not Ready. */
  async resolve(obj: AgentResource): Promise<AgentCoreResolved> {
    const spec = obj.spec;
    const namespace = obj.metadata.namespace ?? 'default';
    this.#platform.requireTags(obj, spec.tags);
    await checkApiSchemas(spec.actionGroups ?? []);
    const agentName = agentNameOf(obj);
    const harnessName = harnessNameOf(agentName);
    const gatewayName = gatewayNameOf(agentName);
    const targets = await desiredTargets(spec, (group) => executorLambdaArn(this.#lookups, namespace, group.actionGroupExecutor!, 'its gateway target is created'));
    const known = obj.status?.agentCore;
    const account = await this.#aws.account();
    const scope = { partition: this.#aws.partition, region: this.#aws.region, account };
    const gatewayRoleArn = targets.length === 0 ? undefined : readyRoleArn(
      await this.#roles.ensure(obj, gatewayRoleObjectName(obj.metadata.name), gatewayRoleSpec(agentName, gatewayName, targets, scope, known?.gatewayArn, spec.customerEncryptionKey)),
      namespace, gatewayRoleObjectName(obj.metadata.name), 'the generated gateway role');
    const executionRoleArn = await this.#executionRoleArn(obj, harnessName, targets.length > 0, account);
    return {
      harnessName, gatewayName, targets, gatewayRoleArn,
      harness: await desiredHarness(spec, executionRoleArn),
      gatewayDescription: spec.description || undefined,
      kmsKeyArn: spec.customerEncryptionKey,
      endpoints: desiredEndpoints(spec),
      tags: this.#ownership.desiredTags(obj, spec.tags),
    };
  }

  /** Whether AWS would allow what AgentCore does with the harness's execution role (advice: AccessCheck). */
  async checkAccess(obj: AgentResource, resolved: AgentCoreResolved): Promise<AccessVerdict | undefined> {
    if (!this.#roleDocuments) return undefined;
    const namespace = obj.metadata.namespace ?? 'default';
    const objectName = namedIAMRole(obj.spec)?.name ?? (generatesRole(obj.spec) ? harnessRoleObjectName(obj.metadata.name) : undefined);
    const role = objectName ? this.#lookups.iamRole(namespace, objectName) : undefined;
    const documents = await this.#roleDocuments.forRole(role, resolved.harness.executionRoleArn, this.#tenancy.permissionsBoundary);
    const { partition, region } = this.#aws;
    const known = obj.status?.agentCore;
    return accessVerdict(harnessCalls(obj.spec, documents, { partition, region, account: await this.#aws.account() },
      { harnessArn: known?.harnessArn, gatewayArn: resolved.targets.length > 0 ? known?.gatewayArn : undefined }));
  }

  async observe(obj: AgentResource, desired: AgentCoreResolved): Promise<Observation<AgentStatus, AgentCorePlan>> {
    const gateway = await this.#findGateway(obj, desired.gatewayName);
    const gatewayTags = gateway ? await this.#tagsOf(gateway.gatewayArn!) : undefined;
    const gatewayBlocked = gateway && this.#ownership.conflict(obj, `AgentCore gateway ${gateway.name} (${gateway.gatewayId})`, gatewayTags!, 'spec.agentName');
    if (gatewayBlocked) return { exists: true, status: {}, blocked: gatewayBlocked };
    const harness = await this.#findHarness(obj, desired.harnessName);
    const status = statusOf(obj, harness, gateway, desired);
    if (!harness) return { exists: false, status: { agentCore: status } };
    const harnessTags = await this.#tagsOf(harness.arn!);
    const blocked: Blocked | undefined = this.#ownership.conflict(obj, `AgentCore harness ${harness.harnessName} (${harness.harnessId})`, harnessTags, 'spec.agentName');
    if (blocked) return { exists: true, status: {}, blocked };
    failedOrNot(harness.status, 'HarnessFailed', `the harness ${harness.harnessId}`, harness.failureReason);

    const diff: string[] = [];
    const needsGateway = desired.targets.length > 0;
    if (needsGateway && !gateway) diff.push('gateway');
    const gatewayFieldsDiffer = needsGateway && gateway !== undefined && !gatewayMatches(gateway, desired);
    if (gatewayFieldsDiffer) diff.push('gateway');
    if (gateway) failedOrNot(gateway.status, 'GatewayFailed', `the gateway ${gateway.gatewayId}`, gateway.statusReasons?.join('; '));
    const targets = gateway ? await this.#targetChanges(gateway.gatewayId!, needsGateway ? desired.targets : []) : { create: desired.targets, update: [], remove: [] };
    for (const t of [...targets.create, ...targets.update.map((u) => u.desired)]) diff.push(`gateway target ${t.name}`);
    for (const t of targets.remove) diff.push(`gateway target ${t.name}`);
    const retireGateway = !needsGateway && gateway !== undefined;
    if (retireGateway) diff.push('gateway (no longer used)');

    const hDiff = harnessDiff(desired.harness, needsGateway ? gateway?.gatewayArn : undefined, harness as unknown as Record<string, unknown>);
    diff.push(...hDiff);
    if (BUSY.has(harness.status ?? '')) diff.push(`harness ${harness.status!.toLowerCase()}`);
    const tags = {
      harness: this.#ownership.tagChanges(obj, obj.spec.tags, harnessTags, obj.status?.agentCore?.managedTagKeys),
      gateway: gateway && needsGateway ? this.#ownership.tagChanges(obj, obj.spec.tags, gatewayTags!, obj.status?.agentCore?.managedTagKeys) : undefined,
    };
    if (tags.harness.any || tags.gateway?.any) diff.push('tags');
    const { endpoints, inAws } = await this.#endpointChanges(harness, desired.endpoints);
    for (const e of [...endpoints.create, ...endpoints.update]) diff.push(`endpoint ${e.name}`);
    for (const name of endpoints.remove) diff.push(`endpoint ${name}`);
    for (const e of inAws) if (BUSY.has(e.status ?? '') && desired.endpoints.some((d) => d.name === e.endpointName)) diff.push(`endpoint ${e.endpointName} ${e.status!.toLowerCase()}`);

    return {
      exists: true,
      status: {
        agentCore: {
          ...status,
          managedTagKeys: managedTagKeys(obj.spec.tags),
          endpoints: desired.endpoints.flatMap((d) => {
            const e = inAws.find((x) => x.endpointName === d.name);
            return e ? [{ name: d.name, alias: d.alias, arn: e.arn, status: e.status, liveVersion: e.liveVersion, targetVersion: e.targetVersion }] : [];
          }),
        },
      },
      diff: [...new Set(diff)],
      plan: { harness, gateway, gatewayFieldsDiffer, targets, harnessDiff: hDiff, tags, endpoints, retireGateway },
    };
  }

  /** The gateway first (the harness names it), then the harness; targets and endpoints follow on the next passes. */
  async create(obj: AgentResource, desired: AgentCoreResolved): Promise<void> {
    let gatewayArn: string | undefined;
    if (desired.targets.length > 0) {
      const gateway = await this.#findGateway(obj, desired.gatewayName);
      if (!gateway) {
        await this.#createGateway(obj, desired);
        throw new WaitingError('GatewayBusy', `creating the gateway ${desired.gatewayName}; the harness is created once it is ready`, 'settling');
      }
      if (gateway.status !== 'READY') throw new WaitingError('GatewayBusy', `the gateway ${gateway.gatewayId} is ${gateway.status}; the harness is created once it is READY`, 'settling');
      gatewayArn = gateway.gatewayArn;
    }
    const request: CreateHarnessRequest = {
      harnessName: desired.harnessName,
      ...harnessFields(desired.harness, gatewayArn),
      // The ownership tags go with the create call, so a harness never exists without them.
      tags: desired.tags,
    } as CreateHarnessRequest;
    const created = await this.#call(this.#agentcore.send(new CreateHarnessCommand(request)), 'creating the harness');
    this.#memory.harnessIds.set(obj.metadata.uid ?? '', created.harness!.harnessId!);
  }

  async update(obj: AgentResource, desired: AgentCoreResolved, plan: AgentCorePlan): Promise<UpdateResult> {
    let wrote = false;
    for (const step of [this.#gateway, this.#targets, this.#harness, this.#tags, this.#endpoints, this.#retireGateway]) {
      const result = await step.call(this, obj, desired, plan);
      if (result !== 'unchanged') wrote = true;
      if (result === 'wrote-then-wait') break;
    }
    return { wrote };
  }

  async #gateway(obj: AgentResource, desired: AgentCoreResolved, plan: AgentCorePlan): Promise<StepResult> {
    if (desired.targets.length === 0) return 'unchanged';
    if (!plan.gateway) {
      await this.#createGateway(obj, desired);
      return 'wrote-then-wait';
    }
    if (BUSY.has(plan.gateway.status ?? '')) throw new WaitingError('GatewayBusy', `the gateway ${plan.gateway.gatewayId} is ${plan.gateway.status}`, 'settling');
    if (!plan.gatewayFieldsDiffer) return 'unchanged';
    await this.#call(this.#agentcore.send(new UpdateGatewayCommand({ gatewayIdentifier: plan.gateway.gatewayId, ...gatewayFields(desired) } as never)), 'updating the gateway');
    return 'wrote-then-wait';
  }

  async #targets(_obj: AgentResource, _desired: AgentCoreResolved, { gateway, targets }: AgentCorePlan): Promise<StepResult> {
    if (!gateway) return 'unchanged';
    const gatewayIdentifier = gateway.gatewayId;
    const credentials = [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }];
    const calls = [
      ...targets.remove.map((t) => ({ change: `deleting gateway target ${t.name}`, send: () => this.#agentcore.send(new DeleteGatewayTargetCommand({ gatewayIdentifier, targetId: t.id })) })),
      ...targets.create.map((t) => ({ change: `creating gateway target ${t.name}`, send: () => this.#agentcore.send(new CreateGatewayTargetCommand({
        gatewayIdentifier, name: t.name, description: t.description, targetConfiguration: targetConfiguration(t), credentialProviderConfigurations: credentials,
      } as never)) })),
      ...targets.update.map(({ id, desired: t }) => ({ change: `updating gateway target ${t.name}`, send: () => this.#agentcore.send(new UpdateGatewayTargetCommand({
        gatewayIdentifier, targetId: id, name: t.name, description: t.description, targetConfiguration: targetConfiguration(t), credentialProviderConfigurations: credentials,
      } as never)) })),
    ];
    for (const { change, send } of calls) await this.#call(ignoreNotFound(send()), change);
    return calls.length > 0 ? 'wrote' : 'unchanged';
  }

  async #harness(_obj: AgentResource, desired: AgentCoreResolved, { harness, harnessDiff: diff, gateway, retireGateway }: AgentCorePlan): Promise<StepResult> {
    if (BUSY.has(harness.status ?? '')) throw new WaitingError('HarnessBusy', `the harness ${harness.harnessId} is ${harness.status}; the next change follows once it is READY`, 'settling');
    if (diff.length === 0) return 'unchanged';
    const fields = harnessFields(desired.harness, retireGateway ? undefined : gateway?.gatewayArn);
    await this.#call(this.#agentcore.send(new UpdateHarnessCommand({
      harnessId: harness.harnessId,
      ...fields,
      memory: { optionalValue: fields.memory },
      // What the spec no longer sets goes back to AgentCore's default.
      ...(fields.environment ? {} : { environment: { agentCoreRuntimeEnvironment: { lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 } } } }),
    } as never)), 'updating the harness');
    return 'wrote-then-wait';
  }

  async #tags(_obj: AgentResource, _desired: AgentCoreResolved, { harness, gateway, tags }: AgentCorePlan): Promise<StepResult> {
    let wrote = false;
    for (const [arn, changes] of [[harness.arn!, tags.harness], [gateway?.gatewayArn, tags.gateway]] as const) {
      if (!arn || !changes) continue;
      if (Object.keys(changes.set).length > 0) await this.#call(this.#agentcore.send(new TagResourceCommand({ resourceArn: arn, tags: changes.set })), 'tagging');
      if (changes.remove.length > 0) await this.#call(this.#agentcore.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: changes.remove })), 'untagging');
      wrote ||= changes.any;
    }
    return wrote ? 'wrote' : 'unchanged';
  }

  async #endpoints(_obj: AgentResource, _desired: AgentCoreResolved, { harness, endpoints }: AgentCorePlan): Promise<StepResult> {
    const harnessId = harness.harnessId;
    for (const endpointName of endpoints.remove) {
      await this.#call(ignoreNotFound(this.#agentcore.send(new DeleteHarnessEndpointCommand({ harnessId, endpointName }))), `deleting endpoint ${endpointName}`);
    }
    for (const e of endpoints.create) {
      await this.#call(this.#agentcore.send(new CreateHarnessEndpointCommand({ harnessId, endpointName: e.name, targetVersion: e.version, description: e.description, tags: e.tags })), `creating endpoint ${e.name}`);
    }
    for (const e of endpoints.update) {
      await this.#call(this.#agentcore.send(new UpdateHarnessEndpointCommand({ harnessId, endpointName: e.name, targetVersion: e.version, description: e.description })), `updating endpoint ${e.name}`);
    }
    return endpoints.remove.length + endpoints.create.length + endpoints.update.length > 0 ? 'wrote' : 'unchanged';
  }

  /** The gateway no target needs: its targets, then itself, once the harness no longer names it. */
  async #retireGateway(_obj: AgentResource, _desired: AgentCoreResolved, plan: AgentCorePlan): Promise<StepResult> {
    if (!plan.retireGateway || !plan.gateway || plan.harnessDiff.length > 0) return 'unchanged';
    return (await this.#deleteGateway(plan.gateway.gatewayId!)).wrote ? 'wrote' : 'unchanged';
  }

  /** Deletes the harness (with its endpoints and managed memory), then the gateway's targets and the gateway. */
  async delete(obj: AgentResource): Promise<DeleteResult> {
    const agentName = agentNameOf(obj);
    let wrote = false;
    let remaining = false;
    const harness = await this.#findHarness(obj, harnessNameOf(agentName));
    // A resource that vanishes between two reads is deleted: that is what this pass wants.
    const harnessTags = harness && await this.#tagsIfThere(harness.arn!);
    if (harness && harnessTags && !this.#ownership.conflict(obj, `AgentCore harness ${harness.harnessId}`, harnessTags, 'spec.agentName')) {
      remaining = true;
      if (harness.status !== 'DELETING') {
        await this.#call(ignoreNotFound(this.#agentcore.send(new DeleteHarnessCommand({ harnessId: harness.harnessId }))), 'deleting the harness');
        wrote = true;
      }
    }
    const gateway = await this.#findGateway(obj, gatewayNameOf(agentName));
    const gatewayTags = gateway && await this.#tagsIfThere(gateway.gatewayArn!);
    if (gateway && gatewayTags && !this.#ownership.conflict(obj, `AgentCore gateway ${gateway.gatewayId}`, gatewayTags, 'spec.agentName')) {
      // AgentCore refuses to delete a gateway that a harness still names: the harness goes first.
      if (!remaining) {
        const result = await this.#deleteGateway(gateway.gatewayId!);
        wrote ||= result.wrote;
      }
      remaining = true;
    }
    return { wrote, remaining };
  }

  /** Releases the generated roles; with retain, the gateway's role keeps its statements in the Lambdas' policies. */
  async finalize(obj: AgentResource, policy: DeletionPolicy): Promise<void> {
    this.#memory.forget(obj.metadata.uid ?? '');
    if (generatesRole(obj.spec)) await this.#roles.release(obj, harnessRoleObjectName(obj.metadata.name), policy);
    await this.#roles.release(obj, gatewayRoleObjectName(obj.metadata.name), policy);
    const gatewayRoleArn = obj.status?.agentCore?.gatewayRoleArn;
    if (policy !== 'retain' || !gatewayRoleArn) return;
    const namespace = obj.metadata.namespace ?? 'default';
    for (const group of obj.spec.actionGroups ?? []) {
      const lambda = group.actionGroupExecutor?.lambda ? this.#lookups.lambda(namespace, referenceName(group.actionGroupExecutor.lambda)) : undefined;
      const annotations = lambda && retainAgentOn(lambda, gatewayRoleArn);
      if (annotations) await this.#lookups.annotateLambda(namespace, lambda.metadata.name, annotations);
    }
  }

  async #deleteGateway(gatewayIdentifier: string): Promise<{ wrote: boolean }> {
    const targets = await this.#listTargets(gatewayIdentifier);
    for (const t of targets.filter((x) => x.status !== 'DELETING')) {
      await this.#call(ignoreNotFound(this.#agentcore.send(new DeleteGatewayTargetCommand({ gatewayIdentifier, targetId: t.targetId }))), `deleting gateway target ${t.name}`);
    }
    if (targets.length > 0) return { wrote: targets.some((x) => x.status !== 'DELETING') };
    const gateway = await this.#getGateway(gatewayIdentifier);
    if (!gateway || gateway.status === 'DELETING') return { wrote: false };
    await this.#call(ignoreNotFound(this.#agentcore.send(new DeleteGatewayCommand({ gatewayIdentifier }))), 'deleting the gateway');
    return { wrote: true };
  }

  async #createGateway(obj: AgentResource, desired: AgentCoreResolved): Promise<void> {
    const created = await this.#call(this.#agentcore.send(new CreateGatewayCommand({ ...gatewayFields(desired), tags: desired.tags } as never)), 'creating the gateway');
    this.#memory.gatewayIds.set(obj.metadata.uid ?? '', created.gatewayId!);
  }

  async #findHarness(obj: AgentResource, name: string): Promise<Harness | undefined> {
    for (const id of new Set([this.#memory.harnessIds.get(obj.metadata.uid ?? ''), obj.status?.agentCore?.harnessId])) {
      if (!id) continue;
      const harness = await this.#call(ignoreNotFound(this.#agentcore.send(new GetHarnessCommand({ harnessId: id }))));
      if (harness?.harness) return harness.harness;
    }
    const summaries = await allPages((nextToken) => this.#call(this.#agentcore.send(new ListHarnessesCommand({ nextToken })))
      .then((page) => ({ items: page.harnesses ?? [], next: page.nextToken })));
    const match = summaries.find((h) => h.harnessName === name);
    if (!match) return undefined;
    return (await this.#call(ignoreNotFound(this.#agentcore.send(new GetHarnessCommand({ harnessId: match.harnessId })))))?.harness;
  }

  async #findGateway(obj: AgentResource, name: string): Promise<Gateway | undefined> {
    for (const id of new Set([this.#memory.gatewayIds.get(obj.metadata.uid ?? ''), obj.status?.agentCore?.gatewayId])) {
      if (!id) continue;
      const gateway = await this.#getGateway(id);
      if (gateway) return gateway;
    }
    const summaries = await allPages((nextToken) => this.#call(this.#agentcore.send(new ListGatewaysCommand({ nextToken })))
      .then((page) => ({ items: page.items ?? [], next: page.nextToken })));
    const match = summaries.find((g) => g.name === name);
    return match ? this.#getGateway(match.gatewayId!) : undefined;
  }

  #getGateway(gatewayIdentifier: string): Promise<Gateway | undefined> {
    return this.#call(ignoreNotFound(this.#agentcore.send(new GetGatewayCommand({ gatewayIdentifier }))));
  }

  #listTargets(gatewayIdentifier: string): Promise<TargetSummary[]> {
    return allPages((nextToken) => this.#call(ignoreNotFound(this.#agentcore.send(new ListGatewayTargetsCommand({ gatewayIdentifier, nextToken }))))
      .then((page) => ({ items: page?.items ?? [], next: page?.nextToken })));
  }

  async #tagsOf(resourceArn: string): Promise<Record<string, string>> {
    return (await this.#call(this.#agentcore.send(new ListTagsForResourceCommand({ resourceArn })))).tags ?? {};
  }

  /** The tags, or undefined when the resource is gone. */
  async #tagsIfThere(resourceArn: string): Promise<Record<string, string> | undefined> {
    const found = await this.#call(ignoreNotFound(this.#agentcore.send(new ListTagsForResourceCommand({ resourceArn }))));
    return found && (found.tags ?? {});
  }

  async #targetChanges(gatewayIdentifier: string, desired: DesiredTarget[]): Promise<AgentCorePlan['targets']> {
    const summaries = (await this.#listTargets(gatewayIdentifier)).filter((t) => t.status !== 'DELETING');
    const byName = new Map(summaries.map((s) => [s.name!, s]));
    const changes: AgentCorePlan['targets'] = { create: [], update: [], remove: [] };
    for (const t of desired) {
      const summary = byName.get(t.name);
      if (!summary) {
        changes.create.push(t);
        continue;
      }
      if (BUSY.has(summary.status ?? '')) throw new WaitingError('GatewayBusy', `gateway target ${t.name} is ${summary.status}`, 'settling');
      const actual = await this.#call(ignoreNotFound(this.#agentcore.send(new GetGatewayTargetCommand({ gatewayIdentifier, targetId: summary.targetId }))));
      if (!actual) {
        changes.create.push(t);
        continue;
      }
      const failed = actual.status === 'FAILED' || actual.status === 'UPDATE_UNSUCCESSFUL';
      if (!targetMatches(t, actual)) changes.update.push({ id: summary.targetId!, desired: t });
      else if (failed) throw new TerminalError('GatewayTargetFailed', `gateway target ${t.name} is ${actual.status}: ${(actual.statusReasons ?? []).join('; ') || 'no reason given'}`);
    }
    changes.remove = summaries.filter((s) => !desired.some((t) => t.name === s.name)).map((s) => ({ id: s.targetId!, name: s.name! }));
    return changes;
  }

  /** Endpoints to create, move and remove: each must serve the version its alias routes to. */
  async #endpointChanges(harness: Harness, desired: DesiredEndpoint[]): Promise<{ endpoints: AgentCorePlan['endpoints']; inAws: HarnessEndpoint[] }> {
    const inAws = (await allPages((nextToken) => this.#call(this.#agentcore.send(new ListHarnessEndpointsCommand({ harnessId: harness.harnessId, nextToken })))
      .then((page) => ({ items: page.endpoints ?? [], next: page.nextToken })))).filter((e) => e.endpointName !== DEFAULT_ENDPOINT);
    const changes: AgentCorePlan['endpoints'] = { create: [], update: [], remove: [] };
    // A version the harness is still making is not one to route to.
    const current = harness.status === 'READY' ? harness.harnessVersion : undefined;
    for (const d of desired) {
      const version = d.version ?? current;
      if (!version) continue;
      const e = inAws.find((x) => x.endpointName === d.name);
      if (!e) {
        changes.create.push({ ...d, version });
        continue;
      }
      if (BUSY.has(e.status ?? '')) continue;
      if (e.status === 'CREATE_FAILED') throw new TerminalError('EndpointFailed', `endpoint ${e.endpointName} could not be created: ${e.failureReason ?? 'no reason given'}; delete it in AWS or rename the alias`);
      if (e.targetVersion !== version || e.liveVersion !== version || (e.description ?? '') !== (d.description ?? '') || e.status === 'UPDATE_FAILED') {
        changes.update.push({ ...d, version });
      }
    }
    changes.remove = inAws.filter((e) => !desired.some((d) => d.name === e.endpointName) && e.status !== 'DELETING').map((e) => e.endpointName!);
    return { endpoints: changes, inAws };
  }

  async #executionRoleArn(obj: AgentResource, harnessName: string, usesGateway: boolean, account: string): Promise<string> {
    const spec = obj.spec;
    const namespace = obj.metadata.namespace ?? 'default';
    const named = namedRoleArn(obj, this.#tenancy, account, this.#lookups);
    if (named) return named;
    const known = obj.status?.agentCore;
    const scope = { partition: this.#aws.partition, region: this.#aws.region, account };
    const name = harnessRoleObjectName(obj.metadata.name);
    const generated = await this.#roles.ensure(obj, name, harnessRoleSpec(agentNameOf(obj), spec, scope, {
      harnessName, harnessArn: known?.harnessArn, runtimeArn: known?.runtimeArn, gatewayArn: known?.gatewayArn, usesGateway,
      // The harness has managed memory exactly when the spec asks for it (desired-agentcore.ts).
      managedMemory: spec.memoryConfiguration !== undefined, memoryArn: known?.memoryArn,
    }));
    return readyRoleArn(generated, namespace, name, 'the generated harness execution role');
  }

  #call<T>(call: Promise<T>, change?: string): Promise<T> {
    return classified(call, (error) => classifyAgentCoreError(error, change));
  }
}

/** The harness request fields the operator sets. */
function harnessFields(desired: DesiredHarness, gatewayArn: string | undefined) {
  return {
    executionRoleArn: desired.executionRoleArn,
    model: desired.model,
    systemPrompt: desired.systemPrompt,
    tools: harnessTools(desired, gatewayArn),
    memory: desired.memory,
    ...(desired.environment ? { environment: desired.environment } : {}),
  };
}

/** The gateway request fields (UpdateGateway replaces all of them). */
function gatewayFields(desired: AgentCoreResolved) {
  return {
    name: desired.gatewayName,
    roleArn: desired.gatewayRoleArn,
    protocolType: 'MCP',
    // Callers sign with SigV4: the harness's execution role, which may InvokeGateway on this gateway alone.
    authorizerType: 'AWS_IAM',
    ...(desired.gatewayDescription ? { description: desired.gatewayDescription.slice(0, 200) } : {}),
    ...(desired.kmsKeyArn ? { kmsKeyArn: desired.kmsKeyArn } : {}),
  };
}

function gatewayMatches(gateway: Gateway, desired: AgentCoreResolved): boolean {
  const want = gatewayFields(desired);
  return gateway.roleArn === want.roleArn && gateway.authorizerType === want.authorizerType && (gateway.description ?? '') === (want.description ?? '')
    && (gateway.kmsKeyArn ?? '') === (want.kmsKeyArn ?? '');
}

/** A resource AgentCore could not make or change: terminal, with AWS's reason. */
function failedOrNot(status: string | undefined, reason: 'HarnessFailed' | 'GatewayFailed', what: string, why: string | undefined): void {
  if (status === 'CREATE_FAILED' || status === 'FAILED' || status === 'DELETE_FAILED') {
    throw new TerminalError(reason, `${what} is ${status}: ${why ?? 'no reason given'}; fix the spec, or delete it in AWS to have it created again`);
  }
}

function statusOf(obj: AgentResource, harness: Harness | undefined, gateway: Gateway | undefined, desired: AgentCoreResolved): AgentCoreStatus {
  const runtime = (harness?.environment as { agentCoreRuntimeEnvironment?: { agentRuntimeArn?: string } } | undefined)?.agentCoreRuntimeEnvironment?.agentRuntimeArn;
  const memoryArn = (harness?.memory as { managedMemoryConfiguration?: { arn?: string } } | undefined)?.managedMemoryConfiguration?.arn;
  return {
    harnessId: harness?.harnessId, harnessArn: harness?.arn, harnessStatus: harness?.status, harnessVersion: harness?.harnessVersion, runtimeArn: runtime,
    memoryArn,
    gatewayId: gateway?.gatewayId, gatewayArn: gateway?.gatewayArn, gatewayUrl: gateway?.gatewayUrl,
    executionRoleArn: harness?.executionRoleArn ?? desired.harness.executionRoleArn,
    gatewayRoleArn: gateway?.roleArn ?? desired.gatewayRoleArn,
    managedTagKeys: obj.status?.agentCore?.managedTagKeys,
    endpoints: obj.status?.agentCore?.endpoints,
  };
}
