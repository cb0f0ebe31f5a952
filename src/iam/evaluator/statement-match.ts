// Whether one statement applies to a request: Action/NotAction, Resource/NotResource,
// Principal/NotPrincipal (resource policies) and Condition.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
import type { IamStatement } from '../../aws/iam/policy-json.ts';
import type { ContextLookup } from './context.ts';
import { evaluateConditions } from './conditions.ts';
import { globMatch, matchPattern } from './pattern.ts';
import type { PolicyKind, RequestPrincipal } from './types.ts';

/**
 * How a resource policy's Principal named the caller: the caller itself (its ARN, its service, or
 * a NotPrincipal that leaves it out), anyone (`*`), or the caller's account.
 */
export type PrincipalMatch = 'direct' | 'wildcard' | 'account';

export interface StatementRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  lookup: ContextLookup;
  /** Whether the principal has a permissions boundary (it changes how NotPrincipal denies). */
  hasBoundary: boolean;
}

export interface StatementResult {
  applies: boolean;
  /** For a resource policy statement that applies: how its Principal named the caller. */
  principalMatch?: PrincipalMatch;
  /** Why IAM would refuse this statement, if it would; such a statement never applies. */
  problems: string[];
}

/** `service:Action` against a policy action: the service exactly, the action with wildcards, both case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  const [ps, pa] = splitOnce(pattern);
  const [rs, ra] = splitOnce(action);
  if (pa === undefined || ra === undefined || pa === '' || /\s/.test(pa)) return false;
  return ps.toLowerCase() === rs.toLowerCase() && globMatch(pa, ra, true);
}

function splitOnce(text: string): [string, string | undefined] {
  const i = text.indexOf(':');
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/**
 * A policy resource against the request's: true, false, or undefined when an unresolved policy
 * variable leaves it open. Case-sensitive; `*` may span colons, as IAM's does at a segment's end.
 */
function resourceMatches(pattern: string, resource: string, variables: ContextLookup | undefined): boolean | undefined {
  return matchPattern(pattern, resource, { wildcards: true, ...(variables && { variables }) });
}

const ACCOUNT_PRINCIPAL = /^(?:(\d{12})|arn:[^:]+:iam::(\d{12}):root)$/;

/** How one entry of a Principal element (type and value) names the caller, if it does. */
function principalEntry(type: string, value: string, caller: RequestPrincipal): PrincipalMatch | undefined {
  if (type === 'AWS') {
    if (value === '*') return 'wildcard';
    if (caller.type !== 'AWS') return undefined;
    const account = ACCOUNT_PRINCIPAL.exec(value);
    if (account) return (account[1] ?? account[2]) === caller.account ? 'account' : undefined;
    return value === caller.arn ? 'direct' : undefined;
  }
  if (type === 'Service') return caller.type === 'Service' && value.toLowerCase() === caller.service.toLowerCase() ? 'direct' : undefined;
  if (type === 'Federated') return caller.type === 'Federated' && value === caller.provider ? 'direct' : undefined;
  // CanonicalUser principals never make the requests this evaluator sees.
  return undefined;
}

const RANK: Record<PrincipalMatch, number> = { wildcard: 3, direct: 2, account: 1 };

/** The strongest way a Principal (or NotPrincipal) element names the caller. */
function principalMatch(element: NonNullable<IamStatement['Principal']>, caller: RequestPrincipal): PrincipalMatch | undefined {
  if (element === '*') return 'wildcard';
  let best: PrincipalMatch | undefined;
  for (const [type, values] of Object.entries(element)) {
    for (const value of values) {
      const m = principalEntry(type, value, caller);
      if (m && (!best || RANK[m] > RANK[best])) best = m;
    }
  }
  return best;
}

/**
 * Evaluates one statement of a policy of the given kind. `variables` resolves policy variables in
 * Resource and Condition values (undefined for 2008-10-17 policies).
 */
export function evaluateStatement(
  statement: IamStatement,
  kind: PolicyKind,
  request: StatementRequest,
  variables: ContextLookup | undefined,
): StatementResult {
  const problems: string[] = [];
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') problems.push(`Effect "${statement.Effect}" is neither Allow nor Deny`);

  const actions = statement.Action ?? statement.NotAction;
  if (!actions) problems.push('no Action or NotAction');
  const actionHit = actions?.some((a) => actionMatches(a, request.action)) ?? false;
  const actionOk = statement.Action ? actionHit : !actionHit;

  let resourceOk = true;
  const resources = statement.Resource ?? statement.NotResource;
  if (resources) {
    const results = resources.map((r) => resourceMatches(r, request.resource, variables));
    // Resource: some pattern surely matches. NotResource: every pattern surely misses.
    resourceOk = statement.Resource ? results.some((r) => r === true) : results.every((r) => r === false);
  } else if (kind !== 'resource') {
    // A resource policy's statements may leave Resource out: they are about the resource they are on.
    problems.push('no Resource or NotResource');
  }

  let principal: PrincipalMatch | undefined;
  if (kind === 'resource') {
    if (statement.Principal) principal = principalMatch(statement.Principal, request.principal);
    else if (statement.NotPrincipal) {
      // A Deny with NotPrincipal denies every principal that has a permissions boundary, whatever it
      // lists (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
      const boundaryDeny = statement.Effect === 'Deny' && request.principal.type === 'AWS' && request.hasBoundary;
      principal = boundaryDeny || !principalMatch(statement.NotPrincipal, request.principal) ? 'direct' : undefined;
    } else problems.push('no Principal or NotPrincipal in a resource policy');
  }
  // Identity policies and boundaries have no Principal element: they are about their own principal.

  const conditions = evaluateConditions(statement.Condition, request.lookup, variables);
  for (const op of conditions.unknownOperators) problems.push(`unknown condition operator "${op}"`);

  const applies = problems.length === 0 && actionOk && resourceOk && (kind !== 'resource' || principal !== undefined) && conditions.holds;
  return { applies, ...(applies && principal && { principalMatch: principal }), problems };
}
