// Every AWS SDK client the operator makes goes through here: one client per service per process,
// each call counted in bedrockforge_aws_calls_total, each call made during a reconcile pass sent
// with that pass's AbortSignal (so a hung endpoint cannot hold the pass past its deadline), each
// request held to its service's budget (src/aws/rate-limits.ts), which AWS's throttling answers
// lower for a while, and throttling retried once by the SDK's standard retry mode.
import { StandardRetryStrategy, isThrottlingError } from '@smithy/core/retry';
import { DEFAULTS } from '../runtime/defaults.ts';
import { awsCalls, awsRateLimitWait, awsRetries } from '../runtime/metrics.ts';
import { currentSignal } from '../runtime/pass-context.ts';
import { rateLimiterFor } from './rate-limits.ts';

type Handler = (args: unknown) => Promise<unknown>;
type Middleware = (next: Handler, context: { commandName?: string; __smithy_context?: { abortSignal?: AbortSignal } }) => Handler;
interface Attempts { $metadata?: { attempts?: number } }

interface SdkClient {
  middlewareStack: {
    add: (middleware: never, options: { step: 'initialize'; name: string }) => void;
    addRelativeTo: (middleware: never, options: { relation: 'before'; toMiddleware: string; name: string }) => void;
  };
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * The retry strategy of every client of a service, shared as the budget is (and so its retry
 * quota): standard mode, exponential backoff with jitter (1 s base for throttling).
 *
 * Not the SDK's adaptive mode, although its client-side rate is what the budget's adaptive rate
 * does too (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html): its wait
 * for that rate cannot be aborted (a pass past its deadline leaves calls waiting, which later take
 * the tokens live passes need), it reads the wall clock (a step back holds every call of the
 * service for as long as the step), and its rate climbs back only to twice the rate calls were
 * measured at, which holds a service that few calls go to at 0.5 to 1 call per second for as long
 * as they stay few: an Agent's pass of eight calls then never fits a short deadline. One limiter,
 * the budget's, does all of it (src/aws/rate-limits.ts).
 *
 * DEFAULTS.awsMaxAttempts is 3, the SDK's standard, set here so that AWS_MAX_ATTEMPTS or a shared
 * config file cannot raise it. A pass already retries as a whole, with per-key exponential backoff
 * from 0.5 s to 5 min under a process-wide retry budget (src/runtime/work-queue.ts), within its
 * deadline (--reconcile-timeout, 60 s). Retrying one call in the SDK is cheaper than that: a failed
 * pass runs its reads again. But more attempts would multiply with the queue's retries exactly when
 * AWS asks for fewer calls, and spend the pass's deadline in SDK backoff (1 s base for throttling,
 * doubling, on top of the budget's wait). Fewer would fail whole passes on a single blip, and redo
 * their reads sooner than the budget's rate recovers.
 */
const retryStrategies = new Map<string, StandardRetryStrategy>();

function retryStrategyFor(service: string): StandardRetryStrategy {
  let strategy = retryStrategies.get(service);
  if (!strategy) retryStrategies.set(service, (strategy = new StandardRetryStrategy(DEFAULTS.awsMaxAttempts)));
  return strategy;
}

/**
 * Counts the client's calls under `service`, gives each the signal of the pass it runs in, makes
 * each request (each attempt, retries included) take a token of the service's budget before it is
 * signed and sent, slows the budget down when AWS throttles a request, and retries as
 * `retryStrategyFor` says.
 */
export function instrument<C extends SdkClient>(client: C, service: string): C {
  const count: Middleware = (next, context) => async (args) => {
    const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
    try {
      const result = await next(args) as { output?: Attempts };
      awsCalls.inc({ service, operation, outcome: 'success' });
      countRetries(service, result.output);
      return result;
    } catch (error) {
      awsCalls.inc({ service, operation, outcome: (error as Error).name ?? 'error' });
      countRetries(service, error as Attempts);
      throw error;
    }
  };
  client.middlewareStack.add(count as never, { step: 'initialize', name: 'bedrockforgeMetrics' });
  // After the retry middleware (so every attempt takes a token) and before signing (so a request
  // that waited is not sent with a stale signature).
  const limit: Middleware = (next, context) => async (args) => {
    const bucket = rateLimiterFor(service);
    if (bucket) {
      const waitedMs = await bucket.take(context.__smithy_context?.abortSignal ?? currentSignal(), service);
      awsRateLimitWait.observe({ service }, waitedMs / 1000);
    }
    try {
      return await next(args);
    } catch (error) {
      if (bucket && isThrottlingError(error as Parameters<typeof isThrottlingError>[0])) bucket.throttled();
      throw error;
    }
  };
  client.middlewareStack.addRelativeTo(limit as never, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'bedrockforgeRateLimit' });
  useRetryStrategy(client, retryStrategyFor(service));
  const send = client.send.bind(client);
  client.send = ((command: unknown, options?: { abortSignal?: AbortSignal }) => {
    const abortSignal = options?.abortSignal ?? currentSignal();
    return send(command, abortSignal ? { ...options, abortSignal } : options);
  }) as C['send'];
  return client;
}

function countRetries(service: string, metadata: Attempts | undefined): void {
  const attempts = metadata?.$metadata?.attempts ?? 1;
  if (attempts > 1) awsRetries.inc({ service }, attempts - 1);
}

/**
 * Points a constructed client's retry middleware at `strategy`. The middleware reads the client's
 * resolved `config.retryStrategy` and `config.maxAttempts` on every call, so replacing them has the
 * effect of constructing the client with `retryStrategy` (which the callers, one per controller,
 * need not know about).
 */
function useRetryStrategy(client: object, strategy: StandardRetryStrategy): void {
  const config = (client as { config?: { retryStrategy?: unknown; maxAttempts?: unknown } }).config;
  if (!config) return;
  config.retryStrategy = () => Promise.resolve(strategy);
  config.maxAttempts = () => Promise.resolve(DEFAULTS.awsMaxAttempts);
}
