// What the operator's tenancy flags allow: adoption per namespace, a permissions boundary on every
// role, and the role ARNs that may be named directly.
import { describe, expect, it } from 'vitest';
import { TenancyPolicy } from '../../src/kinds/tenancy-policy.ts';
import { TerminalError } from '../../src/runtime/errors.ts';
import type { AnyResource } from '../../src/api/metadata.ts';

const BOUNDARY = 'arn:aws:iam::123456789012:policy/team-boundary';

function object(namespace: string, adopt?: string): AnyResource {
  return { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name: 'r', namespace, ...(adopt ? { annotations: { 'bedrockforge.io/adopt': adopt } } : {}) }, spec: {} } as AnyResource;
}

function refusal(fn: () => unknown): TerminalError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TerminalError) return error;
    throw error;
  }
  throw new Error('expected a TerminalError');
}

describe('TenancyPolicy', () => {
  it('by default lets every namespace adopt, enforces no boundary and allows every role ARN', () => {
    const open = new TenancyPolicy();
    expect(open.adoption(object('team-a', 'true'))).toBe('requested');
    expect(open.boundaryFor(undefined)).toBeUndefined();
    expect(open.boundaryFor(BOUNDARY)).toBe(BOUNDARY);
    expect(open.externalRole('arn:aws:iam::123456789012:role/anything', 'spec.roleArn')).toBe('arn:aws:iam::123456789012:role/anything');
  });

  it('lets only the listed namespaces adopt; an object that does not ask does not adopt', () => {
    const policy = new TenancyPolicy({ adoptNamespaces: ['platform'], externalRoleArns: ['*'] });
    expect(policy.adoption(object('platform', 'true'))).toBe('requested');
    expect(policy.adoption(object('team-a', 'true'))).toBe('refused');
    expect(policy.adoption(object('team-a'))).toBe('none');
    expect(policy.adoption(object('platform', 'false'))).toBe('none');
    expect(new TenancyPolicy({ adoptNamespaces: [], externalRoleArns: ['*'] }).adoption(object('platform', 'true'))).toBe('refused');
  });

  it('gives every role the enforced boundary and refuses a spec asking for another', () => {
    const policy = new TenancyPolicy({ permissionsBoundary: BOUNDARY, adoptNamespaces: ['*'], externalRoleArns: ['*'] });
    expect(policy.boundaryFor(undefined)).toBe(BOUNDARY);
    expect(policy.boundaryFor(BOUNDARY)).toBe(BOUNDARY);
    const refused = refusal(() => policy.boundaryFor('arn:aws:iam::aws:policy/AdministratorAccess'));
    expect(refused.reason).toBe('PermissionsBoundaryRequired');
    expect(refused.message).toContain(`permissions boundary ${BOUNDARY}`);
  });

  it('allows only role ARNs matching the globs, and says what to do instead', () => {
    const policy = new TenancyPolicy({ adoptNamespaces: ['*'], externalRoleArns: ['arn:aws:iam::123456789012:role/shared-*'] });
    expect(policy.externalRole('arn:aws:iam::123456789012:role/shared-lambda', 'spec.roleArn')).toBe('arn:aws:iam::123456789012:role/shared-lambda');
    for (const arn of ['arn:aws:iam::123456789012:role/admin', 'arn:aws:iam::123456789012:role/path/shared-x', 'arn:aws:iam::999999999999:role/shared-x']) {
      const refused = refusal(() => policy.externalRole(arn, 'spec.roleArn'));
      expect(refused.reason).toBe('RoleNotAllowed');
      expect(refused.message).toBe(`spec.roleArn names ${arn}, which this operator does not allow roles to be named directly (its --external-role-arns: arn:aws:iam::123456789012:role/shared-*); name an IAMRole of this namespace instead`);
    }
    expect(refusal(() => new TenancyPolicy({ adoptNamespaces: ['*'], externalRoleArns: [] }).externalRole('arn:aws:iam::1:role/x', 'spec.iamRole')).message).toContain('(its --external-role-arns: none)');
  });
});
