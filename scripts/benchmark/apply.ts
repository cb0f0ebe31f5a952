// Creates the benchmark's objects through the Kubernetes API (not kubectl, whose process per batch
// makes 10,000 objects slow), a limited number at a time, so that applying is timed on its own.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../src/api/kinds.ts';
import { PLURALS, type BenchObject } from './manifests.ts';

export const APPLY_CONCURRENCY = 20;

export async function createObject(api: CustomObjectsApi, object: BenchObject): Promise<void> {
  const { namespace, name } = object.metadata;
  try {
    await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURALS[object.kind], body: object });
  } catch (error) {
    throw new Error(`creating ${object.kind} ${namespace}/${name}: ${(error as Error).message}`, { cause: error });
  }
}

/** Creates every object, `concurrency` requests in flight, in the given order. */
export async function createAll(api: CustomObjectsApi, objects: readonly BenchObject[], concurrency = APPLY_CONCURRENCY): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) await createObject(api, objects[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));
}
