// Keys waiting for a time (a resync, a backoff), held in one binary heap behind one Node timer. A
// timer per key costs about 600 bytes once its closure, async context and Node's per-duration
// timer list are counted (a heap snapshot at 2,000 IAMRoles had 2,000 Timeouts in 1,800 lists,
// since jittered delays rarely share a duration); an entry here is a small object and a map slot.

interface Entry<L> { at: number; key: string; lane: L }

export class DelayedKeys<L> {
  /** The pending time of each key; a heap entry whose time differs is stale and skipped. */
  readonly #pending = new Map<string, { at: number; lane: L }>();
  readonly #heap: Entry<L>[] = [];
  readonly #due: (key: string, lane: L) => void;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  /** `due` is called for each key once its time has come. */
  constructor(due: (key: string, lane: L) => void) {
    this.#due = due;
  }

  /** When the key is due, if it waits. */
  at(key: string): number | undefined {
    return this.#pending.get(key)?.at;
  }

  /** Makes the key due at `at` (ms since the epoch), replacing the time it waited for. */
  schedule(key: string, at: number, lane: L): void {
    this.#pending.set(key, { at, lane });
    this.#push({ at, key, lane });
    // Cancelled and rescheduled keys leave stale entries; rebuild before they outnumber live ones.
    if (this.#heap.length > 2 * this.#pending.size + 64) this.#rebuild();
    this.#arm();
  }

  cancel(key: string): void {
    this.#pending.delete(key);
  }

  clear(): void {
    this.#pending.clear();
    this.#heap.length = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  get size(): number {
    return this.#pending.size;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) {
      const entry = this.#pop();
      const pending = this.#pending.get(entry.key);
      if (pending?.at !== entry.at || pending.lane !== entry.lane) continue;
      this.#pending.delete(entry.key);
      this.#due(entry.key, entry.lane);
    }
    this.#arm();
  }

  /** One timer, for the earliest entry (stale or not: a stale one only wakes it early once). */
  #arm(): void {
    const next = this.#heap[0]?.at;
    if (next === undefined || next >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, next - Date.now()));
    this.#timer.unref();
  }

  #rebuild(): void {
    this.#heap.length = 0;
    for (const [key, { at, lane }] of this.#pending) this.#push({ at, key, lane });
  }

  #push(entry: Entry<L>): void {
    const heap = this.#heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry<L> {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
        if (heap[child]!.at >= last.at) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
