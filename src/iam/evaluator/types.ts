// What the policy evaluator takes and gives: one request (who calls what on which resource, with
// which condition keys), the policies that apply, and the decision with the statements that made it.
import type { AnyPolicy } from '../../aws/iam/policy-json.ts';

/** Who makes the request. */
export type RequestPrincipal =
  /** An IAM role (or user) ARN; `account` is the 12-digit account that owns it. */
  | { type: 'AWS'; arn: string; account: string }
  /** An AWS service, such as bedrock.amazonaws.com, acting for a customer. */
  | { type: 'Service'; service: string }
  /** A web identity from an identity provider (AssumeRoleWithWebIdentity): the provider's ARN, such as an EKS cluster's OIDC provider. */
  | { type: 'Federated'; provider: string };

/** Condition context keys (case-insensitive names) and their values; lists for multivalued keys. */
export type RequestContext = Record<string, string | string[]>;

export interface AccessRequest {
  principal: RequestPrincipal;
  /** `service:Action`, as IAM writes it (case-insensitive). */
  action: string;
  /** The ARN the action is authorized on, or `*` for actions that take no resource type. */
  resource: string;
  /**
   * Account that owns the resource (for same- or cross-account rules); defaults to the ARN's, and
   * for an ARN without one (AWS-owned foundation models, `*`) to the principal's.
   */
  resourceAccount?: string;
  /**
   * Condition keys of the request. Keys AWS sets on every request of this kind are added when
   * absent (see `effectiveContext` in context.ts): aws:PrincipalArn, aws:PrincipalAccount,
   * aws:username (IAM users), aws:PrincipalIsAWSService, aws:PrincipalServiceName (services),
   * aws:ResourceAccount. A list value is a multivalued key: only ForAnyValue:/ForAllValues:
   * operators match it.
   */
  context: RequestContext;
}

/** The kinds of policy that take part in a decision. */
export type PolicyKind = 'identity' | 'boundary' | 'resource';

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
  /** Which kind of policy the statement is in. */
  kind?: PolicyKind;
}

/**
 * What a decision adds to its outcome: statements the evaluator could not evaluate (an unknown
 * condition operator, an Effect other than Allow/Deny, a statement without Action/NotAction, …).
 * Such a statement matches nothing, so an Allow in it grants nothing and a Deny in it denies
 * nothing; IAM would have refused the document. Each entry names policy, statement and cause.
 */
export interface DecisionNotes {
  unsupported?: string[];
}

export type Decision = DecisionNotes & (
  | { decision: 'Allow'; allowedBy: StatementRef[] }
  | { decision: 'ExplicitDeny'; deniedBy: StatementRef[] }
  /**
   * No statement allows; `missing` lists each policy kind consulted for this request that had no
   * matching Allow (identity; boundary, when the principal has one; resource, when there is a
   * resource policy or one is required: service principals and cross-account requests).
   */
  | { decision: 'ImplicitDeny'; missing: PolicyKind[] });
