export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each attempt: an error returned here is thrown at once (e.g. the awaited process died). */
  failFast?: () => Error | undefined;
}

/**
 * Polls `check` until it returns a value other than undefined, and returns that value.
 * A check that throws counts as "not yet"; its last error is reported if the deadline passes.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs, intervalMs = 100, failFast }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const fatal = failFast?.();
    if (fatal) throw fatal;
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
