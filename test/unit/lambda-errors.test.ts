// How Lambda's errors are classified: a busy function and a role IAM has not propagated are
// waits, a conflict with something that exists is retried, refused input is terminal.
import { describe, expect, it } from 'vitest';
import { classifyLambdaError } from '../../src/aws/lambda/lambda-errors.ts';
import { TerminalError, WaitingError } from '../../src/runtime/errors.ts';

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('classifyLambdaError', () => {
  it('waits while the function is pending or an update is in progress', () => {
    for (const message of [
      'The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:f',
      'The operation cannot be performed at this time. The function is currently in the following state: Pending',
    ]) {
      const classified = classifyLambdaError(awsError('ResourceConflictException', message));
      expect(classified).toBeInstanceOf(WaitingError);
      expect((classified as WaitingError).reason).toBe('UpdateInProgress');
    }
  });

  it('retries a conflict with something that already exists instead of calling it busy', () => {
    const error = awsError('ResourceConflictException', 'The statement id (s1) provided already exists. Please provide a new statement id, or remove the existing statement.');
    expect(classifyLambdaError(error)).toBe(error);
  });

  it('waits for a role Lambda cannot assume yet, and says what to check if it lasts', () => {
    const classified = classifyLambdaError(awsError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.'));
    expect(classified).toBeInstanceOf(WaitingError);
    expect((classified as WaitingError).message).toContain('trusts lambda.amazonaws.com');
  });

  it('ends refused input in a terminal error carrying Lambda\'s message', () => {
    const classified = classifyLambdaError(awsError('InvalidParameterValueException', 'The provided principal was invalid. Please check the principal and try again.'));
    expect(classified).toBeInstanceOf(TerminalError);
    expect(classified).toMatchObject({ reason: 'InvalidParameterValue', message: 'Lambda refused the change: The provided principal was invalid. Please check the principal and try again.' });
  });

  it('leaves throttling and server errors to the backoff', () => {
    const error = awsError('TooManyRequestsException', 'Rate exceeded');
    expect(classifyLambdaError(error)).toBe(error);
  });
});
