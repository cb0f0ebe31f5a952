// A keyed work queue in the manner of client-go's workqueue: it holds keys (namespace/name), never
// events or objects. A key is queued at most once, handed to one worker at a time, and a key
// added while it is being processed is processed again once that worker is done. Failed keys
// come back after a per-key exponential backoff; a token bucket, shared by every queue of the
// process, bounds the overall retry rate.
// Two lanes, as controller-runtime's priority queue: keys that come back for their periodic drift
// check wait behind changes (an apply, a related object, a retry), so that when the budget on AWS
// stretches a resync over many objects, an object just applied is still reconciled at once.
// Drift checks may also be capped to fewer keys at once than there are workers, so that a worker
// stays free for a change even while every drift check waits on something slow (a shared listing
// of thousands of roles being reloaded).
import { DelayedKeys } from './delayed-keys.ts';

/** Which lane a key waits in: `resync` keys go after every `changes` key. */
export type Lane = 'changes' | 'resync';

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
  #lanes: Record<Lane, string[]> = { changes: [], resync: [] };
  #queued = new Map<string, Lane>();
  /** Keys handed to a worker, with the lane each came from. */
  #processing = new Map<string, Lane>();
  #resyncsProcessing = 0;
  #maxResyncsProcessing = Infinity;
  /** Keys added while processed, with their lane. */
  #dirty = new Map<string, Lane>();
  readonly #delayed = new DelayedKeys<Lane>((key, lane) => this.add(key, lane));
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

  /**
   * At most this many drift checks are handed out at once; the other workers wait for changes
   * (with N workers, N − 1 keeps one free for an apply however slow the drift checks are).
   */
  limitResyncsProcessing(max: number): void {
    this.#maxResyncsProcessing = Math.max(1, max);
  }

  /** Queues the key now, unless it is queued already (a change moves a key waiting for its resync ahead). */
  add(key: string, lane: Lane = 'changes'): void {
    if (this.#shuttingDown) return;
    this.#delayed.cancel(key);
    if (this.#processing.has(key)) {
      if (this.#dirty.get(key) !== 'changes') this.#dirty.set(key, lane);
      return;
    }
    const queuedIn = this.#queued.get(key);
    if (queuedIn === 'resync' && lane === 'changes') {
      this.#lanes.resync.splice(this.#lanes.resync.indexOf(key), 1);
    } else if (queuedIn !== undefined) {
      return;
    }
    this.#queued.set(key, lane);
    this.#lanes[lane].push(key);
    this.#dispatch();
  }

  /** Queues the key after `delayMs`; an earlier pending time for the same key wins. */
  addAfter(key: string, delayMs: number, lane: Lane = 'changes'): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) return this.add(key, lane);
    const at = Date.now() + delayMs;
    const pending = this.#delayed.at(key);
    if (pending !== undefined && pending <= at) return;
    this.#delayed.schedule(key, at, lane);
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
    const key = this.#take();
    if (key !== undefined) return Promise.resolve(key);
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: string): void {
    const from = this.#processing.get(key);
    if (from === undefined) return;
    this.#processing.delete(key);
    if (from === 'resync') this.#resyncsProcessing--;
    const lane = this.#dirty.get(key);
    if (lane !== undefined) {
      this.#dirty.delete(key);
      this.add(key, lane);
    }
    this.#dispatch();
  }

  get length(): number {
    return this.#lanes.changes.length + this.#lanes.resync.length;
  }

  /** Stops handing out keys: waiting get() calls resolve to undefined; pending delays are dropped. */
  shutDown(): void {
    this.#shuttingDown = true;
    this.#delayed.clear();
    this.#lanes = { changes: [], resync: [] };
    this.#queued.clear();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  /** The next key a worker may take now: a change first, a drift check while under the cap. */
  #take(): string | undefined {
    let lane: Lane;
    if (this.#lanes.changes.length > 0) lane = 'changes';
    else if (this.#lanes.resync.length > 0 && this.#resyncsProcessing < this.#maxResyncsProcessing) lane = 'resync';
    else return undefined;
    const key = this.#lanes[lane].shift()!;
    this.#queued.delete(key);
    this.#processing.set(key, lane);
    if (lane === 'resync') this.#resyncsProcessing++;
    return key;
  }

  /** Hands keys to waiting workers while there are keys they may take. */
  #dispatch(): void {
    while (this.#waiters.length > 0) {
      const key = this.#take();
      if (key === undefined) return;
      this.#waiters.shift()!(key);
    }
  }
}
