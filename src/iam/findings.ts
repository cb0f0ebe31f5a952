// What a policy allows that it should not, found with IAM's catalogue: the checks AWS's own IAM
// Access Analyzer policy validation and the seed's best practices ask for (resource ARNs instead of
// wildcards, confused-deputy conditions, no one-may-assume trust). Findings are advice: they go to
// status, a condition, Events and a metric, and refuse an object only under --refuse-findings.
import { toIamPolicy, type AnyPolicy, type IamStatement } from '../aws/iam/policy-json.ts';
import { actionsMatching, arnFormatRegExp, catalogueAction, serviceKnown, wildcardRegExp, type CatalogueAction } from './catalogue.ts';

import type { Finding } from '../api/common.ts';

export type { Finding };
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Which documents of an object to analyse, and where each sits in the spec. */
export interface AnalysedPolicy {
  kind: 'trust' | 'resource' | 'identity';
  path: string;
  document: AnyPolicy;
}

/** Condition keys that narrow who may act, so that `*` or a service principal is safe. */
const NARROWING_KEYS = [
  'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceowner', 'aws:sourceorgid', 'aws:sourceorgpaths',
  'aws:principalaccount', 'aws:principalarn', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:sourcevpce', 'aws:sourcevpc',
];
/** Keys that name the account or resource a service acts for: the confused-deputy conditions. */
const DEPUTY_KEYS = ['aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths'];

/** Operators that allow only what they name (negated ones and Null do not narrow). */
function positive(operator: string): boolean {
  const op = operator.toLowerCase().replace(/^for(any|all)value:/, '').replace(/ifexists$/, '');
  return !op.includes('not') && op !== 'null';
}

function conditionKeys(s: IamStatement, narrowingOnly = true): Set<string> {
  const keys = new Set<string>();
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    if (narrowingOnly && !positive(operator)) continue;
    for (const key of Object.keys(block)) keys.add(key.toLowerCase());
  }
  return keys;
}

const hasAny = (keys: Set<string>, wanted: string[]) => wanted.some((k) => keys.has(k));

function principalFindings(s: IamStatement, path: string, kind: AnalysedPolicy['kind']): Finding[] {
  if (s.Effect !== 'Allow') return [];
  const out: Finding[] = [];
  const what = kind === 'trust' ? 'assume this role' : 'call this resource';
  if (s.NotPrincipal) {
    out.push({ severity: 'high', check: 'AllowWithNotPrincipal', path: `${path}.notPrincipal`, message: `Allow with notPrincipal lets everyone but the principals listed ${what}; name the principals that may, with principal` });
  }
  const p = s.Principal;
  if (!p) return out;
  const keys = conditionKeys(s);
  const publicPrincipal = p === '*' || (p.AWS ?? []).includes('*');
  if (publicPrincipal && !hasAny(keys, NARROWING_KEYS)) {
    out.push({ severity: 'high', check: 'PublicPrincipal', path: `${path}.principal`, message: `any AWS account may ${what}: the principal is * with no condition on aws:SourceAccount, aws:SourceArn, aws:PrincipalAccount, aws:PrincipalOrgID or aws:PrincipalArn` });
  }
  const services = p === '*' ? [] : p.Service ?? [];
  if (services.includes('*')) {
    out.push({ severity: 'high', check: 'EveryService', path: `${path}.principal.service`, message: `every AWS service may ${what}: name the service, such as bedrock.amazonaws.com` });
  } else if (services.length > 0 && !hasAny(keys, DEPUTY_KEYS)) {
    out.push({ severity: 'medium', check: 'ConfusedDeputy', path: `${path}.condition`, message: `${services.join(', ')} may ${what} on behalf of any account (confused deputy): add StringEquals aws:SourceAccount and ArnLike aws:SourceArn for the resources that act` });
  }
  return out;
}

/** The catalogue's actions a statement's action patterns cover, and the patterns that cover none. */
function expandActions(actions: string[]): { known: Array<{ action: string; info: CatalogueAction; wildcard?: boolean }>; unknown: string[] } {
  const known: Array<{ action: string; info: CatalogueAction; wildcard?: boolean }> = [];
  const unknown: string[] = [];
  for (const a of actions) {
    if (a === '*') continue;
    const service = a.split(':')[0] ?? '';
    if (!a.includes('*') && !a.includes('?')) {
      const info = catalogueAction(a);
      if (info) known.push({ action: a, info });
      else unknown.push(a);
    } else {
      const matches = serviceKnown(service) ? actionsMatching(a) : [];
      if (matches.length === 0) unknown.push(a);
      known.push(...matches.map((m) => ({ ...m, wildcard: true })));
    }
  }
  return { known, unknown };
}

