// The generic reconcile loop. A kind supplies only an ExternalClient (observe, create, update,
// delete: the shape of crossplane-runtime's managed reconciler); this loop does the rest:
// informer and work queue, finalizer, conditions, status, Events, requeue and error policy.
import { isDeepStrictEqual } from 'node:util';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { KindDefinition } from '../api/kinds.ts';
import type { Condition } from '../api/common.ts';
import type { Logger } from '../log.ts';
import { findCondition, setCondition, type ConditionInput } from './conditions.ts';
import { TerminalError, WaitingError, errorMessage } from './errors.ts';
import { FINALIZER, KubeWrites, type AnyResource } from './kube-writes.ts';
import { customKind, keyOf, type KindInformer, type SharedInformers, type WatchedType } from './informers.ts';
import { WorkQueue } from './work-queue.ts';
import { driftCorrections, queueDepth, reconcileDuration, reconciles, recordReadiness } from './metrics.ts';

export const DELETION_POLICY_ANNOTATION = 'bedrockforge.io/deletion-policy';
export type DeletionPolicy = 'delete' | 'retain';

/** What observe found in AWS. */
export interface Observation {
  exists: boolean;
  /** Every aspect matches the spec. */
  upToDate: boolean;
  /** The aspects that differ, named for Events and logs ("trust policy", "inline policy X"). */
  diff: string[];
  /** Status fields of the kind (ARN, IDs) as observed. */
  status: Record<string, unknown>;
  /** The resource exists but is not ours to change: the reason and what to do. */
  blocked?: { reason: string; message: string };
  /** What the kind's client needs in update() and delete(); the loop does not look at it. */
  details?: unknown;
}

export interface ExternalClient {
  observe(obj: AnyResource): Promise<Observation>;
  create(obj: AnyResource): Promise<void>;
  update(obj: AnyResource, observation: Observation): Promise<void>;
  delete(obj: AnyResource, observation: Observation): Promise<void>;
  /**
   * Called on deletion, whatever the deletion policy, before the finalizer is removed: for what
   * the object generated in Kubernetes (a generated IAMRole is deleted, or marked retain).
   */
  finalize?(obj: AnyResource, policy: DeletionPolicy): Promise<void>;
}

/**
 * Another resource type whose changes concern objects of this kind: a Lambda's ConfigMap, the
 * IAMRole it runs as, the Agents that call it. Every add, update (status included) and delete
 * enqueues the keys `keysFor` names, and those it named for the previous version of the object.
 */
export interface RelatedWatch {
  type: WatchedType;
  keysFor(related: KubernetesObject): string[];
}

export interface ControllerOptions {
  kc: KubeConfig;
  kind: KindDefinition;
  client: ExternalClient;
  log: Logger;
  informers: SharedInformers;
  watches?: RelatedWatch[];
  /** Concurrent reconciles (different keys). */
  workers?: number;
  /** Drift check per resource, in ms (±10% jitter). */
  resyncMs?: number;
  defaultDeletionPolicy?: DeletionPolicy;
  queue?: WorkQueue;
  /**
   * The kind's AWS resources get their IDs from AWS: before each create, status.createPending
   * records that a create may be in flight (crossplane's "create pending"), and the kind's
   * observe must then find the resource without an ID (by name and ownership tags).
   */
  recordCreatePending?: boolean;
}

/** Requeue soon: a delete to confirm, or a resource still settling after a write. */
const SHORT_REQUEUE_MS = 2_000;

export class Controller {
  readonly queue: WorkQueue;
  readonly #o: Required<Omit<ControllerOptions, 'queue'>>;
  readonly #writes: KubeWrites;
  #informer?: KindInformer;
  #inFlight = new Set<Promise<void>>();
  #running = false;

  constructor(options: ControllerOptions) {
    this.#o = { workers: 2, resyncMs: 10 * 60_000, defaultDeletionPolicy: 'delete', watches: [], recordCreatePending: false, ...options };
    this.queue = options.queue ?? new WorkQueue();
    this.#writes = new KubeWrites(options.kc, options.kind);
  }

  get kind(): string {
    return this.#o.kind.kind;
  }

