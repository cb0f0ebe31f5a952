// The deadline of one reconcile pass, carried implicitly to every AWS SDK call and Kubernetes
// request made while the pass runs (AsyncLocalStorage): the SDK clients (src/aws/sdk-clients.ts)
// and the operator's KubeConfig add the pass's AbortSignal to each request, so a hung endpoint
// cannot hold a key past its deadline, and a call made after the deadline fails at once.
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with `signal` as the signal of every request it makes. */
export function withSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return current.run(signal, fn);
}

/** The signal of the pass this code runs in, if any (informers and startup run outside passes). */
export function currentSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** Runs `fn` outside any pass: work shared by many passes (an account-wide listing) is not cut short by the deadline of the pass that started it. */
export function outsidePasses<T>(fn: () => Promise<T>): Promise<T> {
  return current.exit(fn);
}
