// Parts a Controller runs with in unit tests, in place of the apiserver's and AWS's: the
// informer's cache, the Kubernetes writes of a pass (recorded), and an external client.
import { EventEmitter } from 'node:events';
import type { KubernetesObject } from '@kubernetes/client-node';
import { FINALIZER, type AnyResource, type CustomResource } from '../../src/api/metadata.ts';
import type { DeleteResult, ExternalClient, Observation, UpdateResult } from '../../src/runtime/external-client.ts';
import type { SharedInformers } from '../../src/runtime/informers.ts';
import type { ObjectWrites } from '../../src/runtime/reconciler.ts';

export type Obj = CustomResource<object, object>;

/** The informer's cache, as the Controller reads it. */
export class FakeInformer extends EventEmitter {
  readonly objects = new Map<string, Obj>();
  list(): KubernetesObject[] {
    return [...this.objects.values()] as KubernetesObject[];
  }
  get(name: string, namespace?: string): KubernetesObject | undefined {
    return this.objects.get(`${namespace}/${name}`) as KubernetesObject | undefined;
  }
}

/** Shared informers that hand out `informer` for every type. */
export function informersOf(informer: FakeInformer): SharedInformers {
  return { informer: async () => informer } as unknown as SharedInformers;
}

/** Records each status written, by object name. */
export class RecordingWrites implements ObjectWrites {
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

/** An object of the kind named `name` in namespace ns, with the operator's finalizer. */
export function object(name: string): Obj {
  return { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole', metadata: { name, namespace: 'ns', generation: 1, finalizers: [FINALIZER] }, spec: {}, status: {} };
}

/** The Synced condition's reason in the last status written for `name`. */
export function syncedReason(writes: RecordingWrites, name: string): string | undefined {
  return ((writes.statuses.get(name)?.conditions ?? []) as { type: string; reason: string }[]).find((c) => c.type === 'Synced')?.reason;
}

/** An external client whose every resource exists and is in sync; records the names it observes. */
export class InSyncClient implements ExternalClient<object, object, undefined, undefined> {
  readonly observed: string[] = [];
  async resolve(): Promise<undefined> {
    return undefined;
  }
  async observe(obj: Obj): Promise<Observation<object, undefined>> {
    this.observed.push(obj.metadata.name);
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
