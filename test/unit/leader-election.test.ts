// The decision of one leader election attempt: what to write to the Lease, or who holds it.
import { V1MicroTime, type V1LeaseSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { leaseExpired, nextLeaseSpec, type LeaseDecisionInput } from '../../src/runtime/leader-election.ts';

const now = new Date('2026-01-02T03:04:05.678Z');
const me: LeaseDecisionInput = { identity: 'me', leaseDurationSeconds: 15, now, leading: false };
/** As client-node returns it: the apiserver's string, whatever the declared type. */
const at = (iso: string) => iso as unknown as V1MicroTime;
const secondsAgo = (seconds: number) => at(new Date(now.getTime() - seconds * 1000).toISOString().replace('Z', '000Z'));

const heldByOther = (renewedSecondsAgo: number): V1LeaseSpec => ({
  holderIdentity: 'other',
  leaseDurationSeconds: 15,
  acquireTime: secondsAgo(60),
  renewTime: secondsAgo(renewedSecondsAgo),
  leaseTransitions: 4,
});

describe('nextLeaseSpec', () => {
  it('creates the lease with no transition yet', () => {
    const next = nextLeaseSpec(undefined, me);
    expect(next).toEqual({ spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 } });
  });

  it('writes times as V1MicroTime, which serialises with the six digits the apiserver requires', () => {
    const next = nextLeaseSpec(undefined, me);
    if (!('spec' in next)) throw new Error('expected a spec');
    expect(next.spec.renewTime).toBeInstanceOf(V1MicroTime);
    expect(JSON.stringify(next.spec.renewTime)).toBe('"2026-01-02T03:04:05.678000Z"');
  });

  it('leaves a lease another replica renewed within its duration alone', () => {
    expect(nextLeaseSpec(heldByOther(14), me)).toEqual({ heldBy: 'other' });
  });

  it('takes over an expired lease, counting a transition', () => {
    const next = nextLeaseSpec(heldByOther(15), me);
    expect(next).toEqual({ spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 5 } });
  });

  it('takes over a released lease (no holder) at once', () => {
    const released: V1LeaseSpec = { ...heldByOther(0), holderIdentity: undefined, leaseDurationSeconds: 1 };
    expect(nextLeaseSpec(released, me)).toMatchObject({ spec: { holderIdentity: 'me', leaseDurationSeconds: 15, leaseTransitions: 5 } });
    expect(nextLeaseSpec({ ...released, holderIdentity: '' }, me)).toMatchObject({ spec: { holderIdentity: 'me' } });
  });

  it('renews its own lease, keeping acquireTime and the transition count', () => {
    const mine: V1LeaseSpec = { ...heldByOther(1), holderIdentity: 'me' };
    const next = nextLeaseSpec(mine, { ...me, leading: true });
    expect(next).toEqual({ spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: mine.acquireTime, renewTime: now, leaseTransitions: 4 } });
  });

  it('treats a lease naming it as its own even when it does not know it leads (a lost response)', () => {
    const mine: V1LeaseSpec = { ...heldByOther(1), holderIdentity: 'me' };
    expect(nextLeaseSpec(mine, me)).toMatchObject({ spec: { holderIdentity: 'me', leaseTransitions: 4, acquireTime: mine.acquireTime } });
  });

  it('when leading, reports any other holder, even one whose lease expired or an empty one', () => {
    const leading = { ...me, leading: true };
    expect(nextLeaseSpec(heldByOther(1), leading)).toEqual({ heldBy: 'other' });
    expect(nextLeaseSpec(heldByOther(60), leading)).toEqual({ heldBy: 'other' });
    expect(nextLeaseSpec({ ...heldByOther(1), holderIdentity: undefined }, leading)).toEqual({ heldBy: '' });
  });

  it('keeps fields it does not manage', () => {
    const spec: V1LeaseSpec = { ...heldByOther(60), strategy: 'OldestEmulationVersion' };
    expect(nextLeaseSpec(spec, me)).toMatchObject({ spec: { strategy: 'OldestEmulationVersion' } });
  });
});

describe('leaseExpired', () => {
  it('compares renewTime + leaseDurationSeconds with now, whether the time is a string or a Date', () => {
    expect(leaseExpired({ renewTime: secondsAgo(14.999), leaseDurationSeconds: 15 }, now)).toBe(false);
    expect(leaseExpired({ renewTime: secondsAgo(15), leaseDurationSeconds: 15 }, now)).toBe(true);
    expect(leaseExpired({ renewTime: new V1MicroTime(now.getTime() - 1000), leaseDurationSeconds: 15 }, now)).toBe(false);
    expect(leaseExpired({ renewTime: at('2026-01-02T03:03:50.679000Z'), leaseDurationSeconds: 15 }, now)).toBe(false);
  });

  it('counts a lease without renewTime or duration as expired', () => {
    expect(leaseExpired({ leaseDurationSeconds: 15 }, now)).toBe(true);
    expect(leaseExpired({ renewTime: secondsAgo(0) }, now)).toBe(true);
  });
});
