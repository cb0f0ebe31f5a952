// The policy analysis, with IAM's catalogue: each dangerous shape gives its finding; what the
// operator generates, and the complete example, give none.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AgentSpec } from '../../src/api/agent.ts';
import type { LambdaSpec } from '../../src/api/lambda.ts';
import { analysePolicies, atOrAbove, type AnalysedPolicy } from '../../src/iam/findings.ts';
import { serviceRoleSpec } from '../../src/kinds/agent/service-role.ts';
import { roleDocuments } from '../../src/kinds/iamrole/iamrole-client.ts';
import { executionRoleSpec } from '../../src/kinds/lambda/execution-role.ts';

const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };
const identity = (statement: unknown[]): AnalysedPolicy[] => [{ kind: 'identity', path: 'p', document: { statement } as never }];
const trust = (statement: unknown[]): AnalysedPolicy[] => [{ kind: 'trust', path: 't', document: { statement } as never }];
const checks = (policies: AnalysedPolicy[]) => analysePolicies(policies).map((f) => `${f.severity} ${f.check}`);

describe('dangerous policies', () => {
  it.each([
    ['AWS: * with no condition', trust([{ effect: 'Allow', principal: { AWS: '*' }, action: 'sts:AssumeRole' }]), 'high PublicPrincipal'],
    ['"*" with no condition', trust([{ effect: 'Allow', principal: '*', action: 'sts:AssumeRole' }]), 'high PublicPrincipal'],
    ['every service', trust([{ effect: 'Allow', principal: { service: '*' }, action: 'sts:AssumeRole' }]), 'high EveryService'],
    ['a service without SourceAccount/SourceArn', trust([{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }]), 'medium ConfusedDeputy'],
    ['Allow with NotPrincipal', trust([{ effect: 'Allow', notPrincipal: { AWS: 'arn:aws:iam::123456789012:root' }, action: 'sts:AssumeRole' }]), 'high AllowWithNotPrincipal'],
    ['Allow * on *', identity([{ effect: 'Allow', action: '*', resource: '*' }]), 'high FullAccess'],
    ['iam:PassRole on *', identity([{ effect: 'Allow', action: 'iam:PassRole', resource: '*' }]), 'high PassRoleToAnyRole'],
    ['NotAction', identity([{ effect: 'Allow', notAction: 'iam:*', resource: '*' }]), 'medium AllowWithNotAction'],
    ['NotResource', identity([{ effect: 'Allow', action: 's3:GetObject', notResource: 'arn:aws:s3:::secret/*' }]), 'medium AllowWithNotResource'],
    ['a typo', identity([{ effect: 'Allow', action: 's3:GetObjct', resource: 'arn:aws:s3:::b/*' }]), 'medium UnknownAction'],
    ['an unknown service', identity([{ effect: 'Allow', action: 'bedrok:InvokeModel', resource: '*' }]), 'medium UnknownAction'],
    ['an ARN no action of the statement takes', identity([{ effect: 'Allow', action: 'bedrock:InvokeModel', resource: 'arn:aws:s3:::bucket/key' }]), 'medium ResourceMatchesNoAction'],
    ['an action that takes no resource type, given an ARN', identity([{ effect: 'Allow', action: 'bedrock:RetrieveAndGenerate', resource: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB1' }]), 'medium ActionTakesNoResource'],
    ['* where the action takes ARNs', identity([{ effect: 'Allow', action: 'bedrock:InvokeModel', resource: '*' }]), 'low WildcardResource'],
  ])('%s', (_title, policies, finding) => {
    expect(checks(policies)).toContain(finding);
  });

  it('a condition on the source or the principal narrows * and service principals', () => {
    expect(checks(trust([{ effect: 'Allow', principal: { AWS: '*' }, action: 'sts:AssumeRole', condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }]))).toEqual([]);
    expect(checks(trust([{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole', condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' } } }]))).toEqual([]);
    // A negated operator does not narrow.
    expect(checks(trust([{ effect: 'Allow', principal: '*', action: 'sts:AssumeRole', condition: { StringNotEquals: { 'aws:SourceAccount': '1' } } }]))).toContain('high PublicPrincipal');
  });

  it('wildcard ARNs and actions that fit raise nothing; Deny statements are not judged for breadth', () => {
    expect(checks(identity([
      { effect: 'Allow', action: ['s3:Get*'], resource: 'arn:aws:s3:::bucket/*' },
      { effect: 'Allow', action: 'bedrock:InvokeModel', resource: 'arn:aws:bedrock:*::foundation-model/anthropic.*' },
      { effect: 'Deny', action: '*', resource: '*' },
    ]))).toEqual([]);
  });

  it('atOrAbove keeps the severities at or over a floor', () => {
    const findings = analysePolicies([...trust([{ effect: 'Allow', principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole' }]), ...identity([{ effect: 'Allow', action: '*', resource: '*' }])]);
    expect(atOrAbove(findings, 'high').map((f) => f.check)).toEqual(['FullAccess']);
    expect(atOrAbove(findings, 'medium').map((f) => f.check).sort()).toEqual(['ConfusedDeputy', 'FullAccess']);
  });
});

describe('what the operator generates has no findings', () => {
  const fullAgent = {
    foundationModel: 'us.anthropic.claude-3-haiku-20240307-v1:0', instruction: 'x'.repeat(40),
    actionGroups: [{ name: 'g', apiSchema: { s3: { s3BucketName: 'schemas', s3ObjectKey: 'orders.yaml' } } }],
    knowledgeBases: [{ knowledgeBaseId: 'KB12345678', description: 'FAQ' }], guardrail: { identifier: 'gr1abc', version: '1' },
    customerEncryptionKey: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  } as unknown as AgentSpec;
  const fullLambda = {
    runtime: 'python3.12', handler: 'app.handler', vpcConfig: { subnetIds: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] }, tracingConfig: { mode: 'Active' },
    deadLetterConfig: { targetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq' }, kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
  } as unknown as LambdaSpec;

  it.each([
    ['the agent service role, every statement', serviceRoleSpec('a', fullAgent, scope, undefined)],
    ['the agent service role for a model ARN and its agent ARN', serviceRoleSpec('a', { ...fullAgent, foundationModel: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0' }, scope, 'arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ')],
    ['the Lambda execution role, every statement', executionRoleSpec('f', fullLambda, scope)],
    ['the Lambda execution role, plain', executionRoleSpec('f', { runtime: 'python3.12', handler: 'a.b' } as unknown as LambdaSpec, scope)],
  ])('%s', (_title, spec) => {
    expect(analysePolicies(roleDocuments(spec))).toEqual([]);
  });

  it('examples/complete', async () => {
    const text = await readFile(join(import.meta.dirname, '..', '..', 'examples', 'complete', 'order-assistant.yaml'), 'utf8');
    const objects = parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> });
    const policies: AnalysedPolicy[] = [];
    for (const o of objects) {
      if (o.kind === 'IAMRole') policies.push(...roleDocuments(o.spec as never));
      if (o.kind === 'Lambda') {
        const statements = ((o.spec.resourcePolicy as { statements?: unknown[] } | undefined)?.statements ?? []);
        policies.push(...statements.map((s, i): AnalysedPolicy => ({ kind: 'resource', path: `${o.metadata.name}.resourcePolicy.statements[${i}]`, document: { statement: [s] } as never })));
        if (!o.spec.iamRole && !o.spec.roleArn) policies.push(...roleDocuments(executionRoleSpec(o.metadata.name, o.spec as never, scope)));
      }
      if (o.kind === 'Agent' && !o.spec.iamRole) policies.push(...roleDocuments(serviceRoleSpec(o.metadata.name, o.spec as never, scope, undefined)));
    }
    expect(policies.length).toBeGreaterThan(2);
    expect(analysePolicies(policies)).toEqual([]);
  });
});
