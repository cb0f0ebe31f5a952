// A keyed work queue in the manner of client-go's workqueue: it holds keys (namespace/name), never
// events or objects. A key is queued at most once, handed to one worker at a time, and a key
// added while it is being processed is processed again once that worker is done. Failed keys
// come back after a per-key exponential backoff; a token bucket, shared by every queue of the
// process, bounds the overall retry rate.

export interface BackoffOptions {
  /** First retry delay in ms. */
  baseMs: number;
  /** Largest retry delay in ms. */
  maxMs: number;
  /** Retries allowed per second across all keys, with this burst. */
  qps: number;
  burst: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 5 * 60_000, qps: 10, burst: 100 };

/** Retries allowed per second with a burst, across every queue that shares this bucket. */
export class RetryBudget {
  #tokens: number;
  #tokensAt = Date.now();
  readonly #qps: number;
  readonly #burst: number;

  constructor(qps: number, burst: number) {
    this.#qps = qps;
    this.#burst = burst;
    this.#tokens = burst;
  }

  /** Takes a token: 0 while tokens remain, else how long to wait for the next one. */
  take(): number {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#tokensAt) / 1000) * this.#qps);
    this.#tokensAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#qps) * 1000);
  }
}

export class WorkQueue {
  #queue: string[] = [];
  #queued = new Set<string>();
  #processing = new Set<string>();
  #dirty = new Set<string>();
  #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #failures = new Map<string, number>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #shuttingDown = false;
  readonly #backoff: BackoffOptions;
  readonly #budget: RetryBudget;

  /** `budget`: the overall retry rate limit, shared with other queues (default: one of its own). */
  constructor(backoff: BackoffOptions = DEFAULT_BACKOFF, budget = new RetryBudget(backoff.qps, backoff.burst)) {
    this.#backoff = backoff;
    this.#budget = budget;
  }

  /** Queues the key now, unless it is queued already. */
  add(key: string): void {
    if (this.#shuttingDown) return;
    this.#cancelTimer(key);
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#processing.add(key);
      waiter(key);
      return;
    }
    this.#queued.add(key);
    this.#queue.push(key);
  }

  /** Queues the key after `delayMs`; an earlier pending time for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.#timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  /** Queues the key after its backoff (and the overall rate limit); returns the delay used. */
  addRateLimited(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const perKey = Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** failures);
    const delay = Math.max(perKey, this.#budget.take());
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its next failure starts the backoff again. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** The next key to process, or undefined once the queue shuts down. Call done(key) after. */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#queued.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.delete(key)) this.add(key);
  }

  get length(): number {
    return this.#queue.length;
  }

  /** Stops handing out keys: waiting get() calls resolve to undefined; pending delays are dropped. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue = [];
    this.#queued.clear();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  #cancelTimer(key: string): void {
    const pending = this.#timers.get(key);
    if (pending) {
      clearTimeout(pending.timer);
      this.#timers.delete(key);
    }
  }
}
