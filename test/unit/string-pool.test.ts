// The pool's bounds and what interning leaves of an object. That two objects then hold one copy
// is not observable from JavaScript (strings compare by value); the benchmark's memory shows it.
import { describe, expect, it } from 'vitest';
import { internStrings, StringPool } from '../../src/runtime/string-pool.ts';

describe('StringPool', () => {
  it('holds at most two generations, and keeps a string that keeps coming back', () => {
    const pool = new StringPool(100);
    const repeated = 'the policies have no findings';
    for (let i = 0; i < 10_000; i++) {
      pool.intern(`arn:aws:iam::123456789012:role/r-${i}`);
      if (i % 50 === 0) expect(pool.intern(repeated)).toBe(repeated);
      expect(pool.size).toBeLessThanOrEqual(200);
    }
    // Still there after 100 generations of strings seen once, which are gone.
    expect(pool.has(repeated)).toBe(true);
    expect(pool.has('arn:aws:iam::123456789012:role/r-0')).toBe(false);
    expect(pool.has('arn:aws:iam::123456789012:role/r-9999')).toBe(true);
  });
});

describe('internStrings', () => {
  it('leaves every value as it was, at any depth', () => {
    const obj = {
      metadata: { name: 'r', finalizers: ['bedrockforge.io/finalizer'] },
      spec: { code: { inline: { 'app.py': 'x'.repeat(5_000) } }, list: [['nested string value'], 3, null, true] },
      status: { conditions: [{ type: 'Synced', reason: 'ReconcileSuccess', message: 'a message repeated in many objects' }] },
    };
    const before = structuredClone(obj);
    internStrings(obj, new StringPool(10), { min: 11, max: 1024 });
    expect(obj).toEqual(before);
  });

  it('pools only strings within the lengths', () => {
    const pool = new StringPool(100);
    internStrings({ a: 'short', b: 'long enough to pool', c: ['x'.repeat(2_000)] }, pool, { min: 11, max: 1024 });
    expect(pool.size).toBe(1);
  });
});
