// bedrock-agent errors by what helps: an agent busy with an earlier change is a wait; a role
// Bedrock cannot use yet (IAM propagation, reported as AccessDenied) is a wait whose message says
// what to check; input Bedrock refuses is terminal and carries its message; throttling, 5xx and
// network errors stay as they are and are retried with backoff.
import { TerminalError, WaitingError } from '../runtime/errors.ts';
import { awsErrorName } from './iam/iam-errors.ts';

const BUSY_STATE = /can(no|')t be performed on \w+ when (it|\w+) is in \w+( \w+)? state/i;

/** `change` says what was refused ("associating knowledge base KB12345678"); AWS's messages often do not. */
export function classifyBedrockError(error: unknown, change = 'the change'): unknown {
  const name = awsErrorName(error) ?? '';
  const message = (error as Error | undefined)?.message ?? String(error);
  switch (name) {
    case 'ConflictException':
      return new WaitingError('AgentBusy', `Bedrock is busy with an earlier change: ${message}`, 2_000);
    case 'AccessDeniedException':
      return new WaitingError('WaitingForRolePropagation',
        `Bedrock was denied access (a new or changed service role takes up to a minute to be usable; a role ARN that does not exist is reported the same way): ${message}`, 10_000);
    case 'ValidationException':
      // Bedrock also reports an agent in the wrong state this way ("Create operation can't be
      // performed on AgentAlias when Agent is in Versioning state"): that passes.
      if (BUSY_STATE.test(message)) return new WaitingError('AgentBusy', `Bedrock is busy with an earlier change: ${message}`, 2_000);
      return new TerminalError('Validation', `Bedrock refused ${change}: ${message}`, { cause: error });
    case 'ServiceQuotaExceededException':
    case 'ResourceNotFoundException':
      return new TerminalError(name.replace(/Exception$/, ''), `Bedrock refused ${change}: ${message}`, { cause: error });
    default:
      return error;
  }
}
