// The controller of one kind: its informer, the watches of related kinds, a keyed work queue with
// per-key backoff, and workers that run one Reconciler pass per key under a deadline. The kind
// supplies only its external client (external-client.ts).
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Finding } from '../api/common.ts';
import type { KindDefinition } from '../api/kinds.ts';
import type { CustomResource, DeletionPolicy } from '../api/metadata.ts';
import type { Logger } from '../log.ts';
import { DEFAULTS } from './defaults.ts';
import type { ExternalClient } from './external-client.ts';
import { cached, customKind, keyOf, type KindInformer, type SharedInformers, type WatchedType } from './informers.ts';
import { KubeWrites } from './kube-writes.ts';
import { driftCorrections, queueDepth, reconcileDuration, reconciles, recordFindings, recordReadiness } from './metrics.ts';
import { withSignal } from './pass-context.ts';
import { Reconciler, type ObjectWrites, type PassOutcome } from './reconciler.ts';
import { WorkQueue } from './work-queue.ts';

/**
 * Another resource type whose changes concern objects of this kind: a Lambda's ConfigMap, the
 * IAMRole it runs as, the Agents that call it. Every add, update (status included) and delete
 * enqueues the keys `keysFor` names, and those it named for the previous version of the object.
 */
export interface RelatedWatch {
  type: WatchedType;
  keysFor(related: KubernetesObject): string[];
}

/** A watch of a related type whose objects `keysFor` reads as `T` (what the informer of `type` holds). */
export function relatedWatch<T>(type: WatchedType, keysFor: (related: T) => string[]): RelatedWatch {
  return { type, keysFor: (related) => keysFor(related as T) };
}

/**
 * Changes in AWS seen in bulk (an account listing watched: AccountSnapshot.watch): the names of the
 * resources that changed. Their objects are queued for a drift check as the changes are seen, and
 * the kind's periodic drift check (`resyncMs`) is then only a backstop.
 */
export interface AwsChanges<Spec extends object, Status extends object> {
  /** Starts reporting the names of changed resources, looking only while `wanted` says so; returns how to stop. */
  watch(changed: (names: string[]) => void, wanted: () => boolean): () => void;
  /** The AWS name of the resource an object manages (what `watch` reports). */
  nameOf(obj: CustomResource<Spec, Status>): string;
}

export interface ControllerOptions<Spec extends object, Status extends object, Resolved, Plan> {
  kc: KubeConfig;
  kind: KindDefinition;
  client: ExternalClient<Spec, Status, Resolved, Plan>;
  log: Logger;
  informers: SharedInformers;
  watches?: RelatedWatch[];
  /** Concurrent reconciles (different keys). */
  workers?: number;
  /** Drift check per resource, in ms (±10% jitter). */
  resyncMs?: number;
  /** How long one pass may take before its calls are aborted and it is retried with backoff. */
  reconcileTimeoutMs?: number;
  defaultDeletionPolicy?: DeletionPolicy;
  queue?: WorkQueue;
  /** The Kubernetes writes of a pass (tests replace them). */
  writes?: ObjectWrites;
  /** Refuse objects with findings at or above this severity (--refuse-findings). */
  refuseFindingsAt?: Finding['severity'];
  /** Drift seen in bulk; with it, `resyncMs` is the backstop period. */
  awsChanges?: AwsChanges<Spec, Status>;
}

/** After a pass is aborted, how long it may take to unwind before its key is released anyway. */
const ABORT_GRACE_MS = 5_000;

export class Controller<Spec extends object = object, Status extends object = object, Resolved = unknown, Plan = unknown> {
  readonly queue: WorkQueue;
  readonly #kind: KindDefinition;
  readonly #log: Logger;
  readonly #informers: SharedInformers;
  readonly #watches: RelatedWatch[];
  readonly #workers: number;
  readonly #resyncMs: number;
  readonly #timeoutMs: number;
  readonly #reconciler: Reconciler<Spec, Status, Resolved, Plan>;
  #informer?: KindInformer;
  readonly #awsChanges: AwsChanges<Spec, Status> | undefined;
  #stopAwsChanges: (() => void) | undefined;
  /** Passes in flight, with the controller that aborts each. */
  readonly #inFlight = new Map<Promise<void>, AbortController>();

  constructor(options: ControllerOptions<Spec, Status, Resolved, Plan>) {
    this.#kind = options.kind;
    this.#log = options.log;
    this.#informers = options.informers;
    this.#watches = options.watches ?? [];
    this.#workers = options.workers ?? DEFAULTS.workers;
    this.#resyncMs = options.resyncMs ?? DEFAULTS.resyncSeconds * 1000;
    this.#timeoutMs = options.reconcileTimeoutMs ?? DEFAULTS.reconcileTimeoutSeconds * 1000;
    this.#awsChanges = options.awsChanges;
    this.queue = options.queue ?? new WorkQueue();
    // One worker stays free for changes while the others check for drift.
    this.queue.limitResyncsProcessing(this.#workers - 1);
    const kind = options.kind.kind;
    this.#reconciler = new Reconciler({
      kind,
      client: options.client,
      writes: options.writes ?? new KubeWrites(options.kc, options.kind),
      defaultDeletionPolicy: options.defaultDeletionPolicy ?? 'delete',
      resyncMs: () => Math.round(this.#resyncMs * (0.9 + Math.random() * 0.2)),
      onDrift: () => driftCorrections.inc({ kind }),
      onReadiness: (obj, ready) => recordReadiness(kind, keyOf(obj), ready),
      onFindings: (obj, findings) => recordFindings(kind, keyOf(obj), findings),
      ...(options.refuseFindingsAt ? { refuseFindingsAt: options.refuseFindingsAt } : {}),
    });
  }

