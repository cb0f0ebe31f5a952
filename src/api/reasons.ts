// Every reason the operator writes into a condition or an Event: one vocabulary, so that users,
// alerts and Argo CD's health check can rely on them. AWS's exception names never become reasons
// directly; the error adapters in src/aws/ map them to these.

/** Reasons of a resource that is fine or on its way. */
export const PROGRESS_REASONS = ['Available', 'ReconcileSuccess', 'Pending', 'Created', 'Updated', 'DriftCorrected', 'Deleted', 'Retained'] as const;

/** Waits: something else must happen first; retried after a delay, not counted as a failure. */
export const WAITING_REASONS = [
  'WaitingForRole', 'WaitingForLambda', 'WaitingForConfigMap', 'WaitingForRolePropagation', 'UpdateInProgress', 'AgentBusy', 'AliasBusy',
] as const;

/** The spec, or what it names, must change: not retried until it does (or the next resync). */
export const TERMINAL_REASONS = [
  // Ownership and tenancy.
  'AlreadyExists', 'OwnedByAnother', 'AdoptionNotAllowed', 'PermissionsBoundaryRequired', 'RoleNotAllowed', 'RoleNameConflict',
  // Spec problems found before any AWS call.
  'NoRole', 'NoCode', 'ConfigMapNotLabelled', 'ConfigMapEmpty', 'ConfigMapKeyMissing', 'UnsupportedStatement', 'DuplicateStatementId',
  'UnsupportedPolicyReference', 'UnsupportedPromptReference', 'UnsupportedGuardrailReference', 'AliasNeedsPreparedAgent',
  // What AWS cannot change in place.
  'PathImmutable', 'PackageTypeImmutable',
  // What AWS refused, by the adapters' tables in src/aws/ (IAM, Lambda, Bedrock in that order).
  'MalformedPolicyDocument', 'InvalidInput', 'NoSuchEntity', 'PolicyNotAttachable', 'LimitExceeded',
  'InvalidParameterValue', 'CodeRefused', 'PreconditionFailed',
  'Validation', 'ResourceNotFound', 'PrepareFailed',
] as const;

/** Failures a retry with backoff may fix (throttling, 5xx, a deadline, no progress). */
export const RETRY_REASONS = ['ReconcileError', 'DeadlineExceeded', 'NoProgress'] as const;

export type WaitingReason = (typeof WAITING_REASONS)[number];
export type TerminalReason = (typeof TERMINAL_REASONS)[number];
export type RetryReason = (typeof RETRY_REASONS)[number];
export type Reason = (typeof PROGRESS_REASONS)[number] | WaitingReason | TerminalReason | RetryReason;
