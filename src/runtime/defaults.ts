// The operator's defaults, in one place: the flags of `bedrock-forge-operator run`, the
// controllers and leader election all read them from here.
export const DEFAULTS = {
  /** Concurrent reconciles per kind. */
  workers: 4,
  /**
   * Seconds between drift checks of one resource (±10% jitter); IAMRoles are checked when the
   * account's role listing, loaded every half of this, shows their role changed
   * (iamrole-controller.ts), so a change made to a role in the console is reverted within a
   * minute. In sync, an IAMRole costs almost nothing (account-wide listings), a Lambda about one
   * call and an Agent under two; past a few hundred Lambdas or Agents the budget on AWS (awsQps)
   * sets the pace instead, and drift checks wait behind changes (work-queue.ts).
   */
  resyncSeconds: 45,
  /** Seconds one reconcile may take before its AWS and Kubernetes calls are aborted and it is retried. */
  reconcileTimeoutSeconds: 60,
  /** On SIGTERM, seconds reconciles in flight may take to finish before they are aborted. */
  shutdownTimeoutSeconds: 20,
  /** Leader election (the Lease's timings, as client-go's defaults). */
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
  /** Where the kubelet's probes and Prometheus reach the operator: every interface (controller-runtime's defaults). */
  healthProbeBindAddress: ':8081',
  metricsBindAddress: ':8080',
  /**
   * The budget on AWS: calls per second per service, shared by every controller of the process
   * (src/aws/rate-limits.ts; flag --aws-qps). About half of each service's published control-plane
   * rate quota, which the account shares with everything else in it (README, Performance):
   * Lambda allows 15 requests per second for most control-plane APIs, Bedrock Agents 10 per
   * second for its List and Get*Alias/Version APIs; IAM publishes no rate; sts is one call per
   * process.
   */
  awsQps: { iam: 10, lambda: 7, 'bedrock-agent': 5, bedrock: 5, 'bedrock-agentcore': 5, sts: 5 },
  /**
   * Attempts the AWS SDK makes per call (standard retry mode, src/aws/sdk-clients.ts, which says
   * why 3): a call that still fails fails its pass, which the work queue retries with per-key
   * backoff.
   */
  awsMaxAttempts: 3,
} as const;
