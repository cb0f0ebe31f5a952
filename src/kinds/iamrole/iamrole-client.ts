// The IAMRole kind's external client: observes a role with its policies and tags, compares each
// aspect semantically, and calls only the IAM operations for the aspects that differ.
import {
  AttachRolePolicyCommand, CreateRoleCommand, DeleteRoleCommand, DeleteRolePermissionsBoundaryCommand, DeleteRolePolicyCommand,
  DetachRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand, RemoveRoleFromInstanceProfileCommand,
  TagRoleCommand, UntagRoleCommand, UpdateAssumeRolePolicyCommand, UpdateRoleCommand, type IAMClient, type Role, type Tag,
} from '@aws-sdk/client-iam';
import { GRANTS_POLICY_NAME, type IAMRoleSpec, type IAMRoleStatus } from '../../api/iamrole.ts';
import type { IAMRoleResource } from '../../api/kinds.ts';
import type { PermissionsPolicy, TrustPolicy } from '../../api/policy-document.ts';
import { AwsEnvironment, type AwsScope } from '../../aws/aws-environment.ts';
import { allPages, classified, ignoreNotFound } from '../../aws/aws-errors.ts';
import { classifyIamError } from '../../aws/iam/iam-errors.ts';
import { iamPolicyText, policiesEqual } from '../../aws/iam/policy-json.ts';
import type { InlinePolicy, RoleSnapshot, RoleView } from '../../aws/iam/role-snapshot.ts';
import { ownershipTags } from '../../aws/ownership.ts';
import { TerminalError } from '../../runtime/errors.ts';
import { readyForGeneration } from '../../runtime/reconciler.ts';
import type { DeleteResult, ExternalClient, Observation, PassContext, UpdateResult } from '../../runtime/external-client.ts';
import { analysePolicies, type AnalysedPolicy, type Finding } from '../../iam/findings.ts';
import { roleProblems } from '../../iam/iam-rules.ts';
import { PlatformRules } from '../platform-rules.ts';
import { managedTagKeys, type OwnershipGuard } from '../ownership-guard.ts';
import type { TenancyPolicy } from '../tenancy-policy.ts';
import { grantStatements, knownGrantStatements, type GrantLookups } from './grants.ts';
import { serviceAccountStatus, serviceAccountTrustStatement, type WorkloadIdentitySettings } from './service-account-trust.ts';

/**
 * What the spec resolves to: the role's name, the boundary it gets (the enforced one, if any), and
 * the documents IAM gets: the trust policy with the ServiceAccount's statement merged in, and the
 * inline policies with the one spec.grants expand to.
 */
export interface RoleResolved {
  roleName: string;
  boundary: string | undefined;
  trust: TrustPolicy;
  inline: { name: string; policy: PermissionsPolicy }[];
}

/** What spec.grants and spec.serviceAccount are resolved with: the objects grants name, the cluster, and the account. */
export interface WorkloadAccess {
  lookups: GrantLookups;
  settings: WorkloadIdentitySettings;
  aws: Pick<AwsEnvironment, 'region' | 'partition' | 'account'>;
}

const NO_WORKLOADS: WorkloadAccess = { lookups: { agent: () => undefined, flow: () => undefined }, settings: {}, aws: new AwsEnvironment() };

type Aspect = 'trust policy' | 'description' | 'max session duration' | 'permissions boundary' | `inline policy ${string}` | `managed policy ${string}` | 'tags';

/** The IAM calls that bring the role to the spec. */
export interface RolePlan {
  differs: Set<Aspect>;
  inlineExtra: string[];
  inlineChanged: string[];
  attachedExtra: string[];
  attachedMissing: string[];
  tags: { set: Record<string, string>; remove: string[] };
  /** The role as observed, which an update's acknowledged view starts from. */
  observed: RoleView;
}

const DEFAULT_MAX_SESSION = 3600;

/** How long the role a create was answered with stands in for reading it back (one pass). */
const ACKNOWLEDGED_FOR_MS = 30_000;

/**
 * A role's documents for the analysis, with their places in the spec; `generated`: the trust
 * statement spec.serviceAccount and the statements spec.grants expand to, as far as known.
 */
