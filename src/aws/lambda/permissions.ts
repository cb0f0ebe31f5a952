// A Lambda function's resource-based policy as the permissions Lambda's AddPermission takes: one
// principal, one action, and the conditions AddPermission can express (source ARN and account,
// organisation, function URL auth type). Desired statements are expanded into such permissions;
// the policy GetPolicy returns is parsed back into them; the two are compared field by field,
// never as strings (Lambda rewrites account IDs as root ARNs, lists as strings, key case).
import { createHash } from 'node:crypto';
import type { ResourceStatement } from '../../api/policy-document.ts';

export interface Permission {
  statementId: string;
  action: string;
  /** `*`, a service principal, an account's root ARN, or an IAM ARN. */
  principal: string;
  sourceArn?: string;
  sourceAccount?: string;
  principalOrgId?: string;
  functionUrlAuthType?: string;
}

/** A statement the permission model cannot express; the message says what to change. */
export class UnsupportedStatement extends Error {}

const ACCOUNT_ID = /^\d{12}$/;

/** An account ID as Lambda stores it (its root ARN); other principals as they are. */
function canonicalPrincipal(value: string): string {
  return ACCOUNT_ID.test(value) ? `arn:aws:iam::${value}:root` : value;
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String));

function principalsOf(principal: ResourceStatement['principal']): string[] {
  if (principal === '*') return ['*'];
  return Object.values(principal).flatMap((v) => list(v));
}

/** Condition keys AddPermission can express, by lower-cased key: the field and the operators that fit it. */
const CONDITION_FIELDS: Record<string, { field: keyof Permission; operators: string[] }> = {
  'aws:sourcearn': { field: 'sourceArn', operators: ['arnlike', 'arnequals', 'stringequals', 'stringlike'] },
  'aws:sourceaccount': { field: 'sourceAccount', operators: ['stringequals'] },
  'aws:principalorgid': { field: 'principalOrgId', operators: ['stringequals'] },
  'lambda:functionurlauthtype': { field: 'functionUrlAuthType', operators: ['stringequals'] },
};

function conditionsOf(statement: ResourceStatement, label: string): Partial<Permission> {
  const out: Partial<Permission> = {};
  for (const [operator, keys] of Object.entries(statement.condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      const known = CONDITION_FIELDS[key.toLowerCase()];
      const values = list(value);
      if (!known || !known.operators.includes(operator.toLowerCase()) || values.length !== 1) {
        throw new UnsupportedStatement(`${label}: the condition ${operator} ${key} cannot be set on a Lambda permission; Lambda accepts one value each for ArnLike aws:SourceArn, StringEquals aws:SourceAccount, aws:PrincipalOrgID and lambda:FunctionUrlAuthType`);
      }
      (out as Record<string, string>)[known.field] = values[0]!;
    }
  }
  return out;
}

/** Statement ID for a statement without sid: derived from its content, so it is stable. */
function contentId(statement: ResourceStatement): string {
  return `bf-${createHash('sha256').update(JSON.stringify(statement)).digest('hex').slice(0, 12)}`;
}

/** The permissions one desired statement stands for (one per principal and action). */
export function permissionsOf(statement: ResourceStatement, label: string): Permission[] {
  if ((statement.effect ?? 'Allow') !== 'Allow') {
    throw new UnsupportedStatement(`${label}: Lambda permissions can only allow; remove effect ${statement.effect}`);
  }
  const conditions = conditionsOf(statement, label);
  const pairs = principalsOf(statement.principal).flatMap((principal) => list(statement.action).map((action) => ({ principal, action })));
  const base = statement.sid || contentId(statement);
  return pairs.map(({ principal, action }, i) => ({
    statementId: pairs.length === 1 ? base : `${base}-${i + 1}`,
    action,
    principal,
    ...conditions,
  }));
}

/** The permission that lets one Bedrock agent invoke the function (seed 001's resource-based policy). */
export function agentPermission(agentArn: string, account: string): Permission {
  const agentId = agentArn.split('/').pop() ?? agentArn;
  return {
    statementId: `bedrock-agent-${agentId}`,
    action: 'lambda:InvokeFunction',
    principal: 'bedrock.amazonaws.com',
    sourceAccount: account,
    sourceArn: agentArn,
  };
}

/**
 * The permission of an AgentCore gateway's role to invoke the function (gateway-prerequisites-
 * permissions.html: the principal is the gateway's role, not a service; no source condition).
 */
