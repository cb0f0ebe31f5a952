// How a reconcile failed decides what happens next: a terminal error waits for the object to
// change (or the next resync); a waiting error retries after a delay without counting as a
// failure; anything else backs off and retries.

/** No retry fixes it: the spec must change (MalformedPolicyDocument, NoSuchEntity for a policy ARN…). */
export class TerminalError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** Waiting for something else (a referenced object, IAM propagation): not a failure. */
export class WaitingError extends Error {
  readonly reason: string;
  readonly retryAfterMs: number;
  constructor(reason: string, message: string, retryAfterMs = 5_000) {
    super(message);
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