export function roleDocuments(spec: IAMRoleSpec, generated: { trust?: TrustPolicy; grants?: PermissionsPolicy } = {}): AnalysedPolicy[] {
  return [
    ...(spec.assumeRolePolicy ? [{ kind: 'trust' as const, path: 'spec.assumeRolePolicy', document: spec.assumeRolePolicy }] : []),
    ...(generated.trust ? [{ kind: 'trust' as const, path: 'spec.serviceAccount', document: generated.trust }] : []),
    ...(spec.inlinePolicies ?? []).map((p, i): AnalysedPolicy => ({ kind: 'identity', path: `spec.inlinePolicies[${i}].policy`, document: p.policy })),
    ...(generated.grants ? [{ kind: 'identity' as const, path: 'spec.grants', document: generated.grants }] : []),
  ];
}

const policyOf = <S>(statement: S[]) => ({ version: '2012-10-17' as const, statement });

export function roleNameOf(obj: IAMRoleResource): string {
  return obj.spec.roleName ?? obj.metadata.name;
}

export class IAMRoleExternalClient implements ExternalClient<IAMRoleSpec, IAMRoleStatus, RoleResolved, RolePlan> {
  readonly #iam: IAMClient;
  readonly #ownership: OwnershipGuard;
  readonly #tenancy: TenancyPolicy;

  readonly #platform: PlatformRules;
  readonly #snapshot: RoleSnapshot | undefined;
  /**
   * Roles as the calls that created or updated them were answered, until the pass's observe right
   * after the write takes them. IAM is eventually consistent: a read right after CreateRole may not find
   * the role or its new policy yet, and four reads per role cost more than the create did (at
   * 1,000 roles applied at once, the reads were most of the calls). The next pass reads AWS.
   */
  readonly #acknowledged = new Map<string, { view: RoleView; at: number }>();
  readonly #workload: WorkloadAccess;
  /** The account, once a pass asked STS (the analysis before resolve cannot wait for it). */
  #account: string | undefined;

  constructor(iam: IAMClient, ownership: OwnershipGuard, tenancy: TenancyPolicy, platform = new PlatformRules(), snapshot?: RoleSnapshot, workload = NO_WORKLOADS) {
    this.#workload = workload;
    this.#snapshot = snapshot;
    this.#iam = iam;
    this.#ownership = ownership;
    this.#tenancy = tenancy;
    this.#platform = platform;
  }

