// Lambda errors by what helps: a role IAM has not propagated yet and an update still in progress
// are waits, not failures; input Lambda refuses is terminal and carries Lambda's message;
// throttling, 5xx and network errors stay as they are and are retried with backoff.
import type { TerminalReason } from '../../api/reasons.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import { awsErrorName } from '../aws-errors.ts';

const ROLE_NOT_READY = /cannot be assumed|execution role does not have permissions|role.*not authorized|not authorized to perform: sts:AssumeRole/i;

const BUSY = /in progress|currently in the following state|pending/i;

const TERMINAL: Record<string, TerminalReason> = {
  InvalidParameterValueException: 'InvalidParameterValue',
  ValidationException: 'InvalidParameterValue',
  CodeStorageExceededException: 'LimitExceeded',
  PolicyLengthExceededException: 'LimitExceeded',
  RequestTooLargeException: 'LimitExceeded',
  CodeVerificationFailedException: 'CodeRefused',
  CodeSigningConfigNotFoundException: 'ResourceNotFound',
  InvalidCodeSignatureException: 'CodeRefused',
  UnsupportedMediaTypeException: 'CodeRefused',
  PreconditionFailedException: 'PreconditionFailed',
};

export function classifyLambdaError(error: unknown): unknown {
  const name = awsErrorName(error) ?? '';
  const message = (error as Error | undefined)?.message ?? String(error);
  if (name === 'InvalidParameterValueException' && ROLE_NOT_READY.test(message)) {
    return new WaitingError('WaitingForRolePropagation',
      `Lambda cannot use the execution role yet (IAM takes up to a minute to make a new or changed role usable): ${message} If this lasts, check that the role trusts lambda.amazonaws.com.`, 'propagation', { cause: error });
  }
  // A conflict is a busy function (Pending, or an update in progress) or something that already
  // exists (a statement ID, a function): the latter is retried with backoff, after which the
  // next observation sees it.
  if (name === 'ResourceConflictException' && BUSY.test(message)) {
    return new WaitingError('UpdateInProgress', `Lambda is busy with an earlier change: ${message}`, 'busy', { cause: error });
  }
  const reason = TERMINAL[name];
  if (reason) return new TerminalError(reason, `Lambda refused the change: ${message}`, { cause: error });
  return error;
}
