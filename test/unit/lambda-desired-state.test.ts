// What a Lambda spec asks for: deterministic code zips, AWS's defaults where the spec is silent,
// and the least-privilege execution role generated when the spec names none.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { LambdaSpec } from '../../src/api/lambda.ts';
import { codeSha256, deterministicZip } from '../../src/aws/lambda/deterministic-zip.ts';
import { codeMatches, desiredCode } from '../../src/kinds/lambda/desired-code.ts';
import { boundedName } from '../../src/kinds/generated-roles.ts';
import { executionRoleName, executionRoleSpec } from '../../src/kinds/lambda/execution-role.ts';
import { configurationDiff, desiredConfiguration } from '../../src/kinds/lambda/function-config.ts';
import { TerminalError, WaitingError } from '../../src/runtime/errors.ts';

const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };

describe('code', () => {
  it('zips the same files to the same bytes whatever their order, and other files to other bytes', () => {
    const a = deterministicZip({ 'app.py': 'x = 1\n', 'lib/util.py': 'y = 2\n' });
    const b = deterministicZip({ 'lib/util.py': 'y = 2\n', 'app.py': 'x = 1\n' });
    expect(a.equals(b)).toBe(true);
    expect(codeSha256(a)).not.toBe(codeSha256(deterministicZip({ 'app.py': 'x = 2\n', 'lib/util.py': 'y = 2\n' })));
  });

  it('builds ConfigMap code with items at their paths, binaryData included', () => {
    const cm: V1ConfigMap = { data: { 'app.py': 'print(1)' }, binaryData: { 'orders.py': Buffer.from('o').toString('base64') } };
    const code = desiredCode({ configMap: { name: 'src', items: [{ key: 'app.py', path: 'app.py' }, { key: 'orders.py', path: 'lib/orders.py' }] } }, 'ns', () => cm);
    expect(code.kind).toBe('zip');
    expect(code.kind === 'zip' && code.sha256).toBe(codeSha256(deterministicZip({ 'app.py': 'print(1)', 'lib/orders.py': 'o' })));
  });

  it('waits for a ConfigMap that does not exist yet, and refuses an item whose key is missing', () => {
    expect(() => desiredCode({ configMap: { name: 'src' } }, 'ns', () => undefined)).toThrow(WaitingError);
    expect(() => desiredCode({ configMap: { name: 'src', items: [{ key: 'nope', path: 'a' }] } }, 'ns', () => ({ data: {} }))).toThrow(TerminalError);
  });

  it('tells S3 code apart by declared hash, else by bucket, key and version', () => {
    const s3 = desiredCode({ s3Bucket: 'b', s3Key: 'k.zip', s3ObjectVersion: 'v2' }, 'ns', () => undefined);
    expect(s3.source).toBe('s3://b/k.zip?versionId=v2');
    expect(codeMatches(s3, { source: 's3://b/k.zip?versionId=v1' })).toBe(false);
    expect(codeMatches(s3, { source: 's3://b/k.zip?versionId=v2' })).toBe(true);
    const hashed = desiredCode({ s3Bucket: 'b', s3Key: 'k.zip', sha256: `${'A'.repeat(43)}=` }, 'ns', () => undefined);
    expect(codeMatches(hashed, { sha256: 'other', source: hashed.source })).toBe(false);
  });
});

describe('configuration', () => {
  const spec: LambdaSpec = { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': '' } } };
  const arn = 'arn:aws:iam::123456789012:role/r';

  it('finds nothing to change in a function AWS created with its defaults', () => {
    const actual = { Role: arn, Runtime: 'python3.12' as const, Handler: 'app.handler', Timeout: 3, MemorySize: 128, Description: '' };
    expect(configurationDiff(desiredConfiguration(spec, arn), actual)).toEqual([]);
  });

  it('names each aspect that differs', () => {
    const actual = { Role: arn, Runtime: 'python3.11' as const, Handler: 'app.handler', Timeout: 3, MemorySize: 256, Environment: { Variables: { A: '1' } } };
    expect(configurationDiff(desiredConfiguration(spec, arn), actual)).toEqual(['runtime', 'memory', 'environment']);
  });
});

describe('generated execution role', () => {
  const spec: LambdaSpec = { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': '' } } };

  it('trusts lambda.amazonaws.com from this account only', () => {
    expect(executionRoleSpec('orders', spec, scope).assumeRolePolicy!.statement).toEqual([{
      effect: 'Allow', principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole',
      condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    }]);
  });

  it('may write only to the function\'s own log group', () => {
    const role = executionRoleSpec('orders', spec, scope);
    expect(role.policies).toBeUndefined();
    expect(role.inlinePolicies).toEqual([{ name: 'FunctionPermissions', policy: { version: '2012-10-17', statement: [
      { sid: 'CreateOwnLogGroup', effect: 'Allow', action: ['logs:CreateLogGroup'], resource: ['arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:*'] },
      { sid: 'WriteOwnLogStreams', effect: 'Allow', action: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: ['arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:log-stream:*'] },
    ] } }]);
  });

  it('adds exactly the resources the spec names: dead-letter queue, KMS key', () => {
    const statements = executionRoleSpec('orders', {
      ...spec, deadLetterConfig: { targetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq' }, kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
    }, scope).inlinePolicies![0]!.policy.statement;
    expect(statements.slice(2)).toEqual([
      { sid: 'SendToDeadLetterTarget', effect: 'Allow', action: ['sqs:SendMessage'], resource: ['arn:aws:sqs:us-east-1:123456789012:dlq'] },
      { sid: 'DecryptEnvironment', effect: 'Allow', action: ['kms:Decrypt'], resource: ['arn:aws:kms:us-east-1:123456789012:key/k'] },
    ]);
  });

  it('keeps role names within IAM\'s 64 characters, distinct for distinct functions', () => {
    const long = 'f'.repeat(64);
    expect(executionRoleName(long)).toHaveLength(64);
    expect(executionRoleName(long)).not.toBe(executionRoleName(`${'f'.repeat(63)}g`));
    expect(boundedName('orders', '-execution', 64)).toBe('orders-execution');
  });
});
