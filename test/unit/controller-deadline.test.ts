// The deadline of a pass, through the Controller: a call that hangs is aborted by the pass's
// signal (which reaches the call without being passed by hand), the key is retried with backoff,
// other keys go on, and shutdown aborts what is still in flight once its timeout is spent.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IAMRoleKind } from '../../src/api/kinds.ts';
import { Controller } from '../../src/runtime/controller.ts';
import type { Observation } from '../../src/runtime/external-client.ts';
import { currentSignal } from '../../src/runtime/pass-context.ts';
import { FakeInformer, InSyncClient, informersOf, object, RecordingWrites, syncedReason, type Obj } from '../harness/controller-fakes.ts';
import { waitFor } from '../harness/wait.ts';

/** Hangs on every observe of the object `hangs`, until the pass's own signal aborts it. */
class HangingClient extends InSyncClient {
  readonly aborted: string[] = [];
  readonly hangs: string;
  constructor(hangs: string) {
    super();
    this.hangs = hangs;
  }
  override async observe(obj: Obj): Promise<Observation<object, undefined>> {
    if (obj.metadata.name === this.hangs) {
      this.observed.push(obj.metadata.name);
      // Like an SDK call: the signal comes from the pass, not from an argument.
      const signal = currentSignal();
      await new Promise((_, reject) => signal?.addEventListener('abort', () => {
        this.aborted.push(obj.metadata.name);
        reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
      }));
    }
    return super.observe(obj);
  }
}

let controller: Controller | undefined;
afterEach(async () => {
  await controller?.stop(0);
});

function start(client: HangingClient, writes: RecordingWrites, timeouts: { reconcileTimeoutMs: number }) {
  const informer = new FakeInformer();
  for (const name of ['hung', 'fine']) informer.objects.set(`ns/${name}`, object(name));
  const informers = informersOf(informer);
  controller = new Controller({
    kc: new KubeConfig(), kind: IAMRoleKind, client, writes, informers, log: pino({ level: 'silent' }), workers: 1, ...timeouts,
  });
  return controller;
}

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
