// How a reconcile failed decides what happens next: a terminal error waits for the object to
// change (or the next resync); a waiting error retries after a named delay without counting as a
// failure; anything else (throttling, 5xx, a deadline, no progress) backs off and retries.
import { ApiException } from '@kubernetes/client-node';
import type { Reason, RetryReason, TerminalReason, WaitingReason } from '../api/reasons.ts';

/** How long a wait lasts before the next look, by what is awaited. */
export const RETRY_AFTER = {
  /** Another object (a role, a Lambda, a ConfigMap) must become Ready; its watch usually brings the key back sooner. */
  dependency: 10_000,
  /** IAM propagating a new or changed role to the service that assumes it. */
  propagation: 10_000,
  /** AWS busy with the previous change (Lambda update, agent UPDATING/PREPARING, alias). */
  busy: 2_000,
  /** A step of a multi-pass change just finished: look again soon. */
  settling: 1_000,
} as const;
export type RetryAfter = keyof typeof RETRY_AFTER;

/** No retry fixes it: the spec must change (MalformedPolicyDocument, NoSuchEntity for a policy ARN…). */
export class TerminalError extends Error {
  readonly reason: TerminalReason;
  constructor(reason: TerminalReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** Waiting for something else (a referenced object, IAM propagation, AWS busy): not a failure. */
export class WaitingError extends Error {
  readonly reason: WaitingReason;
  readonly retryAfterMs: number;
  constructor(reason: WaitingReason, message: string, retryAfter: RetryAfter, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
    this.retryAfterMs = RETRY_AFTER[retryAfter];
  }
}

/** A failure the runtime itself detects, retried with backoff like throttling (deadline, no progress). */
export class RetryableError extends Error {
  readonly reason: RetryReason;
  constructor(reason: RetryReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The condition reason of a failure: its own for the operator's errors, ReconcileError for the rest. */
export function reasonOf(error: unknown): Reason {
  return error instanceof TerminalError || error instanceof WaitingError || error instanceof RetryableError ? error.reason : 'ReconcileError';
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

/** The HTTP status of a Kubernetes API error, if it is one. */
export function kubeStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : (error as { code?: unknown } | undefined)?.code as number | undefined;
}

function parseJson(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return undefined;
  }
}
