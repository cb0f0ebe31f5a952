// IAMRole: an IAM role with its trust policy, inline policies and managed policy attachments,
// in the shape of Bedrock Forge's `kind: IAMRole` manifests; and, this operator's own, what a
// workload of the namespace may call (grants) and the Kubernetes ServiceAccount it runs as.
import { Type, cel, exactlyOneOf, int, oneOfStrings, str, stringMap, strings, uniqueBy, type Static } from './schema.ts';
import { ARN_PATTERN, OBJECT_NAME_PATTERN, ROLE_NAME_PATTERN, reference, statusOf, tags } from './common.ts';
import { PermissionsPolicy, TrustPolicy } from './policy-document.ts';

const POLICY_ARN_PATTERN = '^arn:aws[a-z-]*:iam::(\\d{12}|aws):policy/[\\w+=,.@/-]+$';

/** The inline policy the operator writes from spec.grants; spec.inlinePolicies may not use its name. */
export const GRANTS_POLICY_NAME = 'BedrockForgeGrants';

/** Bedrock's alias names (agent and flow aliases alike). */
const ALIAS_NAME_PATTERN = '^([0-9a-zA-Z][_-]?){1,100}$';
const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-\\d$';

const objectName = (what: string) => str({ description: `Name of ${what} of this namespace.`, pattern: OBJECT_NAME_PATTERN, maxLength: 253 });
const aliasName = (what: string) => str({ description: `Name of an alias in ${what}.`, pattern: ALIAS_NAME_PATTERN, maxLength: 100 });

export const Grant = Type.Object({
  invokeAgent: Type.Optional(Type.Object({
    agent: objectName('an Agent object'),
    alias: aliasName('the Agent\'s spec.aliases'),
  }, { description: 'Invoke an alias of an Agent of this namespace: bedrock:InvokeAgent on the alias ARN (Bedrock Agents), or bedrock-agentcore:InvokeHarness and InvokeAgentRuntime on the harness and the alias\'s endpoint (AgentCore). The role waits until the Agent is Ready with that alias, and follows the alias when it is re-created.' })),
  invokeFlow: Type.Optional(Type.Object({
    flow: objectName('a Flow object'),
    alias: aliasName('the Flow\'s spec.aliases'),
  }, { description: 'Invoke an alias of a Flow of this namespace: bedrock:InvokeFlow on the flow alias ARN. The role waits until the Flow is Ready with that alias, and follows the alias when it is re-created.' })),
  invokeModel: Type.Optional(Type.Object({
    model: str({
      description: 'One model: a foundation model ID (anthropic.claude-3-haiku-20240307-v1:0), a cross-region inference profile ID (us.anthropic…), or a model or inference profile ARN, without wildcards.',
      pattern: '^(arn:aws[a-z-]*:bedrock:[^*?]+|[a-zA-Z0-9][a-zA-Z0-9.:_-]*)$',
      maxLength: 2048,
    }),
    regions: Type.Optional(strings({
      description: 'Regions the workload may call the model in (condition aws:RequestedRegion); default: the operator\'s region. For a cross-region inference profile, list every region it routes to.',
      minItems: 1, maxItems: 30, itemPattern: REGION_PATTERN, itemMaxLength: 32,
    })),
  }, { description: 'Invoke a model: bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream on the model\'s ARNs in the listed regions, with an aws:RequestedRegion condition.' })),
}, { description: 'What the workload may call: exactly one of invokeAgent, invokeFlow or invokeModel.', ...exactlyOneOf('invokeAgent', 'invokeFlow', 'invokeModel') });
export type Grant = Static<typeof Grant>;

export const SERVICE_ACCOUNT_MECHANISMS = ['podIdentity', 'irsa'] as const;
export type ServiceAccountMechanism = (typeof SERVICE_ACCOUNT_MECHANISMS)[number];

export const ServiceAccountTrust = Type.Object({
  name: str({ description: 'Name of the Kubernetes ServiceAccount of this namespace whose Pods assume the role.', pattern: OBJECT_NAME_PATTERN, maxLength: 253 }),
  mechanism: oneOfStrings(SERVICE_ACCOUNT_MECHANISMS, {
    description: 'podIdentity: EKS Pod Identity (the operator\'s --eks-cluster-arn; create the association shown in status.serviceAccount). irsa: IAM roles for service accounts (the operator\'s --eks-oidc-provider-arn; annotate the ServiceAccount as status.serviceAccount says).',
  }),
}, { description: 'Trust for a Kubernetes ServiceAccount of this namespace, written by the operator; merged with spec.assumeRolePolicy when both are set.' });
export type ServiceAccountTrust = Static<typeof ServiceAccountTrust>;

export const IAMRoleSpec = Type.Object(
  {
    roleName: Type.Optional(str({
      description: 'Name of the role in AWS (1-64 characters of letters, digits and +=,.@_-). Defaults to metadata.name.',
      pattern: ROLE_NAME_PATTERN,
    })),
    description: Type.Optional(str({ description: 'Description of the role in AWS.', maxLength: 1000 })),
    assumeRolePolicy: Type.Optional(TrustPolicy),
    serviceAccount: Type.Optional(ServiceAccountTrust),
    grants: Type.Optional(Type.Array(Grant, {
      description: `What a workload running as this role may call, written by the operator as the inline policy ${GRANTS_POLICY_NAME}. Grants name Agents and Flows of this namespace only.`,
      maxItems: 50,
    })),
    policies: Type.Optional(Type.Array(
      Type.Object({
        policyArn: str({ description: 'ARN of an AWS managed or customer managed policy.', pattern: POLICY_ARN_PATTERN }),
        policyName: Type.Optional(reference('A policy resource of Bedrock Forge, which this operator does not manage: an entry that sets it is refused (UnsupportedPolicyReference); attach the policy by policyArn.')),
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
        ...cel({ rule: `self.all(p, p.name != '${GRANTS_POLICY_NAME}')`, message: `${GRANTS_POLICY_NAME} is the inline policy the operator writes from spec.grants: give this policy another name` }),
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
  {
    description: 'The desired IAM role.',
    ...cel({ rule: 'has(self.assumeRolePolicy) || has(self.serviceAccount)', message: 'set spec.assumeRolePolicy, spec.serviceAccount, or both: a role needs someone who may assume it', fieldPath: '.assumeRolePolicy', reason: 'FieldValueRequired' }),
  },
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
  serviceAccount: Type.Optional(Type.Object({
    name: str({ description: 'The ServiceAccount the role trusts.' }),
    mechanism: str({ description: 'podIdentity or irsa.' }),
    annotations: Type.Optional(stringMap({ description: 'IRSA: the annotations to put on the ServiceAccount (eks.amazonaws.com/role-arn).', maxProperties: 4 })),
    podIdentityAssociation: Type.Optional(Type.Object({
      clusterName: str({ description: 'The EKS cluster.' }),
      namespace: str({ description: 'Namespace of the ServiceAccount.' }),
      serviceAccount: str({ description: 'The ServiceAccount.' }),
      roleArn: str({ description: 'ARN of this role.' }),
    }, { description: 'Pod Identity: the association to create (aws eks create-pod-identity-association).' })),
    instructions: Type.Optional(str({ description: 'What to do so that the ServiceAccount\'s Pods get this role.', maxLength: 2048 })),
  }, { description: 'What the ServiceAccount needs to use this role (spec.serviceAccount).' })),
});
export type IAMRoleStatus = Static<typeof IAMRoleStatus>;