  /** Refuses, before any AWS call, what IAM would refuse (grammar, trust actions, quotas) and what the platform forbids. */
  async resolve(obj: IAMRoleResource): Promise<RoleResolved> {
    const spec = obj.spec;
    this.#platform.requireTags(obj, spec.tags);
    const byName = (spec.policies ?? []).findIndex((p) => p.policyName !== undefined);
    if (byName >= 0) {
      throw new TerminalError('UnsupportedPolicyReference', `spec.policies[${byName}].policyName names a Bedrock Forge policy resource, which this operator does not manage: remove policyName (the entry's policyArn is what gets attached)`);
    }
    const namespace = obj.metadata.namespace ?? 'default';
    const boundary = this.#tenancy.boundaryFor(spec.permissionsBoundary);
    const trust = {
      // The spec's version stays (a 2008-10-17 trust policy is not rewritten as 2012-10-17).
      ...policyOf([
        ...(spec.assumeRolePolicy?.statement ?? []),
        ...(spec.serviceAccount ? [serviceAccountTrustStatement(spec.serviceAccount, namespace, this.#workload.settings)] : []),
      ]),
      ...(spec.assumeRolePolicy?.version ? { version: spec.assumeRolePolicy.version } : {}),
    };
    const grants = spec.grants?.length ? grantStatements(spec.grants, namespace, this.#workload.lookups, await this.#scope()) : [];
    const inline = [...(spec.inlinePolicies ?? []), ...(grants.length > 0 ? [{ name: GRANTS_POLICY_NAME, policy: policyOf(grants) }] : [])];
    // The generated documents count against the same grammar and quotas as the spec's own.
    const problems = roleProblems({ trust, inline, managedPolicyCount: (spec.policies ?? []).length }, this.#platform.iamQuotas);
    if (problems.length > 0) {
      throw new TerminalError(problems[0]!.reason, problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    }
    return { roleName: roleNameOf(obj), boundary, trust, inline };
  }

  /**
   * The findings of the trust policy and the inline policies (managed ones are AWS's or the
   * account's own), with the statements the operator generates from spec.serviceAccount and
   * spec.grants as far as they can be known before resolve (a grant on an Agent that is not Ready
   * yet is analysed once it is).
   */
  findings(obj: IAMRoleResource): Finding[] {
    const spec = obj.spec;
    const namespace = obj.metadata.namespace ?? 'default';
    let trust: TrustPolicy | undefined;
    try {
      if (spec.serviceAccount) trust = policyOf([serviceAccountTrustStatement(spec.serviceAccount, namespace, this.#workload.settings)]);
    } catch {
      // A missing flag: resolve says so.
    }
    const { region, partition } = this.#workload.aws;
    const grants = spec.grants?.length ? knownGrantStatements(spec.grants, namespace, this.#workload.lookups, { region, partition, account: this.#account ?? '*' }) : [];
    return analysePolicies(roleDocuments(spec, { trust, grants: grants.length > 0 ? policyOf(grants) : undefined }));
  }

  async #scope(): Promise<AwsScope> {
    this.#account ??= await this.#workload.aws.account();
    return { region: this.#workload.aws.region, partition: this.#workload.aws.partition, account: this.#account };
  }

  async observe(obj: IAMRoleResource, { roleName, boundary, trust, inline }: RoleResolved, ctx?: PassContext): Promise<Observation<IAMRoleStatus, RolePlan>> {
    const spec = obj.spec;
    // A drift check (the object Ready for its spec, its role found before) may read the account's
    // listing; a change reads the role itself, so that it never waits for a load of every role.
    const driftCheck = ctx?.driftCheck ?? (obj.status?.roleId !== undefined && readyForGeneration(obj));
    const role = this.#takeAcknowledged(roleName) ?? await this.#read(roleName, driftCheck);
    if (!role) return { exists: false, status: { roleName } };

    const blocked = this.#ownership.conflict(obj, `IAM role ${roleName}`, tagMapOf(role.tags), 'spec.roleName');
    if (blocked) return { exists: true, status: { roleName }, blocked };
    if (role.path !== (spec.path ?? '/')) {
      throw new TerminalError('PathImmutable', `the role's path is ${role.path} in AWS; IAM cannot change a role's path: set spec.path to ${role.path}, or delete the role to have it created again`);
    }

    const differs = new Set<Aspect>();
    if (!policiesEqual(trust, role.trustPolicy)) differs.add('trust policy');
    if ((role.description ?? '') !== (spec.description ?? '')) differs.add('description');
    if ((role.maxSessionDuration ?? DEFAULT_MAX_SESSION) !== (spec.maxSessionDuration ?? DEFAULT_MAX_SESSION)) differs.add('max session duration');
    if ((role.permissionsBoundary ?? '') !== (boundary ?? '')) differs.add('permissions boundary');

    const desiredInline = new Map(inline.map((p) => [p.name, p.policy]));
    const inlineExtra = role.inline.map((p) => p.name).filter((n) => !desiredInline.has(n));
    const inlineChanged: string[] = [];
    for (const [name, policy] of desiredInline) {
      const current = role.inline.find((p) => p.name === name)?.document;
      if (current === undefined || !policiesEqual(policy, current)) inlineChanged.push(name);
    }
    for (const name of [...inlineExtra, ...inlineChanged]) differs.add(`inline policy ${name}`);

    const attached = role.attached;
    const desiredAttached = (spec.policies ?? []).map((p) => p.policyArn);
    const attachedExtra = attached.filter((a) => !desiredAttached.includes(a));
    const attachedMissing = desiredAttached.filter((a) => !attached.includes(a));
    for (const arn of [...attachedExtra, ...attachedMissing]) differs.add(`managed policy ${arn}`);

    const tags = this.#ownership.tagChanges(obj, spec.tags, tagMapOf(role.tags), obj.status?.managedTagKeys);
    if (tags.any) differs.add('tags');

    return {
      exists: true,
      status: {
        arn: role.arn, roleId: role.roleId, roleName, managedTagKeys: managedTagKeys(spec.tags),
        serviceAccount: spec.serviceAccount && serviceAccountStatus(spec.serviceAccount, obj.metadata.namespace ?? 'default', this.#workload.settings, role.arn),
      },
      diff: [...differs],
      plan: { differs, inlineExtra, inlineChanged, attachedExtra, attachedMissing, tags, observed: role },
    };
  }

  async create(obj: IAMRoleResource, resolved: RoleResolved): Promise<void> {
    const spec = obj.spec;
    const { roleName: RoleName, boundary } = resolved;
    await this.#writing(RoleName, async () => {
      const AssumeRolePolicyDocument = iamPolicyText(resolved.trust);
      // The ownership tags go with the create call, so a role never exists without them.
      const Tags = [...Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })), ...ownershipTags(this.#ownership.owner(obj))];
      const created = await this.#call(this.#iam.send(new CreateRoleCommand({
        RoleName,
        Path: spec.path ?? '/',
        AssumeRolePolicyDocument,
        Description: spec.description,
        MaxSessionDuration: spec.maxSessionDuration,
        PermissionsBoundary: boundary,
        Tags,
      }))).catch((error: unknown) => {
        // IAM says "Scope ARN … does not exist": say which field names it.
        if (boundary && error instanceof TerminalError && error.reason === 'NoSuchEntity') {
          throw new TerminalError('NoSuchEntity', `${boundary === spec.permissionsBoundary ? 'spec.permissionsBoundary' : 'the operator\'s --permissions-boundary'}: ${error.message}`, { cause: error });
        }
        throw error;
      });
      for (const p of resolved.inline) {
        await this.#call(this.#iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: p.name, PolicyDocument: iamPolicyText(p.policy) })));
      }
      for (const p of spec.policies ?? []) {
        await this.#call(this.#iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: p.policyArn })));
      }
      // What the calls set, which IAM acknowledged, with the identifiers IAM gave the role.
      const role = created.Role;
      if (role?.Arn && role.RoleId) this.#acknowledge(RoleName, acknowledgedView(spec, resolved, { arn: role.Arn, roleId: role.RoleId }, Tags));
    });
  }

  async update(obj: IAMRoleResource, resolved: RoleResolved, plan: RolePlan): Promise<UpdateResult> {
    const spec = obj.spec;
    const { roleName: RoleName, boundary } = resolved;
    const calls: (() => Promise<unknown>)[] = [];
    if (plan.differs.has('trust policy')) calls.push(() => this.#iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: iamPolicyText(resolved.trust) })));
    if (plan.differs.has('description') || plan.differs.has('max session duration')) {
      // UpdateRole clears a description it is not sent, so both fields always go together.
      calls.push(() => this.#iam.send(new UpdateRoleCommand({ RoleName, Description: spec.description ?? '', MaxSessionDuration: spec.maxSessionDuration ?? DEFAULT_MAX_SESSION })));
    }
    if (plan.differs.has('permissions boundary')) {
      calls.push(boundary
        ? () => this.#iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: boundary }))
        : () => this.#iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName })));
    }
    const inline = new Map(resolved.inline.map((p) => [p.name, p.policy]));
    for (const name of plan.inlineChanged) calls.push(() => this.#iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: name, PolicyDocument: iamPolicyText(inline.get(name)!) })));
    for (const name of plan.inlineExtra) calls.push(() => this.#iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: name })));
    for (const arn of plan.attachedMissing) calls.push(() => this.#iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: arn })));
    for (const arn of plan.attachedExtra) calls.push(() => this.#iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: arn })));
    const Tags = Object.entries(plan.tags.set).map(([Key, Value]) => ({ Key, Value }));
    if (Tags.length > 0) calls.push(() => this.#iam.send(new TagRoleCommand({ RoleName, Tags })));
    if (plan.tags.remove.length > 0) calls.push(() => this.#iam.send(new UntagRoleCommand({ RoleName, TagKeys: plan.tags.remove })));
    if (calls.length === 0) return { wrote: false };
    await this.#writing(RoleName, async () => { for (const call of calls) await this.#call(call()); });
    // Every aspect that differed was written and the others were equal: the role is now as the
    // spec says, with the tags the calls left.
    const tags = [...plan.observed.tags.filter((t) => !plan.tags.remove.includes(t.Key!) && !(t.Key! in plan.tags.set)), ...Tags];
    this.#acknowledge(RoleName, acknowledgedView(spec, resolved, plan.observed, tags));
    return { wrote: true };
  }

  async delete(obj: IAMRoleResource): Promise<DeleteResult> {
    const RoleName = roleNameOf(obj);
    this.#acknowledged.delete(RoleName);
    const role = await this.#getRole(RoleName);
    if (!role || this.#ownership.conflict(obj, `IAM role ${RoleName}`, tagMap(role), 'spec.roleName')) return { wrote: false, remaining: false };
    // What disappears meanwhile (deleted by someone else) is fine: the role is going anyway.
    await this.#writing(RoleName, async () => {
      for (const arn of await this.#listAttached(RoleName)) await this.#call(ignoreNotFound(this.#iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: arn }))));
      for (const name of await this.#listInline(RoleName)) await this.#call(ignoreNotFound(this.#iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: name }))));
      const profiles = await this.#call(ignoreNotFound(this.#iam.send(new ListInstanceProfilesForRoleCommand({ RoleName }))));
      for (const p of profiles?.InstanceProfiles ?? []) {
        await this.#call(ignoreNotFound(this.#iam.send(new RemoveRoleFromInstanceProfileCommand({ RoleName, InstanceProfileName: p.InstanceProfileName }))));
      }
      await this.#call(ignoreNotFound(this.#iam.send(new DeleteRoleCommand({ RoleName }))));
    });
    return { wrote: true, remaining: false };
  }

  #acknowledge(roleName: string, view: RoleView): void {
    this.#acknowledged.set(roleName, { view, at: Date.now() });
  }

  /** The role as its create or update was answered, once and only just after it. */
  #takeAcknowledged(roleName: string): RoleView | undefined {
    const entry = this.#acknowledged.get(roleName);
    this.#acknowledged.delete(roleName);
    return entry && Date.now() - entry.at < ACKNOWLEDGED_FOR_MS ? entry.view : undefined;
  }

  /**
   * The role as the comparison needs it: from the account's snapshot for a drift check, when there
   * is one and it can tell; else, and for a role the snapshot does not have (it may be younger),
   * with the single-role calls. A new or changed object reads directly so that it does not wait
   * for a load of every role of the account (seconds at 10,000, longer than the listing's maximum
   * age when the emulator is busy: every change waited for a load of its own).
   */
  async #read(roleName: string, driftCheck: boolean): Promise<RoleView | undefined> {
    const fromSnapshot = this.#snapshot && driftCheck ? await this.#call(this.#snapshot.view(roleName)) : 'unknown';
    if (fromSnapshot !== 'unknown' && fromSnapshot !== 'absent') return fromSnapshot;
    const role = await this.#getRole(roleName);
    if (!role) return undefined;
    const names = await this.#listInline(roleName);
    const inline: InlinePolicy[] = [];
    for (const name of names) {
      const document = await this.#call(ignoreNotFound(this.#iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))));
      if (document?.PolicyDocument !== undefined) inline.push({ name, document: document.PolicyDocument });
    }
    return {
      arn: role.Arn!, roleId: role.RoleId!, path: role.Path ?? '/', description: role.Description, maxSessionDuration: role.MaxSessionDuration,
      permissionsBoundary: role.PermissionsBoundary?.PermissionsBoundaryArn, tags: role.Tags ?? [], trustPolicy: role.AssumeRolePolicyDocument ?? '{}',
      inline, attached: await this.#listAttached(roleName),
    };
  }

  #getRole(RoleName: string): Promise<Role | undefined> {
    return this.#call(ignoreNotFound(this.#iam.send(new GetRoleCommand({ RoleName })))).then((r) => r?.Role);
  }

  #listInline(RoleName: string): Promise<string[]> {
    return allPages((Marker) => this.#call(this.#iam.send(new ListRolePoliciesCommand({ RoleName, Marker })))
      .then((page) => ({ items: page.PolicyNames ?? [], next: page.IsTruncated ? page.Marker : undefined })));
  }

  #listAttached(RoleName: string): Promise<string[]> {
    return allPages((Marker) => this.#call(this.#iam.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker })))
      .then((page) => ({ items: (page.AttachedPolicies ?? []).map((p) => p.PolicyArn!), next: page.IsTruncated ? page.Marker : undefined })));
  }

  /** Writes to the role, which the account's snapshot then no longer answers for (account-snapshot.ts). */
  #writing(roleName: string, write: () => Promise<void>): Promise<void> {
    return this.#snapshot ? this.#snapshot.writing(roleName, write) : write();
  }

  /** An IAM call's result; refusals no retry fixes become terminal errors. */
  #call<T>(call: Promise<T>): Promise<T> {
    return classified(call, classifyIamError);
  }
}

/** The role as the spec says, once calls that IAM acknowledged made it so. */
function acknowledgedView(spec: IAMRoleSpec, resolved: RoleResolved, ids: { arn: string; roleId: string }, tags: Tag[]): RoleView {
  return {
    arn: ids.arn, roleId: ids.roleId, path: spec.path ?? '/', description: spec.description, maxSessionDuration: spec.maxSessionDuration,
    permissionsBoundary: resolved.boundary, tags, trustPolicy: iamPolicyText(resolved.trust),
    inline: resolved.inline.map((p) => ({ name: p.name, document: iamPolicyText(p.policy) })),
    attached: (spec.policies ?? []).map((p) => p.policyArn),
  };
}

function tagMap(role: Role): Record<string, string> {
  return tagMapOf(role.Tags ?? []);
}

function tagMapOf(tags: Tag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key!, t.Value ?? '']));
}
