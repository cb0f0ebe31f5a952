// The budget on AWS (src/aws/rate-limits.ts, src/aws/sdk-clients.ts): a token bucket per service
// shared by every client of that service, waited on before each request is sent, given up when the
// pass's signal aborts, slowed down by AWS's throttling and back with time; standard retry with few
// attempts; --aws-qps. Real SDK clients with a fake
// request handler (nothing leaves the process) and a fake clock.
import { Readable } from 'node:stream';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AWS_SERVICES, MIN_ADAPTIVE_RATE, TokenBucket, configureAwsRateLimits, parseAwsQps, rateLimiterFor, type AwsRates } from '../../src/aws/rate-limits.ts';
import { instrument } from '../../src/aws/sdk-clients.ts';
import { DEFAULTS } from '../../src/runtime/defaults.ts';
import { registry } from '../../src/runtime/metrics.ts';
import { withSignal } from '../../src/runtime/pass-context.ts';

beforeEach(() => { vi.useFakeTimers({ now: 1_000_000 }); });
afterEach(() => {
  vi.useRealTimers();
  configureAwsRateLimits({ ...DEFAULTS.awsQps });
});

/** Waits for each promise and records when (fake ms since the start) it settled. */
function settleTimes(promises: Array<Promise<unknown>>): number[] {
  const start = Date.now();
  const times: number[] = [];
  promises.forEach((p, i) => void p.then(() => { times[i] = Date.now() - start; }, () => { times[i] = -1; }));
  return times;
}

