// The operator's budget on AWS: a token bucket per AWS service, one per process, shared by every
// SDK client of that service and so by every controller (src/aws/sdk-clients.ts takes a token
// before each request it sends, retries included). AWS's rate quotas are per account and Region
// and shared with everything else in the account (consoles, pipelines, other controllers), so the
// operator keeps well below them instead of finding them by being throttled. A call waiting for a
// token gives up when its pass's signal aborts: the deadline of a pass holds while it waits.
import { DEFAULTS } from '../runtime/defaults.ts';

/** The services the operator calls, as `instrument()` names them. */
export const AWS_SERVICES = ['iam', 'lambda', 'bedrock-agent', 'bedrock-agentcore', 'sts'] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

/** Calls per second allowed per service. */
export type AwsRates = Record<AwsService, number>;

/**
 * Calls per second with a burst of one second's worth of calls (at least one), FIFO: each caller
 * reserves the next free slot, so callers are served in the order they asked. Over any window of T
 * seconds it lets through at most burst + qps × T calls.
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /** `now`: the clock in ms (tests pass a fake one). */
  constructor(qps: number, { burst = Math.max(1, qps), now = () => performance.now() }: { burst?: number; now?: () => number } = {}) {
    if (!(qps > 0) || !Number.isFinite(qps)) throw new Error(`a rate limit needs a positive number of calls per second, not ${qps}`);
    this.qps = qps;
    this.burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** Reserves the next token: how long in ms until it may be used (0: at once). */
  reserve(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.qps);
    this.#at = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  /** Gives back a reserved token that will not be used (its caller gave up waiting). */
  cancel(): void {
    this.#tokens = Math.min(this.burst, this.#tokens + 1);
  }

  /**
   * Waits for a token; resolves with the ms waited. Rejects with an AbortError, and gives the token
   * back, when `signal` aborts first (as the AWS SDK does for an aborted request).
   */
  async take(signal?: AbortSignal, service = 'AWS'): Promise<number> {
    if (signal?.aborted) throw abortError(service);
    const wait = this.reserve();
    if (wait <= 0) return 0;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        this.cancel();
        reject(abortError(service));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, wait);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return wait;
  }
}

function abortError(service: string): Error {
  return Object.assign(new Error(`Request aborted while waiting for the ${service} rate limit`), { name: 'AbortError' });
}

/** The process's buckets, by service; made from the defaults until `configureAwsRateLimits`. */
let buckets: Map<string, TokenBucket> | undefined;

/** Sets the budget of every service (the run command, from --aws-qps); the buckets start full. */
export function configureAwsRateLimits(rates: AwsRates, now?: () => number): void {
  buckets = new Map(AWS_SERVICES.map((service) => [service, new TokenBucket(rates[service], now ? { now } : {})]));
}

/** The bucket every client of `service` takes its tokens from; none for a service with no budget. */
export function rateLimiterFor(service: string): TokenBucket | undefined {
  if (!buckets) configureAwsRateLimits({ ...DEFAULTS.awsQps });
  return buckets!.get(service);
}

/** The calls per second allowed now, by service (the metrics' gauge of the budget). */
export function awsRateLimits(): Array<{ service: string; qps: number }> {
  return AWS_SERVICES.map((service) => ({ service, qps: rateLimiterFor(service)!.qps }));
}

/**
 * Parses --aws-qps: comma-separated `service=calls-per-second` pairs, each overriding that service's
 * default (`lambda=20` keeps the others). Throws an Error whose message names the flag and what is
 * wrong.
 */
export function parseAwsQps(value: string, flag = '--aws-qps'): AwsRates {
  const rates: AwsRates = { ...DEFAULTS.awsQps };
  const seen = new Set<string>();
  for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*(\S+)$/.exec(pair);
    if (!match) throw new Error(`${flag} takes service=calls-per-second pairs separated by commas (e.g. iam=10,lambda=7), not "${pair}"`);
    const [, service, rate] = match as unknown as [string, string, string];
    if (!(AWS_SERVICES as readonly string[]).includes(service)) {
      throw new Error(`${flag}: unknown service "${service}"; the services are ${AWS_SERVICES.join(', ')}`);
    }
    if (seen.has(service)) throw new Error(`${flag}: ${service} is given twice`);
    seen.add(service);
    const qps = Number(rate);
    if (!Number.isFinite(qps) || qps <= 0) {
      throw new Error(`${flag}: ${service}=${rate}: the rate must be a positive number of calls per second (e.g. ${service}=${DEFAULTS.awsQps[service as AwsService]})`);
    }
    rates[service as AwsService] = qps;
  }
  return rates;
}

/** The rates as --aws-qps writes them, in the services' order. */
export function formatAwsQps(rates: AwsRates): string {
  return AWS_SERVICES.map((s) => `${s}=${rates[s]}`).join(',');
}