/** Whether an ARN (which may hold wildcards) can name a resource of the given ARN format. */
function arnFits(arn: string, format: string): boolean {
  if (!format) return false;
  if (arnFormatRegExp(format).test(arn)) return true;
  const sample = format.replace(/\$\{[^}]+\}/g, 'x');
  return wildcardRegExp(arn).test(sample);
}

function identityFindings(s: IamStatement, path: string): Finding[] {
  const out: Finding[] = [];
  const { known, unknown } = expandActions([...(s.Action ?? []), ...(s.NotAction ?? [])]);
  for (const a of unknown) {
    out.push({ severity: 'medium', check: 'UnknownAction', path: `${path}.action`, message: `${a} is not an action IAM knows (${a.includes(':') && !serviceKnown(a.split(':')[0]!) ? `no service ${a.split(':')[0]}` : 'check the spelling'}): it allows nothing` });
  }
  if (s.Effect !== 'Allow') return out;
  const resources = s.Resource ?? [];
  const actions = s.Action ?? [];
  const everyAction = actions.some((a) => a === '*' || a === '*:*');
  if (everyAction && resources.includes('*')) {
    out.push({ severity: 'high', check: 'FullAccess', path, message: 'Allow * on *: the role may do anything in the account; list the actions and resources it needs' });
  }
  if (s.NotAction) out.push({ severity: 'medium', check: 'AllowWithNotAction', path: `${path}.notAction`, message: 'Allow with notAction allows every action of every service but those listed, including services added later; list the actions instead' });
  if (s.NotResource) out.push({ severity: 'medium', check: 'AllowWithNotResource', path: `${path}.notResource`, message: 'Allow with notResource allows every resource but those listed; list the resources instead' });
  const passRole = actions.some((a) => wildcardRegExp(a, 'i').test('iam:PassRole'));
  if (passRole && !everyAction && resources.includes('*')) {
    out.push({ severity: 'high', check: 'PassRoleToAnyRole', path: `${path}.resource`, message: 'iam:PassRole on *: the role may hand any role of the account, admin roles included, to a service; name the role ARNs (and add iam:PassedToService)' });
  }
  if (s.Action === undefined || everyAction) return out;
  const arns = resources.filter((r) => r !== '*');
  for (const { action, info, wildcard } of dedupe(known)) {
    if (info.resourceTypes.length === 0) {
      // A wildcard (s3:Get*) also covers actions without resource types; it is meant for the others.
      if (!wildcard && arns.length > 0 && !resources.includes('*')) {
        out.push({ severity: 'medium', check: 'ActionTakesNoResource', path: `${path}.resource`, message: `${action} takes no resource type, so naming ARNs never allows it: give it resource "*" in a statement of its own` });
      }
    } else if (resources.includes('*') && !action.includes('*') && !(passRole && action.toLowerCase() === 'iam:passrole')) {
      out.push({ severity: 'low', check: 'WildcardResource', path: `${path}.resource`, message: `${action} takes ${info.resourceTypes.map((r) => r.name).join(', ')} ARNs: name them instead of *` });
    }
  }
  for (const arn of arns) {
    const fits = known.some(({ info }) => info.resourceTypes.some((r) => arnFits(arn, r.arnFormat)));
    if (known.length > 0 && !fits) {
      const types = [...new Set(known.flatMap(({ info }) => info.resourceTypes.map((r) => r.name)))];
      out.push({ severity: 'medium', check: 'ResourceMatchesNoAction', path: `${path}.resource`, message: `${arn} is not a resource of ${summarise(known.map((k) => k.action))}${types.length ? ` (they take ${summarise(types)} ARNs)` : ' (they take no resource type)'}: the statement never allows anything on it` });
    }
  }
  return out;
}

function dedupe<T extends { action: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.action.toLowerCase()) && seen.add(i.action.toLowerCase()));
}

function summarise(actions: string[]): string {
  const unique = [...new Set(actions)];
  return unique.length <= 3 ? unique.join(', ') : `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more`;
}

/** The findings of the given documents, in a stable order. */
export function analysePolicies(policies: AnalysedPolicy[]): Finding[] {
  const out: Finding[] = [];
  for (const { kind, path, document } of policies) {
    toIamPolicy(document).Statement.forEach((s, i) => {
      const at = `${path}.statement[${i}]`;
      if (kind === 'identity') out.push(...identityFindings(s, at));
      else out.push(...principalFindings(s, at, kind));
    });
  }
  const seen = new Set<string>();
  return out.filter((f) => {
    const key = `${f.check}|${f.path}|${f.message}`;
    return !seen.has(key) && seen.add(key);
  });
}

/** Whether any finding is at or above a severity. */
export function atOrAbove(findings: Finding[], severity: Severity): Finding[] {
  const floor = SEVERITIES.indexOf(severity);
  return findings.filter((f) => SEVERITIES.indexOf(f.severity) >= floor);
}
