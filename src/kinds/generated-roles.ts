// IAMRole objects the operator generates for a Lambda or an Agent that names no role, and the
// references to IAMRoles a spec names. A generated IAMRole is an ordinary IAMRole (its own
// controller creates the role in AWS) with an owner reference to the object it serves, so
// Kubernetes deletes it with its owner; the owner's finalizer also deletes it, or marks it
// retain, so the deletion policy holds for both and a cluster without garbage collection is clean.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { IAMRoleSpec } from '../api/iamrole.ts';
import { API_VERSION, GROUP, VERSION, IAMRoleKind, type IAMRoleResource } from '../api/kinds.ts';
import { DELETION_POLICY_ANNOTATION, GENERATED_FOR_LABEL, type AnyResource, type DeletionPolicy } from '../api/metadata.ts';
import type { ConditionBlock, TrustPolicy } from '../api/policy-document.ts';
import { TerminalError, WaitingError, kubeStatus } from '../runtime/errors.ts';
import { findCondition } from '../runtime/conditions.ts';
import { patchAnnotations } from '../runtime/kube-writes.ts';

/** `base` with `suffix`, shortened with a hash of the whole when it would exceed `max`. */
export function boundedName(base: string, suffix: string, max: number): string {
  const full = `${base}${suffix}`;
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${base.slice(0, max - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}

/** A trust policy that lets one AWS service assume the role, under the given conditions. */
export function serviceTrust(service: string, condition: ConditionBlock): TrustPolicy {
  return { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service }, action: 'sts:AssumeRole', condition }] };
}

/** Keys (namespace/name) of the objects of `kind` that own a generated object, from its owner references. */
export function ownerKeys(object: KubernetesObject, kind: string): string[] {
  return (object.metadata?.ownerReferences ?? []).filter((r) => r.kind === kind).map((r) => `${object.metadata?.namespace ?? ''}/${r.name}`);
}

type Lookup = (namespace: string, name: string) => IAMRoleResource | undefined;

/** The ARN of a referenced IAMRole once it is Ready; otherwise a wait whose message says why. */
export function readyRoleArn(role: IAMRoleResource | undefined, namespace: string, name: string, field: string): string {
  if (!role) {
    throw new WaitingError('WaitingForRole', `IAMRole ${namespace}/${name} (${field}) does not exist yet; this waits until it is applied and Ready`, 'dependency');
  }
  const conditions = role.status?.conditions;
  const arn = role.status?.arn;
  if (findCondition(conditions, 'Ready')?.status !== 'True' || !arn) {
    const synced = findCondition(conditions, 'Synced');
    const why = synced?.status === 'False' ? `: ${synced.reason}: ${synced.message ?? ''}` : '';
    throw new WaitingError('WaitingForRole', `IAMRole ${namespace}/${name} (${field}) is not Ready yet${why}`, 'dependency');
  }
  return arn;
}

export class GeneratedRoles {
  readonly #kc: KubeConfig;
  readonly #api: CustomObjectsApi;
  readonly #lookup: Lookup;

  constructor(kc: KubeConfig, lookup: Lookup) {
    this.#kc = kc;
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#lookup = lookup;
  }

  /** The generated IAMRole `name` for `owner`, created or brought to `spec`; Kubernetes writes only when it differs. */
  async ensure(owner: AnyResource, name: string, spec: IAMRoleSpec): Promise<IAMRoleResource | undefined> {
    const namespace = owner.metadata.namespace ?? 'default';
    const existing = this.#lookup(namespace, name);
    if (existing) {
      if (!isOwnedBy(existing, owner)) {
        throw new TerminalError('RoleNameConflict', `IAMRole ${namespace}/${name} exists and was not generated for this ${owner.kind}; rename or delete it, or name a role in spec.iamRole`);
      }
      if (!isDeepStrictEqual(existing.spec, spec)) {
        await this.#api.patchNamespacedCustomObject(
          { group: GROUP, version: VERSION, plural: IAMRoleKind.plural, namespace, name, body: [{ op: 'replace', path: '/spec', value: spec }] },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
      }
      return existing;
    }
    const body = {
      apiVersion: API_VERSION,
      kind: IAMRoleKind.kind,
      metadata: {
        name, namespace,
        labels: { [GENERATED_FOR_LABEL]: `${owner.kind.toLowerCase()}.${owner.metadata.name}` },
        ownerReferences: [{ apiVersion: API_VERSION, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec,
    };
    try {
      await this.#api.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: IAMRoleKind.plural, namespace, body });
    } catch (error) {
      // Created by an earlier pass that the cache has not seen yet.
      if (kubeStatus(error) !== 409) throw error;
    }
    return undefined;
  }

  /** On the owner's deletion: delete the generated IAMRole (and so its AWS role), or mark it retain. */
  async release(owner: AnyResource, name: string, policy: DeletionPolicy): Promise<void> {
    const namespace = owner.metadata.namespace ?? 'default';
    const existing = this.#lookup(namespace, name);
    if (!existing || !isOwnedBy(existing, owner)) return;
    const target = { group: GROUP, version: VERSION, plural: IAMRoleKind.plural, namespace, name };
    try {
      if (policy === 'retain') {
        if (existing.metadata.annotations?.[DELETION_POLICY_ANNOTATION] === 'retain') return;
        await patchAnnotations(this.#kc, IAMRoleKind, namespace, name, { [DELETION_POLICY_ANNOTATION]: 'retain' });
      } else if (!existing.metadata.deletionTimestamp) {
        await this.#api.deleteNamespacedCustomObject(target);
      }
    } catch (error) {
      // Already gone (the garbage collector, or an earlier pass).
      if (kubeStatus(error) !== 404) throw error;
    }
  }
}

function isOwnedBy(object: IAMRoleResource, owner: AnyResource): boolean {
  return (object.metadata.ownerReferences ?? [])
    .some((ref) => ref.uid === owner.metadata.uid && ref.controller === true);
}
