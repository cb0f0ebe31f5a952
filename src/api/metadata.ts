// The names this API puts on objects (finalizer, annotations, labels) and the object shape every
// custom resource of the group has. Users read and write these names, so they belong to the API.
import type { Condition } from './common.ts';
import type { API_VERSION } from './common.ts';

/** Held by every object until the operator has deleted (or retained) what it made in AWS. */
export const FINALIZER = 'bedrockforge.io/finalizer';

/** `delete` or `retain`: what deleting the object does in AWS (overrides --deletion-policy). */
export const DELETION_POLICY_ANNOTATION = 'bedrockforge.io/deletion-policy';
export type DeletionPolicy = 'delete' | 'retain';

/** `true`: the object may take over an AWS resource of its name that the operator did not create. */
export const ADOPT_ANNOTATION = 'bedrockforge.io/adopt';

/** Marks an object the operator generated for another; its value is `<kind>.<name>`. */
export const GENERATED_FOR_LABEL = 'bedrockforge.io/generated-for';

/**
 * On a Lambda: ARNs (comma-separated) of Agents deleted with deletion policy retain (for an Agent on
 * AgentCore, its gateway's role ARN), which keep their statement in its resource policy. Written by
 * the Agent controller; remove one to revoke.
 */
export const RETAINED_AGENTS_ANNOTATION = 'bedrockforge.io/retained-agent-arns';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The object shape every custom resource of this API has. */
export interface CustomResource<Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    creationTimestamp?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    ownerReferences?: OwnerReference[];
  };
  spec: Spec;
  status?: Partial<Status> & { conditions?: Condition[]; observedGeneration?: number };
}

/** An object of any of the API's kinds, for code that does not read its spec. */
export type AnyResource = CustomResource<object, object>;

/**
 * The deletion policy of an object: its annotation, else Bedrock Forge's `spec.skipDestroy: true`
 * (Terraform's "keep it in AWS", which a Lambda may set), else the operator's default.
 */
export function deletionPolicyOf(obj: AnyResource, fallback: DeletionPolicy): DeletionPolicy {
  const value = obj.metadata.annotations?.[DELETION_POLICY_ANNOTATION];
  if (value === 'retain' || value === 'delete') return value;
  return (obj.spec as { skipDestroy?: unknown }).skipDestroy === true ? 'retain' : fallback;
}
