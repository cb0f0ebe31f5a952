// Would AWS allow this request? IAM's evaluation logic over a principal's identity policies, its
// permissions boundary and the resource's policy, with the statements that decided.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//
// - An applicable Deny in any of the policies wins (ExplicitDeny).
// - A service principal (bedrock.amazonaws.com assuming a role, invoking a function) has no
//   identity policies: the resource policy alone decides.
// - Same account: the resource policy naming the caller (its ARN, or `*`) allows on its own; or the
//   identity policies allow. A resource policy naming only the caller's account needs the identity
//   policies too. A role trust policy (an sts: action with a resource policy) must name the caller
//   or its account even in the same account: identity policies alone do not let a role be assumed.
// - Permissions boundary: identity grants need its Allow too. A resource-policy grant to an IAM
//   user's ARN, or to `*` (which names every role session), is not limited by it; one to a role's
//   ARN is (a role acts through sessions, and the session is not the role ARN).
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
// - Cross account: the identity policies (within the boundary) and the resource policy must both
//   allow; naming the account in the resource policy suffices there.
//
// Not modelled: SCPs, RCPs, session policies, VPC endpoint policies, service-specific rules (S3
// ACLs and bucket owners, KMS key policies' account rule, sts:GetCallerIdentity), role session
// ARNs as callers, and the root user.
import { toIamPolicy } from '../../aws/iam/policy-json.ts';
import { contextLookup, effectiveContext, resourceAccountOf, type ContextLookup } from './context.ts';
import { evaluateStatement, type PrincipalMatch, type StatementRequest } from './statement-match.ts';
import type { AccessRequest, Decision, NamedPolicy, PolicyKind, PolicySet, StatementRef } from './types.ts';

/** An applicable statement. */
interface Hit {
  ref: StatementRef;
  principalMatch?: PrincipalMatch;
}

interface PolicyOutcome {
  allows: Hit[];
  denies: Hit[];
}

/** The policy version in which `${…}` is text, not a variable. */
const VERSION_WITHOUT_VARIABLES = '2008-10-17';

const USER_ARN = /^arn:[^:]+:iam::\d{12}:user\//;

function evaluatePolicy(policy: NamedPolicy, kind: PolicyKind, request: StatementRequest, lookup: ContextLookup, unsupported: string[]): PolicyOutcome {
  const doc = toIamPolicy(policy.document);
  const variables = doc.Version === VERSION_WITHOUT_VARIABLES ? undefined : lookup;
  const outcome: PolicyOutcome = { allows: [], denies: [] };
  doc.Statement.forEach((statement, index) => {
    const result = evaluateStatement(statement, kind, request, variables);
    const sid = statement.Sid ? ` (Sid ${statement.Sid})` : '';
    for (const problem of result.problems) unsupported.push(`${policy.name}, statement ${index}${sid}: ${problem}`);
    if (!result.applies) return;
    const ref: StatementRef = { policy: policy.name, index, kind, ...(statement.Sid && { sid: statement.Sid }) };
    const hit: Hit = { ref, ...(result.principalMatch && { principalMatch: result.principalMatch }) };
    (statement.Effect === 'Allow' ? outcome.allows : outcome.denies).push(hit);
  });
  return outcome;
}

const refs = (...groups: Hit[][]): StatementRef[] => [...new Set(groups.flat())].map((h) => h.ref);

/** Whether AWS would allow the request under these policies, and which statements decided. Pure and synchronous. */
export function authorize(request: AccessRequest, policies: PolicySet): Decision {
  const lookup = contextLookup(effectiveContext(request));
  const caller = request.principal;
  const boundaryPolicy = caller.type === 'AWS' ? policies.boundary : undefined;
  const statementRequest: StatementRequest = {
    principal: caller,
    action: request.action,
    resource: request.resource,
    lookup,
    hasBoundary: boundaryPolicy !== undefined,
  };
  const unsupported: string[] = [];
  const evaluate = (policy: NamedPolicy, kind: PolicyKind) => evaluatePolicy(policy, kind, statementRequest, lookup, unsupported);

  // A service principal has no identity policies or boundary of its own in this evaluation.
  const identityOutcomes = caller.type === 'AWS' ? (policies.identity ?? []).map((p) => evaluate(p, 'identity')) : [];
  const identity: PolicyOutcome = { allows: identityOutcomes.flatMap((o) => o.allows), denies: identityOutcomes.flatMap((o) => o.denies) };
  const boundary = boundaryPolicy && evaluate(boundaryPolicy, 'boundary');
  const resource = policies.resource && evaluate(policies.resource, 'resource');
  const notes = unsupported.length > 0 ? { unsupported } : {};

  const denies = [...identity.denies, ...(boundary?.denies ?? []), ...(resource?.denies ?? [])];
  if (denies.length > 0) return { decision: 'ExplicitDeny', deniedBy: refs(denies), ...notes };

  const allow = (...groups: Hit[][]): Decision => ({ decision: 'Allow', allowedBy: refs(...groups), ...notes });
  const resourceAllows = resource?.allows ?? [];
  const naming = resourceAllows.filter((h) => h.principalMatch !== 'account');
  const accountOnly = resourceAllows.filter((h) => h.principalMatch === 'account');

  // A service or a web identity has no policies of its own: the resource policy (a trust policy) must name it.
  if (caller.type !== 'AWS') {
    return naming.length > 0 ? allow(naming) : { decision: 'ImplicitDeny', missing: ['resource'], ...notes };
  }

  const boundaryAllows = boundary?.allows ?? [];
  const withinBoundary = !boundary || boundaryAllows.length > 0;
  const sameAccount = caller.account === resourceAccountOf(request);
  const grants: Hit[][] = [];
  if (sameAccount) {
    const trustPolicy = resource !== undefined && request.action.toLowerCase().startsWith('sts:');
    if (identity.allows.length > 0 && withinBoundary && (!trustPolicy || accountOnly.length > 0)) {
      grants.push(identity.allows, boundaryAllows, trustPolicy ? accountOnly : []);
    }
    // Resource-policy grants the boundary does not limit, and those it does.
    const free = boundary ? naming.filter((h) => USER_ARN.test(caller.arn) || h.principalMatch === 'wildcard') : naming;
    const bounded = naming.filter((h) => !free.includes(h));
    if (free.length > 0) grants.push(free);
    else if (bounded.length > 0 && withinBoundary) grants.push(bounded, boundaryAllows);
  } else if (identity.allows.length > 0 && withinBoundary && resourceAllows.length > 0) {
    grants.push(identity.allows, boundaryAllows, resourceAllows);
  }
  if (grants.length > 0) return allow(...grants);

  const missing: PolicyKind[] = [];
  if (identity.allows.length === 0) missing.push('identity');
  if (boundary && boundaryAllows.length === 0) missing.push('boundary');
  if ((resource || !sameAccount) && resourceAllows.length === 0) missing.push('resource');
  return { decision: 'ImplicitDeny', missing, ...notes };
}
