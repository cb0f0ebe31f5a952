// The IAMRole kind's external client: observes a role with its policies and tags, compares each
// aspect semantically, and calls only the IAM operations for the aspects that differ.
import {
  AttachRolePolicyCommand, CreateRoleCommand, DeleteRoleCommand, DeleteRolePermissionsBoundaryCommand, DeleteRolePolicyCommand,
  DetachRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand, RemoveRoleFromInstanceProfileCommand,
  TagRoleCommand, UntagRoleCommand, UpdateAssumeRolePolicyCommand, UpdateRoleCommand, type IAMClient, type Role,
} from '@aws-sdk/client-iam';
import type { IAMRoleSpec, IAMRoleStatus } from '../../api/iamrole.ts';
import type { AnyResource } from '../../runtime/kube-writes.ts';
import type { ExternalClient, Observation } from '../../runtime/controller.ts';
import { TerminalError } from '../../runtime/errors.ts';
import { iamPolicyText, policiesEqual } from '../../aws/iam/policy-json.ts';
import { awsErrorName, classifyIamError } from '../../aws/iam/iam-errors.ts';
import { ownershipConflict, ownershipTagMap, ownershipTags, objectOwner, tagChanges, type Owner, type TagChanges } from '../../aws/ownership.ts';
import { TenancyPolicy } from '../tenancy-policy.ts';

interface RoleDetails {
  role: Role;
  diff: Set<Aspect>;
  inlineExtra: string[];
  inlineChanged: string[];
  attachedExtra: string[];
  attachedMissing: string[];
  tags: TagChanges;
}

type Aspect = 'trust policy' | 'description' | 'max session duration' | 'permissions boundary' | `inline policy ${string}` | `managed policy ${string}` | 'tags';

const DEFAULT_MAX_SESSION = 3600;

export function roleNameOf(obj: AnyResource): string {
  return (obj.spec as IAMRoleSpec).roleName ?? obj.metadata.name;
}

export class IAMRoleClient implements ExternalClient {
  readonly #iam: IAMClient;
  readonly #cluster: string;
  readonly #tenancy: TenancyPolicy;

  constructor(iam: IAMClient, cluster: string, tenancy = new TenancyPolicy()) {
    this.#iam = iam;
    this.#cluster = cluster;
    this.#tenancy = tenancy;
  }

  #owner(obj: AnyResource): Owner {
    return objectOwner(this.#cluster, obj);
  }

  async observe(obj: AnyResource): Promise<Observation> {
    const spec = obj.spec as IAMRoleSpec;
    const roleName = roleNameOf(obj);
    const role = await this.#call(() => this.#iam.send(new GetRoleCommand({ RoleName: roleName })).then((r) => r.Role), true);
    if (!role) return { exists: false, upToDate: false, diff: [], status: { roleName } };

    const status: Partial<IAMRoleStatus> = { arn: role.Arn, roleId: role.RoleId, roleName, managedTagKeys: Object.keys(spec.tags ?? {}).sort() };
    const me = this.#owner(obj);
    const blocked = ownershipConflict(`IAM role ${roleName}`, role.Tags ?? [], me, this.#tenancy.adoption(obj), `iamrole -n ${me.namespace} ${me.name}`, 'spec.roleName');
    if (blocked) return { exists: true, upToDate: false, diff: [], status: { roleName }, blocked };
    if ((role.Path ?? '/') !== (spec.path ?? '/')) {
      throw new TerminalError('PathImmutable', `the role's path is ${role.Path} in AWS; IAM cannot change a role's path: set spec.path to ${role.Path}, or delete the role to have it created again`);
    }

    const diff = new Set<Aspect>();
    if (!policiesEqual(spec.assumeRolePolicy, role.AssumeRolePolicyDocument ?? '{}')) diff.add('trust policy');
    if ((role.Description ?? '') !== (spec.description ?? '')) diff.add('description');
    if ((role.MaxSessionDuration ?? DEFAULT_MAX_SESSION) !== (spec.maxSessionDuration ?? DEFAULT_MAX_SESSION)) diff.add('max session duration');
    if ((role.PermissionsBoundary?.PermissionsBoundaryArn ?? '') !== (this.#tenancy.boundaryFor(spec.permissionsBoundary) ?? '')) diff.add('permissions boundary');

    const inlineNames = await this.#listInline(roleName);
    const desiredInline = new Map((spec.inlinePolicies ?? []).map((p) => [p.name, p.policy]));
    const inlineExtra = inlineNames.filter((n) => !desiredInline.has(n));
    const inlineChanged: string[] = [];
    for (const [name, policy] of desiredInline) {
      const current = inlineNames.includes(name)
        ? await this.#iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })).then((r) => r.PolicyDocument)
        : undefined;
      if (current === undefined || !policiesEqual(policy, current)) inlineChanged.push(name);
    }
    for (const name of [...inlineExtra, ...inlineChanged]) diff.add(`inline policy ${name}`);

    const attached = await this.#listAttached(roleName);
    const desiredAttached = (spec.policies ?? []).map((p) => p.policyArn);
    const attachedExtra = attached.filter((a) => !desiredAttached.includes(a));
    const attachedMissing = desiredAttached.filter((a) => !attached.includes(a));
    for (const arn of [...attachedExtra, ...attachedMissing]) diff.add(`managed policy ${arn}`);

    const tags = tagChanges(
      { ...(spec.tags ?? {}), ...ownershipTagMap(me) },
      Object.fromEntries((role.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
      (obj.status as Partial<IAMRoleStatus> | undefined)?.managedTagKeys,
    );
    if (tags.any) diff.add('tags');

    const details: RoleDetails = { role, diff, inlineExtra, inlineChanged, attachedExtra, attachedMissing, tags };
    return { exists: true, upToDate: diff.size === 0, diff: [...diff], status, details };
  }

  async create(obj: AnyResource): Promise<void> {
    const spec = obj.spec as IAMRoleSpec;
    const RoleName = roleNameOf(obj);
    await this.#call(() => this.#iam.send(new CreateRoleCommand({
      RoleName,
      Path: spec.path ?? '/',
      AssumeRolePolicyDocument: iamPolicyText(spec.assumeRolePolicy),
      Description: spec.description,
      MaxSessionDuration: spec.maxSessionDuration,
      PermissionsBoundary: this.#tenancy.boundaryFor(spec.permissionsBoundary),
      // The ownership tags go with the create call, so a role never exists without them.
      Tags: [...Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })), ...ownershipTags(this.#owner(obj))],
    })));
    for (const p of spec.inlinePolicies ?? []) {
      await this.#call(() => this.#iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: p.name, PolicyDocument: iamPolicyText(p.policy) })));
    }
    for (const p of spec.policies ?? []) {
      await this.#call(() => this.#iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: p.policyArn })));
    }
  }

