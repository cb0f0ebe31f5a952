// Informers for the kinds of the API group: client-node's cache with relist on 410 Gone.
import { CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { GROUP, VERSION, type KindDefinition } from '../api/kinds.ts';

export type KindInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

export function informerFor(kc: KubeConfig, kind: KindDefinition): KindInformer {
  const api = kc.makeApiClient(CustomObjectsApi);
  const list = () => api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: kind.plural });
  return makeInformer(kc, `/apis/${GROUP}/${VERSION}/${kind.plural}`, list as never);
}

export function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
