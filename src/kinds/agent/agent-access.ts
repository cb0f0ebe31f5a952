// The calls Bedrock makes with an agent's service role, for the access check: assume the role
// (as bedrock.amazonaws.com, for this agent of this account), invoke its model (or inference
// profile and the model behind it in the agent's region), read its action groups' schemas in S3,
// query its knowledge bases, apply its guardrail, decrypt with its KMS key.
import type { AgentSpec } from '../../api/agent.ts';
import type { AwsScope } from '../../aws/aws-environment.ts';
import type { ExpectedCall } from '../../iam/access-check.ts';
import { roleCalls, serviceAssumesRole } from '../role-calls.ts';
import type { RoleDocuments } from '../role-documents.ts';
import { modelStatements } from './service-role.ts';

const BEDROCK = 'bedrock.amazonaws.com';

/** `promptModels`: the models prompt overrides run steps on besides the agent's own. */
export function agentCalls(spec: AgentSpec, role: RoleDocuments, scope: AwsScope, agentArn: string | undefined, promptModels: readonly string[] = []): ExpectedCall[] {
  const { partition, region, account } = scope;
  const calls: ExpectedCall[] = [];
  if (agentArn) calls.push(serviceAssumesRole(role, BEDROCK, account, agentArn, `for agent ${agentArn}`));
  const asRole = (action: string, resource: string, context: Record<string, string> = {}) => roleCalls(role, account, action, resource, context);
  // The model (or inference profile) and what the generated role would allow with it; a model
  // behind a cross-region profile is checked in the agent's own region.
  for (const statement of modelStatements(spec.foundationModel, scope, promptModels)) {
    for (const action of [statement.action ?? []].flat()) {
      for (const resource of [statement.resource ?? []].flat()) calls.push(asRole(action, resource.replace(`:bedrock:*:`, `:bedrock:${region}:`)));
    }
  }
  for (const group of spec.actionGroups ?? []) {
    const s3 = group.apiSchema?.s3;
    if (s3) calls.push(asRole('s3:GetObject', `arn:${partition}:s3:::${s3.s3BucketName}/${s3.s3ObjectKey}`, { 'aws:ResourceAccount': account }));
  }
  for (const kb of spec.knowledgeBases ?? []) calls.push(asRole('bedrock:Retrieve', `arn:${partition}:bedrock:${region}:${account}:knowledge-base/${kb.knowledgeBaseId}`));
  const guardrail = spec.guardrail?.identifier;
  if (guardrail) calls.push(asRole('bedrock:ApplyGuardrail', guardrail.startsWith('arn:') ? guardrail : `arn:${partition}:bedrock:${region}:${account}:guardrail/${guardrail}`));
  if (spec.customerEncryptionKey) calls.push(asRole('kms:Decrypt', spec.customerEncryptionKey));
  return calls;
}