describe('TokenBucket', () => {
  it('lets a burst of one second\'s worth through, then spaces calls at the rate, in order', async () => {
    const bucket = new TokenBucket(2, { now: () => Date.now() });
    const times = settleTimes(Array.from({ length: 6 }, () => bucket.take()));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(times).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('fills back up while idle, never beyond its burst', async () => {
    const bucket = new TokenBucket(2, { now: () => Date.now() });
    await vi.advanceTimersByTimeAsync(60_000);
    const times = settleTimes(Array.from({ length: 4 }, () => bucket.take()));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(times).toEqual([0, 0, 500, 1000]);
  });

  it('a call waiting for a token gives up when its signal aborts, and gives the token back', async () => {
    const bucket = new TokenBucket(1, { now: () => Date.now() });
    await bucket.take();
    const abort = new AbortController();
    const waiting = bucket.take(abort.signal, 'iam');
    const outcome = waiting.then(() => 'sent', (e: Error) => `${e.name}: ${e.message}`);
    await vi.advanceTimersByTimeAsync(300);
    abort.abort();
    expect(await outcome).toBe('AbortError: Request aborted while waiting for the iam rate limit');
    // The token it had reserved (due at 1 s) goes to the next caller, which waits 0.7 s, not 1.7 s.
    const times = settleTimes([bucket.take()]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(times).toEqual([700]);
  });

  it('refuses at once a call whose signal has already aborted', async () => {
    const bucket = new TokenBucket(1, { now: () => Date.now() });
    const abort = new AbortController();
    abort.abort();
    await expect(bucket.take(abort.signal, 'lambda')).rejects.toMatchObject({ name: 'AbortError' });
    expect(bucket.reserve()).toBe(0); // no token was spent
  });

  it('slows down when throttled, to 0.7 of the rate it was sending at, and is back at the budget within seconds', async () => {
    const bucket = new TokenBucket(10, { now: () => Date.now() });
    // Sending at the budget for a few seconds.
    for (let i = 0; i < 30; i++) {
      await bucket.take();
      await vi.advanceTimersByTimeAsync(100);
    }
    bucket.throttled();
    expect(bucket.rate()).toBeCloseTo(7, 0);
    // Fourteen calls at once: a burst of one second's worth at the lower rate (7), the rest spaced
    // at 1/7 s; the last goes at 1 s where the budget's rate would have let it go at 0.4 s.
    const times = settleTimes(Array.from({ length: 14 }, () => bucket.take()));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(times.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(times[13]).toBeGreaterThanOrEqual(990);
    // Back at the budget (and never above it) a few seconds later.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(bucket.rate()).toBe(10);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bucket.rate()).toBe(10);
  });

  it('comes back with time even for a caller that sends little (the SDK\'s adaptive mode keeps it at its floor)', async () => {
    const bucket = new TokenBucket(5, { now: () => Date.now() });
    // Every call throttled for a while: the rate falls to its floor.
    for (let i = 0; i < 20; i++) {
      const taken = bucket.take();
      await vi.advanceTimersByTimeAsync(2_000);
      await taken;
      bucket.throttled();
    }
    expect(bucket.rate()).toBe(MIN_ADAPTIVE_RATE);
    // Then a few seconds with no call at all: the rate is back all the same, and a pass of eight
    // calls fits in a second.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(bucket.rate()).toBe(5);
    const pass = settleTimes(Array.from({ length: 8 }, () => bucket.take()));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(Math.max(...pass)).toBeLessThanOrEqual(1_000);
  });

  it('needs a positive rate', () => {
    expect(() => new TokenBucket(0)).toThrow(/positive number of calls per second/);
    expect(() => new TokenBucket(Number.NaN)).toThrow(/positive/);
  });
});

/** What the fake AWS endpoint received, by service, with the fake time of each request. */
let received: Array<{ service: string; at: number }>;
let throttleIam = false;

function respond(body: string, statusCode = 200, contentType = 'text/xml') {
  return { response: { statusCode, reason: '', headers: { 'content-type': contentType, 'x-amzn-requestid': 'r' }, body: Readable.from([Buffer.from(body)]) } };
}

const requestHandler = (service: string) => ({
  handle: async () => {
    received.push({ service, at: Date.now() });
    if (service === 'lambda') return respond(JSON.stringify({ Functions: [] }), 200, 'application/json');
    if (throttleIam) return respond('<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>', 400);
    return respond('<ListRolesResponse><ListRolesResult><Roles/><IsTruncated>false</IsTruncated></ListRolesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListRolesResponse>');
  },
});

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const iamClient = () => instrument(new IAMClient({ region: 'us-east-1', credentials, requestHandler: requestHandler('iam') }), 'iam');
const lambdaClient = () => instrument(new LambdaClient({ region: 'us-east-1', credentials, requestHandler: requestHandler('lambda') }), 'lambda');

/** Requests of `service` that have taken a token so far. */
async function waitCount(service: string): Promise<number> {
  const text = await registry.getSingleMetricAsString('bedrockforge_aws_rate_limit_wait_seconds');
  return Number(new RegExp(`_count\\{service="${service}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

function rates(overrides: Partial<AwsRates>): AwsRates {
  return { ...DEFAULTS.awsQps, ...overrides };
}

describe('instrumented SDK clients', () => {
  // A client's first call reads the shared config files (~/.aws/config, cached for the process):
  // real I/O, which fake time cannot wait for. Made once with real timers, so that the timings
  // below depend on the fake clock alone (a loaded CI machine made the first test hang).
  beforeAll(async () => {
    received = [];
    await iamClient().send(new ListRolesCommand({}));
    await lambdaClient().send(new ListFunctionsCommand({}));
  });

  beforeEach(() => {
    received = [];
    throttleIam = false;
  });

  it('share one budget per service across clients, and do not hold up other services', async () => {
    configureAwsRateLimits(rates({ iam: 1, lambda: 1 }), () => Date.now());
    const start = Date.now();
    const [a, b] = [iamClient(), iamClient()];
    const lambda = lambdaClient();
    const calls: Array<Promise<unknown>> = [a, b, a, b].map((c) => c.send(new ListRolesCommand({})));
    calls.push(lambda.send(new ListFunctionsCommand({})));
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(calls);
    const at = (service: string) => received.filter((r) => r.service === service).map((r) => r.at - start);
    // One IAM request a second whichever client sends it (the burst of a 1/s budget is 1).
    expect(at('iam')).toEqual([0, 1000, 2000, 3000]);
    // Lambda's request went at once, while IAM's were waiting.
    expect(at('lambda')).toEqual([0]);
    const waited = await registry.getSingleMetricAsString('bedrockforge_aws_rate_limit_wait_seconds');
    expect(waited).toMatch(/bedrockforge_aws_rate_limit_wait_seconds_sum\{service="iam"\} [1-9]/);
  });

  it('a request waiting for a token is aborted by its pass\'s signal and never sent', async () => {
    configureAwsRateLimits(rates({ iam: 0.1 }), () => Date.now());
    const client = iamClient();
    await client.send(new ListRolesCommand({}));
    const deadline = new AbortController();
    const waiting = withSignal(deadline.signal, () => client.send(new ListRolesCommand({})));
    const outcome = waiting.then(() => 'sent', (e: Error) => e.name);
    await vi.advanceTimersByTimeAsync(1_000);
    deadline.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(await outcome).toBe('AbortError');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(received).toHaveLength(1);
    const calls = await registry.getSingleMetricAsString('bedrockforge_aws_calls_total');
    expect(calls).toMatch(/service="iam",operation="ListRoles",outcome="AbortError"\} 1/);
  });

  it('retry throttling once, each attempt taking a token, and slow the service down', async () => {
    configureAwsRateLimits(rates({ iam: 1 }), () => Date.now());
    throttleIam = true;
    const client = iamClient();
    const strategy = await (client.config.retryStrategy as () => Promise<{ mode: string }>)();
    expect(strategy.mode).toBe('standard');
    // Every IAM client of the process shares the strategy, and so its retry quota.
    expect(await (iamClient().config.retryStrategy as () => Promise<unknown>)()).toBe(strategy);
    const tokensTaken = await waitCount('iam');
    let settled = false;
    const outcome = client.send(new ListRolesCommand({})).then(() => 'sent', (e: Error & { $metadata?: { attempts?: number } }) => `${e.name} after ${e.$metadata?.attempts}`)
      .finally(() => { settled = true; });
    for (let waited = 0; !settled && waited < 30_000; waited += 100) await vi.advanceTimersByTimeAsync(100);
    expect(await outcome).toBe(`Throttling after ${DEFAULTS.awsMaxAttempts}`);
    expect(received).toHaveLength(DEFAULTS.awsMaxAttempts);
    // Throttled, the budget's rate went down (its gauge says so), and other services' did not.
    const gauge = await registry.getSingleMetricAsString('bedrockforge_aws_rate_limit_calls_per_second');
    expect(Number(/\{service="iam"\} ([\d.]+)/.exec(gauge)?.[1])).toBeLessThan(1);
    expect(gauge).toContain(`{service="lambda"} ${DEFAULTS.awsQps.lambda}`);
    // The retry took a token of the budget too, and so went about a second after the first attempt
    // (not the SDK's own backoff of a fraction of that). A request reaches the fake endpoint over
    // real loopback I/O while the loop above moves fake time on in steps of 100 ms, so each
    // receipt's fake time may be late by up to a step (CI once saw 999 ms).
    expect(await waitCount('iam') - tokensTaken).toBe(DEFAULTS.awsMaxAttempts);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(900);
    const retries = await registry.getSingleMetricAsString('bedrockforge_aws_retries_total');
    expect(retries).toMatch(/bedrockforge_aws_retries_total\{service="iam"\} [1-9]/);
    // And climbed back to the budget once AWS stopped throttling.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(rateLimiterFor('iam')!.rate()).toBe(1);
  });

  it('export the budget per service', async () => {
    configureAwsRateLimits(rates({ lambda: 12.5 }));
    const gauge = await registry.getSingleMetricAsString('bedrockforge_aws_rate_limit_calls_per_second');
    expect(gauge).toContain('bedrockforge_aws_rate_limit_calls_per_second{service="lambda"} 12.5');
    expect(gauge).toContain(`bedrockforge_aws_rate_limit_calls_per_second{service="iam"} ${DEFAULTS.awsQps.iam}`);
  });
});

describe('--aws-qps', () => {
  it('defaults to half or less of each service\'s published rate quota', () => {
    expect(parseAwsQps('')).toEqual(DEFAULTS.awsQps);
    // Lambda: 15 requests per second for most of its control plane; Bedrock Agents: 10 for its
    // List and Get*Alias/Version APIs (README, Performance).
    expect(DEFAULTS.awsQps.lambda).toBeLessThanOrEqual(15 / 2);
    expect(DEFAULTS.awsQps['bedrock-agent']).toBeLessThanOrEqual(10 / 2);
    expect(Object.keys(DEFAULTS.awsQps).sort()).toEqual([...AWS_SERVICES].sort());
  });

  it('overrides only the services it names', () => {
    expect(parseAwsQps('lambda=20, iam=2.5')).toEqual({ ...DEFAULTS.awsQps, lambda: 20, iam: 2.5 });
  });

  it('refuses what is not a budget, saying what is wrong', () => {
    expect(() => parseAwsQps('lambda=0')).toThrow('--aws-qps: lambda=0: the rate must be a positive number of calls per second (e.g. lambda=7)');
    expect(() => parseAwsQps('iam=-1')).toThrow(/iam=-1: the rate must be a positive number/);
    expect(() => parseAwsQps('iam=fast')).toThrow(/iam=fast: the rate must be a positive number/);
    expect(() => parseAwsQps('iam=Infinity')).toThrow(/positive number/);
    expect(() => parseAwsQps('s3=5')).toThrow('--aws-qps: unknown service "s3"; the services are iam, lambda, bedrock-agent, bedrock, bedrock-agentcore, sts');
    expect(() => parseAwsQps('iam')).toThrow('--aws-qps takes service=calls-per-second pairs separated by commas (e.g. iam=10,lambda=7), not "iam"');
    expect(() => parseAwsQps('iam=1,iam=2')).toThrow('--aws-qps: iam is given twice');
  });

  it('is read by the run command, which refuses a bad budget before it starts anything', async () => {
    const { runCommand } = await import('../../src/cli/run-command.ts');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runCommand(['--aws-qps', 'iam=10,lambda=none'])).toBe(1);
      expect(errors).toHaveBeenCalledWith('--aws-qps: lambda=none: the rate must be a positive number of calls per second (e.g. lambda=7)');
      vi.stubEnv('AWS_QPS', 'sqs=1');
      expect(await runCommand([])).toBe(1);
      expect(errors).toHaveBeenLastCalledWith(expect.stringContaining('unknown service "sqs"'));
    } finally {
      errors.mockRestore();
      vi.unstubAllEnvs();
    }
  }, 30_000); // importing the run command loads every controller and the SDK clients

  it('sets the buckets the clients take their tokens from', () => {
    configureAwsRateLimits(parseAwsQps('bedrock-agentcore=3'));
    expect(rateLimiterFor('bedrock-agentcore')?.qps).toBe(3);
    expect(rateLimiterFor('iam')?.qps).toBe(DEFAULTS.awsQps.iam);
    expect(rateLimiterFor('s3')).toBeUndefined();
  });
});
