// Prometheus metrics of the operator, served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { awsRateLimits } from '../aws/rate-limits.ts';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const reconciles = new Counter({
  name: 'bedrockforge_reconciles_total',
  help: 'Reconciles by kind and result (success, error, terminal, waiting).',
  labelNames: ['kind', 'result'] as const,
  registers: [registry],
});

export const reconcileDuration = new Histogram({
  name: 'bedrockforge_reconcile_duration_seconds',
  help: 'Time one reconcile took, by kind.',
  labelNames: ['kind'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const queueDepth = new Gauge({
  name: 'bedrockforge_queue_depth',
  help: 'Keys waiting in the work queue, by kind.',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const awsCalls = new Counter({
  name: 'bedrockforge_aws_calls_total',
  help: 'AWS API calls by service, operation and outcome (success or the error name).',
  labelNames: ['service', 'operation', 'outcome'] as const,
  registers: [registry],
});

export const awsRetries = new Counter({
  name: 'bedrockforge_aws_retries_total',
  help: 'AWS requests the SDK sent again after throttling, a 5xx or a network error, by service: each also took a token of the budget.',
  labelNames: ['service'] as const,
  registers: [registry],
});

export const listingLoads = new Histogram({
  name: 'bedrockforge_aws_listing_load_seconds',
  help: 'Time each load of an account-wide listing took (every IAM role, Lambda function or Bedrock agent of the account, which objects in sync are compared with), by listing and outcome.',
  labelNames: ['listing', 'outcome'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
  registers: [registry],
});

export const awsRateLimitWait = new Histogram({
  name: 'bedrockforge_aws_rate_limit_wait_seconds',
  help: 'Time each AWS request waited for a token of its service\'s budget (--aws-qps) before it was sent, by service.',
  labelNames: ['service'] as const,
  buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const awsRateLimit = new Gauge({
  name: 'bedrockforge_aws_rate_limit_calls_per_second',
  help: 'The budget on AWS: requests per second allowed now per service (--aws-qps, lower for a while after AWS throttled the service), shared by every controller.',
  labelNames: ['service'] as const,
  registers: [registry],
  collect() {
    for (const { service, qps } of awsRateLimits()) this.set({ service }, qps);
  },
});

export const driftCorrections = new Counter({
  name: 'bedrockforge_drift_corrections_total',
  help: 'Drift found in AWS and corrected, by kind.',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** Ready condition of each resource, by kind and key: what bedrockforge_resources counts. */
const readiness = new Map<string, Map<string, boolean>>();

export const resources = new Gauge({
  name: 'bedrockforge_resources',
  help: 'Resources this replica reconciles, by kind and whether they are Ready: alert on ready="false" that stays.',
  labelNames: ['kind', 'ready'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [kind, keys] of readiness) {
      const ready = [...keys.values()].filter(Boolean).length;
      this.set({ kind, ready: 'true' }, ready);
      this.set({ kind, ready: 'false' }, keys.size - ready);
    }
  },
});

/** Records whether a resource is Ready (undefined: it is gone). */
export function recordReadiness(kind: string, key: string, ready: boolean | undefined): void {
  let keys = readiness.get(kind);
  if (!keys) readiness.set(kind, (keys = new Map()));
  if (ready === undefined) keys.delete(key);
  else keys.set(key, ready);
}

const SEVERITIES = ['high', 'medium', 'low'] as const;

/** How many findings of each severity each resource's policies have, by kind and key: what bedrockforge_policy_findings counts. */
const findingsByKey = new Map<string, Map<string, Record<(typeof SEVERITIES)[number], number>>>();

export const policyFindings = new Gauge({
  name: 'bedrockforge_policy_findings',
  help: 'Findings of the policies of the resources this replica reconciles, by kind and severity (high, medium, low).',
  labelNames: ['kind', 'severity'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [kind, keys] of findingsByKey) {
      for (const severity of SEVERITIES) {
        this.set({ kind, severity }, [...keys.values()].reduce((n, counts) => n + counts[severity], 0));
      }
    }
  },
});

/** Records the findings of a resource (undefined: it is gone); only their counts are kept. */
export function recordFindings(kind: string, key: string, findings: Array<{ severity: string }> | undefined): void {
  let keys = findingsByKey.get(kind);
  if (!keys) findingsByKey.set(kind, (keys = new Map()));
  if (findings === undefined) keys.delete(key);
  else keys.set(key, Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<(typeof SEVERITIES)[number], number>);
}
