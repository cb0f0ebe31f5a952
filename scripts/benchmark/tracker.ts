// Watches one kind's objects for the benchmark (list, then watch, as the operator does): when each
// object and the whole kind became Ready, and how many times objects were written (a new
// resourceVersion, status included), so that writes in sync are counted and not sampled.
import { ADD, CustomObjectsApi, DELETE, ERROR, UPDATE, makeInformer, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../src/api/kinds.ts';
import { PLURALS, type BenchKind } from './manifests.ts';

interface Condition { type: string; status: string; reason?: string; message?: string }
type Watched = KubernetesObject & { status?: { conditions?: Condition[] } };

const RESTART_DELAY_MS = 1_000;

function readyCondition(object: Watched): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === 'Ready');
}

export class KindTracker {
  readonly kind: BenchKind;
  /** Objects of the kind the operator will reconcile; the kind is all Ready when that many are. */
  readonly expected: number;
  readonly #informer;
  readonly #objects = new Map<string, Watched>();
  readonly #ready = new Set<string>();
  readonly #readyWaiters = new Map<string, (at: number) => void>();
  readonly #allReady: Promise<number>;
  #resolveAllReady!: (at: number) => void;
  #writes = 0;
  #readyLost = 0;
  #stopped = false;

  constructor(kc: KubeConfig, kind: BenchKind, expected: number) {
    this.kind = kind;
    this.expected = expected;
    this.#allReady = new Promise((resolve) => { this.#resolveAllReady = resolve; });
    const api = kc.makeApiClient(CustomObjectsApi);
    const plural = PLURALS[kind];
    const list = () => api.listClusterCustomObject({ group: GROUP, version: VERSION, plural });
    this.#informer = makeInformer<Watched>(kc, `/apis/${GROUP}/${VERSION}/${plural}`, list as never);
    this.#informer.on(ADD, (object) => this.#seen(object));
    this.#informer.on(UPDATE, (object) => this.#seen(object));
    this.#informer.on(DELETE, (object) => this.#gone(object));
    this.#informer.on(ERROR, () => {
      if (!this.#stopped) setTimeout(() => void this.#informer.start().catch(() => undefined), RESTART_DELAY_MS);
    });
  }

  start(): Promise<void> {
    return this.#informer.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#informer.stop();
  }

  get readyCount(): number {
    return this.#ready.size;
  }

  /** Date.now() when the kind's `expected` objects were first all Ready. */
  whenAllReady(): Promise<number> {
    return this.#allReady;
  }

  /** Date.now() when the named object was first seen Ready (from now on). */
  whenReady(name: string): Promise<number> {
    if (this.#ready.has(name)) return Promise.resolve(Date.now());
    return new Promise((resolve) => this.#readyWaiters.set(name, resolve));
  }

  /** Objects written (new resourceVersion or deleted) and Ready conditions lost since the last reset. */
  changes(): { objectWrites: number; readyLost: number } {
    return { objectWrites: this.#writes, readyLost: this.#readyLost };
  }

  resetChanges(): void {
    this.#writes = 0;
    this.#readyLost = 0;
  }

  /** Up to `limit` objects that are not Ready, with their Ready condition's reason and message. */
  notReady(limit: number): string[] {
    return [...this.#objects.values()].filter((o) => !this.#ready.has(o.metadata!.name!)).slice(0, limit).map((o) => {
      const ready = readyCondition(o);
      return `${this.kind} ${o.metadata!.name}: ${ready ? `${ready.reason ?? ready.status}: ${ready.message ?? ''}` : 'no Ready condition yet'}`;
    });
  }

  #seen(object: Watched): void {
    const name = object.metadata!.name!;
    if (this.#objects.get(name)?.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.#writes++;
    this.#objects.set(name, object);
    const ready = readyCondition(object)?.status === 'True';
    if (!ready) {
      if (this.#ready.delete(name)) this.#readyLost++;
      return;
    }
    this.#ready.add(name);
    const now = Date.now();
    this.#readyWaiters.get(name)?.(now);
    this.#readyWaiters.delete(name);
    if (this.#ready.size >= this.expected) this.#resolveAllReady(now);
  }

  #gone(object: Watched): void {
    const name = object.metadata!.name!;
    this.#writes++;
    this.#objects.delete(name);
    if (this.#ready.delete(name)) this.#readyLost++;
  }
}
