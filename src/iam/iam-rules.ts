// IAM's policy grammar and quotas (src/iam/iam-rules.json, read by the test bed's emulator too):
// what IAM refuses with MalformedPolicyDocument or LimitExceeded, checked before any AWS call so
// that the user learns it from a condition naming the field instead of from a failed write.
import iamRules from './iam-rules.json' with { type: 'json' };
import { type AnyPolicy, iamPolicyText, toIamPolicy } from '../aws/iam/policy-json.ts';
import { serviceActions, wildcardRegExp } from './catalogue.ts';

interface Quota { default: number; adjustable: boolean; max?: number; what: string }
interface IamRulesData {
  conditionOperators: string[];
  operatorsWithoutIfExists: string[];
  multivalueQualifiers: string[];
  quotas: Record<'roleInlinePoliciesChars' | 'trustPolicyChars' | 'managedPoliciesPerRole' | 'managedPolicyChars', Quota>;
}

export const IAM_RULES = iamRules as IamRulesData;

/** A rule IAM would refuse the document for, with the field to fix. */
export interface PolicyProblem {
  reason: 'MalformedPolicyDocument' | 'LimitExceeded';
  /** Field path in the spec, such as spec.inlinePolicies[0].policy.statement[1].condition. */
  path: string;
  message: string;
}

const operators = new Set(IAM_RULES.conditionOperators);
const withoutIfExists = new Set(IAM_RULES.operatorsWithoutIfExists);
const qualifiers = new Set(IAM_RULES.multivalueQualifiers);

/**
 * Whether IAM knows a condition operator, with its ForAnyValue:/ForAllValues: qualifier and
 * IfExists suffix. Case matters: IAM refuses `stringEquals` ("Invalid Condition type").
 */
export function conditionOperatorValid(operator: string): boolean {
  let base = operator;
  const colon = base.indexOf(':');
  if (colon >= 0) {
    if (!qualifiers.has(base.slice(0, colon))) return false;
    base = base.slice(colon + 1);
  }
  if (base.endsWith('IfExists')) {
    base = base.slice(0, -'IfExists'.length);
    if (withoutIfExists.has(base)) return false;
  }
  return operators.has(base) || withoutIfExists.has(base);
}

let trustActionList: string[] | undefined;

/** The actions a trust policy may name: the sts actions IAM's catalogue authorizes on a role. */
export function trustActions(): string[] {
  trustActionList ??= [...(serviceActions('sts')?.values() ?? [])]
    .filter((a) => a.resourceTypes.some((r) => r.name === 'role'))
    .map((a) => `sts:${a.name}`);
  return [...trustActionList];
}

/** A document's size as IAM counts it against its quotas: characters of the JSON sent, whitespace excluded. */
export function policySize(policy: AnyPolicy): number {
  return iamPolicyText(policy).replace(/\s/g, '').length;
}

/** Unknown condition operators, by statement. */
export function conditionProblems(policy: AnyPolicy, path: string): PolicyProblem[] {
  return toIamPolicy(policy).Statement.flatMap((s, i) => Object.keys(s.Condition ?? {})
    .filter((op) => !conditionOperatorValid(op))
    .map((op): PolicyProblem => ({
      reason: 'MalformedPolicyDocument',
      path: `${path}.statement[${i}].condition`,
      message: `${op} is not an IAM condition operator (IAM knows ${IAM_RULES.conditionOperators.join(', ')}, Null, each optionally with IfExists and ForAnyValue:/ForAllValues:)`,
    })));
}

