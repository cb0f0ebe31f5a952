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
export function reference(description: string, pattern?: string) {
  const shape = { minLength: 1, maxLength: 253, ...(pattern ? { pattern } : {}) };
  return stringOrObject(
    { ref: str({ description: 'Name of the referenced resource.', ...shape }) },
    { description: `${description} Either the name as a string or an object {ref: name}.`, ...shape },
  );
}

/** The name a Bedrock Forge reference gives: the string, or `ref` of `{ref: name}`. */
export function referenceName(reference: string | { ref: string }): string {
  return typeof reference === 'string' ? reference : reference.ref;
}

/**
 * Terraform's `timeouts` block, which Bedrock Forge passes to the resources it generates. The
 * operator has no per-resource timeouts (a pass has --reconcile-timeout, and every step is
 * retried until done), so these are accepted and have no effect.
 */
export function terraformTimeouts(what: string) {
  const duration = (verb: string) => Type.Optional(str({
    description: `Terraform's time limit to ${verb} ${what} (a Go duration such as 10m); no effect here.`,
    pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$', maxLength: 32,
  }));
  return Type.Object(
    { create: duration('create'), update: duration('update'), delete: duration('delete') },
    { description: `Terraform's timeouts for ${what}, from Bedrock Forge: accepted, with no effect here (each pass has --reconcile-timeout, and every step is retried until done).` },
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

/** Something a policy allows that it should not (src/iam/findings.ts). */
export const Finding = Type.Object({
  severity: Type.Unsafe<'low' | 'medium' | 'high'>({ type: 'string', enum: ['low', 'medium', 'high'], description: 'high, medium or low.' }),
  check: str({ description: 'Name of the check, such as PublicPrincipal or UnknownAction.', maxLength: 64 }),
  path: str({ description: 'The statement or field it concerns, such as spec.assumeRolePolicy.statement[0].principal.', maxLength: 512 }),
  message: str({ description: 'What the policy allows and what to change.', maxLength: 1024 }),
}, { description: 'A finding of the policy analysis.' });
export type Finding = Static<typeof Finding>;

/** Status fields every kind has, followed by the kind's own AWS identifiers. */
export function statusOf<P extends Parameters<typeof Type.Object>[0]>(description: string, own: P) {
  return Type.Object({
    observedGeneration: Type.Optional(int({ description: 'The metadata.generation the controller last acted on.', minimum: 0 })),
    conditions: Type.Optional(Type.Array(Condition, {
      description: 'Ready: the AWS resource exists and is usable. Synced: the last reconcile succeeded; its message says what to fix when not. Findings: what the policies allow that they should not (status.findings). AccessCheck: whether AWS would allow the calls the service makes with the role. RuntimeCoverage (Agent): whether the runtime it runs on carries out every field of the spec.',
      maxItems: 8,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    })),
    findings: Type.Optional(Type.Array(Finding, {
      description: 'What the policies of this object allow that they should not, found with IAM\'s catalogue; empty when none.',
      maxItems: 100,
    })),
    findingCount: Type.Optional(int({ description: 'How many findings (the Findings column).', minimum: 0 })),
    ...own,
  }, { description });
}

/** `kubectl get` columns every kind shows. */
export function printerColumns(arnPath: string) {
  return [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
    { name: 'ARN', type: 'string', jsonPath: arnPath, priority: 0 },
    { name: 'Findings', type: 'integer', jsonPath: '.status.findingCount' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];
}
