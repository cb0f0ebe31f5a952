// IAM documents are compared semantically: what IAM treats alike is equal, whatever its spelling.
import { describe, expect, it } from 'vitest';
import { iamPolicyText, policiesEqual, type AnyPolicy, type AnyStatement } from '../../src/aws/iam/policy-json.ts';

const trust: AnyPolicy = {
  version: '2012-10-17',
  statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }],
};
const invoke: AnyStatement = { sid: 'Invoke', effect: 'Allow', action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resource: ['arn:aws:bedrock:us-east-1::foundation-model/a', 'arn:aws:bedrock:us-east-1::foundation-model/b'] };
const lambda: AnyStatement = { effect: 'Allow', action: 'lambda:InvokeFunction', resource: 'arn:aws:lambda:*:*:function:approved-*', condition: { StringEquals: { 'lambda:FunctionTag/Environment': 'production' } } };
const perms: AnyPolicy = { version: '2012-10-17', statement: [invoke, lambda] };
const trustStatement: AnyStatement = { effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' };
const iam = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

const equal: [string, AnyPolicy, AnyPolicy | string][] = [
  ['the same document in IAM spelling', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
  ['URL-encoded as GetRole returns it', trust, iam({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] })],
  ['a one-element list returned as a string', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['bedrock.amazonaws.com'] }, Action: ['sts:AssumeRole'] }] }],
  ['a single statement not in a list', trust, { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' } }],
  ['whitespace and key order', trust, '{\n  "Statement": [ { "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock.amazonaws.com"}, "Effect": "Allow" } ],\n  "Version": "2012-10-17"\n}'],
  ['statements in another order', perms, { Version: '2012-10-17', Statement: [lambda, invoke] }],
  ['actions in another order', perms, { version: '2012-10-17', statement: [{ ...invoke, action: ['bedrock:InvokeModelWithResponseStream', 'bedrock:InvokeModel'] }, lambda] }],
  ['resources in another order', perms, { version: '2012-10-17', statement: [{ ...invoke, resource: ['arn:aws:bedrock:us-east-1::foundation-model/b', 'arn:aws:bedrock:us-east-1::foundation-model/a'] }, lambda] }],
  ['action names in another case', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'STS:assumerole' }] }],
  ['a repeated action', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:AssumeRole'] }] }],
  ['an account ID principal stored as its root ARN',
    { statement: [{ effect: 'Allow', principal: { aws: '123456789012' }, action: 'sts:AssumeRole' }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }] }],
  ['principal lists in another order',
    { statement: [{ effect: 'Allow', principal: { aws: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::123456789012:role/a'] }, action: 'sts:AssumeRole' }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::111122223333:root'] }, Action: 'sts:AssumeRole' }] }],
  ['principal types in another order',
    { statement: [{ effect: 'Allow', principal: { service: 'lambda.amazonaws.com', aws: 'arn:aws:iam::123456789012:root' }, action: 'sts:AssumeRole' }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root', Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
  ['Bedrock Forge\'s capitalised principal key', trust, { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { Service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] }],
  ['principal "*"',
    { statement: [{ effect: 'Deny', principal: '*', action: 'sts:AssumeRole' }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }] }],
  ['condition values in another order',
    { statement: [{ effect: 'Allow', action: 'bedrock:InvokeModel', resource: '*', condition: { 'ForAnyValue:StringEquals': { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } } }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:RequestedRegion': ['us-west-2', 'us-east-1'] } } }] }],
  ['condition operators and keys in another order',
    { statement: [{ effect: 'Allow', action: 'bedrock:InvokeModel', resource: '*', condition: { DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T09:00:00Z' }, StringEquals: { 'aws:SourceAccount': '123456789012', 'aws:RequestedRegion': 'us-east-1' } } }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:SourceAccount': '123456789012' }, DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T09:00:00Z' } } }] }],
  ['condition key in another case (keys are case-insensitive)',
    { statement: [{ effect: 'Allow', action: 'sts:AssumeRole', principal: { service: 'bedrock.amazonaws.com' }, condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:bedrock:us-east-1:123456789012:agent/*' } } }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'bedrock.amazonaws.com' }, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:us-east-1:123456789012:agent/*' } } }] }],
  ['a boolean condition value returned as a string',
    { statement: [{ effect: 'Deny', action: 's3:*', resource: '*', condition: { Bool: { 'aws:SecureTransport': false } } }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }],
  ['a number condition value returned as a string',
    { statement: [{ effect: 'Allow', action: 's3:ListBucket', resource: '*', condition: { NumericLessThanEquals: { 's3:max-keys': 10 } } }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { NumericLessThanEquals: { 's3:max-keys': '10' } } }] }],
  ['a missing version in the spec means 2012-10-17', { statement: trust.statement }, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
  ['an empty Sid is no Sid', trust, { Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
];

const unequal: [string, AnyPolicy, AnyPolicy | string][] = [
  ['another effect', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
  ['another service principal', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
  ['an extra action', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] }],
  ['an extra statement', trust, { Version: '2012-10-17', Statement: [trustStatement, { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
  ['a statement missing', perms, { version: '2012-10-17', statement: [invoke] }],
  ['a resource in another case (ARNs are case-sensitive)', perms, { version: '2012-10-17', statement: [{ ...invoke, resource: ['arn:aws:bedrock:us-east-1::foundation-model/A', 'arn:aws:bedrock:us-east-1::foundation-model/b'] }, lambda] }],
  ['Action where NotAction was', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, NotAction: 'sts:AssumeRole' }] }],
  ['a condition added', trust, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] }],
  ['another condition value', perms, { version: '2012-10-17', statement: [invoke, { ...lambda, condition: { StringEquals: { 'lambda:FunctionTag/Environment': 'staging' } } }] }],
  ['another condition operator', perms, { version: '2012-10-17', statement: [invoke, { ...lambda, condition: { StringLike: { 'lambda:FunctionTag/Environment': 'production' } } }] }],
  ['a condition value in another case', perms, { version: '2012-10-17', statement: [invoke, { ...lambda, condition: { StringEquals: { 'lambda:FunctionTag/Environment': 'Production' } } }] }],
  ['another Sid', perms, { version: '2012-10-17', statement: [{ ...invoke, sid: 'Other' }, lambda] }],
  ['another version', trust, { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
  ['no version in AWS (IAM then assumes 2008-10-17)', trust, { Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] }],
  ['a deleted role\'s principal shown as its unique ID',
    { statement: [{ effect: 'Allow', principal: { aws: 'arn:aws:iam::123456789012:role/gone' }, action: 'sts:AssumeRole' }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'AROAEXAMPLEID1234567' }, Action: 'sts:AssumeRole' }] }],
  ['principal "*" versus AWS "*"',
    { statement: [{ effect: 'Deny', principal: '*', action: 'sts:AssumeRole' }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] }],
];

describe('policiesEqual', () => {
  it('has a table of at least 30 cases', () => {
    expect(equal.length + unequal.length).toBeGreaterThanOrEqual(30);
  });
  for (const [title, desired, observed] of equal) {
    it(`equal: ${title}`, () => expect(policiesEqual(desired, observed)).toBe(true));
  }
  for (const [title, desired, observed] of unequal) {
    it(`unequal: ${title}`, () => expect(policiesEqual(desired, observed)).toBe(false));
  }
});

describe('iamPolicyText', () => {
  it('writes IAM\'s spelling, with single values unwrapped, and reads back equal', () => {
    const text = iamPolicyText(trust);
    expect(JSON.parse(text)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(policiesEqual(perms, iamPolicyText(perms))).toBe(true);
  });
});
