// Every IAM role of the account, read in bulk: GetAccountAuthorizationDetails (filter Role) gives up
// to 1,000 roles per call with their trust policy, inline policies, attached policies, boundary and
// tags; ListRoles adds the description and maximum session duration. One load serves the observe
// of every IAMRole for up to `maxAgeMs` (the resync period), so a role in sync costs a fiftieth of
// a call per resync instead of four calls (GetRole, ListRolePolicies, GetRolePolicy per inline
// policy, ListAttachedRolePolicies).
//
// What the operator itself just wrote must be seen at once: a role touched by a write is read with
// the single-role calls until a load that started after the write. A role the snapshot does not
// have is confirmed with GetRole before it counts as absent (it may be younger than the load). A
// load that fails fails every observe waiting for it: no object is reported Ready from it.
import {
  GetAccountAuthorizationDetailsCommand, ListRolesCommand, type AttachedPermissionsBoundary, type GetAccountAuthorizationDetailsCommandOutput, type IAMClient,
  type ListRolesCommandOutput, type Tag,
} from '@aws-sdk/client-iam';

/** What the IAMRole client compares of a role, however it was read. */
export interface RoleView {
  arn: string;
  roleId: string;
  path: string;
  description: string | undefined;
  maxSessionDuration: number | undefined;
  permissionsBoundary: AttachedPermissionsBoundary | undefined;
  tags: Tag[];
  /** URL-encoded, as IAM returns it. */
  trustPolicy: string;
  /** Inline policy documents by name (URL-encoded). */
  inline: Map<string, string>;
  attached: string[];
}

/** IAM's largest page for both listings. */
const PAGE = 1000;

interface Loaded {
  startedAt: number;
  roles: Map<string, RoleView>;
  /** The roles ListRoles had too (their description and session duration are known). */
  listed: Set<string>;
}

export class RoleSnapshot {
  readonly #iam: IAMClient;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #loaded: Loaded | undefined;
  #loading: Promise<Loaded> | undefined;
  /** When the operator last wrote each role, by name. */
  readonly #touched = new Map<string, number>();
  /** Calls made by loads, for the benchmark and metrics. */
  loads = 0;

  constructor(iam: IAMClient, maxAgeMs: number, now: () => number = Date.now) {
    this.#iam = iam;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /**
   * The role from a load no older than maxAgeMs: a view, `absent` when the load has no role of
   * that name, or `unknown` when the operator wrote the role after the load started (read it directly).
   */
  async view(roleName: string): Promise<RoleView | 'absent' | 'unknown'> {
    const loaded = await this.#fresh();
    const touched = this.#touched.get(roleName);
    if (touched !== undefined) {
      if (touched >= loaded.startedAt) return 'unknown';
      this.#touched.delete(roleName);
    }
    const view = loaded.roles.get(roleName);
    // Made or deleted between the two listings: only one of them has it.
    if (view && !loaded.listed.has(roleName)) return 'unknown';
    return view ?? 'absent';
  }

  /** The operator wrote the role (or deleted it): the next observe reads it directly. */
  touch(roleName: string): void {
    this.#touched.set(roleName, this.#now());
  }

  async #fresh(): Promise<Loaded> {
    const loaded = this.#loaded;
    if (loaded && this.#now() - loaded.startedAt < this.#maxAgeMs) return loaded;
    // One load at a time, shared by every observe that waits for it (so no one caller's deadline aborts it).
    this.#loading ??= this.#load().then((l) => {
      this.#loaded = l;
      return l;
    }).finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<Loaded> {
    const startedAt = this.#now();
    const roles = new Map<string, RoleView>();
    const listed = new Set<string>();
    let marker: string | undefined;
    do {
      const page: GetAccountAuthorizationDetailsCommandOutput = await this.#iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: PAGE, Marker: marker }));
      this.loads += 1;
      for (const r of page.RoleDetailList ?? []) {
        roles.set(r.RoleName!, {
          arn: r.Arn!, roleId: r.RoleId!, path: r.Path ?? '/', description: undefined, maxSessionDuration: undefined,
          permissionsBoundary: r.PermissionsBoundary, tags: r.Tags ?? [], trustPolicy: r.AssumeRolePolicyDocument ?? '{}',
          inline: new Map((r.RolePolicyList ?? []).map((p) => [p.PolicyName!, p.PolicyDocument ?? '{}'])),
          attached: (r.AttachedManagedPolicies ?? []).map((p) => p.PolicyArn!),
        });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    marker = undefined;
    do {
      const page: ListRolesCommandOutput = await this.#iam.send(new ListRolesCommand({ MaxItems: PAGE, Marker: marker }));
      this.loads += 1;
      for (const r of page.Roles ?? []) {
        const view = roles.get(r.RoleName!);
        if (!view) continue;
        listed.add(r.RoleName!);
        view.description = r.Description;
        view.maxSessionDuration = r.MaxSessionDuration;
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return { startedAt, roles, listed };
  }
}