  get kind(): string {
    return this.#kind.kind;
  }

  async start(): Promise<void> {
    const informer = await this.#informers.informer(customKind(this.#kind));
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
      recordReadiness(this.kind, keyOf(o), undefined);
      this.#reconciler.forget(o as CustomResource<Spec, Status>);
    });
    this.#informer = informer;
    // The shared informer may have listed before these handlers were added.
    for (const o of informer.list()) enqueueOnChange(o);
    for (const watch of this.#watches) await this.#watchRelated(watch);
    // Only while the kind has objects: no object, no listing of the account's resources.
    if (this.#awsChanges) this.#stopAwsChanges = this.#awsChanges.watch((names) => this.#checkChanged(names), () => informer.list().length > 0);
    for (let i = 0; i < this.#workers; i++) void this.#work();
  }

  /** Queues a drift check of every object whose AWS resource is among `names`. */
  #checkChanged(names: string[]): void {
    if (names.length === 0 || !this.#informer) return;
    const changed = new Set(names);
    let queued = 0;
    for (const o of this.#informer.list()) {
      const obj = o as CustomResource<Spec, Status>;
      if (!changed.has(this.#awsChanges!.nameOf(obj))) continue;
      this.queue.add(keyOf(obj), 'resync');
      queued++;
    }
    this.#log.debug({ kind: this.kind, changed: names.length, queued }, 'changes seen in AWS');
  }

  async #watchRelated(watch: RelatedWatch): Promise<void> {
    const related = await this.#informers.informer(watch.type);
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

  /**
   * Stops taking work and lets the passes in flight finish for up to `deadlineMs`; then aborts
   * their AWS and Kubernetes calls and waits for them to unwind.
   */
  async stop(deadlineMs: number = DEFAULTS.shutdownTimeoutSeconds * 1000): Promise<void> {
    this.#stopAwsChanges?.();
    this.queue.shutDown();
    const all = Promise.all(this.#inFlight.keys());
    const finished = await Promise.race([all.then(() => true), delay(deadlineMs).then(() => false)]);
    if (finished) return;
    this.#log.warn({ kind: this.kind, passes: this.#inFlight.size }, 'shutdown timeout spent: aborting reconciles in flight');
    for (const abort of this.#inFlight.values()) abort.abort();
    await Promise.race([all, delay(ABORT_GRACE_MS)]);
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const abort = new AbortController();
      const done = this.#reconcileKey(key, abort).finally(() => {
        this.#inFlight.delete(done);
        this.queue.done(key);
      });
      this.#inFlight.set(done, abort);
      await done;
    }
  }

  async #reconcileKey(key: string, abort: AbortController): Promise<void> {
    const [namespace, name] = key.split('/');
    const obj = this.#informer && cached<CustomResource<Spec, Status>>(this.#informer, namespace!, name!);
    if (!obj) return;
    const log = this.#log.child({ kind: this.kind, key, generation: obj.metadata.generation });
    const timer = reconcileDuration.startTimer({ kind: this.kind });
    const deadline = setTimeout(() => abort.abort(), this.#timeoutMs);
    try {
      const pass = withSignal(abort.signal, () => this.#reconciler.reconcile(obj, { signal: abort.signal, log }));
      // A call that ignores the signal cannot hold the key: after the grace, the pass counts as failed.
      const outcome = await Promise.race([pass, afterAbort(abort.signal, ABORT_GRACE_MS)]);
      this.#schedule(key, outcome, log);
    } finally {
      clearTimeout(deadline);
      timer();
      queueDepth.set({ kind: this.kind }, this.queue.length);
    }
  }

  #schedule(key: string, outcome: PassOutcome, log: Logger): void {
    reconciles.inc({ kind: this.kind, result: outcome.result });
    if (outcome.result === 'error') {
      const retryInMs = this.queue.addRateLimited(key);
      log.debug({ retryInMs }, 'retry scheduled');
      return;
    }
    // Only a pass that got through resets the backoff.
    if (outcome.result === 'success') this.queue.forget(key);
    // A key back after about a resync period (jitter: 0.9 to 1.1) comes for its drift check.
    if (outcome.requeueAfterMs !== undefined) {
      this.queue.addAfter(key, outcome.requeueAfterMs, outcome.requeueAfterMs >= this.#resyncMs * 0.9 ? 'resync' : 'changes');
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Resolves to a failure `graceMs` after the signal aborts; never, if it does not. */
function afterAbort(signal: AbortSignal, graceMs: number): Promise<PassOutcome> {
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => setTimeout(() => resolve({ result: 'error' }), graceMs).unref(), { once: true });
  });
}
