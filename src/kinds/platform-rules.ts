// The platform team's rules that every kind applies in resolve, before any AWS call: the tag keys
// the organisation requires (--required-tags) and the IAM quotas of the account
// (--iam-trust-policy-quota, --iam-managed-policies-quota).
import { GENERATED_FOR_LABEL, type AnyResource } from '../api/metadata.ts';
import { DEFAULT_ROLE_QUOTAS, type RoleQuotas } from '../iam/iam-rules.ts';
import { TerminalError } from '../runtime/errors.ts';

export class PlatformRules {
  readonly iamQuotas: RoleQuotas;
  readonly #requiredTags: string[];

  constructor(options: { requiredTags?: string[]; iamQuotas?: RoleQuotas } = {}) {
    this.#requiredTags = options.requiredTags ?? [];
    this.iamQuotas = options.iamQuotas ?? DEFAULT_ROLE_QUOTAS;
  }

  /**
   * Refuses an object without the required tag keys. A generated role is exempt: its owner (an
   * Agent or a Lambda) was checked, and the role is the operator's, not the team's.
   */
  requireTags(obj: AnyResource, tags: Record<string, string> | undefined): void {
    if (obj.metadata.labels?.[GENERATED_FOR_LABEL]) return;
    const missing = this.#requiredTags.filter((key) => !(key in (tags ?? {})));
    if (missing.length === 0) return;
    throw new TerminalError('RequiredTagsMissing',
      `spec.tags lacks ${missing.join(', ')}: this operator requires the tag keys ${this.#requiredTags.join(', ')} on every resource (its --required-tags)`);
  }
}
