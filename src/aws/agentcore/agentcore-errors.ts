// bedrock-agentcore-control errors by what helps: a resource busy with earlier work is a wait (AWS
// answers ConflictException); a role AgentCore cannot assume yet is a wait whose message says what
// to check; input AgentCore refuses is terminal and carries its message (and its field list, which
// names the member); the operator's own identity lacking a permission, throttling, 5xx and network
// errors stay as they are and are retried with backoff.
import type { TerminalReason } from '../../api/reasons.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import { awsErrorName } from '../aws-errors.ts';

const TERMINAL: Record<string, TerminalReason> = {
  ValidationException: 'Validation',
  ServiceQuotaExceededException: 'LimitExceeded',
  ResourceNotFoundException: 'ResourceNotFound',
};

/** `change` says what was refused ("creating gateway target orders"); AWS's messages often do not. */
export function classifyAgentCoreError(error: unknown, change = 'the change'): unknown {
  const name = awsErrorName(error) ?? '';
  const message = (error as Error | undefined)?.message ?? String(error);
  if (name === 'ConflictException' && !/already exists/i.test(message)) {
    return new WaitingError('HarnessBusy', `AgentCore is busy with an earlier change: ${message}`, 'busy', { cause: error });
  }
  if (name === 'AccessDeniedException' && /is not authorized to perform/.test(message)) return error;
  if (name === 'AccessDeniedException') {
    return new WaitingError('WaitingForRolePropagation',
      `AgentCore was denied access (a new or changed role takes up to a minute to be usable): ${message}`, 'propagation', { cause: error });
  }
  const reason = name === 'ConflictException' ? 'AlreadyExists' : TERMINAL[name];
  if (reason) {
    const fields = (error as { fieldList?: { name?: string; message?: string }[] }).fieldList ?? [];
    const detail = fields.length > 0 ? ` (${fields.map((f) => `${f.name}: ${f.message}`).join('; ')})` : '';
    return new TerminalError(reason, `AgentCore refused ${change}: ${message}${detail}`, { cause: error });
  }
  return error;
}
