// IAM errors that no retry fixes become TerminalErrors carrying AWS's message; the rest
// (throttling, 5xx, network) stay as they are and are retried with backoff.
import type { TerminalReason } from '../../api/reasons.ts';
import { TerminalError } from '../../runtime/errors.ts';
import { awsErrorName } from '../aws-errors.ts';

const TERMINAL: Record<string, TerminalReason> = {
  MalformedPolicyDocumentException: 'MalformedPolicyDocument',
  InvalidInputException: 'InvalidInput',
  ValidationError: 'InvalidInput',
  LimitExceededException: 'LimitExceeded',
  NoSuchEntityException: 'NoSuchEntity',
  PolicyNotAttachableException: 'PolicyNotAttachable',
};

export function classifyIamError(error: unknown): unknown {
  const reason = TERMINAL[awsErrorName(error) ?? ''];
  if (!reason) return error;
  return new TerminalError(reason, `IAM refused the change: ${(error as Error).message}`, { cause: error });
}
