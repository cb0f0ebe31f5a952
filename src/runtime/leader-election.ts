// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
// every retryPeriod a replica reads the Lease and writes it back (with its resourceVersion, so
// that of two concurrent writers one gets 409 Conflict) when it holds it, when it is free, or
// when its holder stopped renewing it for leaseDurationSeconds. A leader that cannot renew for
// renewDeadline, or that reads another holder, has lost leadership and must stop working; since
// renewDeadline < leaseDuration, it knows so before anyone else may take the Lease.
//
// The expiry of another holder's Lease is judged by its renewTime, so the replicas' clocks must
// agree to well within leaseDuration - renewDeadline (client-go instead times from when it saw
// the record change, which tolerates skew but may wait one more retryPeriod).
import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import type { Logger } from '../log.ts';
import { DEFAULTS } from './defaults.ts';

const leaderElectionDefaults = {
  leaseDurationMs: DEFAULTS.leaseDurationSeconds * 1000, renewDeadlineMs: DEFAULTS.renewDeadlineSeconds * 1000, retryPeriodMs: DEFAULTS.retryPeriodSeconds * 1000,
} as const;

export interface LeaderElectionOptions {
  kc: KubeConfig;
  /** Where the Lease lives. */
  namespace: string;
  /** Lease name, e.g. 'bedrock-forge-operator'. */
  name: string;
  /** This replica, unique among them, e.g. `${hostname()}_${randomUUID()}`. */
  identity: string;
  /** How long others wait after the last renewal before taking the Lease (default DEFAULTS.leaseDurationSeconds; written rounded up to whole seconds). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leadership (default DEFAULTS.renewDeadlineSeconds). */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew (default DEFAULTS.retryPeriodSeconds). */
  retryPeriodMs?: number;
  log: Logger;
}

export interface LeaderElector {
  /**
   * Resolves when this replica holds the Lease. Rejects if release() is called first (nobody
   * needs to handle that rejection).
   */
  acquired: Promise<void>;
  /**
   * Fires once when leadership is lost (renewal failed past renewDeadline, or another holder took
   * the Lease); the elector has then stopped, and the process must stop working. A listener added
   * after the loss is called at once. release() is not a loss and does not fire it.
   */
  onLost(listener: () => void): void;
  isLeader(): boolean;
  /**
   * Stops acquiring or renewing and, if this replica holds the Lease, releases it (holderIdentity
   * cleared, leaseDurationSeconds 1) so that another replica takes over at once. Waits for an
   * attempt in flight first. Never rejects: a failed release is logged, and the Lease then
   * expires on its own. Until release() or a loss, the elector's timers keep the process alive.
   */
  release(): Promise<void>;
}

