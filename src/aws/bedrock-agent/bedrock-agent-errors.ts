// bedrock-agent errors by what helps: an agent busy with an earlier change is a wait; a role
// Bedrock cannot use yet (IAM propagation, reported as AccessDenied) is a wait whose message says
// what to check; input Bedrock refuses is terminal and carries its message; throttling, 5xx and
// network errors stay as they are and are retried with backoff.
import type { TerminalReason } from '../../api/reasons.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import { awsErrorName } from '../aws-errors.ts';

const BUSY_STATE = /can(no|')t be performed on \w+ when (it|\w+) is in \w+( \w+)? state/i;

const TERMINAL: Record<string, TerminalReason> = {
  ValidationException: 'Validation',
  ServiceQuotaExceededException: 'LimitExceeded',
  ResourceNotFoundException: 'ResourceNotFound',
};

/** `change` says what was refused ("associating knowledge base KB12345678"); AWS's messages often do not. */
export function classifyBedrockError(error: unknown, change = 'the change'): unknown {
  const name = awsErrorName(error) ?? '';
  const message = (error as Error | undefined)?.message ?? String(error);
  if (name === 'ConflictException' || (name === 'ValidationException' && BUSY_STATE.test(message))) {
    // Bedrock also reports an agent in the wrong state as a ValidationException ("Create operation
    // can't be performed on AgentAlias when Agent is in Versioning state"): that passes.
    return new WaitingError('AgentBusy', `Bedrock is busy with an earlier change: ${message}`, 'busy', { cause: error });
  }
  // The operator's own identity lacking a permission ("User: arn:…:assumed-role/… is not
  // authorized to perform: bedrock:CreateAgent on resource: …") is no role propagating: it is
  // retried with backoff, and the message names the permission to grant.
  if (name === 'AccessDeniedException' && /is not authorized to perform/.test(message)) return error;
  if (name === 'AccessDeniedException') {
    return new WaitingError('WaitingForRolePropagation',
      `Bedrock was denied access (a new or changed service role takes up to a minute to be usable; a role ARN that does not exist is reported the same way): ${message}`, 'propagation', { cause: error });
  }
  const reason = TERMINAL[name];
  if (reason) return new TerminalError(reason, `Bedrock refused ${change}: ${message}`, { cause: error });
  return error;
}
