// Ownership as every kind applies it: the tags that mark what an object created (sent with the
// create call), and whether a resource found in AWS is the object's to change.
import type { AnyResource } from '../api/metadata.ts';
import { objectOwner, ownershipConflict, ownershipTagMap, tagChanges, type Owner, type TagChanges } from '../aws/ownership.ts';
import type { Blocked } from '../runtime/external-client.ts';
import type { TenancyPolicy } from './tenancy-policy.ts';

export class OwnershipGuard {
  readonly #cluster: string;
  readonly #tenancy: TenancyPolicy;

  constructor(cluster: string, tenancy: TenancyPolicy) {
    this.#cluster = cluster;
    this.#tenancy = tenancy;
  }

  owner(obj: AnyResource): Owner {
    return objectOwner(this.#cluster, obj);
  }

  /** The tags the resource should carry: the spec's and the ownership tags. */
  desiredTags(obj: AnyResource, specTags: Record<string, string> | undefined): Record<string, string> {
    return { ...(specTags ?? {}), ...ownershipTagMap(this.owner(obj)) };
  }

  /** What to set and remove; `managedKeys` are the spec's tag keys the status recorded last time. */
  tagChanges(obj: AnyResource, specTags: Record<string, string> | undefined, current: Record<string, string>, managedKeys: string[] | undefined): TagChanges {
    return tagChanges(this.desiredTags(obj, specTags), current, managedKeys);
  }

  /**
   * Why the resource found in AWS (`resource`: "IAM role x", with its tags) is not the object's to
   * change, or undefined when it is. `renameField` is the spec field that picks another name.
   */
  conflict(obj: AnyResource, resource: string, tags: Record<string, string>, renameField: string): Blocked | undefined {
    const me = this.owner(obj);
    const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    return ownershipConflict(resource, tagList, me, this.#tenancy.adoption(obj), `${obj.kind.toLowerCase()} -n ${me.namespace} ${me.name}`, renameField);
  }
}

/** The spec's tag keys, as status.managedTagKeys records them. */
export function managedTagKeys(specTags: Record<string, string> | undefined): string[] {
  return Object.keys(specTags ?? {}).sort();
}
