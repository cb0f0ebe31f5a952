// How bedrock-agent's errors are classified: a busy agent is a wait, whichever code Bedrock uses
// for it; refused input is terminal with Bedrock's message; throttling is left to the backoff.
import { describe, expect, it } from 'vitest';
import { classifyBedrockError } from '../../src/aws/bedrock-agent/bedrock-agent-errors.ts';
import { TerminalError, WaitingError } from '../../src/runtime/errors.ts';

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('classifyBedrockError', () => {
  it('waits while the agent is busy, as a conflict or as a validation error naming its state', () => {
    for (const error of [
      awsError('ConflictException', 'Update operation can\'t be performed on Agent when it is in Preparing state.'),
      awsError('ValidationException', 'Create operation can\'t be performed on AgentAlias when Agent is in Versioning state.'),
      awsError('ValidationException', 'Prepare operation can\'t be performed on Agent when it is in Not Prepared state.'),
    ]) {
      const classified = classifyBedrockError(error);
      expect(classified).toBeInstanceOf(WaitingError);
      expect((classified as WaitingError).reason).toBe('AgentBusy');
    }
  });

  it('ends refused input in a terminal error carrying Bedrock\'s message', () => {
    const classified = classifyBedrockError(awsError('ValidationException', '1 validation error detected: Value at \'instruction\' failed to satisfy constraint: Member must have length greater than or equal to 40'));
    expect(classified).toBeInstanceOf(TerminalError);
    expect((classified as TerminalError).reason).toBe('Validation');
    expect((classified as TerminalError).message).toMatch(/^Bedrock refused the change: 1 validation error detected/);
  });

  it('leaves the operator\'s own missing permission to the backoff, naming it, instead of waiting for a role', () => {
    const error = awsError('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/bedrock-forge-operator/s is not authorized to perform: bedrock:CreateAgent on resource: * because no identity-based policy allows the bedrock:CreateAgent action');
    expect(classifyBedrockError(error)).toBe(error);
    const role = classifyBedrockError(awsError('AccessDeniedException', 'Access denied when calling Bedrock. Check your request permissions and retry the request.'));
    expect((role as WaitingError).reason).toBe('WaitingForRolePropagation');
  });

  it('leaves throttling and server errors to the backoff', () => {
    const error = awsError('ThrottlingException', 'Rate exceeded');
    expect(classifyBedrockError(error)).toBe(error);
  });
});
