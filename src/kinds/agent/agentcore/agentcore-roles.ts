// The roles the operator generates for an Agent on AgentCore, from AgentCore's own documentation
// (docs/research/agentcore.md §3):
//   harness execution role  (harness-security.html "Harness execution role"): the model, the
//       runtime's logs, traces and metrics, its workload identity's tokens, its managed memory, the
//       agent's gateway, the code interpreter when an action group asks for it;
//   gateway role             (gateway-prerequisites-permissions.html): lambda:InvokeFunction on
//       exactly its target functions, bedrock:GetKnowledgeBase and Retrieve on exactly its
//       knowledge bases.
// Both trust bedrock-agentcore.amazonaws.com from this account only; once the resource exists,
// aws:SourceArn is pinned to it (the harness and the runtime AWS made for it, the gateway).
// Before, the documented patterns: the account's AgentCore resources for the harness (AWS does not
// document which ARN a harness presents), the gateway's name for the gateway.
import type { AgentSpec } from '../../../api/agent.ts';
import type { IAMRoleSpec } from '../../../api/iamrole.ts';
import type { PolicyStatement } from '../../../api/policy-document.ts';
import type { AwsScope } from '../../../aws/aws-environment.ts';
import { TerminalError } from '../../../runtime/errors.ts';
import { boundedName, serviceTrust } from '../../generated-roles.ts';
import { modelStatements } from '../service-role.ts';
import type { DesiredTarget } from './desired-agentcore.ts';

export const AGENTCORE_SERVICE = 'bedrock-agentcore.amazonaws.com';
const HARNESS_ROLE_PREFIX = 'BedrockAgentCoreHarness_';
const GATEWAY_ROLE_PREFIX = 'BedrockAgentCoreGateway_';

export const harnessRoleName = (agentName: string) => boundedName(`${HARNESS_ROLE_PREFIX}${agentName}`, '', 64);
export const gatewayRoleName = (agentName: string) => boundedName(`${GATEWAY_ROLE_PREFIX}${agentName}`, '', 64);
export const harnessRoleObjectName = (objectName: string) => boundedName(objectName, '-harness-role', 253);
export const gatewayRoleObjectName = (objectName: string) => boundedName(objectName, '-gateway-role', 253);

/** What AgentCore made, once it exists: it narrows the trust and the runtime's own resources. */
export interface HarnessFacts {
  harnessName: string;
  harnessArn?: string | undefined;
  runtimeArn?: string | undefined;
  memoryArn?: string | undefined;
  gatewayArn?: string | undefined;
  /** Whether the agent has a gateway (targets) at all. */
  usesGateway: boolean;
  managedMemory: boolean;
}

