// What the platform team running the operator allows the application teams who write its
// resources: a team that may create IAMRoles, Lambdas and Agents in its namespace must not gain
// more through the operator than the platform team meant to give. Three guard rails, each an
// operator flag:
//   - a permissions boundary on every role the operator creates or manages, so that no role it
//     makes can do more than the boundary allows, whatever policies a team attaches;
//   - the namespaces whose objects may adopt AWS resources the operator did not create (else a
//     team could take over, rewrite or delete any untagged role of the account);
//   - the role ARNs that Lambdas and Agents may name directly instead of an IAMRole of their
//     namespace (else a team could run its code as any role the operator may pass).
import { ADOPT_ANNOTATION, type AnyResource } from '../api/metadata.ts';
import type { Adoption } from '../aws/ownership.ts';
import { TerminalError } from '../runtime/errors.ts';

export interface TenancyOptions {
  /** ARN of the managed policy every role gets as its permissions boundary (undefined: none). */
  permissionsBoundary?: string;
  /** Namespaces whose objects may adopt; `*` allows all. */
  adoptNamespaces: string[];
  /** Role ARNs, with `*` as a wildcard, that may be named directly; `*` allows all. */
  externalRoleArns: string[];
}

const OPEN: TenancyOptions = { adoptNamespaces: ['*'], externalRoleArns: ['*'] };

function globMatcher(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export class TenancyPolicy {
  readonly permissionsBoundary: string | undefined;
  readonly #adoptAll: boolean;
  readonly #adoptNamespaces: Set<string>;
  readonly #externalRoleArns: RegExp[];
  readonly #externalRoleFlag: string;

  constructor(options: TenancyOptions = OPEN) {
    this.permissionsBoundary = options.permissionsBoundary;
    this.#adoptAll = options.adoptNamespaces.includes('*');
    this.#adoptNamespaces = new Set(options.adoptNamespaces);
    this.#externalRoleArns = options.externalRoleArns.map(globMatcher);
    this.#externalRoleFlag = options.externalRoleArns.join(',');
  }

  /** Whether the object asks to adopt, and may. */
  adoption(obj: AnyResource): Adoption {
    if (obj.metadata.annotations?.[ADOPT_ANNOTATION] !== 'true') return 'none';
    return this.#adoptAll || this.#adoptNamespaces.has(obj.metadata.namespace ?? '') ? 'requested' : 'refused';
  }

  /** The boundary a role gets: the spec's, which must be the enforced one when one is enforced. */
  boundaryFor(specBoundary: string | undefined): string | undefined {
    const enforced = this.permissionsBoundary;
    if (!enforced) return specBoundary;
    if (specBoundary !== undefined && specBoundary !== enforced) {
      throw new TerminalError('PermissionsBoundaryRequired',
        `this operator gives every role the permissions boundary ${enforced} (its --permissions-boundary); remove spec.permissionsBoundary or set it to that ARN`);
    }
    return enforced;
  }

  /** A role ARN named directly by `field`, if the operator allows it; else a terminal error saying what to do. */
  externalRole(arn: string, field: string): string {
    if (this.#externalRoleArns.some((glob) => glob.test(arn))) return arn;
    throw new TerminalError('RoleNotAllowed',
      `${field} names ${arn}, which this operator does not allow roles to be named directly (its --external-role-arns: ${this.#externalRoleFlag || 'none'}); name an IAMRole of this namespace instead`);
  }
}

/** Refuses a role ARN of another account: iam:PassRole cannot pass it ("Cross-account pass role is not allowed"). */
export function requireSameAccount(roleArn: string, account: string, field: string): string {
  const owner = roleArn.split(':')[4];
  if (owner !== account) {
    throw new TerminalError('CrossAccountRole',
      `${field} names ${roleArn}, a role of account ${owner}; AWS lets a service use only roles of its own account (${account}): create the role in ${account}, or name an IAMRole of this namespace`);
  }
  return roleArn;
}
