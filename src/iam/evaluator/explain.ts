// A decision in one sentence, for conditions and logs: "denied by statement 2 (Sid NoDelete) of
// operator policy", "no identity policy of role custom-agent-role allows bedrock:InvokeModel on …".
import type { AccessRequest, Decision, PolicyKind, StatementRef } from './types.ts';

/** `role custom-agent-role`, `user alice`, the service's name, or the identity provider's ARN. */
export function principalName(request: AccessRequest): string {
  const p = request.principal;
  if (p.type === 'Service') return p.service;
  if (p.type === 'Federated') return `a web identity of ${p.provider}`;
  const m = /:(role|user)\/(?:.*\/)?([^/]+)$/.exec(p.arn);
  return m ? `${m[1]} ${m[2]}` : p.arn;
}

const statement = (s: StatementRef) => `statement ${s.index}${s.sid ? ` (Sid ${s.sid})` : ''} of ${s.policy}`;

const LACKS: Record<PolicyKind, (who: string, what: string) => string> = {
  identity: (who, what) => `no identity policy of ${who} allows ${what}`,
  boundary: (who, what) => `the permissions boundary of ${who} does not allow ${what}`,
  resource: (who, what) => `the resource policy does not allow ${who} ${what}`,
};

export function describeDecision(request: AccessRequest, decision: Decision): string {
  const who = principalName(request);
  const what = `${request.action} on ${request.resource}`;
  switch (decision.decision) {
    case 'Allow':
      return `${who} is allowed ${what} by ${decision.allowedBy.map(statement).join(' and ')}`;
    case 'ExplicitDeny':
      return `${who} is denied ${what} by ${decision.deniedBy.map(statement).join(' and ')}`;
    case 'ImplicitDeny':
      return decision.missing.map((kind) => LACKS[kind](who, what)).join('; ');
  }
}
