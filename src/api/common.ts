// Schema pieces shared by the three kinds: tags, ARNs, references and the status shape.
import { Type, cel, int, str, stringMap, stringOrObject, type Static } from './schema.ts';

export const GROUP = 'bedrockforge.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A 12-digit AWS account ID. */
export const ACCOUNT_ID = '\\d{12}';
/** Any well-formed ARN: partition, service, region (may be empty), account (may be empty or `*`). */
export const ARN_PATTERN = '^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-*]*:(\\d{12}|\\*|aws)?:.+$';
/** An IAM role ARN. */
export const ROLE_ARN_PATTERN = `^arn:aws[a-z-]*:iam::${ACCOUNT_ID}:role/[\\w+=,.@/-]+$`;
/** An IAM role name (1–64 characters of `[\w+=,.@-]`). */
export const ROLE_NAME_PATTERN = '^[\\w+=,.@-]{1,64}$';
/** The name of a Kubernetes object in the same namespace (RFC 1123 subdomain). */
export const OBJECT_NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';

/** AWS resource tags: at most 50, keys up to 128 and values up to 256 characters, no `aws:` keys. */
export function tags(description: string) {
  return stringMap({
    description,
    maxProperties: 50,
    valueMaxLength: 256,
    ...cel(
      { rule: 'self.all(k, size(k) >= 1 && size(k) <= 128)', message: 'tag keys must be 1 to 128 characters long' },
      { rule: "self.all(k, !k.startsWith('aws:'))", message: "tag keys must not start with 'aws:' (reserved by AWS)" },
    ),
  });
}

/** Bedrock Forge's reference to another resource: a name, or `{ref: name}`. */
export function reference(description: string) {
  return stringOrObject(
    { ref: str({ description: 'Name of the referenced resource.', minLength: 1, maxLength: 253 }) },
    { description: `${description} Either the name as a string or an object {ref: name}.`, minLength: 1, maxLength: 253 },
  );
}

/** A Kubernetes condition (the shape of metav1.Condition). */
export const Condition = Type.Object({
  type: str({ description: 'Type of the condition: Ready or Synced.', maxLength: 316 }),
  status: Type.Unsafe<'True' | 'False' | 'Unknown'>({ type: 'string', enum: ['True', 'False', 'Unknown'], description: 'True, False or Unknown.' }),
  reason: str({ description: 'One-word CamelCase reason for the last transition.', maxLength: 1024 }),
  message: Type.Optional(str({ description: 'Human-readable detail: what happened and what to do about it.', maxLength: 32768 })),
  lastTransitionTime: str({ description: 'When the status last changed from one value to another.', format: 'date-time' }),
  observedGeneration: Type.Optional(int({ description: 'The metadata.generation this condition was computed from.', minimum: 0 })),
}, { description: 'A condition of the resource.' });
export type Condition = Static<typeof Condition>;

/** Status fields every kind has, followed by the kind's own AWS identifiers. */
export function statusOf<P extends Parameters<typeof Type.Object>[0]>(description: string, own: P) {
  return Type.Object({
    observedGeneration: Type.Optional(int({ description: 'The metadata.generation the controller last acted on.', minimum: 0 })),
    conditions: Type.Optional(Type.Array(Condition, {
      description: 'Ready: the AWS resource exists and is usable. Synced: the last reconcile succeeded; its message says what to fix when not.',
      maxItems: 8,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    })),
    ...own,
  }, { description });
}

/** `kubectl get` columns every kind shows. */
export function printerColumns(arnPath: string) {
  return [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
    { name: 'ARN', type: 'string', jsonPath: arnPath, priority: 0 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];
}
