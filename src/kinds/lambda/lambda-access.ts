// The calls AWS makes around a Lambda, for the access check: Lambda assumes the execution role
// (as lambda.amazonaws.com, for this function of this account), and each Agent whose action
// group calls the function invokes it as bedrock.amazonaws.com, which the function's resource
// policy must allow for that agent's ARN.
import type { AgentResource } from '../../api/kinds.ts';
import type { AwsScope } from '../../aws/aws-environment.ts';
import { permissionStatement, type Permission } from '../../aws/lambda/permissions.ts';
import type { ExpectedCall } from '../../iam/access-check.ts';
import { serviceAssumesRole } from '../role-calls.ts';
import type { RoleDocuments } from '../role-documents.ts';

export function lambdaCalls(functionName: string, role: RoleDocuments, permissions: Permission[], callers: AgentResource[], scope: AwsScope): ExpectedCall[] {
  const { partition, region, account } = scope;
  const functionArn = `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
  const calls: ExpectedCall[] = [serviceAssumesRole(role, 'lambda.amazonaws.com', account, functionArn, `for function ${functionName}`)];
  const resourcePolicy = {
    name: `the resource policy of Lambda ${functionName}`,
    document: { Version: '2012-10-17', Statement: permissions.map((p) => permissionStatement(p, functionArn)) },
  };
  for (const agent of callers) {
    const agentArn = agent.status?.agentArn;
    if (!agentArn) continue;
    calls.push({
      request: {
        principal: { type: 'Service', service: 'bedrock.amazonaws.com' }, action: 'lambda:InvokeFunction', resource: functionArn,
        context: { 'aws:SourceAccount': account, 'aws:SourceArn': agentArn },
      },
      policies: { resource: resourcePolicy },
      caller: 'bedrock.amazonaws.com',
      purpose: `for agent ${agent.metadata.namespace}/${agent.metadata.name} (${agentArn})`,
    });
  }
  return calls;
}
