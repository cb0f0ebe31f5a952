// Lambda resource-based policies: desired statements become AddPermission calls, GetPolicy's
// answer is parsed back, and the two are compared as Lambda treats them, not as strings.
import { describe, expect, it } from 'vitest';
import { agentPermission, anyAgentPermission, diffPermissions, parsePolicy, permissionsOf, UnsupportedStatement } from '../../src/aws/lambda/permissions.ts';

const AGENT_ARN = 'arn:aws:bedrock:us-east-1:123456789012:agent/AGENT12345';

/** GetPolicy's answer for a statement, as Lambda writes it. */
function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

describe('Lambda permissions', () => {
  it('gives an agent exactly the statement of seed 001: bedrock.amazonaws.com, its account and its ARN', () => {
    expect(agentPermission(AGENT_ARN, '123456789012')).toEqual({
      statementId: 'bedrock-agent-AGENT12345', action: 'lambda:InvokeFunction', principal: 'bedrock.amazonaws.com',
      sourceAccount: '123456789012', sourceArn: AGENT_ARN,
    });
    expect(anyAgentPermission('aws', 'eu-west-1', '123456789012').sourceArn).toBe('arn:aws:bedrock:eu-west-1:123456789012:agent/*');
  });

  it('finds a statement Lambda stored equal to the one declared, whatever the spelling', () => {
    const desired = agentPermission(AGENT_ARN, '123456789012');
    const stored = parsePolicy(policy({
      Sid: 'bedrock-agent-AGENT12345', Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'lambda:InvokeFunction',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': AGENT_ARN } },
    }));
    expect(diffPermissions([desired], stored)).toEqual({ put: [], remove: [] });
  });

  it('treats an account ID and its root ARN as the same principal, and action names without case', () => {
    const [desired] = permissionsOf({ sid: 'Acct', principal: { aws: '111122223333' }, action: 'lambda:invokefunction' }, 's');
    const stored = parsePolicy(policy({ Sid: 'Acct', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'lambda:InvokeFunction' }));
    expect(diffPermissions([desired!], stored)).toEqual({ put: [], remove: [] });
  });

  it('replaces a statement whose source ARN changed and removes one nobody declared', () => {
    const desired = agentPermission(AGENT_ARN, '123456789012');
    const stored = parsePolicy(policy(
      { Sid: desired.statementId, Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'lambda:InvokeFunction', Condition: { ArnLike: { 'AWS:SourceArn': `${AGENT_ARN}X` }, StringEquals: { 'AWS:SourceAccount': '123456789012' } } },
      { Sid: 'added-by-hand', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction' },
    ));
    const diff = diffPermissions([desired], stored);
    expect(diff.put).toEqual([desired]);
    expect(diff.remove.sort()).toEqual(['added-by-hand', desired.statementId].sort());
  });

  it('adds what is missing from a function without a policy', () => {
    expect(diffPermissions([agentPermission(AGENT_ARN, '1')], parsePolicy(undefined)).put).toHaveLength(1);
  });

  it('expands a statement with several principals and actions into one permission each, with stable IDs', () => {
    const statement = { principal: { service: ['s3.amazonaws.com', 'sns.amazonaws.com'] }, action: ['lambda:InvokeFunction', 'lambda:GetFunction'], condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } };
    const first = permissionsOf(statement, 's');
    expect(first).toHaveLength(4);
    expect(first.every((p) => p.sourceAccount === '123456789012')).toBe(true);
    expect(new Set(first.map((p) => p.statementId)).size).toBe(4);
    expect(permissionsOf(statement, 's').map((p) => p.statementId)).toEqual(first.map((p) => p.statementId));
  });

  it('refuses what AddPermission cannot express, naming the statement and the condition', () => {
    expect(() => permissionsOf({ principal: '*', action: 'lambda:InvokeFunction', condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }, 'spec.resourcePolicy.statements[2]'))
      .toThrow(/statements\[2\]: the condition IpAddress aws:SourceIp cannot be set/);
    expect(() => permissionsOf({ effect: 'Deny', principal: '*', action: 'lambda:InvokeFunction' }, 's')).toThrow(UnsupportedStatement);
  });
});