  async update(obj: AnyResource, observation: Observation): Promise<void> {
    const spec = obj.spec as IAMRoleSpec;
    const RoleName = roleNameOf(obj);
    const d = observation.details as RoleDetails;
    if (d.diff.has('trust policy')) {
      await this.#call(() => this.#iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: iamPolicyText(spec.assumeRolePolicy) })));
    }
    if (d.diff.has('description') || d.diff.has('max session duration')) {
      // UpdateRole clears a description it is not sent, so both fields always go together.
      await this.#call(() => this.#iam.send(new UpdateRoleCommand({ RoleName, Description: spec.description ?? '', MaxSessionDuration: spec.maxSessionDuration ?? DEFAULT_MAX_SESSION })));
    }
    if (d.diff.has('permissions boundary')) {
      const boundary = this.#tenancy.boundaryFor(spec.permissionsBoundary);
      if (boundary) await this.#call(() => this.#iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: boundary })));
      else await this.#call(() => this.#iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName })));
    }
    const inline = new Map((spec.inlinePolicies ?? []).map((p) => [p.name, p.policy]));
    for (const name of d.inlineChanged) {
      await this.#call(() => this.#iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: name, PolicyDocument: iamPolicyText(inline.get(name)!) })));
    }
    for (const name of d.inlineExtra) await this.#call(() => this.#iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: name })));
    for (const arn of d.attachedMissing) await this.#call(() => this.#iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: arn })));
    for (const arn of d.attachedExtra) await this.#call(() => this.#iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: arn })));
    const Tags = Object.entries(d.tags.set).map(([Key, Value]) => ({ Key, Value }));
    if (Tags.length > 0) await this.#call(() => this.#iam.send(new TagRoleCommand({ RoleName, Tags })));
    if (d.tags.remove.length > 0) await this.#call(() => this.#iam.send(new UntagRoleCommand({ RoleName, TagKeys: d.tags.remove })));
  }

  async delete(obj: AnyResource): Promise<void> {
    const RoleName = roleNameOf(obj);
    for (const arn of await this.#listAttached(RoleName)) await this.#call(() => this.#iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: arn })), true);
    for (const name of await this.#listInline(RoleName)) await this.#call(() => this.#iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: name })), true);
    const profiles = await this.#call(() => this.#iam.send(new ListInstanceProfilesForRoleCommand({ RoleName })), true);
    for (const p of profiles?.InstanceProfiles ?? []) {
      await this.#call(() => this.#iam.send(new RemoveRoleFromInstanceProfileCommand({ RoleName, InstanceProfileName: p.InstanceProfileName })), true);
    }
    await this.#call(() => this.#iam.send(new DeleteRoleCommand({ RoleName })), true);
  }

  async #listInline(RoleName: string): Promise<string[]> {
    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.#iam.send(new ListRolePoliciesCommand({ RoleName, Marker }));
      names.push(...(page.PolicyNames ?? []));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return names;
  }

  async #listAttached(RoleName: string): Promise<string[]> {
    const arns: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.#iam.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker }));
      arns.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn!));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return arns;
  }

  /** Runs an IAM call; `missingIsFine` turns NoSuchEntity into undefined; terminal errors are marked. */
  async #call<T>(fn: () => Promise<T>, missingIsFine = false): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (missingIsFine && awsErrorName(error) === 'NoSuchEntityException') return undefined;
      throw classifyIamError(error);
    }
  }
}
