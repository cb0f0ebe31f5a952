// Which custom resource owns an AWS resource: tags set when the operator creates it. A resource
// without them was not created here and is only touched once adopted by annotation.
import { ADOPT_ANNOTATION } from '../api/metadata.ts';
import type { Blocked } from '../runtime/external-client.ts';
export interface Owner {
  cluster: string;
  namespace: string;
  name: string;
}

interface TagLike {
  Key?: string;
  Value?: string;
}

export const OWNER_TAG = {
  cluster: 'bedrockforge.io/cluster',
  namespace: 'bedrockforge.io/namespace',
  name: 'bedrockforge.io/name',
} as const;


/** The owner an object of this cluster stands for. */
export function objectOwner(cluster: string, obj: { metadata: { namespace?: string; name: string } }): Owner {
  return { cluster, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name };
}

/** The ownership tags as a map, for APIs that take tags as one (Lambda, Bedrock). */
export function ownershipTagMap(owner: Owner): Record<string, string> {
  return Object.fromEntries(ownershipTags(owner).map((t) => [t.Key, t.Value]));
}

/** What a resource's tags need: keys to set, and keys to remove (only those the spec set before: others are left alone). */
export interface TagChanges {
  set: Record<string, string>;
  remove: string[];
  any: boolean;
}

/** `desired` includes the ownership tags; `previouslyManaged` is status.managedTagKeys. */
export function tagChanges(desired: Record<string, string>, current: Record<string, string>, previouslyManaged: string[] | undefined): TagChanges {
  const set = Object.fromEntries(Object.entries(desired).filter(([k, v]) => current[k] !== v));
  const remove = (previouslyManaged ?? []).filter((k) => !(k in desired) && k in current);
  return { set, remove, any: Object.keys(set).length > 0 || remove.length > 0 };
}

export function ownershipTags(owner: Owner): { Key: string; Value: string }[] {
  return [
    { Key: OWNER_TAG.cluster, Value: owner.cluster },
    { Key: OWNER_TAG.namespace, Value: owner.namespace },
    { Key: OWNER_TAG.name, Value: owner.name },
  ];
}

/** The owner named by the tags, or undefined when they name none. */
export function ownerOf(tags: TagLike[]): Owner | undefined {
  const value = (key: string) => tags.find((t) => t.Key === key)?.Value;
  const [cluster, namespace, name] = [value(OWNER_TAG.cluster), value(OWNER_TAG.namespace), value(OWNER_TAG.name)];
  return cluster !== undefined && namespace !== undefined && name !== undefined ? { cluster, namespace, name } : undefined;
}

/** Whether an object asks to adopt a resource the operator did not create ('requested'), and may not ('refused'). */
export type Adoption = 'none' | 'requested' | 'refused';

/**
 * Why an AWS resource found under the desired name is not ours to change, or undefined when it is
 * (created by this very object, or adopted by annotation where the operator allows it). `resource` names it ("IAM role x"),
 * `object` is the kubectl form of the custom resource ("iamrole -n ns name"), `rename` the field
 * that picks another name.
 */
export function ownershipConflict(
  resource: string, tags: TagLike[], me: Owner, adoption: Adoption, object: string, rename: string,
): Blocked | undefined {
  const owner = ownerOf(tags);
  if (!owner && adoption === 'refused') {
    return {
      reason: 'AdoptionNotAllowed',
      message: `${resource} already exists and was not created by this operator; objects of namespace ${me.namespace} may not adopt AWS resources (the operator's --adopt-namespaces), so it is left untouched. Choose another ${rename}.`,
    };
  }
  if (!owner && adoption === 'none') {
    return {
      reason: 'AlreadyExists',
      message: `${resource} already exists and was not created by this operator; it is left untouched. To let this object manage it (and change it to match the spec), run: kubectl annotate ${object} ${ADOPT_ANNOTATION}=true`,
    };
  }
  if (owner && (owner.cluster !== me.cluster || owner.namespace !== me.namespace || owner.name !== me.name)) {
    return {
      reason: 'OwnedByAnother',
      message: `${resource} belongs to ${owner.namespace}/${owner.name} of cluster ${owner.cluster}; it is left untouched. Choose another ${rename}.`,
    };
  }
  return undefined;
}
