// The operator's budget on AWS: a token bucket per AWS service, one per process, shared by every
// SDK client of that service and so by every controller (src/aws/sdk-clients.ts takes a token
// before each request it sends, retries included). AWS's rate quotas are per account and Region
// and shared with everything else in the account (consoles, pipelines, other controllers), so the
// operator keeps well below them instead of finding them by being throttled; when AWS throttles
// all the same, the service's bucket slows down and comes back with time. A call waiting for a
// token gives up when its pass's signal aborts: the deadline of a pass holds while it waits.
import { DEFAULTS } from '../runtime/defaults.ts';

/** The services the operator calls, as `instrument()` names them. */
export const AWS_SERVICES = ['iam', 'lambda', 'bedrock-agent', 'bedrock', 'bedrock-agentcore', 'sts'] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

/** Calls per second allowed per service. */
export type AwsRates = Record<AwsService, number>;

/**
 * How the rate comes back after AWS throttles: the curve of the AWS SDKs' adaptive retry mode
 * (CUBIC; https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). Throttled
 * while sending at R calls per second, the rate drops to BETA·R, is back at R after
 * K = ∛(R·(1 − BETA)/SCALE) seconds and climbs faster from there (SCALE·(t − K)³ + R), to the
 * budget. Unlike the SDK's, this curve depends on time alone: the SDK also caps the rate at twice
 * the rate it measured, which holds a caller that sends little (one Agent's pass within a short
 * deadline) at its floor for as long as it sends little.
 */
const BETA = 0.7;
const SCALE = 0.4;
/** The lowest rate throttling can bring a service to, calls per second (the SDKs' floor). */
export const MIN_ADAPTIVE_RATE = 0.5;

/**
 * Calls per second with a burst of one second's worth of calls (at least one), FIFO: each caller
 * reserves the next free slot, so callers are served in the order they asked. Over any window of T
 * seconds it lets through at most burst + qps × T calls.
 *
 * Adaptive: `throttled()` (AWS answered a request of the service with throttling) lowers the rate
 * below the budget, and the rate climbs back with time as the curve above says. The clock is
 * monotonic: the SDK's own adaptive limiter reads the wall clock, and a step back of the clock
 * (NTP, a VM resumed) leaves it owing tokens for as long as the step, every call of the service
 * held for that long.
 */
export class TokenBucket {
  /** The budget: the most calls per second, throttled or not. */
  readonly qps: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;
  /** When AWS last throttled (ms of `now`), or undefined once the rate is back at the budget. */
  #throttledAt: number | undefined;
  /** The rate being sent at when throttled, and the seconds the curve takes to get back to it. */
  #throttledRate = 0;
  #recoverySeconds = 0;
  /** The rate tokens were used at, smoothed over half-second windows (as the SDKs measure it). */
  #sentRate = 0;
  #sentWindow: number;
  #sentInWindow = 0;

  /** `now`: the clock in ms (tests pass a fake one). */
  constructor(qps: number, { burst = Math.max(1, qps), now = () => performance.now() }: { burst?: number; now?: () => number } = {}) {
    if (!(qps > 0) || !Number.isFinite(qps)) throw new Error(`a rate limit needs a positive number of calls per second, not ${qps}`);
    this.qps = qps;
    this.burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
    this.#sentWindow = Math.floor(this.#at / 500);
  }

  /** Calls per second allowed at `now`: the budget, or less for a while after throttling (forgotten once back at the budget). */
  rate(now = this.#now()): number {
    if (this.#throttledAt === undefined) return this.qps;
    const seconds = (now - this.#throttledAt) / 1000;
    const rate = SCALE * (seconds - this.#recoverySeconds) ** 3 + this.#throttledRate;
    if (rate >= this.qps) {
      this.#throttledAt = undefined;
      return this.qps;
    }
    return Math.max(MIN_ADAPTIVE_RATE, rate);
  }

  /** AWS throttled a request that took a token of this bucket: slow down (see the curve above). */
  throttled(): void {
    const now = this.#now();
    this.#refill(now);
    this.#measure(now);
    const sending = Math.min(this.rate(now), this.#sentRate > 0 ? this.#sentRate : Infinity);
    this.#throttledRate = sending;
    this.#recoverySeconds = Math.cbrt((sending * (1 - BETA)) / SCALE);
    this.#throttledAt = now;
    this.#tokens = Math.min(this.#tokens, this.#burstAt(now));
  }

  /** Reserves the next token: how long in ms until it may be used (0: at once). */
  reserve(): number {
    const now = this.#now();
    this.#refill(now);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.rate(now)) * 1000;
  }

  /** Gives back a reserved token that will not be used (its caller gave up waiting). */
  cancel(): void {
    this.#tokens = Math.min(this.#burstAt(this.#now()), this.#tokens + 1);
  }

  /**
   * Waits for a token; resolves with the ms waited. Rejects with an AbortError, and gives the token
   * back, when `signal` aborts first (as the AWS SDK does for an aborted request).
   */
  async take(signal?: AbortSignal, service = 'AWS'): Promise<number> {
    if (signal?.aborted) throw abortError(service);
    const wait = this.reserve();
    if (wait > 0) await this.#wait(wait, signal, service);
    this.#measure(this.#now(), 1);
    return wait;
  }

  #wait(wait: number, signal: AbortSignal | undefined, service: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
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
  }

  /** The burst shrinks with the rate while throttled: one second's worth, at least one. */
  #burstAt(now: number): number {
    return Math.min(this.burst, Math.max(1, this.rate(now)));
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burstAt(now), this.#tokens + ((now - this.#at) / 1000) * this.rate(now));
    this.#at = now;
  }

  /** Counts `sent` tokens used at `now` into the measured rate. */
  #measure(now: number, sent = 0): void {
    const window = Math.floor(now / 500);
    if (window > this.#sentWindow) {
      const rate = this.#sentInWindow / ((window - this.#sentWindow) / 2);
      this.#sentRate = rate * 0.8 + this.#sentRate * 0.2;
      this.#sentInWindow = 0;
      this.#sentWindow = window;
    }
    this.#sentInWindow += sent;
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

/** The calls per second allowed now, by service: the budget, or less after throttling (the metrics' gauge). */
export function awsRateLimits(): Array<{ service: string; qps: number }> {
  return AWS_SERVICES.map((service) => ({ service, qps: rateLimiterFor(service)!.rate() }));
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
