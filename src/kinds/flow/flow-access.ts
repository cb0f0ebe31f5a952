// The calls Bedrock makes with a flow's service role, for the access check: assume the role (as
// bedrock.amazonaws.com, for this flow of this account), then what each node does: invoke its
// model, render its managed prompt, query its knowledge base, invoke its agent alias, Lambda
// function or Lex bot, read from and write to its S3 buckets, apply its guardrail, and use the
// flow's KMS key. The uses are the generated role's (flowUses), so a role the user names is
// checked against exactly what the generated one would allow.
import type { FlowDefinition } from '@aws-sdk/client-bedrock-agent';
import type { AwsScope } from '../../aws/aws-environment.ts';
import type { ExpectedCall } from '../../iam/access-check.ts';
import { roleCalls, serviceAssumesRole } from '../role-calls.ts';
import type { RoleDocuments } from '../role-documents.ts';
import { flowPermissions } from './service-role.ts';

const BEDROCK = 'bedrock.amazonaws.com';

export function flowCalls(definition: FlowDefinition, kmsKeyArn: string | undefined, role: RoleDocuments, scope: AwsScope, flowArn: string | undefined): ExpectedCall[] {
  const { region, account } = scope;
  const calls: ExpectedCall[] = [];
  if (flowArn) calls.push(serviceAssumesRole(role, BEDROCK, account, flowArn, `for flow ${flowArn}`));
  // Each action on each resource the generated role would allow: a bucket's objects are checked
  // on one object of the bucket, a model behind a cross-region profile in the flow's own region,
  // RetrieveAndGenerate on `*` (IAM authorizes it on no resource type, whatever seed 003 lists).
  for (const statement of flowPermissions(definition, kmsKeyArn, scope)) {
    const context: Record<string, string> = statement.condition ? { 'aws:ResourceAccount': account } : {};
    for (const action of [statement.action ?? []].flat()) {
      for (const pattern of [statement.resource ?? []].flat()) {
        const resource = pattern.replace(`:bedrock:*:`, `:bedrock:${region}:`).replace(/\/\*$/, '/flow-object');
        // The bucket itself: PutObject is authorized on the object written.
        if (action === 's3:PutObject' && !resource.includes('/')) continue;
        calls.push(roleCalls(role, account, action, resource, context));
      }
    }
  }
  return calls;
}