export function harnessRoleSpec(agentName: string, spec: AgentSpec, scope: AwsScope, facts: HarnessFacts): IAMRoleSpec {
  const { partition, region, account } = scope;
  const agentcore = (resource: string, owner = account) => `arn:${partition}:bedrock-agentcore:${region}:${owner}:${resource}`;
  const logGroup = `arn:${partition}:logs:${region}:${account}:log-group:/aws/bedrock-agentcore/runtimes/`;
  // The runtime's log group is named after the runtime's ID, known once the harness exists.
  const runtimeId = facts.runtimeArn?.split('/').pop();
  // Before: the runtime AWS names harness_<harness>-<10 characters>; harness names take no -, so no other harness's matches.
  const runtimeLogs = runtimeId ? `${logGroup}${runtimeId}-*` : `${logGroup}harness_${facts.harnessName}-*`;
  const statement: PolicyStatement[] = [
    ...modelStatements(spec.foundationModel, scope).map((s) => (s.sid === 'AllowModelInvocationForOrchestration'
      ? { ...s, sid: 'InvokeTheAgentsModel', action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] }
      : s)),
    { sid: 'CreateTheRuntimesLogGroup', effect: 'Allow', action: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'], resource: [runtimeLogs] },
    // DescribeLogGroups takes no resource (IAM's catalogue): "*" is all it accepts.
    { sid: 'FindLogGroups', effect: 'Allow', action: ['logs:DescribeLogGroups'], resource: ['*'] },
    { sid: 'WriteTheRuntimesLogs', effect: 'Allow', action: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: [`${runtimeLogs}:log-stream:*`] },
    // X-Ray's and ECR Public's actions take no resource (IAM's catalogue): "*" is all they accept.
    { sid: 'WriteTraces', effect: 'Allow', action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], resource: ['*'] },
    { sid: 'PullTheHarnessImage', effect: 'Allow', action: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'], resource: ['*'] },
    {
      sid: 'WriteMetricsToAgentCoresNamespace', effect: 'Allow', action: ['cloudwatch:PutMetricData'], resource: ['*'],
      condition: { StringEquals: { 'cloudwatch:namespace': 'bedrock-agentcore' } },
    },
    {
      sid: 'GetTheHarnessWorkloadIdentityTokens', effect: 'Allow',
      action: ['bedrock-agentcore:GetWorkloadAccessToken', 'bedrock-agentcore:GetWorkloadAccessTokenForJWT'],
      resource: [agentcore('workload-identity-directory/default'), agentcore(`workload-identity-directory/default/workload-identity/harness_${facts.harnessName}-*`)],
    },
  ];
  if (facts.managedMemory) {
    statement.push({
      sid: 'UseTheHarnessMemory', effect: 'Allow',
      action: ['bedrock-agentcore:CreateEvent', 'bedrock-agentcore:DeleteEvent', 'bedrock-agentcore:GetEvent', 'bedrock-agentcore:ListEvents', 'bedrock-agentcore:RetrieveMemoryRecords'],
      // Before the harness exists, the name AWS documents for a harness's managed memory (harness-security.html).
      resource: [facts.memoryArn ?? agentcore(`memory/harness_${facts.harnessName}_*`)],
    });
  }
  if (facts.usesGateway && facts.gatewayArn) {
    statement.push({ sid: 'CallTheAgentsGateway', effect: 'Allow', action: ['bedrock-agentcore:InvokeGateway'], resource: [facts.gatewayArn] });
  }
  if ((spec.actionGroups ?? []).some((g) => g.parentActionGroupSignature === 'AMAZON.CodeInterpreter' && g.actionGroupState !== 'DISABLED')) {
    statement.push({
      sid: 'UseTheCodeInterpreter', effect: 'Allow',
      action: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:StopCodeInterpreterSession', 'bedrock-agentcore:GetCodeInterpreterSession',
        'bedrock-agentcore:ListCodeInterpreterSessions', 'bedrock-agentcore:InvokeCodeInterpreter'],
      resource: [agentcore('code-interpreter/*', 'aws')],
    });
  }
  const iamRole = typeof spec.iamRole === 'object' ? spec.iamRole : undefined;
  const policies = (iamRole?.additionalPolicies ?? []).map((p, i) => {
    if (!p.policyArn) throw new TerminalError('UnsupportedPolicyReference', `spec.iamRole.additionalPolicies[${i}] names a policy resource; this operator attaches managed policies by policyArn only`);
    return { policyArn: p.policyArn };
  });
  const pinned = [facts.harnessArn, facts.runtimeArn].filter((a): a is string => a !== undefined);
  return {
    roleName: harnessRoleName(agentName),
    description: `Execution role of the AgentCore harness of agent ${agentName}, generated by bedrock-forge-operator`,
    assumeRolePolicy: serviceTrust(AGENTCORE_SERVICE, {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': pinned.length > 0 ? pinned : agentcore('*') },
    }),
    inlinePolicies: [{ name: 'HarnessPermissions', policy: { version: '2012-10-17', statement } }],
    ...(policies.length > 0 ? { policies } : {}),
  };
}

export function gatewayRoleSpec(agentName: string, gatewayName: string, targets: DesiredTarget[], scope: AwsScope, gatewayArn: string | undefined, kmsKeyArn?: string): IAMRoleSpec {
  const { partition, region, account } = scope;
  const statement: PolicyStatement[] = [];
  const functions = [...new Set(targets.flatMap((t) => (t.kind === 'lambda' ? [t.lambdaArn] : [])))];
  if (functions.length > 0) statement.push({ sid: 'InvokeTheTargetFunctions', effect: 'Allow', action: ['lambda:InvokeFunction'], resource: functions });
  const knowledgeBases = targets.flatMap((t) => (t.kind === 'knowledge-base' ? [`arn:${partition}:bedrock:${region}:${account}:knowledge-base/${t.knowledgeBaseId}`] : []));
  if (knowledgeBases.length > 0) {
    // The connector checks each knowledge base with GetKnowledgeBase when the target is made, then retrieves.
    statement.push({ sid: 'QueryTheTargetKnowledgeBases', effect: 'Allow', action: ['bedrock:GetKnowledgeBase', 'bedrock:Retrieve'], resource: knowledgeBases });
  }
  if (kmsKeyArn) {
    statement.push({ sid: 'UseTheGatewaysKey', effect: 'Allow', action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resource: [kmsKeyArn] });
  }
  return {
    roleName: gatewayRoleName(agentName),
    description: `Role of the AgentCore gateway of agent ${agentName}, generated by bedrock-forge-operator`,
    assumeRolePolicy: serviceTrust(AGENTCORE_SERVICE, {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': gatewayArn ?? `arn:${partition}:bedrock-agentcore:${region}:${account}:gateway/${gatewayName.toLowerCase()}-*` },
    }),
    inlinePolicies: statement.length > 0 ? [{ name: 'GatewayPermissions', policy: { version: '2012-10-17', statement } }] : [],
  };
}
