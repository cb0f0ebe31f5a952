// What an Agent spec asks of Bedrock: the generated service role, statement by statement against
// the AWS page "Permissions to create and manage an agent" (shared/seeds/001), and the agent's
// fields compared as Bedrock returns them (its DEFAULT prompts are not drift).
import type { Agent } from '@aws-sdk/client-bedrock-agent';
import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../src/api/agent.ts';
import { actionGroupMatches, agentDiff, desiredActionGroup, desiredAgentFields } from '../../src/kinds/agent/desired-agent.ts';
import type { AgentResource } from '../../src/api/kinds.ts';
import { deletionPolicyOf } from '../../src/api/metadata.ts';
import { agentUsesLambda } from '../../src/kinds/agent-lambda-link.ts';
import { serviceRoleName, serviceRoleSpec } from '../../src/kinds/agent/service-role.ts';

const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };
const MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
const base: AgentSpec = { foundationModel: MODEL, instruction: 'You help customers look up their orders and nothing else.' };

describe('generated service role (seed 001)', () => {
  it('is named with the prefix Bedrock requires and trusts bedrock.amazonaws.com from this account for agent/* until the agent exists', () => {
    const role = serviceRoleSpec('orders', base, scope, undefined);
    expect(role.roleName).toBe('AmazonBedrockExecutionRoleForAgents_orders');
    expect(role.assumeRolePolicy!.statement).toEqual([{
      effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole',
      condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:bedrock:us-east-1:123456789012:agent/*' } },
    }]);
  });

  it('then trusts only that agent\'s ARN', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ';
    expect(serviceRoleSpec('orders', base, scope, arn).assumeRolePolicy!.statement[0]!.condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': arn },
    });
  });

  it('may invoke exactly its foundation model and nothing else when it has no action group, knowledge base, guardrail or key', () => {
    expect(serviceRoleSpec('orders', base, scope, undefined).inlinePolicies).toEqual([{ name: 'AgentPermissions', policy: { version: '2012-10-17', statement: [
      { sid: 'AllowModelInvocationForOrchestration', effect: 'Allow', action: ['bedrock:InvokeModel'], resource: [`arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`] },
    ] } }]);
  });

  it('adds one statement per need: S3 schemas in this account, knowledge bases, guardrail, KMS key', () => {
    const statements = serviceRoleSpec('orders', {
      ...base,
      actionGroups: [{ name: 'orders', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, apiSchema: { s3: { s3BucketName: 'schemas', s3ObjectKey: 'orders.yaml' } } }],
      knowledgeBases: [{ knowledgeBaseId: 'KB12345678', description: 'Order FAQ' }],
      guardrail: { identifier: 'gr1abc' },
      customerEncryptionKey: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
    }, scope, undefined).inlinePolicies![0]!.policy.statement;
    expect(statements.slice(1)).toEqual([
      { sid: 'AllowAccessToActionGroupApiSchemasInS3', effect: 'Allow', action: ['s3:GetObject'], resource: ['arn:aws:s3:::schemas/orders.yaml'], condition: { StringEquals: { 'aws:ResourceAccount': '123456789012' } } },
      { sid: 'QueryAssociatedKnowledgeBases', effect: 'Allow', action: ['bedrock:Retrieve'], resource: ['arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678'] },
      { sid: 'RetrieveAndGenerate', effect: 'Allow', action: ['bedrock:RetrieveAndGenerate'], resource: ['*'] },
      { sid: 'ApplyAgentGuardrail', effect: 'Allow', action: ['bedrock:ApplyGuardrail'], resource: ['arn:aws:bedrock:us-east-1:123456789012:guardrail/gr1abc'] },
      { sid: 'DecryptAgentResources', effect: 'Allow', action: ['kms:Decrypt'], resource: ['arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555'] },
    ]);
  });

  it('for an inference profile, may invoke the profile and the model behind it in the regions it routes to', () => {
    const [invoke, read] = serviceRoleSpec('orders', { ...base, foundationModel: `us.${MODEL}` }, scope, undefined).inlinePolicies![0]!.policy.statement;
    expect(invoke!.resource).toEqual([`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${MODEL}`, `arn:aws:bedrock:*::foundation-model/${MODEL}`]);
    expect(read).toEqual({ sid: 'ReadInferenceProfile', effect: 'Allow', action: ['bedrock:GetInferenceProfile'], resource: [`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${MODEL}`] });
  });

  it('attaches additionalPolicies and keeps names within IAM\'s 64 characters', () => {
    const role = serviceRoleSpec('orders', { ...base, iamRole: { autoCreate: true, additionalPolicies: [{ policyArn: 'arn:aws:iam::aws:policy/AWSLambdaExecute' }] } }, scope, undefined);
    expect(role.policies).toEqual([{ policyArn: 'arn:aws:iam::aws:policy/AWSLambdaExecute' }]);
    expect(serviceRoleName('a'.repeat(100))).toHaveLength(64);
  });
});

describe('agent fields', () => {
  const role = 'arn:aws:iam::123456789012:role/r';
  const desired = desiredAgentFields(base, 'orders', role);
  const asReturned: Agent = {
    agentId: 'A', agentName: 'orders', agentArn: 'arn', agentVersion: 'DRAFT', agentStatus: 'PREPARED', foundationModel: MODEL, instruction: base.instruction,
    idleSessionTTLInSeconds: 600, agentResourceRoleArn: role, createdAt: new Date(), updatedAt: new Date(),
    // What GetAgent returns for an agent without overrides: AWS's defaults, which are not drift.
    promptOverrideConfiguration: { promptConfigurations: [
      { promptType: 'ORCHESTRATION', promptCreationMode: 'DEFAULT', promptState: 'ENABLED', basePromptTemplate: 'default template', parserMode: 'DEFAULT' },
      { promptType: 'PRE_PROCESSING', promptCreationMode: 'DEFAULT', promptState: 'DISABLED', basePromptTemplate: 'default', parserMode: 'DEFAULT' },
    ] },
  };

  it('are complete, with Bedrock\'s defaults where the spec is silent', () => {
    expect(desired).toEqual({ agentName: 'orders', foundationModel: MODEL, instruction: base.instruction, agentResourceRoleArn: role, idleSessionTTLInSeconds: 600 });
  });

  it('show no drift for an agent as GetAgent returns it, DEFAULT prompts included', () => {
    expect(agentDiff(desired, asReturned)).toEqual([]);
  });

  it('name each field that differs, and an override AWS has that the spec does not', () => {
    const changed = { ...asReturned, instruction: 'changed by hand in the console, longer than forty characters', idleSessionTTLInSeconds: 900,
      promptOverrideConfiguration: { promptConfigurations: [{ promptType: 'ORCHESTRATION' as const, promptCreationMode: 'OVERRIDDEN' as const, basePromptTemplate: 'mine' }] } };
    expect(agentDiff(desired, changed)).toEqual(['instruction', 'idle session TTL', 'prompt overrides']);
  });

  it('compare an action group by what it does, with the Lambda ARN resolved', () => {
    const group = desiredActionGroup({ name: 'orders', actionGroupExecutor: { lambda: 'order-lookup' }, functionSchema: { functions: [{ name: 'lookup', parameters: { id: { type: 'string', required: true } } }] } },
      () => 'arn:aws:lambda:us-east-1:123456789012:function:order-lookup');
    expect(group.actionGroupExecutor).toEqual({ lambda: 'arn:aws:lambda:us-east-1:123456789012:function:order-lookup' });
    const actual = { agentId: 'A', agentVersion: 'DRAFT', actionGroupId: 'G', actionGroupName: 'orders', createdAt: new Date(), updatedAt: new Date(), actionGroupState: 'ENABLED' as const,
      actionGroupExecutor: group.actionGroupExecutor, functionSchema: { functions: [{ name: 'lookup', parameters: { id: { type: 'string' as const, required: true } } }] } };
    expect(actionGroupMatches(group, actual)).toBe(true);
    expect(actionGroupMatches(group, { ...actual, actionGroupState: 'DISABLED' })).toBe(false);
  });

  it('read Bedrock Forge\'s {ref: name} for an action group\'s Lambda as the name', () => {
    const asked: string[] = [];
    const group = desiredActionGroup({ name: 'orders', actionGroupExecutor: { lambda: { ref: 'order-lookup' } }, functionSchema: { functions: [{ name: 'lookup' }] } },
      (name) => { asked.push(name); return `arn:aws:lambda:us-east-1:123456789012:function:${name}`; });
    expect(asked).toEqual(['order-lookup']);
    expect(group.actionGroupExecutor).toEqual({ lambda: 'arn:aws:lambda:us-east-1:123456789012:function:order-lookup' });
    const agent = { spec: { actionGroups: [{ name: 'orders', actionGroupExecutor: { lambda: { ref: 'order-lookup' } } }] } } as unknown as AgentResource;
    expect(agentUsesLambda(agent, 'order-lookup')).toBe(true);
    expect(agentUsesLambda(agent, 'other')).toBe(false);
  });
});

describe('the deletion policy', () => {
  const obj = (spec: object, annotations?: Record<string, string>) => ({ apiVersion: 'bedrockforge.io/v1alpha1' as const, kind: 'Lambda', metadata: { name: 'f', ...(annotations ? { annotations } : {}) }, spec });
  it('is the annotation, else retain for Bedrock Forge\'s skipDestroy, else the operator\'s default', () => {
    expect(deletionPolicyOf(obj({}), 'delete')).toBe('delete');
    expect(deletionPolicyOf(obj({ skipDestroy: true }), 'delete')).toBe('retain');
    expect(deletionPolicyOf(obj({ skipDestroy: false }), 'retain')).toBe('retain');
    expect(deletionPolicyOf(obj({ skipDestroy: true }, { 'bedrockforge.io/deletion-policy': 'delete' }), 'delete')).toBe('delete');
  });
});
