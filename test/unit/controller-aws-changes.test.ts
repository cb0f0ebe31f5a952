// Drift found by a watched listing, through the Controller: the objects whose AWS resource a load
// shows changed get a drift check at once, in the resync lane, and no other object does; in sync,
// an object's own periodic check waits for its (long) backstop period; stopping stops the watch.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IAMRoleKind } from '../../src/api/kinds.ts';
import { Controller } from '../../src/runtime/controller.ts';
import { FakeInformer, InSyncClient, informersOf, object, RecordingWrites } from '../harness/controller-fakes.ts';
import { waitFor } from '../harness/wait.ts';

let controller: Controller | undefined;
afterEach(async () => {
  await controller?.stop(0);
});

describe('Controller: changes seen in AWS', () => {
  it('checks the objects whose resource changed as the listing shows it, and only those', async () => {
    const informer = new FakeInformer();
    for (const name of ['a', 'b', 'c']) informer.objects.set(`ns/${name}`, object(name));
    const client = new InSyncClient();
    let report: ((names: string[]) => void) | undefined;
    let stopped = false;
    let wantedNow: (() => boolean) | undefined;
    controller = new Controller({
      kc: new KubeConfig(), kind: IAMRoleKind, client, writes: new RecordingWrites(), informers: informersOf(informer),
      log: pino({ level: 'silent' }), workers: 2, resyncMs: 3_600_000,
      // AWS names differ from object names, as a role's spec.roleName may make them.
      awsChanges: { watch: (changed, wanted) => { report = changed; wantedNow = wanted; return () => { stopped = true; }; }, nameOf: (o) => `role-${o.metadata.name}` },
    });
    await controller.start();
    await waitFor('the first pass of every object', () => (client.observed.length === 3 ? true : undefined), { timeoutMs: 5_000 });
    // In sync: nothing more until the backstop, an hour away.
    report!(['role-b', 'role-unmanaged']);
    await waitFor('b checked again', () => (client.observed.length === 4 ? true : undefined), { timeoutMs: 5_000 });
    expect(client.observed.at(-1)).toBe('b');
    report!([]);
    report!(['role-a', 'role-c']);
    await waitFor('a and c checked again', () => (client.observed.length === 6 ? true : undefined), { timeoutMs: 5_000 });
    expect(client.observed.slice(4).sort()).toEqual(['a', 'c']);
    // The listing is wanted while the kind has objects.
    expect(wantedNow!()).toBe(true);
    informer.objects.clear();
    expect(wantedNow!()).toBe(false);
    await controller.stop(0);
    expect(stopped).toBe(true);
    expect(client.observed).toHaveLength(6);
  });
});
