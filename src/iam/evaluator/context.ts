// The request context as policies see it: key names are case-insensitive, and the keys AWS puts
// into every request of a kind (who calls, which account owns the resource) are there even when
// the caller of `authorize` did not write them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
import type { AccessRequest, RequestContext } from './types.ts';

/** A key's value (a list for a multivalued key), or undefined when the request does not have it. */
export type ContextLookup = (key: string) => string | string[] | undefined;

const ACCOUNT_IN_ARN = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/;
const USER_ARN = /^arn:[^:]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/;

/** The account that owns the resource: as given, else the ARN's, else (no account in the ARN) the principal's. */
export function resourceAccountOf(request: AccessRequest): string | undefined {
  if (request.resourceAccount) return request.resourceAccount;
  const fromArn = ACCOUNT_IN_ARN.exec(request.resource)?.[1];
  if (fromArn) return fromArn;
  return request.principal.type === 'AWS' ? request.principal.account : undefined;
}

/** The request's context with the keys AWS always sets added where the caller left them out. */
export function effectiveContext(request: AccessRequest): RequestContext {
  const derived: RequestContext = {};
  const p = request.principal;
  if (p.type === 'AWS') {
    derived['aws:PrincipalArn'] = p.arn;
    derived['aws:PrincipalAccount'] = p.account;
    derived['aws:PrincipalIsAWSService'] = 'false';
    const user = USER_ARN.exec(p.arn)?.[1];
    if (user) derived['aws:username'] = user;
  } else if (p.type === 'Service') {
    derived['aws:PrincipalServiceName'] = p.service;
    derived['aws:PrincipalIsAWSService'] = 'true';
  }
  const account = resourceAccountOf(request);
  if (account) derived['aws:ResourceAccount'] = account;
  const given = new Set(Object.keys(request.context).map((k) => k.toLowerCase()));
  const out: RequestContext = { ...request.context };
  for (const [key, value] of Object.entries(derived)) if (!given.has(key.toLowerCase())) out[key] = value;
  return out;
}

/** Case-insensitive lookup in a context (a later spelling of the same key wins). */
export function contextLookup(context: RequestContext): ContextLookup {
  const byName = new Map<string, string | string[]>();
  for (const [key, value] of Object.entries(context)) byName.set(key.toLowerCase(), value);
  return (key) => byName.get(key.toLowerCase());
}
