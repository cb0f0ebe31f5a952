// Every IAM role of the account, read in bulk: GetAccountAuthorizationDetails (filter Role) gives up
// to 1,000 roles per call with their trust policy, inline policies, attached policies, boundary and
// tags; ListRoles adds the description and maximum session duration. One load serves the observe
// of every IAMRole for half a resync period (a resync while the next load runs), and the loads,
// watched, say which roles changed (src/aws/account-snapshot.ts, iamrole-controller.ts), so a role in sync costs
// a few thousandths of a call per resync instead of four calls (GetRole, ListRolePolicies,
// GetRolePolicy per inline policy, ListAttachedRolePolicies). A role the snapshot does not have is
// confirmed with GetRole by the IAMRole client before it counts as absent (it may be younger).
import { GetAccountAuthorizationDetailsCommand, ListRolesCommand, type IAMClient, type RoleDetail, type Tag } from '@aws-sdk/client-iam';
import { StringPool } from '../../runtime/string-pool.ts';
import { AccountSnapshot, type Loaded } from '../account-snapshot.ts';
import { allPages } from '../aws-errors.ts';

/** What the IAMRole client compares of a role, however it was read. */
export interface RoleView {
  arn: string;
  roleId: string;
  path: string;
  description: string | undefined;
  maxSessionDuration: number | undefined;
  /** The boundary's ARN. */
  permissionsBoundary: string | undefined;
  tags: Tag[];
  /** URL-encoded, as IAM returns it. */
  trustPolicy: string;
  /**
   * Inline policy documents (URL-encoded), in a list rather than a Map: a Map's table is ~400
   * bytes, for one or two policies, in each of the 10,000 views a listing holds.
   */
  inline: InlinePolicy[];
  attached: string[];
}

export interface InlinePolicy { name: string; document: string }

/** IAM's largest page for both listings. */
const PAGE = 1000;

export class RoleSnapshot extends AccountSnapshot<RoleView> {
  constructor(iam: IAMClient, maxAgeMs: number, now: () => number = Date.now) {
    super('iam-roles', () => loadRoles(iam), maxAgeMs, now);
  }
}

/**
 * Each page is reduced to views as it arrives: a page of 1,000 roles as the SDK parses it (dates,
 * last-used records, instance profiles) is several times its views, and ten of them held until
 * the last would be the largest thing the operator ever holds. Strings that many roles share (a
 * trust policy, the boundary, tag keys and values, a description) are kept once per load: two
 * loads are alive while one answers and the next is read, at 10,000 roles 24 MiB of views
 * before (a heap snapshot at 3,000 resources: 1.2 KiB per view, half of it repeated strings).
 */
async function loadRoles(iam: IAMClient): Promise<Omit<Loaded<RoleView>, 'startedAt'>> {
  // A pool that never drops a string: one copy of each for the whole load.
  const pool = new StringPool(Number.POSITIVE_INFINITY);
  const intern = (s: string) => pool.intern(s);
  const views = await allPages((Marker) => iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: PAGE, Marker }))
    .then((page) => ({ items: (page.RoleDetailList ?? []).map((r) => viewOf(r, intern)), next: page.IsTruncated ? page.Marker : undefined })));
  const items = new Map(views.map((view) => [view.name, view.view]));
  // A role only one of the two listings has was made or deleted between them.
  const partial = new Set(items.keys());
  const listed = await allPages((Marker) => iam.send(new ListRolesCommand({ MaxItems: PAGE, Marker }))
    .then((page) => ({ items: (page.Roles ?? []).map((r) => ({ name: r.RoleName!, description: r.Description, maxSessionDuration: r.MaxSessionDuration })), next: page.IsTruncated ? page.Marker : undefined })));
  for (const r of listed) {
    const view = items.get(r.name);
    if (!view) continue;
    partial.delete(r.name);
    view.description = r.description === undefined ? undefined : intern(r.description);
    view.maxSessionDuration = r.maxSessionDuration;
  }
  return { items, partial };
}

function viewOf(r: RoleDetail, intern: (s: string) => string): { name: string; view: RoleView } {
  const boundary = r.PermissionsBoundary?.PermissionsBoundaryArn;
  return {
    name: r.RoleName!,
    view: {
      arn: r.Arn!, roleId: r.RoleId!, path: intern(r.Path ?? '/'), description: undefined, maxSessionDuration: undefined,
      permissionsBoundary: boundary === undefined ? undefined : intern(boundary),
      tags: (r.Tags ?? []).map((t) => ({ Key: intern(t.Key!), Value: intern(t.Value ?? '') })),
      trustPolicy: intern(r.AssumeRolePolicyDocument ?? '{}'),
      inline: (r.RolePolicyList ?? []).map((p) => ({ name: intern(p.PolicyName!), document: intern(p.PolicyDocument ?? '{}') })),
      attached: (r.AttachedManagedPolicies ?? []).map((p) => intern(p.PolicyArn!)),
    },
  };
}
