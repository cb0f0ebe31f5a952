// Watches every kind of the API group through client-node informers (a cache, relist on 410
// Gone) and reports the objects it sees. The reconcile runtime builds on these informers.
import { CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { GROUP, KINDS, VERSION, type KindDefinition } from '../api/kinds.ts';
import type { Logger } from '../log.ts';

export type KindInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

export function informerFor(kc: KubeConfig, kind: KindDefinition): KindInformer {
  const api = kc.makeApiClient(CustomObjectsApi);
  const list = () => api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: kind.plural });
  return makeInformer(kc, `/apis/${GROUP}/${VERSION}/${kind.plural}`, list as never);
}

export function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

export interface KindWatches {
  informers: KindInformer[];
  stop(): Promise<void>;
}

/** Starts one informer per kind; resolves once each has listed. A failed watch restarts with backoff. */
export async function watchKinds(kc: KubeConfig, log: Logger): Promise<KindWatches> {
  let stopped = false;
  const informers = await Promise.all(KINDS.map(async (kind) => {
    const informer = informerFor(kc, kind);
    const kindLog = log.child({ kind: kind.kind });
    let failures = 0;
    informer.on('add', (o) => kindLog.info({ key: keyOf(o), generation: o.metadata?.generation }, 'observed'));
    informer.on('update', (o) => kindLog.debug({ key: keyOf(o), generation: o.metadata?.generation }, 'changed'));
    informer.on('delete', (o) => kindLog.info({ key: keyOf(o) }, 'deleted'));
    informer.on('connect', () => { failures = 0; });
    informer.on('error', (err: unknown) => {
      if (stopped) return;
      const delay = Math.min(30_000, 500 * 2 ** failures++);
      kindLog.warn({ err: String(err), retryInMs: delay }, 'watch failed; restarting');
      setTimeout(() => {
        if (!stopped) informer.start().catch((e: unknown) => kindLog.error({ err: String(e) }, 'watch restart failed'));
      }, delay);
    });
    await informer.start();
    return informer;
  }));
  return {
    informers,
    async stop() {
      stopped = true;
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}
