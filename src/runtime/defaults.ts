// The operator's defaults, in one place: the flags of `bedrock-forge-operator run`, the
// controllers and leader election all read them from here.
export const DEFAULTS = {
  /** Concurrent reconciles per kind. */
  workers: 4,
  /** Seconds between drift checks of one resource (±10% jitter). */
  resyncSeconds: 600,
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
} as const;