export function startLeaderElection(options: LeaderElectionOptions): LeaderElector {
  const { kc, namespace, name, identity } = options;
  const leaseDurationMs = options.leaseDurationMs ?? leaderElectionDefaults.leaseDurationMs;
  const renewDeadlineMs = options.renewDeadlineMs ?? leaderElectionDefaults.renewDeadlineMs;
  const retryPeriodMs = options.retryPeriodMs ?? leaderElectionDefaults.retryPeriodMs;
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
    throw new Error(`leader election needs leaseDurationMs > renewDeadlineMs > retryPeriodMs > 0, got ${leaseDurationMs}, ${renewDeadlineMs}, ${retryPeriodMs}`);
  }
  const leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
  const api = kc.makeApiClient(CoordinationV1Api);
  const log = options.log.child({ lease: `${namespace}/${name}`, identity });

  let state: 'acquiring' | 'leading' | 'lost' | 'stopped' = 'acquiring';
  /** The renewTime of this replica's last successful write. */
  let renewedAt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let releasing: Promise<void> | undefined;
  const lostListeners: (() => void)[] = [];
  const { promise: acquired, resolve: resolveAcquired, reject: rejectAcquired } = Promise.withResolvers<void>();
  acquired.catch(() => {});
  const active = (): boolean => state === 'acquiring' || state === 'leading';

  async function attempt(): Promise<void> {
    const now = new Date();
    const lease = await readLease();
    if (!active()) return;
    const next = nextLeaseSpec(lease?.spec, { identity, leaseDurationSeconds, now, leading: state === 'leading' });
    if ('heldBy' in next) {
      if (state === 'leading') lose(`the lease is now held by ${JSON.stringify(next.heldBy)}`);
      else log.debug({ holder: next.heldBy }, 'the lease is held by another replica');
      return;
    }
    const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: lease?.metadata ?? { name, namespace }, spec: next.spec };
    await (lease ? api.replaceNamespacedLease({ name, namespace, body }) : api.createNamespacedLease({ namespace, body }));
    if (!active()) return;
    renewedAt = now.getTime();
    if (state === 'acquiring') {
      state = 'leading';
      log.info({ leaseTransitions: next.spec.leaseTransitions }, 'acquired the lease; leading');
      resolveAcquired();
    }
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(() => lose(`the lease was not renewed for ${renewDeadlineMs} ms`), renewedAt + renewDeadlineMs - Date.now());
  }

  function tick(): void {
    inFlight = attempt()
      .catch((error: unknown) => {
        if (isStatus(error, 409)) log.debug('another replica wrote the lease first; retrying');
        else log.warn({ err: String(error) }, state === 'leading' ? 'renewing the lease failed' : 'acquiring the lease failed');
      })
      .finally(() => {
        if (active()) retryTimer = setTimeout(tick, retryPeriodMs);
      });
  }

  function stop(next: 'lost' | 'stopped'): void {
    state = next;
    clearTimeout(retryTimer);
    clearTimeout(deadlineTimer);
  }

  function lose(reason: string): void {
    if (state !== 'leading') return;
    stop('lost');
    log.warn({ reason }, 'leadership lost');
    for (const listener of lostListeners) notify(listener);
  }

  function notify(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      log.error({ err: String(error) }, 'an onLost listener threw');
    }
  }

  async function readLease(): Promise<V1Lease | undefined> {
    try {
      return await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async function release(): Promise<void> {
    stop('stopped');
    rejectAcquired(new Error(`leader election for lease ${namespace}/${name} stopped before this replica acquired it`));
    await inFlight;
    // A write of the loop may have succeeded even after a loss, so the Lease itself says whether there is anything to release.
    for (let tries = 1; ; tries++) {
      try {
        const lease = await readLease();
        if (lease?.spec?.holderIdentity !== identity) return;
        const now = new V1MicroTime(Date.now());
        const spec: V1LeaseSpec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
        await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } });
        log.info('released the lease');
        return;
      } catch (error) {
        if (isStatus(error, 409) && tries < 3) continue;
        log.warn({ err: String(error) }, 'releasing the lease failed; it will expire');
        return;
      }
    }
  }

  log.info({ leaseDurationMs, renewDeadlineMs, retryPeriodMs }, 'trying to acquire the lease');
  tick();

  return {
    acquired,
    onLost(listener) {
      if (state === 'lost') queueMicrotask(() => notify(listener));
      else lostListeners.push(listener);
    },
    isLeader: () => state === 'leading' && Date.now() < renewedAt + renewDeadlineMs,
    release: () => (releasing ??= release()),
  };
}

export interface LeaseDecisionInput {
  identity: string;
  leaseDurationSeconds: number;
  now: Date;
  /** Whether this replica believes it leads: then any other holder means the loss of the Lease, expired or not. */
  leading: boolean;
}

/**
 * What this replica writes to acquire or renew the Lease whose spec is `current` (undefined: no
 * Lease yet), or who holds it instead.
 */
export function nextLeaseSpec(current: V1LeaseSpec | undefined, input: LeaseDecisionInput): { spec: V1LeaseSpec } | { heldBy: string } {
  const { identity, leaseDurationSeconds, now, leading } = input;
  const nowMicro = new V1MicroTime(now.getTime());
  const ours = { holderIdentity: identity, leaseDurationSeconds, renewTime: nowMicro };
  if (current === undefined) return { spec: { ...ours, acquireTime: nowMicro, leaseTransitions: 0 } };
  const holder = current.holderIdentity ?? '';
  const transitions = current.leaseTransitions ?? 0;
  // Also when this replica does not believe it leads: a write whose response was lost made it the holder.
  if (holder === identity) return { spec: { ...current, ...ours, acquireTime: current.acquireTime ?? nowMicro, leaseTransitions: transitions } };
  if (leading || (holder !== '' && !leaseExpired(current, now))) return { heldBy: holder };
  return { spec: { ...current, ...ours, acquireTime: nowMicro, leaseTransitions: transitions + 1 } };
}

/** Whether renewTime + leaseDurationSeconds has passed (or the Lease lacks either). */
export function leaseExpired(spec: V1LeaseSpec, now: Date): boolean {
  // client-node 2.0.1 types MicroTime fields as V1MicroTime (a Date) but returns them as the apiserver's strings.
  const renewed = spec.renewTime === undefined ? NaN : new Date(spec.renewTime).getTime();
  const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
  return !(renewed + durationMs > now.getTime());
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}
