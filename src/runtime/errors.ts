// How a reconcile failed decides what happens next: a terminal error waits for the object to
// change (or the next resync); a waiting error retries after a delay without counting as a
// failure; anything else backs off and retries.
import { ApiException } from '@kubernetes/client-node';

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

/**
 * What went wrong, in a line a user can read: for a Kubernetes API error, the apiserver's own
 * message (client-node's message holds the whole response, headers included).
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? parseJson(error.body) : error.body as { message?: string } | undefined;
    return `Kubernetes API (HTTP ${error.code}): ${body?.message ?? 'no message'}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function parseJson(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return undefined;
  }
}
