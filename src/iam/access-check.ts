// Predicting AccessDenied: the calls a service will make with a role (Bedrock assuming an agent's
// role and invoking its model, Lambda assuming an execution role, an agent invoking a Lambda),
// each evaluated against the policies that decide it. The verdict names the first call that
// would be denied, its resource and the policy that decides; when a policy that might decide
// could not be read, it says so instead of guessing.
import { authorize } from './evaluator/authorize.ts';
import type { AccessRequest, Decision, NamedPolicy, PolicyKind, PolicySet } from './evaluator/types.ts';

export interface ExpectedCall {
  request: AccessRequest;
  policies: PolicySet;
  /** Who calls, for messages: `role custom-agent-role`, `bedrock.amazonaws.com`. */
  caller: string;
  /** What the call is for, appended to a denial: `for agent arn:…` (the confused-deputy context). */
  purpose?: string;
  /** Policies that take part but could not be read, by kind, each with why. */
  unreadable?: Partial<Record<PolicyKind, string[]>>;
}

export interface AccessVerdict {
  outcome: 'allowed' | 'denied' | 'unknown';
  message: string;
}

const MAX_LISTED = 3;

function refOf(policies: PolicySet, kind: PolicyKind): NamedPolicy | undefined {
  return kind === 'boundary' ? policies.boundary : kind === 'resource' ? policies.resource : undefined;
}

/** Why a call is denied, in the words of the issue: "role X does not allow A on R". */
export function denialMessage(call: ExpectedCall, decision: Exclude<Decision, { decision: 'Allow' }>): string {
  const { action, resource } = call.request;
  const purpose = call.purpose ? ` ${call.purpose}` : '';
  if (decision.decision === 'ExplicitDeny') {
    const by = decision.deniedBy[0]!;
    return `${action} on ${resource} by ${call.caller}${purpose} is denied by statement ${by.index}${by.sid ? ` (Sid ${by.sid})` : ''} of ${by.policy}`;
  }
  return decision.missing.map((kind) => {
    if (kind === 'identity') return `${call.caller} does not allow ${action} on ${resource}`;
    if (kind === 'boundary') return `${refOf(call.policies, 'boundary')?.name ?? `the permissions boundary of ${call.caller}`} does not allow ${action} on ${resource}`;
    const policy = refOf(call.policies, 'resource')?.name ?? `the resource policy of ${resource}`;
    return `${policy} does not allow ${call.caller} ${action}${purpose}`;
  }).join('; ');
}

/** The verdict over all calls: denied if any is surely denied, unknown if one might be, else allowed. */
export function accessVerdict(calls: ExpectedCall[]): AccessVerdict {
  const denied: string[] = [];
  const unsure: string[] = [];
  for (const call of calls) {
    const decision = authorize(call.request, call.policies);
    if (decision.decision === 'Allow') continue;
    const unknownKinds = decision.decision === 'ImplicitDeny'
      ? decision.missing.filter((kind) => (call.unreadable?.[kind] ?? []).length > 0)
      : [];
    if (unknownKinds.length > 0) {
      const what = [...new Set(unknownKinds.flatMap((kind) => call.unreadable![kind]!))];
      unsure.push(`${call.request.action} on ${call.request.resource} by ${call.caller}: cannot tell, the operator cannot read ${what.join(', ')}`);
    } else {
      denied.push(denialMessage(call, decision));
    }
  }
  const list = (items: string[]) => items.slice(0, MAX_LISTED).join('; ') + (items.length > MAX_LISTED ? `; and ${items.length - MAX_LISTED} more` : '');
  if (denied.length > 0) return { outcome: 'denied', message: list(denied) };
  if (unsure.length > 0) return { outcome: 'unknown', message: list(unsure) };
  const actions = [...new Set(calls.map((c) => c.request.action))];
  return { outcome: 'allowed', message: `AWS would allow the ${calls.length} call${calls.length === 1 ? '' : 's'} the service makes (${actions.join(', ')})` };
}
