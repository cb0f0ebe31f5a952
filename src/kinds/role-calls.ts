// The two kinds of call the access checks of every kind are made of: a service assuming a role
// for one resource of this account (decided by the role's trust policy, with the confused-deputy
// keys aws:SourceAccount and aws:SourceArn), and the role itself calling an action on a resource
// (decided by its identity policies and permissions boundary).
import type { ExpectedCall } from '../iam/access-check.ts';
import type { RoleDocuments } from './role-documents.ts';

/** `service` assumes the role for `sourceArn` of `account`; `purpose` names it in a denial ("for agent …"). */
export function serviceAssumesRole(role: RoleDocuments, service: string, account: string, sourceArn: string, purpose: string): ExpectedCall {
  return {
    request: {
      principal: { type: 'Service', service }, action: 'sts:AssumeRole', resource: role.arn,
      context: { 'aws:SourceAccount': account, 'aws:SourceArn': sourceArn },
    },
    policies: role.trust ? { resource: role.trust } : {},
    caller: service,
    purpose,
    unreadable: { resource: role.trust ? [] : role.unreadable },
  };
}

/** The role calls `action` on `resource` (of `account`, the role's own). */
export function roleCalls(role: RoleDocuments, account: string, action: string, resource: string, context: Record<string, string> = {}): ExpectedCall {
  return {
    request: { principal: { type: 'AWS', arn: role.arn, account }, action, resource, context },
    policies: { identity: role.identity, ...(role.boundary ? { boundary: role.boundary } : {}) },
    caller: role.label,
    unreadable: { identity: role.unreadable, boundary: role.unreadable },
  };
}
