// What a service lists of every resource of the account, loaded in a few paginated calls and shared
// by every object of a kind for up to `maxAgeMs` (a part of the resync period, which each kind's
// controller chooses), then up to twice that while the next load runs (drift is seen within a
// resync plus twice that age): observing in bulk instead of one resource at a time. The
// service's own file says what it lists (role-snapshot.ts, function-snapshot.ts).
//
// What the operator itself just wrote must be seen at once: a resource touched by a write is
// `unknown` (read it directly) until a load that started after the write. A load that fails fails
// every observe waiting for it, and the next observe loads again: no object is reported Ready
// from a load that failed. One load runs at a time, outside any pass (so the deadline of the pass
// that started it does not fail the others waiting for it); each observe still waits for it only
// as long as its own pass may.
//
// A kind can also have the listing watched: loaded every period whether observes ask or not, each
// load compared with the one before, and the names whose resource changed reported, so that
// drift is found by the listing instead of by a pass of every object every resync.
import { isDeepStrictEqual } from 'node:util';
import { listingLoads } from '../runtime/metrics.ts';
import { currentSignal, outsidePasses } from '../runtime/pass-context.ts';

/**
 * How many resyncs in a row an object found in sync may be compared from a listing before it is
 * read in full again: what no listing shows (a Lambda's reserved concurrency, an agent's tags) is
 * then seen at most this many resyncs late.
 */
export const FULL_READ_EVERY = 10;

/** A load answers for up to this many times the maximum age while the next one runs. */
export const STALE_WHILE_LOADING = 2;

export interface Loaded<T> {
  startedAt: number;
  items: Map<string, T>;
  /** Names the load saw only in part (made or deleted between two listings): read them directly. */
  partial?: Set<string>;
}

export class AccountSnapshot<T> {
  /** What is listed, for the metrics (iam-roles, lambda-functions, bedrock-agents). */
  readonly #listing: string;
  readonly #load: () => Promise<Omit<Loaded<T>, 'startedAt'>>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #loaded: Loaded<T> | undefined;
  #loading: Promise<Loaded<T>> | undefined;
  #loadingStartedAt = 0;
  /** When the operator last wrote each resource, by name. */
  readonly #touched = new Map<string, number>();

  constructor(listing: string, load: () => Promise<Omit<Loaded<T>, 'startedAt'>>, maxAgeMs: number, now: () => number = Date.now) {
    this.#listing = listing;
    this.#load = load;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /** The resource from a load no older than maxAgeMs, `absent` when it has none of that name, or `unknown`. */
  async view(name: string): Promise<T | 'absent' | 'unknown'> {
    const touched = this.#touched.get(name);
    // Written after the load in flight began: read directly, without waiting for a load that cannot tell.
    if (touched !== undefined && this.#loading && touched >= this.#loadingStartedAt) return 'unknown';
    const loaded = await untilAborted(this.#fresh(), currentSignal());
    if (touched !== undefined) {
      if (touched >= loaded.startedAt) return 'unknown';
      this.#touched.delete(name);
    }
    if (loaded.partial?.has(name)) return 'unknown';
    return loaded.items.get(name) ?? 'absent';
  }

  /** The operator wrote the resource (or deleted it): the next observe reads it directly. */
  touch(name: string): void {
    this.#touched.set(name, this.#now());
  }

  /**
   * Runs the operator's writes to the resource, touching it before and after them (whether they
   * succeed or not): a load that began while they ran may show the resource as it was.
   */
  async writing<T>(name: string, write: () => Promise<T>): Promise<T> {
    this.touch(name);
    try {
      return await write();
    } finally {
      this.touch(name);
    }
  }

  /**
   * Loads every `periodMs` (from the start of one load to the next; at once after a load that took
   * longer; never two at once, an observe's load included) until the returned function is called.
   * After each load, `changed` gets the names whose item differs from the previous load's (made,
   * deleted, changed, or seen only in part); after the first, none. A load that fails goes to
   * `failed`, and the next is compared with the last that succeeded. A period in which `wanted`
   * says no (no object of the kind) loads nothing: a listing such as IAM's is not a cheap call.
   * A resource the operator wrote while the load ran is not named: the load may show it half
   * written, and the pass that wrote it knows what it wrote (a check now would read it directly,
   * four calls for a role); the next load, compared with this one, names it if it changed since.
   */
  watch(periodMs: number, changed: (names: string[]) => void, failed: (error: unknown) => void = () => undefined, wanted: () => boolean = () => true): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let previous = this.#loaded;
    const tick = async () => {
      let startedAt = this.#now();
      if (wanted()) {
        try {
          // A load an observe started less than half a period ago serves as this period's.
          const recent = this.#loaded && !this.#loading && startedAt - this.#loaded.startedAt < periodMs / 2 ? this.#loaded : undefined;
          const loaded = recent ?? await this.#startLoad();
          startedAt = loaded.startedAt;
          if (stopped) return;
          if (previous && loaded !== previous) changed(changedNames(previous, loaded).filter((name) => !this.#writtenSince(name, loaded.startedAt)));
          previous = loaded;
        } catch (error) {
          if (!stopped) failed(error);
        }
      }
      if (stopped) return;
      timer = setTimeout(() => void tick(), Math.max(0, periodMs - (this.#now() - startedAt)));
      timer.unref();
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  #writtenSince(name: string, at: number): boolean {
    const touched = this.#touched.get(name);
    return touched !== undefined && touched >= at;
  }

  async #fresh(): Promise<Loaded<T>> {
    const loaded = this.#loaded;
    const age = loaded ? this.#now() - loaded.startedAt : Infinity;
    if (age < this.#maxAgeMs) return loaded!;
    const loading = this.#startLoad();
    // Past its age, the last load still answers while the next one runs, up to twice the age: a
    // load that takes longer than the age (10 pages of roles from a busy IAM) would otherwise be
    // stale the moment it ends, and every observe would wait for a load of its own: drift checks
    // went round at a few objects per load.
    if (age < STALE_WHILE_LOADING * this.#maxAgeMs) {
      loading.catch(() => undefined);
      return loaded!;
    }
    return loading;
  }

  /** The load in flight, or a new one. */
  #startLoad(): Promise<Loaded<T>> {
    return this.#loading ??= (async () => {
      const startedAt = this.#now();
      this.#loadingStartedAt = startedAt;
      const timer = listingLoads.startTimer({ listing: this.#listing });
      try {
        const result = { ...(await outsidePasses(this.#load)), startedAt };
        timer({ outcome: 'success' });
        this.#loaded = result;
        return result;
      } catch (error) {
        timer({ outcome: 'error' });
        throw error;
      }
    })().finally(() => {
      this.#loading = undefined;
    });
  }
}

/** Names made, deleted or changed between two loads, and those the newer load saw only in part. */
function changedNames<T>(before: Loaded<T>, after: Loaded<T>): string[] {
  const names = new Set(after.partial);
  for (const [name, item] of after.items) {
    const was = before.items.get(name);
    if (was === undefined || !isDeepStrictEqual(was, item)) names.add(name);
  }
  for (const name of before.items.keys()) if (!after.items.has(name)) names.add(name);
  return [...names];
}

/** The promise, or a rejection as soon as the pass's signal aborts (the shared load goes on for the others). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
