// IAMRole: an IAM role with its trust policy, inline policies and managed policy attachments,
// in the shape of Bedrock Forge's `kind: IAMRole` manifests.
import { Type, int, str, uniqueBy, type Static } from './schema.ts';
import { ARN_PATTERN, ROLE_NAME_PATTERN, statusOf, tags } from './common.ts';
import { PermissionsPolicy, TrustPolicy } from './policy-document.ts';

const POLICY_ARN_PATTERN = '^arn:aws[a-z-]*:iam::(\\d{12}|aws):policy/[\\w+=,.@/-]+$';

export const IAMRoleSpec = Type.Object(
  {
    roleName: Type.Optional(str({
      description: 'Name of the role in AWS (1-64 characters of letters, digits and +=,.@_-). Defaults to metadata.name.',
      pattern: ROLE_NAME_PATTERN,
    })),
    description: Type.Optional(str({ description: 'Description of the role in AWS.', maxLength: 1000 })),
    assumeRolePolicy: TrustPolicy,
    policies: Type.Optional(Type.Array(
      Type.Object({
        policyArn: str({ description: 'ARN of an AWS managed or customer managed policy.', pattern: POLICY_ARN_PATTERN }),
      }, { description: 'A managed policy attached to the role.' }),
      {
        description: 'Managed policies attached to the role (IAM allows 10 by default, 20 at most). Attachments not listed are removed.',
        maxItems: 20,
        ...uniqueBy('policyArn'),
      },
    )),
    inlinePolicies: Type.Optional(Type.Array(
      Type.Object({
        name: str({ description: 'Name of the inline policy (1-128 characters of letters, digits and +=,.@_-).', pattern: '^[\\w+=,.@-]{1,128}$' }),
        policy: PermissionsPolicy,
      }, { description: 'An inline policy of the role.' }),
      {
        description: 'Inline policies of the role. Together at most 10,240 characters in IAM. Inline policies not listed are removed.',
        maxItems: 50,
        ...uniqueBy('name'),
      },
    )),
    permissionsBoundary: Type.Optional(str({ description: 'ARN of the managed policy that bounds the role\'s permissions.', pattern: POLICY_ARN_PATTERN })),
    maxSessionDuration: Type.Optional(int({ description: 'Maximum session duration in seconds, 3600 to 43200.', minimum: 3600, maximum: 43200 })),
    path: Type.Optional(str({
      description: 'Path of the role: "/" or a string that starts and ends with "/", such as /bedrock/.',
      pattern: '^/([\\x21-\\x7E]*/)?$',
      maxLength: 512,
    })),
    tags: Type.Optional(tags('Tags of the role in AWS (at most 50).')),
  },
  { description: 'The desired IAM role.' },
);
export type IAMRoleSpec = Static<typeof IAMRoleSpec>;

export const IAMRoleStatus = statusOf('What the controller observed in AWS.', {
  arn: Type.Optional(str({ description: 'ARN of the role.', pattern: ARN_PATTERN })),
  roleId: Type.Optional(str({ description: 'Unique ID IAM gave the role (AROA…).' })),
  roleName: Type.Optional(str({ description: 'Name of the role in AWS.' })),
  managedTagKeys: Type.Optional(Type.Array(str({ description: 'A tag key.' }), {
    description: 'Tag keys the operator set from spec.tags; a key removed from the spec is removed from AWS, other tags are left alone.',
    maxItems: 50,
  })),
});
export type IAMRoleStatus = Static<typeof IAMRoleStatus>;
