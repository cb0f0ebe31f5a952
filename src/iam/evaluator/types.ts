// What the policy evaluator takes and gives: one request (who calls what on which resource, with
// which condition keys), the policies that apply, and the decision with the statements that made it.
import type { AnyPolicy } from '../../aws/iam/policy-json.ts';

/** Who makes the request. */
export type RequestPrincipal =
  /** An IAM role (or user) ARN; `account` is the 12-digit account that owns it. */
  | { type: 'AWS'; arn: string; account: string }
  /** An AWS service, such as bedrock.amazonaws.com, acting for a customer. */
  | { type: 'Service'; service: string };

/** Condition context keys (case-insensitive names) and their values; lists for multivalued keys. */
export type RequestContext = Record<string, string | string[]>;

export interface AccessRequest {
  principal: RequestPrincipal;
  /** `service:Action`, as IAM writes it (case-insensitive). */
  action: string;
  /** The ARN the action is authorized on, or `*` for actions that take no resource type. */
  resource: string;
  /** Account that owns the resource (for same- or cross-account rules); defaults to the ARN's. */
  resourceAccount?: string;
  context: RequestContext;
}

/** A policy and the name a message shows for it (such as `role custom-agent-role, inline policy bedrock`). */
export interface NamedPolicy {
  name: string;
  document: AnyPolicy;
}

export interface PolicySet {
  /** Identity-based policies of the principal (inline and managed). */
  identity?: NamedPolicy[];
  /** The principal's permissions boundary, if it has one. */
  boundary?: NamedPolicy;
  /** The resource-based policy of the resource (a role's trust policy, a Lambda function policy). */
  resource?: NamedPolicy;
}

/** A statement that decided, by policy name and index (and Sid when it has one). */
export interface StatementRef {
  policy: string;
  index: number;
  sid?: string;
}

export type Decision =
  | { decision: 'Allow'; allowedBy: StatementRef[] }
  | { decision: 'ExplicitDeny'; deniedBy: StatementRef[] }
  /** No statement allows; `missing` says which policy kind lacked an Allow (identity, boundary, resource). */
  | { decision: 'ImplicitDeny'; missing: Array<'identity' | 'boundary' | 'resource'> };
