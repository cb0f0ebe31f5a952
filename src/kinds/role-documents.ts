// The documents that decide what a role may do, for the access check: its trust policy, inline
// and managed policies, and permissions boundary. For a role the operator manages (an IAMRole of
// the namespace, named or generated) they come from its spec, which the IAMRole controller keeps
// true in AWS; for a role named by ARN they are read from IAM. Managed policy documents (AWS's or
// the account's) are read from IAM and kept for a few minutes: they change rarely, and the check
// is advice; so are the documents of a role named by ARN. What cannot be read is listed, so that the check says so instead of guessing.
import {
  GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { IAMRoleResource } from '../api/kinds.ts';
import { allPages, awsErrorName } from '../aws/aws-errors.ts';
import { parseIamPolicy, type AnyPolicy } from '../aws/iam/policy-json.ts';
import type { NamedPolicy } from '../iam/evaluator/types.ts';
import { roleNameOf } from './iamrole/iamrole-client.ts';

export interface RoleDocuments {
  /** How messages name the role: `role custom-agent-role`. */
  label: string;
  arn: string;
  trust: NamedPolicy | undefined;
  identity: NamedPolicy[];
  boundary: NamedPolicy | undefined;
  /** What could not be read, each with why (the check is then not verifiable unless it denies anyway). */
  unreadable: string[];
}

/** How long documents read from IAM are reused: they change rarely, and the check is advice. */
const READ_TTL_MS = 5 * 60_000;

export class RoleDocumentsReader {
  readonly #iam: IAMClient;
  readonly #managed = new Map<string, { at: number; document: Promise<AnyPolicy> }>();
  readonly #byArn = new Map<string, { at: number; documents: Promise<RoleDocuments> }>();

  constructor(iam: IAMClient) {
    this.#iam = iam;
  }

  /**
   * The documents of the role a Lambda or Agent uses: from its IAMRole when the operator manages
   * it (with the boundary it gets: the enforced one, else the spec's), else read from IAM.
   */
  forRole(role: IAMRoleResource | undefined, arn: string, enforcedBoundary: string | undefined): Promise<RoleDocuments> {
    if (role) return this.fromIAMRole(role, arn, enforcedBoundary ?? role.spec.permissionsBoundary);
    const now = Date.now();
    let entry = this.#byArn.get(arn);
    if (!entry || now - entry.at > READ_TTL_MS) {
      entry = { at: now, documents: this.fromArn(arn) };
      this.#byArn.set(arn, entry);
    }
    return entry.documents;
  }

  /** A role the operator manages: its spec, the boundary it gets, and the managed policies it names. */
  async fromIAMRole(role: IAMRoleResource, arn: string, boundary: string | undefined): Promise<RoleDocuments> {
    const name = roleNameOf(role);
    const label = `role ${name}`;
    const docs: RoleDocuments = {
      label, arn, unreadable: [],
      // A role with only spec.serviceAccount trusts Pods, never the service checked here.
      trust: { name: `the trust policy of ${label}`, document: role.spec.assumeRolePolicy ?? { statement: [] } },
      identity: (role.spec.inlinePolicies ?? []).map((p) => ({ name: `inline policy ${p.name} of ${label}`, document: p.policy })),
      boundary: undefined,
    };
    await this.#addManaged(docs, (role.spec.policies ?? []).map((p) => p.policyArn), boundary);
    return docs;
  }

  /** A role named by ARN: read from IAM, as far as the operator may. */
  async fromArn(arn: string): Promise<RoleDocuments> {
    const name = arn.split('/').pop() ?? arn;
    const label = `role ${name}`;
    const docs: RoleDocuments = { label, arn, trust: undefined, identity: [], boundary: undefined, unreadable: [] };
    try {
      const role = (await this.#iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
      docs.trust = { name: `the trust policy of ${label}`, document: parseIamPolicy(role.AssumeRolePolicyDocument ?? '{}') };
      for (const policyName of await allPages(async (Marker) => {
        const r = await this.#iam.send(new ListRolePoliciesCommand({ RoleName: name, Marker }));
        return { items: r.PolicyNames ?? [], next: r.Marker };
      })) {
        const policy = await this.#iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
        docs.identity.push({ name: `inline policy ${policyName} of ${label}`, document: parseIamPolicy(policy.PolicyDocument ?? '{}') });
      }
      const attached = await allPages(async (Marker) => {
        const r = await this.#iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker }));
        return { items: r.AttachedPolicies ?? [], next: r.Marker };
      });
      await this.#addManaged(docs, attached.map((p) => p.PolicyArn!), role.PermissionsBoundary?.PermissionsBoundaryArn);
    } catch (error) {
      docs.unreadable.push(`${label} (${awsErrorName(error) ?? 'error'}: ${(error as Error).message})`);
    }
    return docs;
  }

  async #addManaged(docs: RoleDocuments, arns: string[], boundary: string | undefined): Promise<void> {
    for (const arn of arns) {
      const document = await this.#document(arn, docs);
      if (document) docs.identity.push({ name: `managed policy ${arn.split('/').pop()} of ${docs.label}`, document });
    }
    if (boundary) {
      const document = await this.#document(boundary, docs);
      docs.boundary = { name: `the permissions boundary ${boundary.split('/').pop()} of ${docs.label}`, document: document ?? { statement: [] } };
    }
  }

  async #document(arn: string, docs: RoleDocuments): Promise<AnyPolicy | undefined> {
    const now = Date.now();
    let entry = this.#managed.get(arn);
    if (!entry || now - entry.at > READ_TTL_MS) {
      entry = { at: now, document: this.#readManaged(arn) };
      this.#managed.set(arn, entry);
      entry.document.catch(() => this.#managed.delete(arn));
    }
    try {
      return await entry.document;
    } catch (error) {
      docs.unreadable.push(`managed policy ${arn} (${awsErrorName(error) ?? 'error'}: ${(error as Error).message})`);
      return undefined;
    }
  }

  async #readManaged(arn: string): Promise<AnyPolicy> {
    const policy = (await this.#iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    const version = await this.#iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId! }));
    return parseIamPolicy(version.PolicyVersion!.Document ?? '{}');
  }
}