/** Actions of a trust policy that are not trust actions (sts:AssumeRoles, s3:GetObject…). */
export function trustActionProblems(policy: AnyPolicy, path: string): PolicyProblem[] {
  const allowed = trustActions();
  const allowedLower = new Set(allowed.map((a) => a.toLowerCase()));
  const fits = (action: string) => {
    if (action === '*' || allowedLower.has(action.toLowerCase())) return true;
    // A wildcard is accepted when it covers at least one trust action (sts:Assume*).
    const re = wildcardRegExp(action, 'i');
    return /[*?]/.test(action) && allowed.some((a) => re.test(a));
  };
  return toIamPolicy(policy).Statement.flatMap((s, i) => [...(s.Action ?? []), ...(s.NotAction ?? [])]
    .filter((a) => !fits(a))
    .map((a): PolicyProblem => ({
      reason: 'MalformedPolicyDocument',
      path: `${path}.statement[${i}].action`,
      message: `${a} cannot be in a trust policy: IAM allows only ${allowed.join(', ')}`,
    })));
}

/** The quotas a role's documents must fit, with the adjustable ones as the platform set them. */
export interface RoleQuotas {
  trustPolicyChars: number;
  managedPoliciesPerRole: number;
}

export const DEFAULT_ROLE_QUOTAS: RoleQuotas = {
  trustPolicyChars: IAM_RULES.quotas.trustPolicyChars.default,
  managedPoliciesPerRole: IAM_RULES.quotas.managedPoliciesPerRole.default,
};

/** A quota value given by a flag: within what AWS lets an account raise it to. */
export function adjustableQuota(name: keyof RoleQuotas, value: number, flag: string): number {
  const quota = IAM_RULES.quotas[name];
  const max = quota.max ?? quota.default;
  if (!Number.isInteger(value) || value < quota.default || value > max) {
    throw new Error(`${flag} must be an integer from ${quota.default} (AWS's default) to ${max} (the most AWS grants), not ${value}`);
  }
  return value;
}

export interface RoleDocuments {
  trust: AnyPolicy;
  inline: Array<{ name: string; policy: AnyPolicy }>;
  managedPolicyCount: number;
}

/** Everything IAM would refuse in a role's documents, before any call. */
export function roleProblems(role: RoleDocuments, quotas: RoleQuotas, path = 'spec'): PolicyProblem[] {
  const problems: PolicyProblem[] = [
    ...conditionProblems(role.trust, `${path}.assumeRolePolicy`),
    ...trustActionProblems(role.trust, `${path}.assumeRolePolicy`),
    ...role.inline.flatMap((p, i) => conditionProblems(p.policy, `${path}.inlinePolicies[${i}].policy`)),
  ];
  const trustSize = policySize(role.trust);
  if (trustSize > quotas.trustPolicyChars) {
    problems.push({
      reason: 'LimitExceeded', path: `${path}.assumeRolePolicy`,
      message: `the trust policy is ${trustSize} characters (whitespace excluded); IAM allows ${quotas.trustPolicyChars}` +
        (quotas.trustPolicyChars < (IAM_RULES.quotas.trustPolicyChars.max ?? 0) ? ` in this account (the quota can be raised to ${IAM_RULES.quotas.trustPolicyChars.max}; then run the operator with --iam-trust-policy-quota)` : ''),
    });
  }
  const inlineSize = role.inline.reduce((sum, p) => sum + policySize(p.policy), 0);
  const inlineLimit = IAM_RULES.quotas.roleInlinePoliciesChars.default;
  if (inlineSize > inlineLimit) {
    problems.push({
      reason: 'LimitExceeded', path: `${path}.inlinePolicies`,
      message: `the inline policies together are ${inlineSize} characters (whitespace excluded); IAM allows ${inlineLimit} per role: move statements into a managed policy`,
    });
  }
  if (role.managedPolicyCount > quotas.managedPoliciesPerRole) {
    problems.push({
      reason: 'LimitExceeded', path: `${path}.policies`,
      message: `${role.managedPolicyCount} managed policies; IAM attaches ${quotas.managedPoliciesPerRole} per role in this account` +
        (quotas.managedPoliciesPerRole < (IAM_RULES.quotas.managedPoliciesPerRole.max ?? 0) ? ` (the quota can be raised to ${IAM_RULES.quotas.managedPoliciesPerRole.max}; then run the operator with --iam-managed-policies-quota)` : ''),
    });
  }
  return problems;
}
