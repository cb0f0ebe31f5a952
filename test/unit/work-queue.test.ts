// The work queue: deduplicated keys, one worker per key, delayed and backed-off retries.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryBudget, WorkQueue } from '../../src/runtime/work-queue.ts';

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
  });

  it('never hands a key to two workers: an add during processing runs it again after done', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    const key = await q.get();
    q.add('ns/a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => { second = k; });
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBeUndefined();
    q.done(key!);
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBe('ns/a');
  });

  it('hands a key to a worker that is already waiting', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('ns/a');
    expect(await waiting).toBe('ns/a');
  });

  it('hands out changes before keys queued for their drift check, however long those waited', async () => {
    const q = new WorkQueue();
    for (const key of ['ns/r1', 'ns/r2', 'ns/r3']) q.add(key, 'resync');
    q.add('ns/applied');
    // A change to an object already waiting for its resync moves it ahead, once.
    q.add('ns/r3');
    q.add('ns/r3', 'resync');
    expect(q.length).toBe(4);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await q.get())!);
    expect(order).toEqual(['ns/applied', 'ns/r3', 'ns/r1', 'ns/r2']);
  });

  it('keeps a change made during a drift check in the changes lane', async () => {
    const q = new WorkQueue();
    q.add('ns/a', 'resync');
    const key = (await q.get())!;
    q.add('ns/a');
    q.add('ns/a', 'resync');
    q.add('ns/b', 'resync');
    q.done(key);
    expect(await q.get()).toBe('ns/a');
  });

  it('keeps a worker for changes while drift checks are capped, and hands out the next check when one is done', async () => {
    const q = new WorkQueue();
    q.limitResyncsProcessing(1);
    q.add('ns/r1', 'resync');
    q.add('ns/r2', 'resync');
    const first = (await q.get())!;
    expect(first).toBe('ns/r1');
    // A second worker does not take the other drift check: it waits, and gets the apply at once.
    let second: string | undefined;
    void q.get().then((k) => { second = k; });
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBeUndefined();
    q.add('ns/applied');
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBe('ns/applied');
    // With both busy and the check done, a waiting worker takes the next drift check.
    let third: string | undefined;
    void q.get().then((k) => { third = k; });
    q.done('ns/applied');
    await vi.advanceTimersByTimeAsync(0);
    expect(third).toBeUndefined();
    q.done(first);
    await vi.advanceTimersByTimeAsync(0);
    expect(third).toBe('ns/r2');
  });

  it('delays a key, and the earlier of two delays wins', async () => {
    const q = new WorkQueue();
    q.addAfter('ns/a', 10_000);
    q.addAfter('ns/a', 3_000);
    q.addAfter('ns/a', 8_000);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(q.length).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.length).toBe(1);
    await q.get().then((k) => q.done(k!));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(q.length).toBe(0);
  });

  it('backs off per key exponentially up to a cap, and forget starts over', () => {
    const q = new WorkQueue({ baseMs: 100, maxMs: 1_000, qps: 1000, burst: 1000 });
    expect([1, 2, 3, 4, 5, 6].map(() => q.addRateLimited('ns/a'))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(q.addRateLimited('ns/b')).toBe(100);
    q.forget('ns/a');
    expect(q.addRateLimited('ns/a')).toBe(100);
  });

  it('limits the overall retry rate once the burst is spent', () => {
    const q = new WorkQueue({ baseMs: 1, maxMs: 1, qps: 2, burst: 2 });
    const delays = ['a', 'b', 'c', 'd'].map((k) => q.addRateLimited(`ns/${k}`));
    expect(delays).toEqual([1, 1, 500, 1_000]);
  });

  it('shares the overall retry rate between the queues of the process (one per kind)', () => {
    const backoff = { baseMs: 1, maxMs: 1, qps: 2, burst: 2 };
    const budget = new RetryBudget(backoff.qps, backoff.burst);
    const roles = new WorkQueue(backoff, budget);
    const lambdas = new WorkQueue(backoff, budget);
    expect([roles.addRateLimited('ns/a'), lambdas.addRateLimited('ns/a'), roles.addRateLimited('ns/b'), lambdas.addRateLimited('ns/b')]).toEqual([1, 1, 500, 1_000]);
  });

  it('wakes waiting workers with undefined on shutdown and takes no more keys', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('ns/a');
    expect(await q.get()).toBeUndefined();
  });
});
