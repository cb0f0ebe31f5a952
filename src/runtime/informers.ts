// Informers shared by every controller of the process: one watch and one cache per resource type,
// whoever needs it (a kind's own controller, a controller that reads it as a related kind).
// client-node's informer relists on 410 Gone; a watch that fails otherwise is restarted here.
import { CoreV1Api, CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { GROUP, VERSION, type KindDefinition } from '../api/kinds.ts';
import type { Logger } from '../log.ts';
import { errorMessage } from './errors.ts';

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
      return makeInformer(kc, `/apis/${GROUP}/${VERSION}/${kind.plural}`, list as never);
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
      return makeInformer(kc, '/api/v1/configmaps', () => api.listConfigMapForAllNamespaces({ labelSelector }) as never, labelSelector);
    },
  };
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
