// Conditions change lastTransitionTime only when their status flips.
import { describe, expect, it } from 'vitest';
import { setCondition } from '../../src/runtime/conditions.ts';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T01:00:00Z');

describe('setCondition', () => {
  it('stamps the generation and the time of the first transition', () => {
    const [c] = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending' }, 1, t0);
    expect(c).toEqual({ type: 'Ready', status: 'False', reason: 'Pending', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 });
  });

  it('keeps lastTransitionTime when only the reason, message or generation change', () => {
    const first = setCondition(undefined, { type: 'Synced', status: 'False', reason: 'WaitingForRole' }, 1, t0);
    const [c] = setCondition(first, { type: 'Synced', status: 'False', reason: 'NoRole', message: 'm' }, 2, t1);
    expect(c).toMatchObject({ reason: 'NoRole', message: 'm', observedGeneration: 2, lastTransitionTime: '2026-01-01T00:00:00Z' });
  });

  it('moves lastTransitionTime when the status flips, and keeps the other conditions', () => {
    let list = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending' }, 1, t0);
    list = setCondition(list, { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' }, 1, t0);
    list = setCondition(list, { type: 'Ready', status: 'True', reason: 'Available' }, 1, t1);
    expect(list.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Ready', 'True', '2026-01-01T01:00:00Z'],
      ['Synced', 'True', '2026-01-01T00:00:00Z'],
    ]);
  });
});
