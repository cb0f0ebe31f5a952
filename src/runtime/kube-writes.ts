// The few writes the runtime makes to Kubernetes: status through the status subresource, the
// finalizer through JSON patches guarded by a `test` op (so neither adding nor removing ours can
// duplicate it or drop another controller's), and Events.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION, type KindDefinition } from '../api/kinds.ts';
import { FINALIZER, type AnyResource } from '../api/metadata.ts';
import type { Reason } from '../api/reasons.ts';
import type { ObjectWrites } from './reconciler.ts';

type JsonPatch = { op: 'add' | 'remove' | 'replace' | 'test'; path: string; value?: unknown }[];

export class KubeWrites implements ObjectWrites {
  readonly #objects: CustomObjectsApi;
  readonly #core: CoreV1Api;
  readonly #kind: KindDefinition;
  readonly #component: string;

  constructor(kc: KubeConfig, kind: KindDefinition, component = 'bedrock-forge-operator') {
    this.#objects = kc.makeApiClient(CustomObjectsApi);
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#kind = kind;
    this.#component = component;
  }

  #target(obj: AnyResource) {
    return { group: GROUP, version: VERSION, plural: this.#kind.plural, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name };
  }

  /** Replaces the status (JSON patch on the status subresource). */
  async writeStatus<T extends AnyResource>(obj: T, status: Record<string, unknown>): Promise<T> {
    const body: JsonPatch = [{ op: 'add', path: '/status', value: status }];
    return (await this.#objects.patchNamespacedCustomObjectStatus({ ...this.#target(obj), body }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch))) as T;
  }

  /**
   * Adds the finalizer to the list as the object holds it, testing that the list is still that
   * list: a stale copy (the cache behind the apiserver) fails the test (HTTP 422) instead of
   * adding ours twice or writing over another controller's; the pass is then retried.
   */
  async addFinalizer<T extends AnyResource>(obj: T): Promise<T> {
    const finalizers = obj.metadata.finalizers;
    const body: JsonPatch = finalizers
      ? [{ op: 'test', path: '/metadata/finalizers', value: finalizers }, { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER }]
      : [{ op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion }, { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] }];
    return (await this.#objects.patchNamespacedCustomObject({ ...this.#target(obj), body }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch))) as T;
  }

  /** Removes the finalizer at its index, testing that it is still there (so no other one goes). */
  async removeFinalizer(obj: AnyResource): Promise<void> {
    const index = obj.metadata.finalizers?.indexOf(FINALIZER) ?? -1;
    if (index < 0) return;
    const path = `/metadata/finalizers/${index}`;
    const body: JsonPatch = [{ op: 'test', path, value: FINALIZER }, { op: 'remove', path }];
    await this.#objects.patchNamespacedCustomObject({ ...this.#target(obj), body }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  }

  /** Records a Kubernetes Event on the object. */
  async event(obj: AnyResource, type: 'Normal' | 'Warning', reason: Reason, message: string): Promise<void> {
    const now = new Date();
    await this.#core.createNamespacedEvent({
      namespace: obj.metadata.namespace ?? 'default',
      body: {
        metadata: { generateName: `${obj.metadata.name}.`, namespace: obj.metadata.namespace },
        involvedObject: {
          apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace,
          uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
        },
        type, reason, message: message.slice(0, 1024),
        source: { component: this.#component },
        firstTimestamp: now, lastTimestamp: now, count: 1,
        reportingComponent: this.#component, reportingInstance: this.#component,
      },
    });
  }
}

/** Merges annotations into an object of one of the API's kinds (a value of null removes the key). */
export async function patchAnnotations(kc: KubeConfig, kind: KindDefinition, namespace: string, name: string, annotations: Record<string, string | null>): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, plural: kind.plural, namespace, name, body: { metadata: { annotations } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}
