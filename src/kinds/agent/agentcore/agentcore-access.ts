// The calls AgentCore makes with a harness's execution role, for the access check: assume the role
// (as bedrock-agentcore.amazonaws.com, for this harness of this account, once it exists), invoke
// the agent's model with and without streaming, and call the agent's gateway. A role the spec names
// that still trusts only bedrock.amazonaws.com (a Bedrock Agents role) shows here before AgentCore
// refuses it.
import type { AgentSpec } from '../../../api/agent.ts';
import type { AwsScope } from '../../../aws/aws-environment.ts';
import type { ExpectedCall } from '../../../iam/access-check.ts';
import { roleCalls, serviceAssumesRole } from '../../role-calls.ts';
import type { RoleDocuments } from '../../role-documents.ts';
import { modelStatements } from '../service-role.ts';
import { AGENTCORE_SERVICE } from './agentcore-roles.ts';

export function harnessCalls(spec: AgentSpec, role: RoleDocuments, scope: AwsScope, known: { harnessArn?: string | undefined; gatewayArn?: string | undefined }): ExpectedCall[] {
  const { region, account } = scope;
  const calls: ExpectedCall[] = [];
  if (known.harnessArn) calls.push(serviceAssumesRole(role, AGENTCORE_SERVICE, account, known.harnessArn, `for harness ${known.harnessArn}`));
  const asRole = (action: string, resource: string) => roleCalls(role, account, action, resource);
  for (const statement of modelStatements(spec.foundationModel, scope)) {
    const actions = statement.sid === 'AllowModelInvocationForOrchestration' ? ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] : [statement.action ?? []].flat();
    for (const action of actions) {
      for (const resource of [statement.resource ?? []].flat()) calls.push(asRole(action, resource.replace(':bedrock:*:', `:bedrock:${region}:`)));
    }
  }
  if (known.gatewayArn) calls.push(asRole('bedrock-agentcore:InvokeGateway', known.gatewayArn));
  return calls;
}
