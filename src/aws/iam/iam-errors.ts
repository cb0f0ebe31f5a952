// IAM errors that no retry fixes become TerminalErrors carrying AWS's message; the rest
// (throttling, 5xx, network) stay as they are and are retried with backoff.
import { TerminalError } from '../../runtime/errors.ts';

const TERMINAL: Record<string, string> = {
  MalformedPolicyDocumentException: 'MalformedPolicyDocument',
  InvalidInputException: 'InvalidInput',
  LimitExceededException: 'LimitExceeded',
  NoSuchEntityException: 'NoSuchEntity',
  ValidationError: 'InvalidInput',
  PolicyNotAttachableException: 'PolicyNotAttachable',
};

export function awsErrorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

export function classifyIamError(error: unknown): unknown {
  const reason = TERMINAL[awsErrorName(error) ?? ''];
  if (!reason) return error;
  return new TerminalError(reason, `IAM refused the change: ${(error as Error).message}`, { cause: error });
}
