// Informers shared by every controller of the process: one watch and one cache per resource type,
// whoever needs it (a kind's own controller, a controller that reads it as a related kind).
// client-node's informer relists on 410 Gone; a watch that fails otherwise is restarted here.
import {
  CoreV1Api, CustomObjectsApi, ListWatch, Watch, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache,
} from '@kubernetes/client-node';
import { GROUP, VERSION, type KindDefinition } from '../api/kinds.ts';
import type { Logger } from '../log.ts';
import { errorMessage } from './errors.ts';
import { internStrings, StringPool } from './string-pool.ts';

export type KindInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

/** A resource type to watch: a custom kind of this API group, or a core type the kinds read. */
export interface WatchedType {
  /** Names the type in logs and in the cache of informers ("Lambda", "ConfigMap"). */
  name: string;
  make(kc: KubeConfig): KindInformer;
}

export function customKind(kind: KindDefinition): WatchedType {
  return {
    name: kind.kind,
    make(kc) {
      const api = kc.makeApiClient(CustomObjectsApi);
      const list = () => api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: kind.plural });
      return trimmedInformer(kc, `/apis/${GROUP}/${VERSION}/${kind.plural}`, list as never);
    },
  };
}

/**
 * ConfigMaps of every namespace that carry the label (`key` or `key=value` selector): only those
 * are cached, so the operator does not hold every ConfigMap of the cluster in memory.
 */
export function labelledConfigMaps(labelSelector: string): WatchedType {
  return {
    name: `ConfigMap[${labelSelector}]`,
    make(kc) {
      const api = kc.makeApiClient(CoreV1Api);
      return trimmedInformer(kc, '/api/v1/configmaps', () => api.listConfigMapForAllNamespaces({ labelSelector }) as never, labelSelector);
    },
  };
}

/** What the apiserver sends that the operator never reads, and that would double what the caches hold. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Strings shared by the cached objects of every informer (string-pool.ts). */
const cachedStrings = new StringPool(4096);
/** JSON.parse shares strings of up to ten characters already; code files are not worth a pool's hold. */
const POOLED_LENGTHS = { min: 11, max: 1024 };

/**
 * The object without its managedFields and kubectl's copy of the last applied manifest, its
 * strings taken from the pool where another object has the same. The metadata is copied, not
 * trimmed with `delete`: V8 turns an object a property was deleted from into a dictionary, about
 * 450 bytes more per cached object (a heap snapshot at 2,000 IAMRoles).
 */
export function trimmed<T extends KubernetesObject>(obj: T): T {
  const metadata = obj?.metadata;
  if (!metadata) return obj;
  const { managedFields: _fields, ...kept } = metadata;
  if (kept.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _dropped, ...rest } = kept.annotations;
    kept.annotations = rest;
  }
  obj.metadata = kept;
  internStrings(obj, cachedStrings, POOLED_LENGTHS);
  return obj;
}

/**
 * client-node's informer (makeInformer), with every object trimmed before it reaches the cache:
 * the list's items and each watch event. The operator writes objects with patches only
 * (src/runtime/kube-writes.ts), so nothing trimmed is ever written back.
 */
function trimmedInformer(kc: KubeConfig, path: string, list: () => Promise<KubernetesListObject<KubernetesObject>>, labelSelector?: string): KindInformer {
  const watch = new Watch(kc);
  const trimming = {
    watch: (watchPath: string, params: Record<string, string | number | boolean | undefined>, handler: (phase: string, obj: KubernetesObject, raw: unknown) => void, done: (err: unknown) => void) =>
      watch.watch(watchPath, params, (phase, obj, raw) => handler(phase, trimmed(obj as KubernetesObject), raw), done),
  } as unknown as Watch;
  const trimmedList = async () => {
    const result = await list();
    for (const item of result.items) trimmed(item);
    return result;
  };
  return new ListWatch(path, trimming, trimmedList, false, labelSelector);
}

const RESTART_DELAY_MS = 2_000;

export class SharedInformers {
  readonly #kc: KubeConfig;
  readonly #log: Logger;
  readonly #started = new Map<string, Promise<KindInformer>>();
  #stopped = false;

  constructor(kc: KubeConfig, log: Logger) {
    this.#kc = kc;
    this.#log = log;
  }

  /** The informer of the type, started (its cache filled by the first list) on first use. */
  informer(type: WatchedType): Promise<KindInformer> {
    let started = this.#started.get(type.name);
    if (!started) {
      started = this.#start(type);
      this.#started.set(type.name, started);
    }
    return started;
  }

  async #start(type: WatchedType): Promise<KindInformer> {
    const informer = type.make(this.#kc);
    informer.on('error', (err: unknown) => {
      if (this.#stopped) return;
      this.#log.warn({ type: type.name, err: errorMessage(err) }, 'watch failed; restarting');
      setTimeout(() => { if (!this.#stopped) void informer.start().catch(() => undefined); }, RESTART_DELAY_MS).unref();
    });
    await informer.start();
    return informer;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#started.values()].map(async (p) => (await p.catch(() => undefined))?.stop()));
  }
}

export function keyOf(object: { metadata?: { namespace?: string; name?: string } }): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** A cached object by namespace and name, as the type the informer watches. */
export function cached<T>(informer: KindInformer, namespace: string, name: string): T | undefined {
  return informer.get(name, namespace) as T | undefined;
}

/** The cached objects of a namespace (all namespaces when undefined), as the type the informer watches. */
export function cachedList<T>(informer: KindInformer, namespace: string | undefined): T[] {
  return informer.list(namespace) as T[];
}
