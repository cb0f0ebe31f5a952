import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DelayedKeys } from '../../src/runtime/delayed-keys.ts';

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('DelayedKeys', () => {
  it('hands out thousands of keys at their own times, in order, behind a single timer', async () => {
    const due: string[] = [];
    const keys = new DelayedKeys<string>((key) => due.push(key));
    const start = Date.now();
    // Shuffled times: key i is due i ms from now.
    const order = Array.from({ length: 2_000 }, (_, i) => (i * 7919) % 2_000);
    for (const i of order) keys.schedule(`k${i}`, start + 1 + i, 'resync');
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(due).toEqual(Array.from({ length: 1_000 }, (_, i) => `k${i}`));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(due).toHaveLength(2_000);
    expect(keys.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('takes the last time given for a key, earlier or later, and forgets a cancelled key', async () => {
    const due: [string, string][] = [];
    const keys = new DelayedKeys<string>((key, lane) => due.push([key, lane]));
    const start = Date.now();
    keys.schedule('later', start + 100, 'resync');
    keys.schedule('later', start + 300, 'resync');
    keys.schedule('sooner', start + 500, 'resync');
    keys.schedule('sooner', start + 200, 'changes');
    keys.schedule('gone', start + 150, 'changes');
    keys.cancel('gone');
    expect(keys.at('later')).toBe(start + 300);
    await vi.advanceTimersByTimeAsync(250);
    expect(due).toEqual([['sooner', 'changes']]);
    await vi.advanceTimersByTimeAsync(300);
    expect(due).toEqual([['sooner', 'changes'], ['later', 'resync']]);
  });

  it('hands each key out once, at its last time, after the same keys were rescheduled over and over', async () => {
    const due: string[] = [];
    const keys = new DelayedKeys<string>((key) => due.push(key));
    const start = Date.now();
    // 10,000 schedules of 100 keys: the stale entries are dropped along the way.
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 100; i++) keys.schedule(`k${i}`, start + 1_000 + ((i * 37 + round) % 100), 'resync');
    }
    expect(keys.size).toBe(100);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(due).toHaveLength(100);
    expect(new Set(due).size).toBe(100);
    // The last round gave key i the time (i * 37 + 99) % 100.
    const last = (key: string) => (Number(key.slice(1)) * 37 + 99) % 100;
    expect(due.map(last)).toEqual([...due.map(last)].sort((a, b) => a - b));
  });
});
