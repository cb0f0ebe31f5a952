// The service role the operator generates for an Agent that names none: exactly the permissions
// of the AWS page "Permissions to create and manage an agent" (shared/seeds/001), derived from
// the spec: invoke its foundation model (or inference profile and the models behind it), read
// its action groups' S3 schemas in this account, query its knowledge bases, apply its guardrail,
// decrypt with its KMS key. Bedrock may assume it from this account only, for `agent/*` until the
// agent exists and then for that agent's ARN alone.
import type { AgentSpec } from '../../api/agent.ts';
import type { IAMRoleSpec } from '../../api/iamrole.ts';
import type { PolicyStatement } from '../../api/policy-document.ts';
import { TerminalError } from '../../runtime/errors.ts';
import type { AwsScope } from '../../aws/aws-environment.ts';
import { boundedName, serviceTrust } from '../generated-roles.ts';

/** Bedrock's prefix for agent service roles (the console and the seed use it). */
export const SERVICE_ROLE_PREFIX = 'AmazonBedrockExecutionRoleForAgents_';

/** Geographic prefixes of system-defined cross-region inference profiles (us.anthropic…). */
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|us-gov|ca|jp|au|global)\./;

export function serviceRoleName(agentName: string): string {
  return boundedName(`${SERVICE_ROLE_PREFIX}${agentName}`, '', 64);
}

export function serviceRoleObjectName(agentObjectName: string): string {
  return boundedName(agentObjectName, '-service-role', 253);
}

/**
 * The ARNs InvokeModel needs for a model ID, inference profile ID or ARN in the scope's region: the
 * foundation model; for a cross-region inference profile, the profile and the model in every
 * region it routes to (`profile`: the profile's ARN, which GetInferenceProfile reads).
 */
export function modelResources(foundationModel: string, scope: AwsScope): { invoke: string[]; profile?: string } {
  const { partition, region, account } = scope;
  const modelArn = (id: string, anyRegion = false) => `arn:${partition}:bedrock:${anyRegion ? '*' : region}::foundation-model/${id}`;
  if (!foundationModel.startsWith('arn:')) {
    if (!INFERENCE_PROFILE_PREFIX.test(foundationModel)) return { invoke: [modelArn(foundationModel)] };
    // A cross-region inference profile: the profile, and the model in the regions it routes to.
    const profile = `arn:${partition}:bedrock:${region}:${account}:inference-profile/${foundationModel}`;
    return { invoke: [profile, modelArn(foundationModel.replace(INFERENCE_PROFILE_PREFIX, ''), true)], profile };
  }
  const [, , , , , resource = ''] = foundationModel.split(':');
  const profile = /^inference-profile\/(.+)$/.exec(resource);
  if (profile && INFERENCE_PROFILE_PREFIX.test(profile[1]!)) {
    return { invoke: [foundationModel, modelArn(profile[1]!.replace(INFERENCE_PROFILE_PREFIX, ''), true)], profile: foundationModel };
  }
  return { invoke: [foundationModel] };
}

/**
 * The resources InvokeModel needs for the agent's foundationModel, and the actions on them; `others`
 * are the models prompt overrides run steps on (prompt-overrides.ts), in the same statements.
 */
export function modelStatements(foundationModel: string, scope: AwsScope, others: readonly string[] = []): PolicyStatement[] {
  const all = [foundationModel, ...others.filter((m) => m !== foundationModel)].map((m) => modelResources(m, scope));
  const invoke = [...new Set(all.flatMap((r) => r.invoke))];
  const profiles = [...new Set(all.flatMap((r) => (r.profile ? [r.profile] : [])))];
  return [
    { sid: 'AllowModelInvocationForOrchestration', effect: 'Allow', action: ['bedrock:InvokeModel'], resource: invoke },
    ...(profiles.length > 0 ? [{ sid: 'ReadInferenceProfile', effect: 'Allow' as const, action: ['bedrock:GetInferenceProfile'], resource: profiles }] : []),
  ];
}

/**
 * `promptModels`: the models the agent's prompt overrides run steps on. Nothing is granted on
 * Prompt management: the agent never calls it (the operator copies the template into the agent).
 */
export function serviceRoleSpec(agentName: string, spec: AgentSpec, scope: AwsScope, agentArn: string | undefined, promptModels: readonly string[] = []): IAMRoleSpec {
  const { partition, region, account } = scope;
  const statement: PolicyStatement[] = [...modelStatements(spec.foundationModel, scope, promptModels)];
  const schemas = (spec.actionGroups ?? []).flatMap((g) => (g.apiSchema?.s3 ? [`arn:${partition}:s3:::${g.apiSchema.s3.s3BucketName}/${g.apiSchema.s3.s3ObjectKey}`] : []));
  if (schemas.length > 0) {
    statement.push({
      sid: 'AllowAccessToActionGroupApiSchemasInS3', effect: 'Allow', action: ['s3:GetObject'], resource: [...new Set(schemas)],
      condition: { StringEquals: { 'aws:ResourceAccount': account } },
    });
  }
  const knowledgeBases = (spec.knowledgeBases ?? []).map((kb) => `arn:${partition}:bedrock:${region}:${account}:knowledge-base/${kb.knowledgeBaseId}`);
  if (knowledgeBases.length > 0) {
    statement.push({ sid: 'QueryAssociatedKnowledgeBases', effect: 'Allow', action: ['bedrock:Retrieve'], resource: knowledgeBases });
    // The seed lists RetrieveAndGenerate with the knowledge-base ARNs, but IAM's catalogue gives
    // that action no resource type: a statement naming ARNs never allows it. It gets "*" alone;
    // what it reads is still limited by bedrock:Retrieve on the knowledge bases above.
    statement.push({ sid: 'RetrieveAndGenerate', effect: 'Allow', action: ['bedrock:RetrieveAndGenerate'], resource: ['*'] });
  }
  const guardrail = spec.guardrail?.identifier;
  if (guardrail) {
    const arn = guardrail.startsWith('arn:') ? guardrail : `arn:${partition}:bedrock:${region}:${account}:guardrail/${guardrail}`;
    statement.push({ sid: 'ApplyAgentGuardrail', effect: 'Allow', action: ['bedrock:ApplyGuardrail'], resource: [arn] });
  }
  if (spec.customerEncryptionKey) {
    statement.push({ sid: 'DecryptAgentResources', effect: 'Allow', action: ['kms:Decrypt'], resource: [spec.customerEncryptionKey] });
  }
  const iamRole = typeof spec.iamRole === 'object' ? spec.iamRole : undefined;
  const policies = (iamRole?.additionalPolicies ?? []).map((p, i) => {
    if (!p.policyArn) throw new TerminalError('UnsupportedPolicyReference', `spec.iamRole.additionalPolicies[${i}] names a policy resource; this operator attaches managed policies by policyArn only`);
    return { policyArn: p.policyArn };
  });
  return {
    roleName: serviceRoleName(agentName),
    description: `Service role of the Bedrock agent ${agentName}, generated by bedrock-forge-operator`,
    assumeRolePolicy: serviceTrust('bedrock.amazonaws.com', {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'AWS:SourceArn': agentArn ?? `arn:${partition}:bedrock:${region}:${account}:agent/*` },
    }),
    inlinePolicies: [{ name: 'AgentPermissions', policy: { version: '2012-10-17', statement } }],
    ...(policies.length > 0 ? { policies } : {}),
  };
}