  async start(): Promise<void> {
    this.#running = true;
    const informer = await this.#o.informers.informer(customKind(this.#o.kind));
    // Like controller-runtime's GenerationChangedPredicate: the operator's own status writes
    // change neither generation nor annotations, so they do not trigger another pass.
    const seen = new Map<string, string>();
    const fingerprint = (o: KubernetesObject) =>
      JSON.stringify([o.metadata?.generation, o.metadata?.annotations, o.metadata?.deletionTimestamp]);
    const enqueueOnChange = (o: KubernetesObject) => {
      const key = keyOf(o);
      const now = fingerprint(o);
      if (seen.get(key) === now) return;
      seen.set(key, now);
      this.queue.add(key);
    };
    informer.on('add', enqueueOnChange);
    informer.on('update', enqueueOnChange);
    informer.on('delete', (o) => {
      seen.delete(keyOf(o));
      this.queue.add(keyOf(o));
    });
    this.#informer = informer;
    // The shared informer may have listed before these handlers were added.
    for (const o of informer.list()) enqueueOnChange(o);
    for (const watch of this.#o.watches) await this.#watchRelated(watch);
    for (let i = 0; i < this.#o.workers; i++) void this.#work();
  }

  async #watchRelated(watch: RelatedWatch): Promise<void> {
    const related = await this.#o.informers.informer(watch.type);
    // The keys each related object named last time, so that a reference it dropped is seen too.
    const named = new Map<string, string[]>();
    const enqueue = (o: KubernetesObject, gone = false) => {
      const key = keyOf(o);
      const keys = gone ? [] : watch.keysFor(o);
      for (const k of new Set([...(named.get(key) ?? []), ...keys])) this.queue.add(k);
      if (gone || keys.length === 0) named.delete(key);
      else named.set(key, keys);
    };
    related.on('add', (o) => enqueue(o));
    related.on('update', (o) => enqueue(o));
    related.on('delete', (o) => enqueue(o, true));
    for (const o of related.list()) enqueue(o);
  }

  /** Stops taking work and waits for the reconciles in flight, up to `deadlineMs`. */
  async stop(deadlineMs = 20_000): Promise<void> {
    this.#running = false;
    this.queue.shutDown();
    await Promise.race([Promise.all(this.#inFlight), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const done = this.#reconcileKey(key).finally(() => {
        this.#inFlight.delete(done);
        this.queue.done(key);
      });
      this.#inFlight.add(done);
      await done;
    }
  }

  #cached(key: string): AnyResource | undefined {
    const [namespace, name] = key.split('/');
    return this.#informer?.get(name!, namespace) as AnyResource | undefined;
  }

