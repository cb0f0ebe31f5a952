// IAM's grammar and quotas, known locally: what IAM would refuse is named with its field.
import { describe, expect, it } from 'vitest';
import { adjustableQuota, conditionOperatorValid, DEFAULT_ROLE_QUOTAS, policySize, roleProblems, trustActions } from '../../src/iam/iam-rules.ts';

const trust = (extra: Record<string, unknown> = {}) => ({ statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole', ...extra }] });
const problems = (role: Partial<Parameters<typeof roleProblems>[0]>) =>
  roleProblems({ trust: trust(), inline: [], managedPolicyCount: 0, ...role }, DEFAULT_ROLE_QUOTAS);

describe('condition operators', () => {
  it.each(['StringEquals', 'StringLikeIfExists', 'ForAnyValue:StringEquals', 'ForAllValues:ArnLike', 'Null', 'NumericLessThanEquals', 'DateGreaterThanIfExists', 'BinaryEquals', 'NotIpAddress'])('knows %s', (op) => {
    expect(conditionOperatorValid(op)).toBe(true);
  });
  it.each(['StringEqual', 'stringEquals', 'NullIfExists', 'ForSomeValue:StringEquals', 'ArnMatches', 'StringEqualsIfexists'])('refuses %s, as IAM does', (op) => {
    expect(conditionOperatorValid(op)).toBe(false);
  });
  it('names the statement whose condition is wrong', () => {
    expect(problems({ trust: trust({ condition: { StringEqual: { 'aws:SourceAccount': '1' } } }) })).toEqual([
      expect.objectContaining({ reason: 'MalformedPolicyDocument', path: 'spec.assumeRolePolicy.statement[0].condition', message: expect.stringContaining('StringEqual is not an IAM condition operator') }),
    ]);
  });
});

describe('trust-policy actions', () => {
  it('come from the catalogue: the sts actions authorized on a role', () => {
    expect(trustActions().sort()).toEqual(['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity', 'sts:SetContext', 'sts:SetSourceIdentity', 'sts:TagSession'].sort());
  });
  it('refuses sts:AssumeRoles and s3:GetObject, takes sts:Assume* and sts:TagSession', () => {
    const actions = (action: unknown) => problems({ trust: trust({ action }) }).map((p) => p.message);
    expect(actions('sts:AssumeRoles')).toEqual([expect.stringContaining('sts:AssumeRoles cannot be in a trust policy')]);
    expect(actions(['sts:AssumeRole', 's3:GetObject'])).toEqual([expect.stringContaining('s3:GetObject')]);
    expect(actions(['sts:Assume*', 'sts:TagSession', 'STS:assumerole'])).toEqual([]);
  });
});

describe('sizes, as IAM counts them', () => {
  it('does not count whitespace', () => {
    const doc = { statement: [{ effect: 'Allow', action: 's3:GetObject', resource: 'arn:aws:s3:::a b/c' }] };
    expect(policySize(doc)).toBe(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a b/c' }] }).length - 1);
  });
  it('refuses inline policies over 10,240 characters together, and takes them at the limit', () => {
    const policy = (n: number) => ({ statement: [{ effect: 'Allow', action: 's3:GetObject', resource: `arn:aws:s3:::${'b'.repeat(n)}` }] });
    const base = policySize(policy(0));
    expect(problems({ inline: [{ name: 'a', policy: policy(10_240 - base) }] })).toEqual([]);
    expect(problems({ inline: [{ name: 'a', policy: policy(5_120 - base) }, { name: 'b', policy: policy(5_121 - base) }] })).toEqual([
      expect.objectContaining({ reason: 'LimitExceeded', path: 'spec.inlinePolicies', message: expect.stringContaining('10241 characters') }),
    ]);
  });
  it('refuses a trust policy over the account\'s quota: 2,048 by default, up to 4,096 when raised', () => {
    const long = trust({ condition: { StringEquals: { 'aws:SourceArn': 'x'.repeat(2_100) } } });
    expect(problems({ trust: long })).toEqual([expect.objectContaining({ reason: 'LimitExceeded', path: 'spec.assumeRolePolicy', message: expect.stringContaining('--iam-trust-policy-quota') })]);
    expect(roleProblems({ trust: long, inline: [], managedPolicyCount: 0 }, { ...DEFAULT_ROLE_QUOTAS, trustPolicyChars: 4096 })).toEqual([]);
  });
  it('refuses an eleventh managed policy unless the quota was raised', () => {
    expect(problems({ managedPolicyCount: 11 })).toEqual([expect.objectContaining({ reason: 'LimitExceeded', path: 'spec.policies' })]);
    expect(roleProblems({ trust: trust(), inline: [], managedPolicyCount: 11 }, { ...DEFAULT_ROLE_QUOTAS, managedPoliciesPerRole: 20 })).toEqual([]);
  });
  it('quota flags stay within what AWS grants', () => {
    expect(adjustableQuota('managedPoliciesPerRole', 20, '--q')).toBe(20);
    expect(() => adjustableQuota('managedPoliciesPerRole', 21, '--q')).toThrow('--q must be an integer from 10');
    expect(() => adjustableQuota('trustPolicyChars', 1000, '--q')).toThrow('2048');
  });
});
