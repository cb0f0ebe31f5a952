// client-node (2.x) gives every API request a new undici Agent, i.e. a connection pool of its own:
// each call to the apiserver opens a new TLS connection, and the pools linger until they time
// out. At a few hundred resources that is hundreds of handshakes a minute and hundreds of MiB of
// memory. This KubeConfig keeps the first Agent made for each cluster and user and reuses it, so
// calls share keep-alive connections. Authentication headers are still applied per request
// (rotated service-account tokens keep working); only the TLS pool is shared.
//
// It also gives each request made during a reconcile pass that pass's AbortSignal, so a hung
// apiserver cannot hold the pass past its deadline (pass-context.ts).
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import { currentSignal } from './pass-context.ts';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export class PooledKubeConfig extends KubeConfig {
  readonly #dispatchers = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const signal = currentSignal();
    if (signal) context.setSignal(signal);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const key = JSON.stringify([this.getCurrentCluster()?.name, this.getCurrentUser()?.name]);
    const shared = this.#dispatchers.get(key);
    if (!shared) {
      this.#dispatchers.set(key, fresh);
      return;
    }
    context.setDispatcher(shared);
    // The new pool never connected: closing it frees it at once.
    void fresh.close().catch(() => undefined);
  }
}