  async #reconcileKey(key: string): Promise<void> {
    const obj = this.#cached(key);
    if (!obj || obj.metadata.deletionTimestamp) recordReadiness(this.kind, key, undefined);
    if (!obj) return;
    const log = this.#o.log.child({ kind: this.kind, key, generation: obj.metadata.generation });
    const timer = reconcileDuration.startTimer({ kind: this.kind });
    try {
      const requeueMs = obj.metadata.deletionTimestamp ? await this.#finalize(obj, log) : await this.#sync(obj, log);
      this.queue.forget(key);
      if (requeueMs !== undefined) this.queue.addAfter(key, requeueMs);
      reconciles.inc({ kind: this.kind, result: 'success' });
    } catch (error) {
      const result = error instanceof TerminalError ? 'terminal' : error instanceof WaitingError ? 'waiting' : 'error';
      reconciles.inc({ kind: this.kind, result });
      await this.#failed(obj, error, log);
    } finally {
      timer();
      queueDepth.set({ kind: this.kind }, this.queue.length);
    }
  }

  #jitteredResync(): number {
    return Math.round(this.#o.resyncMs * (0.9 + Math.random() * 0.2));
  }

  async #sync(obj: AnyResource, log: Logger): Promise<number> {
    let observation = await this.#o.client.observe(obj);
    if (observation.blocked) {
      await this.#setStatus(obj, observation.status, [
        { type: 'Synced', status: 'False', reason: observation.blocked.reason, message: observation.blocked.message },
        { type: 'Ready', status: 'False', reason: observation.blocked.reason },
      ]);
      await this.#eventOnce(obj, 'Warning', observation.blocked.reason, observation.blocked.message);
      return this.#jitteredResync();
    }
    // Before the first AWS write, and also when the resource already exists as ours (say, the
    // operator died between creating it and recording that), so deletion always cleans up.
    if (!obj.metadata.finalizers?.includes(FINALIZER)) obj = await this.#writes.addFinalizer(obj);
    if (!observation.exists || !observation.upToDate) {
      if (!observation.exists) {
        if (this.#o.recordCreatePending) {
          obj = await this.#writes.writeStatus(obj, { ...(obj.status ?? {}), createPending: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
        }
        await this.#o.client.create(obj);
        // A resource that was Ready before and is gone now was deleted outside the operator.
        const recreated = findCondition(obj.status?.conditions as Condition[] | undefined, 'Ready')?.status === 'True';
        log.info(recreated ? 'drift corrected: recreated in AWS' : 'created in AWS');
        if (recreated) driftCorrections.inc({ kind: this.kind });
        await this.#event(obj, 'Normal', recreated ? 'DriftCorrected' : 'Created',
          recreated ? `Recreated the ${this.kind}: it had been deleted in AWS` : `Created the ${this.kind} in AWS`);
      } else {
        await this.#o.client.update(obj, observation);
        const changedSpec = (findCondition(obj.status?.conditions as Condition[] | undefined, 'Synced')?.observedGeneration ?? 0) !== obj.metadata.generation;
        const what = observation.diff.join(', ');
        log.info({ diff: observation.diff }, changedSpec ? 'updated in AWS' : 'drift corrected');
        if (!changedSpec) driftCorrections.inc({ kind: this.kind });
        await this.#event(obj, 'Normal', changedSpec ? 'Updated' : 'DriftCorrected', `${changedSpec ? 'Updated' : 'Corrected drift in'}: ${what}`);
      }
      observation = await this.#o.client.observe(obj);
    }
    const ready = observation.exists && observation.upToDate;
    await this.#setStatus(obj, observation.status, [
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
      ready ? { type: 'Ready', status: 'True', reason: 'Available' } : { type: 'Ready', status: 'False', reason: 'Pending', message: `still differs: ${observation.diff.join(', ')}` },
    ]);
    return ready ? this.#jitteredResync() : SHORT_REQUEUE_MS;
  }

  async #finalize(obj: AnyResource, log: Logger): Promise<number | undefined> {
    if (!obj.metadata.finalizers?.includes(FINALIZER)) return undefined;
    const policy = (obj.metadata.annotations?.[DELETION_POLICY_ANNOTATION] as DeletionPolicy | undefined) ?? this.#o.defaultDeletionPolicy;
    if (policy === 'retain') {
      log.info('deletion policy retain: the AWS resource stays');
      await this.#o.client.finalize?.(obj, policy);
      await this.#event(obj, 'Normal', 'Retained', `Deletion policy retain: the ${this.kind} stays in AWS`);
      await this.#writes.removeFinalizer(obj);
      return undefined;
    }
    const observation = await this.#o.client.observe(obj);
    if (observation.exists && !observation.blocked) {
      await this.#o.client.delete(obj, observation);
      log.info('deleted in AWS');
      await this.#event(obj, 'Normal', 'Deleted', `Deleted the ${this.kind} in AWS`);
      const after = await this.#o.client.observe(obj);
      if (after.exists) return SHORT_REQUEUE_MS;
    }
    await this.#o.client.finalize?.(obj, policy);
    await this.#writes.removeFinalizer(obj);
    return undefined;
  }

  async #failed(obj: AnyResource, error: unknown, log: Logger): Promise<void> {
    const key = keyOf(obj as KubernetesObject);
    const expected = error instanceof TerminalError || error instanceof WaitingError;
    const reason = expected ? error.reason : 'ReconcileError';
    // Anything else (throttling, 5xx, network) is retried: the message says so, with the error's name.
    const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
    const message = expected ? errorMessage(error) : `${name}${errorMessage(error)} (retrying with backoff)`;
    try {
      const ready = findCondition(obj.status?.conditions as Condition[] | undefined, 'Ready');
      // A resource that was usable stays Ready while a later change fails.
      const readyCondition: ConditionInput[] = ready?.status === 'True' ? [] : [{ type: 'Ready', status: 'False', reason }];
      await this.#setStatus(obj, undefined, [{ type: 'Synced', status: 'False', reason, message }, ...readyCondition]);
      await this.#eventOnce(obj, error instanceof WaitingError ? 'Normal' : 'Warning', reason, message);
    } catch (statusError) {
      log.warn({ err: errorMessage(statusError) }, 'cannot record the failure');
    }
    if (error instanceof WaitingError) {
      log.info({ reason, message }, 'waiting');
      this.queue.addAfter(key, error.retryAfterMs);
    } else if (error instanceof TerminalError) {
      log.warn({ reason, message }, 'cannot reconcile until the spec changes');
      this.queue.addAfter(key, this.#jitteredResync());
    } else {
      const delay = this.queue.addRateLimited(key);
      log.warn({ err: message, retryInMs: delay }, 'reconcile failed; retrying');
    }
  }

  /** Writes status only when it differs from what the object holds. */
  async #setStatus(obj: AnyResource, fields: Record<string, unknown> | undefined, conditions: ConditionInput[]): Promise<void> {
    const current = (obj.status ?? {}) as Record<string, unknown> & { conditions?: Condition[] };
    const generation = obj.metadata.generation ?? 0;
    let list = current.conditions;
    for (const c of conditions) list = setCondition(list, c, generation, new Date());
    if (!obj.metadata.deletionTimestamp) recordReadiness(this.kind, keyOf(obj as KubernetesObject), findCondition(list, 'Ready')?.status === 'True');
    const next = { ...current, ...(fields ?? {}), observedGeneration: generation, conditions: list };
    if (isDeepStrictEqual(stripUndefined(next), stripUndefined(current))) return;
    await this.#writes.writeStatus(obj, stripUndefined(next));
  }

  /** Events are for people: one that cannot be written (RBAC, apiserver busy) never fails a reconcile. */
  async #event(obj: AnyResource, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    try {
      await this.#writes.event(obj, type, reason, message);
    } catch (error) {
      this.#o.log.warn({ key: keyOf(obj as KubernetesObject), reason, err: errorMessage(error) }, 'cannot record an Event');
    }
  }

  /** An Event, unless the last condition already says the same (no Event per retry). */
  async #eventOnce(obj: AnyResource, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const synced = findCondition(obj.status?.conditions as Condition[] | undefined, 'Synced');
    if (synced?.reason === reason && synced.message === message) return;
    await this.#event(obj, type, reason, message);
  }
}

function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
