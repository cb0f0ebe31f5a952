// Every reason the operator writes into a condition or an Event: one vocabulary, so that users,
// alerts and Argo CD's health check can rely on them. AWS's exception names never become reasons
// directly; the error adapters in src/aws/ map them to these.

/** Reasons of a resource that is fine or on its way. */
export const PROGRESS_REASONS = ['Available', 'ReconcileSuccess', 'Pending', 'Created', 'Updated', 'DriftCorrected', 'Deleted', 'Retained', 'MigrationComplete'] as const;

/** Milestones an update announces with a Normal Event. */
export type MilestoneReason = 'MigrationComplete';

/** Waits: something else must happen first; retried after a delay, not counted as a failure. */
export const WAITING_REASONS = [
  'WaitingForRole', 'WaitingForLambda', 'WaitingForConfigMap', 'WaitingForRolePropagation', 'UpdateInProgress', 'AgentBusy', 'AliasBusy',
  'HarnessBusy', 'GatewayBusy', 'EndpointBusy', 'WaitingForAgent', 'FlowBusy', 'WaitingForFlow', 'WaitingForPrompt', 'GuardrailBusy', 'WaitingForGuardrail',
] as const;

/** The spec, or what it names, must change: not retried until it does (or the next resync). */
export const TERMINAL_REASONS = [
  // Ownership and tenancy.
  'AlreadyExists', 'OwnedByAnother', 'AdoptionNotAllowed', 'PermissionsBoundaryRequired', 'RoleNotAllowed', 'RoleNameConflict',
  // Spec problems found before any AWS call.
  'NoRole', 'NoCode', 'ConfigMapNotLabelled', 'ConfigMapEmpty', 'ConfigMapKeyMissing', 'UnsupportedStatement', 'DuplicateStatementId',
  'UnsupportedPolicyReference', 'UnsupportedPromptReference', 'AliasNeedsPreparedAgent',
  'UnsupportedAgentRuntime', 'UnknownAgentAlias', 'UnknownFlowAlias', 'UnknownPromptVariant',
  // A part of an agent written as its own object (ActionGroup, AgentKnowledgeBaseAssociation) that cannot join it.
  'DuplicateActionGroup', 'DuplicateKnowledgeBase', 'UnsupportedKnowledgeBaseReference',
  // What AWS would refuse, known locally (src/iam/iam-rules.json, src/aws/lambda/lambda-rules.json, OpenAPI 3).
  'RuntimeNotSupported', 'InvalidEnvironment', 'InvalidCode', 'InvalidApiSchema', 'CrossAccountRole',
  // The platform's rules (--refuse-findings, --required-tags), and a flag a spec needs but the operator lacks.
  'FindingsRefused', 'RequiredTagsMissing', 'OperatorFlagMissing',
  // What AWS cannot change in place.
  'PathImmutable', 'PackageTypeImmutable',
  // What AWS refused, by the adapters' tables in src/aws/ (IAM, Lambda, Bedrock in that order).
  'MalformedPolicyDocument', 'InvalidInput', 'NoSuchEntity', 'PolicyNotAttachable', 'LimitExceeded',
  'InvalidParameterValue', 'CodeRefused', 'PreconditionFailed',
  'Validation', 'ResourceNotFound', 'PrepareFailed',
  // A guardrail Bedrock could not create or update (its status FAILED).
  'GuardrailFailed',
  // AgentCore refused or failed (src/aws/agentcore/).
  'HarnessFailed', 'GatewayFailed', 'GatewayTargetFailed', 'EndpointFailed', 'NameCollision',
] as const;

/**
 * Advice, not failure: the Findings condition (what the policies allow that they should not) and
 * the AccessCheck condition (whether AWS would allow the calls the service makes with the role).
 */
export const ADVISORY_REASONS = ['NoFindings', 'FindingsPresent', 'AccessAllowed', 'AccessWouldBeDenied', 'AccessNotVerifiable', 'FullyCovered', 'NotCovered'] as const;

/** Failures a retry with backoff may fix (throttling, 5xx, a deadline, no progress). */
export const RETRY_REASONS = ['ReconcileError', 'DeadlineExceeded', 'NoProgress'] as const;

export type WaitingReason = (typeof WAITING_REASONS)[number];
export type TerminalReason = (typeof TERMINAL_REASONS)[number];
export type RetryReason = (typeof RETRY_REASONS)[number];
export type AdvisoryReason = (typeof ADVISORY_REASONS)[number];
export type Reason = (typeof PROGRESS_REASONS)[number] | WaitingReason | TerminalReason | RetryReason | AdvisoryReason;
