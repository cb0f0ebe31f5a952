// bedrock (control-plane) errors of the guardrail calls, by what helps: a guardrail busy with an
// earlier change (ConflictException outside a create) is a wait; a create refused because the name
// is taken is terminal (the pass that found no guardrail of that name raced another creator);
// input Bedrock refuses is terminal and carries its message; throttling, 5xx and network errors
// stay as they are and are retried with backoff.
import type { TerminalReason } from '../../api/reasons.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import { awsErrorName } from '../aws-errors.ts';

const TERMINAL: Record<string, TerminalReason> = {
  ValidationException: 'Validation',
  ServiceQuotaExceededException: 'LimitExceeded',
  TooManyTagsException: 'LimitExceeded',
  ResourceNotFoundException: 'ResourceNotFound',
};

/** `change` says what was refused ("creating the guardrail"); `creating`: the call was CreateGuardrail. */
export function classifyGuardrailError(error: unknown, change = 'the change', creating = false): unknown {
  const name = awsErrorName(error) ?? '';
  const message = (error as Error | undefined)?.message ?? String(error);
  if (name === 'ConflictException') {
    if (creating) return new TerminalError('AlreadyExists', `Bedrock refused ${change}: ${message}. Another guardrail has this name: set spec.guardrailName to another name`, { cause: error });
    return new WaitingError('GuardrailBusy', `Bedrock is busy with an earlier change of the guardrail: ${message}`, 'busy', { cause: error });
  }
  const reason = TERMINAL[name];
  if (reason) return new TerminalError(reason, `Bedrock refused ${change}: ${message}`, { cause: error });
  return error;
}
