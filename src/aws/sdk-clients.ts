// Every AWS SDK client the operator makes goes through here: one client per service per process,
// each call counted in bedrockforge_aws_calls_total, and each call made during a reconcile pass
// sent with that pass's AbortSignal, so a hung endpoint cannot hold the pass past its deadline.
import { awsCalls } from '../runtime/metrics.ts';
import { currentSignal } from '../runtime/pass-context.ts';

type Middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>;

interface SdkClient {
  middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void };
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Counts the client's calls under `service` and gives each the signal of the pass it runs in. */
export function instrument<C extends SdkClient>(client: C, service: string): C {
  const count: Middleware = (next, context) => async (args) => {
    const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
    try {
      const result = await next(args);
      awsCalls.inc({ service, operation, outcome: 'success' });
      return result;
    } catch (error) {
      awsCalls.inc({ service, operation, outcome: (error as Error).name ?? 'error' });
      throw error;
    }
  };
  client.middlewareStack.add(count as never, { step: 'initialize', name: 'bedrockforgeMetrics' });
  const send = client.send.bind(client);
  client.send = ((command: unknown, options?: { abortSignal?: AbortSignal }) => {
    const abortSignal = options?.abortSignal ?? currentSignal();
    return send(command, abortSignal ? { ...options, abortSignal } : options);
  }) as C['send'];
  return client;
}
