// One copy of the strings that many cached objects share. What the operator writes to status
// repeats from object to object (a condition's reason and message, a finding's path and message,
// the second a condition last changed), and each object the apiserver sends arrives with copies of
// its own: at 10,000 objects, several MiB of the same few hundred strings. JSON.parse shares the
// property names, and in current V8 only very short values (ten characters or fewer).
//
// The pool is bounded: two generations of `capacity` strings; a string found in the older one
// moves to the newer, and the older is dropped when the newer fills. A string that keeps coming
// back stays; one seen once (an ARN, an ID) is gone after two generations.

export class StringPool {
  readonly #capacity: number;
  #young = new Map<string, string>();
  #old = new Map<string, string>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The pool's copy of `s`, which becomes `s` itself when the pool has none. */
  intern(s: string): string {
    const young = this.#young.get(s);
    if (young !== undefined) return young;
    const shared = this.#old.get(s) ?? s;
    if (this.#young.size >= this.#capacity) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(shared, shared);
    return shared;
  }

  has(s: string): boolean {
    return this.#young.has(s) || this.#old.has(s);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }
}

/** Which strings are worth pooling: those JSON.parse does not share already, and none as large as a file of code. */
export interface Lengths { min: number; max: number }

/**
 * Replaces, in place, every string in `value` (objects and arrays, at any depth) whose length is
 * within `lengths` with the pool's copy.
 */
export function internStrings(value: unknown, pool: StringPool, lengths: Lengths): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') {
        if (item.length >= lengths.min && item.length <= lengths.max) value[i] = pool.intern(item);
      } else if (item !== null && typeof item === 'object') {
        internStrings(item, pool, lengths);
      }
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === 'string') {
      if (item.length >= lengths.min && item.length <= lengths.max) record[key] = pool.intern(item);
    } else if (item !== null && typeof item === 'object') {
      internStrings(item, pool, lengths);
    }
  }
}
