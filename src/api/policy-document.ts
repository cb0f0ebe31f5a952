// IAM policy documents in Bedrock Forge's spelling (lowercase keys: version, statement, effect,
// principal, action, resource, condition). Shared by IAMRole trust and inline policies and by the
// Lambda resource-based policy.
import { Type, exactlyOneOf, mapOf, oneOfStrings, scalarOrList, str, stringOrList, type Static } from './schema.ts';
import { ACCOUNT_ID } from './common.ts';

const sid = str({
  description: 'Statement ID: letters and digits only, as IAM requires.',
  pattern: '^[A-Za-z0-9]*$',
  maxLength: 128,
});

const effect = oneOfStrings(['Allow', 'Deny'] as const, { description: 'Allow or Deny.' });

const version = oneOfStrings(['2012-10-17', '2008-10-17'] as const, {
  description: 'Policy language version; use 2012-10-17.',
});

// No count limits on actions, resources or statements: IAM limits a policy by its size (10,240
// characters for a role's inline policies together, 6,144 for a managed policy), which the
// operator checks before any call (src/iam/iam-rules.ts). AWS managed policies list up to 302
// actions in one statement.
const action = stringOrList({
  description: 'Actions the statement covers, such as "sts:AssumeRole" or ["bedrock:InvokeModel"]: a string or a list.',
  pattern: '^(\\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$',
});
const notAction = stringOrList({
  description: 'Actions the statement does not cover (instead of action): a string or a list.',
  pattern: '^(\\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$',
});

const RESOURCE = '^(\\*|arn:.+)$';
const resource = stringOrList({ description: 'Resources, as ARNs (wildcards allowed) or "*": a string or a list.', pattern: RESOURCE });
const notResource = stringOrList({ description: 'Resources the statement does not cover (instead of resource): a string or a list.', pattern: RESOURCE });

/**
 * Condition block: operator (StringEquals, ArnLike, DateGreaterThan, ForAnyValue:StringEquals, …)
 * to condition key to value(s). Operator names are kept exactly as written.
 */
export const ConditionBlock = mapOf(
  mapOf(scalarOrList({ description: 'Value or list of values the condition key is compared with.' }), {
    description: 'Condition keys (such as aws:SourceAccount) and the values they are compared with.',
  }),
  {
    description: 'Conditions: operator (StringEquals, ArnLike, DateGreaterThan, ForAnyValue:StringEquals, …) to key to value(s).',
    maxProperties: 50,
  },
);
export type ConditionBlock = Static<typeof ConditionBlock>;

/** An AWS principal: `*`, a 12-digit account ID, or an IAM/STS ARN. */
export const AWS_PRINCIPAL_PATTERN = `^(\\*|${ACCOUNT_ID}|arn:aws[a-z-]*:(iam|sts)::${ACCOUNT_ID}:.+)$`;
const SERVICE_PRINCIPAL_PATTERN = '^(\\*|[a-z0-9.-]+\\.amazonaws\\.com(\\.cn)?)$';

const principalProperties = {
  service: Type.Optional(stringOrList({ description: 'AWS service principals, such as bedrock.amazonaws.com.', pattern: SERVICE_PRINCIPAL_PATTERN })),
  aws: Type.Optional(stringOrList({ description: 'AWS principals: "*", 12-digit account IDs, or IAM role/user/root ARNs.', pattern: AWS_PRINCIPAL_PATTERN })),
  federated: Type.Optional(stringOrList({ description: 'Federated principals: an identity provider ARN or domain (such as cognito-identity.amazonaws.com).' })),
  canonicalUser: Type.Optional(stringOrList({ description: 'Canonical user IDs (S3).', pattern: '^[0-9a-f]{64}$' })),
  // IAM's own capitalised spelling, as Bedrock Forge's Lambda examples write it.
  Service: Type.Optional(stringOrList({ description: 'Same as service (IAM spelling).', pattern: SERVICE_PRINCIPAL_PATTERN })),
  AWS: Type.Optional(stringOrList({ description: 'Same as aws (IAM spelling).', pattern: AWS_PRINCIPAL_PATTERN })),
  Federated: Type.Optional(stringOrList({ description: 'Same as federated (IAM spelling).' })),
  CanonicalUser: Type.Optional(stringOrList({ description: 'Same as canonicalUser (IAM spelling).', pattern: '^[0-9a-f]{64}$' })),
};

/** A principal: `"*"` or an object of principal types to values. */
export function principal(description: string) {
  return Type.Unsafe<'*' | PrincipalMap>({
    description: `${description} Either "*" or an object with service, aws, federated or canonicalUser, each a string or a list.`,
    'x-kubernetes-preserve-unknown-fields': true,
    pattern: '^\\*$',
    properties: principalProperties,
    minProperties: 1,
    allOf: [{ maxItems: 0 }, { minItems: 1 }, { maximum: 0 }, { minimum: 1 }],
    not: { enum: [true, false] },
  });
}
const principalMap = Type.Object(principalProperties);
export type PrincipalMap = Static<typeof principalMap>;

/** A statement of a trust (assume-role) policy: who may assume the role. */
export const TrustStatement = Type.Object(
  {
    sid: Type.Optional(sid),
    effect,
    principal: Type.Optional(principal('Who the statement applies to.')),
    notPrincipal: Type.Optional(principal('Who the statement does not apply to (instead of principal).')),
    action: Type.Optional(action),
    notAction: Type.Optional(notAction),
    condition: Type.Optional(ConditionBlock),
  },
  {
    description: 'A trust policy statement.',
    allOf: [exactlyOneOf('principal', 'notPrincipal'), exactlyOneOf('action', 'notAction')],
  },
);
export type TrustStatement = Static<typeof TrustStatement>;

/** A statement of an identity-based (permissions) policy. */
export const PolicyStatement = Type.Object(
  {
    sid: Type.Optional(sid),
    effect,
    action: Type.Optional(action),
    notAction: Type.Optional(notAction),
    resource: Type.Optional(resource),
    notResource: Type.Optional(notResource),
    condition: Type.Optional(ConditionBlock),
  },
  {
    description: 'A permissions policy statement.',
    allOf: [exactlyOneOf('action', 'notAction'), exactlyOneOf('resource', 'notResource')],
  },
);
export type PolicyStatement = Static<typeof PolicyStatement>;

/** A statement of a resource-based policy (Lambda): a principal, and optionally a resource. */
export const ResourceStatement = Type.Object(
  {
    sid: Type.Optional(sid),
    effect: Type.Optional(effect),
    principal: principal('Who may invoke the function.'),
    action: action,
    resource: Type.Optional(resource),
    condition: Type.Optional(ConditionBlock),
  },
  { description: 'A resource-based policy statement.' },
);
export type ResourceStatement = Static<typeof ResourceStatement>;

export const TrustPolicy = Type.Object(
  {
    version: Type.Optional(version),
    statement: Type.Array(TrustStatement, { description: 'The statements of the trust policy.', minItems: 1 }),
  },
  { description: 'Trust policy: who may assume the role. IAM limits it to 2,048 characters by default.' },
);
export type TrustPolicy = Static<typeof TrustPolicy>;

export const PermissionsPolicy = Type.Object(
  {
    version: Type.Optional(version),
    statement: Type.Array(PolicyStatement, { description: 'The statements of the policy.', minItems: 1 }),
  },
  { description: 'A permissions policy document.' },
);
export type PermissionsPolicy = Static<typeof PermissionsPolicy>;
