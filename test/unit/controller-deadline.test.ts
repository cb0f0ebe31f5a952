// The deadline of a pass, through the Controller: a call that hangs is aborted by the pass's
// signal (which reaches the call without being passed by hand), the key is retried with backoff,
// other keys go on, and shutdown aborts what is still in flight once its timeout is spent.
import { EventEmitter } from 'node:events';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IAMRoleKind } from '../../src/api/kinds.ts';
import { FINALIZER, type AnyResource, type CustomResource } from '../../src/api/metadata.ts';
import { Controller } from '../../src/runtime/controller.ts';
import type { DeleteResult, ExternalClient, Observation, UpdateResult } from '../../src/runtime/external-client.ts';
import type { SharedInformers } from '../../src/runtime/informers.ts';
import { currentSignal } from '../../src/runtime/pass-context.ts';
import type { ObjectWrites } from '../../src/runtime/reconciler.ts';
import { waitFor } from '../harness/wait.ts';

type Obj = CustomResource<object, object>;

/** The informer's cache, as the Controller reads it. */
class FakeInformer extends EventEmitter {
  readonly objects = new Map<string, Obj>();
  list(): KubernetesObject[] {
    return [...this.objects.values()] as KubernetesObject[];
  }
  get(name: string, namespace?: string): KubernetesObject | undefined {
    return this.objects.get(`${namespace}/${name}`) as KubernetesObject | undefined;
  }
}

/** Hangs on every observe of the object `hangs`, until the pass's own signal aborts it. */
class HangingClient implements ExternalClient<object, object, undefined, undefined> {
  readonly observed: string[] = [];
  readonly aborted: string[] = [];
  readonly hangs: string;
  constructor(hangs: string) {
    this.hangs = hangs;
  }
  async resolve(): Promise<undefined> {
    return undefined;
  }
  async observe(obj: Obj): Promise<Observation<object, undefined>> {
    this.observed.push(obj.metadata.name);
    if (obj.metadata.name === this.hangs) {
      // Like an SDK call: the signal comes from the pass, not from an argument.
      const signal = currentSignal();
      await new Promise((_, reject) => signal?.addEventListener('abort', () => {
        this.aborted.push(obj.metadata.name);
        reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
      }));
    }
    return { exists: true, status: {}, diff: [], plan: undefined };
  }
  async create(): Promise<void> {}
  async update(): Promise<UpdateResult> {
    return { wrote: false };
  }
  async delete(): Promise<DeleteResult> {
    return { wrote: false, remaining: false };
  }
}

class RecordingWrites implements ObjectWrites {
  readonly statuses = new Map<string, Record<string, unknown>>();
  async writeStatus<T extends AnyResource>(obj: T, status: Record<string, unknown>): Promise<T> {
    this.statuses.set(obj.metadata.name, status);
    return { ...obj, status } as T;
  }
  async addFinalizer<T extends AnyResource>(obj: T): Promise<T> {
    return obj;
  }
  async removeFinalizer(): Promise<void> {}
  async event(): Promise<void> {}
}

function object(name: string): Obj {
  return { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name, namespace: 'ns', generation: 1, finalizers: [FINALIZER] }, spec: {}, status: {} };
}

let controller: Controller | undefined;
afterEach(async () => {
  await controller?.stop(0);
});

function start(client: HangingClient, writes: RecordingWrites, timeouts: { reconcileTimeoutMs: number }) {
  const informer = new FakeInformer();
  for (const name of ['hung', 'fine']) informer.objects.set(`ns/${name}`, object(name));
  const informers = { informer: async () => informer } as unknown as SharedInformers;
  controller = new Controller({
    kc: new KubeConfig(), kind: IAMRoleKind, client, writes, informers, log: pino({ level: 'silent' }), workers: 1, ...timeouts,
  });
  return controller;
}

const syncedReason = (writes: RecordingWrites, name: string) =>
  ((writes.statuses.get(name)?.conditions ?? []) as { type: string; reason: string }[]).find((c) => c.type === 'Synced')?.reason;

describe('Controller: the deadline of a pass', () => {
  it('aborts a hung call at the deadline, retries that key with backoff, and other keys go on', async () => {
    const client = new HangingClient('hung');
    const writes = new RecordingWrites();
    // One worker: the other key can only be reconciled once the hung pass has given its key back.
    await start(client, writes, { reconcileTimeoutMs: 300 }).start();
    await waitFor('the other key reconciled', () => (syncedReason(writes, 'fine') === 'ReconcileSuccess' ? true : undefined), { timeoutMs: 5_000 });
    expect(syncedReason(writes, 'hung')).toBe('DeadlineExceeded');
    await waitFor('the hung key tried again', () => (client.aborted.length >= 2 ? true : undefined), { timeoutMs: 5_000 });
    expect(client.observed.filter((n) => n === 'fine')).toEqual(['fine']);
  });

  it('on shutdown, lets passes finish until the shutdown timeout, then aborts them', async () => {
    const client = new HangingClient('hung');
    const writes = new RecordingWrites();
    const c = start(client, writes, { reconcileTimeoutMs: 60_000 });
    await c.start();
    await waitFor('the hung pass to start', () => (client.observed.includes('hung') ? true : undefined), { timeoutMs: 5_000 });
    const started = Date.now();
    await c.stop(200);
    expect(client.aborted).toEqual(['hung']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