export function gatewayPermission(gatewayRoleArn: string): Permission {
  return {
    statementId: `agentcore-gateway-${createHash('sha256').update(gatewayRoleArn).digest('hex').slice(0, 12)}`,
    action: 'lambda:InvokeFunction',
    principal: gatewayRoleArn,
  };
}

/** The permission `allowBedrockAgents` stands for: any agent of this account and region. */
export function anyAgentPermission(partition: string, region: string, account: string): Permission {
  return {
    statementId: 'bedrock-agents-of-this-account',
    action: 'lambda:InvokeFunction',
    principal: 'bedrock.amazonaws.com',
    sourceAccount: account,
    sourceArn: `arn:${partition}:bedrock:${region}:${account}:agent/*`,
  };
}

interface PolicyStatementJson {
  Sid?: string;
  Effect?: string;
  Principal?: string | Record<string, string | string[]>;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The permissions of a policy document as GetPolicy returns it (JSON text). */
export function parsePolicy(text: string | undefined): Permission[] {
  if (!text) return [];
  const doc = JSON.parse(text) as { Statement?: PolicyStatementJson[] | PolicyStatementJson };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return statements.map((s) => {
    const principal = typeof s.Principal === 'string' ? s.Principal : list(Object.values(s.Principal ?? {})[0])[0] ?? '';
    const permission: Permission = { statementId: s.Sid ?? '', action: list(s.Action)[0] ?? '', principal };
    for (const [, keys] of Object.entries(s.Condition ?? {})) {
      for (const [key, value] of Object.entries(keys)) {
        const known = CONDITION_FIELDS[key.toLowerCase()];
        if (known) (permission as unknown as Record<string, string>)[known.field] = list(value)[0]!;
      }
    }
    return permission;
  });
}

/** A principal as Lambda stores it: account IDs as root ARNs; service principals ignore case. */
function principalKey(principal: string): string {
  return principal.toLowerCase().endsWith('.amazonaws.com') ? principal.toLowerCase() : canonicalPrincipal(principal);
}

/** Whether two permissions grant the same (action names ignore case). */
export function samePermission(a: Permission, b: Permission): boolean {
  const norm = (p: Permission) => JSON.stringify([
    p.statementId, p.action.toLowerCase(), principalKey(p.principal),
    p.sourceArn ?? '', p.sourceAccount ?? '', p.principalOrgId ?? '', p.functionUrlAuthType ?? '',
  ]);
  return norm(a) === norm(b);
}

export interface PermissionDiff {
  /** Declared, and missing or different in AWS: added (after removing the old one). */
  put: Permission[];
  /** Statement IDs in AWS that are different or that nobody declared: removed. */
  remove: string[];
}

export function diffPermissions(desired: Permission[], actual: Permission[]): PermissionDiff {
  const current = new Map(actual.map((p) => [p.statementId, p]));
  const wanted = new Set(desired.map((p) => p.statementId));
  const put = desired.filter((p) => !current.has(p.statementId) || !samePermission(p, current.get(p.statementId)!));
  const changed = put.filter((p) => current.has(p.statementId)).map((p) => p.statementId);
  const extra = actual.filter((p) => !wanted.has(p.statementId)).map((p) => p.statementId);
  return { put, remove: [...extra, ...changed] };
}

/** A permission as the statement Lambda writes into the function's policy, for the access check. */
export function permissionStatement(p: Permission, functionArn: string): Record<string, unknown> {
  const principal = p.principal === '*' ? '*' : /\.amazonaws\.com(\.cn)?$/.test(p.principal) ? { Service: p.principal } : { AWS: p.principal };
  const condition: Record<string, Record<string, string>> = {};
  if (p.sourceArn) condition.ArnLike = { 'AWS:SourceArn': p.sourceArn };
  const equals: Record<string, string> = {};
  if (p.sourceAccount) equals['AWS:SourceAccount'] = p.sourceAccount;
  if (p.principalOrgId) equals['aws:PrincipalOrgID'] = p.principalOrgId;
  if (p.functionUrlAuthType) equals['lambda:FunctionUrlAuthType'] = p.functionUrlAuthType;
  if (Object.keys(equals).length > 0) condition.StringEquals = equals;
  return {
    Sid: p.statementId, Effect: 'Allow', Principal: principal, Action: p.action, Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}
