// `bedrock-forge-operator run`: the operator process. It uses the current kubeconfig and the
// default AWS credential chain (AWS_ENDPOINT_URL honoured).
import { AGENT_RUNTIMES, type AgentRuntime } from '../api/agent.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { PooledKubeConfig } from '../runtime/pooled-kubeconfig.ts';
import { createLogger } from '../log.ts';
import { AwsEnvironment } from '../aws/aws-environment.ts';
import { agentController } from '../kinds/agent/agent-controller.ts';
import { flowController } from '../kinds/flow/flow-controller.ts';
import { promptController } from '../kinds/prompt/prompt-controller.ts';
import { partControllers } from '../kinds/agent-parts/part-controllers.ts';
import { guardrailController } from '../kinds/guardrail/guardrail-controller.ts';
import { iamRoleController } from '../kinds/iamrole/iamrole-controller.ts';
import { lambdaController } from '../kinds/lambda/lambda-controller.ts';
import type { OperatorContext } from '../kinds/operator-context.ts';
import { PlatformRules } from '../kinds/platform-rules.ts';
import { RoleDocumentsReader } from '../kinds/role-documents.ts';
import { IAMClient } from '@aws-sdk/client-iam';
import { instrument } from '../aws/sdk-clients.ts';
import { AWS_SERVICES, configureAwsRateLimits, formatAwsQps, parseAwsQps, type AwsRates } from '../aws/rate-limits.ts';
import { TenancyPolicy } from '../kinds/tenancy-policy.ts';
import { checkWorkloadIdentitySettings, type WorkloadIdentitySettings } from '../kinds/iamrole/service-account-trust.ts';
import type { DeletionPolicy } from '../api/metadata.ts';
import { DEFAULTS } from '../runtime/defaults.ts';
import { SharedInformers } from '../runtime/informers.ts';
import { DEFAULT_BACKOFF, RetryBudget } from '../runtime/work-queue.ts';
import { registry } from '../runtime/metrics.ts';
import { SEVERITIES, type Severity } from '../iam/findings.ts';
import { adjustableQuota, DEFAULT_ROLE_QUOTAS, type RoleQuotas } from '../iam/iam-rules.ts';
import { listeningPort, parseBindAddress, serveEndpoints } from './http-endpoints.ts';
import { startLeaderElection } from '../runtime/leader-election.ts';

export const runUsage = `Usage: bedrock-forge-operator run [options]

Runs the operator against the current kubeconfig (KUBECONFIG, or in-cluster) and the default AWS
credential chain; AWS_ENDPOINT_URL points it at another endpoint (the local emulator).

  --cluster-name NAME         names this cluster in the ownership tags of AWS resources (default: default)
  --resync SECONDS            drift check per resource (default ${DEFAULTS.resyncSeconds})
  --reconcile-timeout SECONDS how long one reconcile may take before its AWS and Kubernetes calls are
                              aborted and it is retried with backoff (default ${DEFAULTS.reconcileTimeoutSeconds})
  --workers N                 concurrent reconciles per kind (default ${DEFAULTS.workers})
  --deletion-policy POLICY    delete (default) or retain: what deleting a resource does in AWS,
                              unless its annotation bedrockforge.io/deletion-policy says otherwise
  --agent-runtime RUNTIME     where an Agent without spec.runtime runs: classic (Amazon Bedrock Agents,
                              the default) or agentcore (Amazon Bedrock AgentCore; accounts that Bedrock
                              Agents no longer takes need it)
  --leader-elect BOOL          only the replica holding the Lease works (default true)
  --leader-election-namespace NS   namespace of the Lease (default: POD_NAMESPACE, else default)
  --lease-duration SECONDS     how long a dead leader's Lease blocks the others (default ${DEFAULTS.leaseDurationSeconds})
  --renew-deadline SECONDS     how long a leader tries to renew before it stops (default ${DEFAULTS.renewDeadlineSeconds})
  --retry-period SECONDS       time between acquire and renew attempts (default ${DEFAULTS.retryPeriodSeconds})
  --shutdown-timeout SECONDS   on SIGTERM, how long reconciles in flight may finish before they are
                               aborted (default ${DEFAULTS.shutdownTimeoutSeconds})
  --health-probe-bind-address ADDR   where /healthz and /readyz listen (default ${DEFAULTS.healthProbeBindAddress}: every
                              interface; 127.0.0.1:0 picks a free port on loopback)
  --metrics-bind-address ADDR  where /metrics listens (default ${DEFAULTS.metricsBindAddress}; 0 disables it; the
                              same address as the probes serves both from one port)
  --aws-qps LIST              the budget on AWS: calls per second per service, shared by every controller,
                              as comma-separated service=rate pairs that override the defaults
                              (${formatAwsQps(DEFAULTS.awsQps)}); services: ${AWS_SERVICES.join(', ')}

What application teams may do through the operator:
  --permissions-boundary ARN  every IAM role the operator creates or manages gets this managed policy as
                              its permissions boundary; an IAMRole asking for another one is refused
  --adopt-namespaces LIST     comma-separated namespaces whose objects may adopt AWS resources the
                              operator did not create (annotation bedrockforge.io/adopt); * for all
                              (default *), empty for none
  --external-role-arns LIST   comma-separated role ARNs, * as a wildcard, that Lambdas and Agents may
                              name directly instead of an IAMRole of their namespace (default *)
  --refuse-findings SEVERITY  refuse, before anything is created or changed, objects whose policies have
                              findings of this severity or higher: high, medium, low or none (default none)
  --required-tags LIST        comma-separated tag keys every IAMRole, Lambda and Agent must set in spec.tags
                              (generated roles inherit their owner's tags); default none

The cluster whose ServiceAccounts IAMRoles may trust (spec.serviceAccount):
  --eks-cluster-arn ARN       the EKS cluster, for EKS Pod Identity (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)
  --eks-oidc-provider-arn ARN the IAM OIDC provider of the cluster's ServiceAccount tokens, for IRSA
                              (arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID)

The IAM quotas of the AWS account, where AWS lets an account raise them:
  --iam-trust-policy-quota CHARS     size of a role's trust policy (default 2048, at most 4096)
  --iam-managed-policies-quota N     managed policies per role (default 10, at most 20)`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'cluster-name': { type: 'string', default: process.env.CLUSTER_NAME ?? 'default' },
      resync: { type: 'string', default: String(DEFAULTS.resyncSeconds) },
      'reconcile-timeout': { type: 'string', default: String(DEFAULTS.reconcileTimeoutSeconds) },
      workers: { type: 'string', default: String(DEFAULTS.workers) },
      'deletion-policy': { type: 'string', default: 'delete' },
      'agent-runtime': { type: 'string', default: process.env.AGENT_RUNTIME ?? 'classic' },
      'health-probe-bind-address': { type: 'string', default: DEFAULTS.healthProbeBindAddress },
      'metrics-bind-address': { type: 'string', default: DEFAULTS.metricsBindAddress },
      'leader-elect': { type: 'string', default: 'true' },
      'leader-election-namespace': { type: 'string', default: process.env.POD_NAMESPACE ?? 'default' },
      'lease-duration': { type: 'string', default: String(DEFAULTS.leaseDurationSeconds) },
      'renew-deadline': { type: 'string', default: String(DEFAULTS.renewDeadlineSeconds) },
      'retry-period': { type: 'string', default: String(DEFAULTS.retryPeriodSeconds) },
      'shutdown-timeout': { type: 'string', default: String(DEFAULTS.shutdownTimeoutSeconds) },
      'permissions-boundary': { type: 'string', default: process.env.PERMISSIONS_BOUNDARY },
      'adopt-namespaces': { type: 'string', default: process.env.ADOPT_NAMESPACES ?? '*' },
      'external-role-arns': { type: 'string', default: process.env.EXTERNAL_ROLE_ARNS ?? '*' },
      'refuse-findings': { type: 'string', default: process.env.REFUSE_FINDINGS ?? 'none' },
      'required-tags': { type: 'string', default: process.env.REQUIRED_TAGS ?? '' },
      'iam-trust-policy-quota': { type: 'string', default: String(DEFAULT_ROLE_QUOTAS.trustPolicyChars) },
      'iam-managed-policies-quota': { type: 'string', default: String(DEFAULT_ROLE_QUOTAS.managedPoliciesPerRole) },
      'aws-qps': { type: 'string', default: process.env.AWS_QPS ?? '' },
      'eks-cluster-arn': { type: 'string', default: process.env.EKS_CLUSTER_ARN ?? '' },
      'eks-oidc-provider-arn': { type: 'string', default: process.env.EKS_OIDC_PROVIDER_ARN ?? '' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(runUsage);
    return 0;
  }
  const deletionPolicy = values['deletion-policy'];
  if (deletionPolicy !== 'delete' && deletionPolicy !== 'retain') {
    console.error(`--deletion-policy must be delete or retain, not ${deletionPolicy}`);
    return 1;
  }
  const agentRuntime = values['agent-runtime'];
  if (!(AGENT_RUNTIMES as readonly string[]).includes(agentRuntime)) {
    console.error(`--agent-runtime must be ${AGENT_RUNTIMES.join(' or ')}, not ${agentRuntime}`);
    return 1;
  }
  const refuse = values['refuse-findings'];
  if (refuse !== 'none' && !(SEVERITIES as readonly string[]).includes(refuse)) {
    console.error(`--refuse-findings must be high, medium, low or none, not ${refuse}`);
    return 1;
  }
  let iamQuotas: RoleQuotas;
  try {
    iamQuotas = {
      trustPolicyChars: adjustableQuota('trustPolicyChars', Number(values['iam-trust-policy-quota']), '--iam-trust-policy-quota'),
      managedPoliciesPerRole: adjustableQuota('managedPoliciesPerRole', Number(values['iam-managed-policies-quota']), '--iam-managed-policies-quota'),
    };
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const workloadIdentity: WorkloadIdentitySettings = {
    ...(values['eks-cluster-arn'] ? { eksClusterArn: values['eks-cluster-arn'] } : {}),
    ...(values['eks-oidc-provider-arn'] ? { oidcProviderArn: values['eks-oidc-provider-arn'] } : {}),
  };
  const workloadIdentityProblem = checkWorkloadIdentitySettings(workloadIdentity);
  if (workloadIdentityProblem) {
    console.error(workloadIdentityProblem);
    return 1;
  }
  let awsQps: AwsRates;
  try {
    awsQps = parseAwsQps(values['aws-qps']);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  // Before any SDK client is made: every client of a service shares that service's bucket.
  configureAwsRateLimits(awsQps);
  const log = createLogger();
  const kc = new PooledKubeConfig();
  kc.loadFromDefault();
  log.info({
    server: kc.getCurrentCluster()?.server, awsEndpoint: process.env.AWS_ENDPOINT_URL ?? 'default',
    permissionsBoundary: values['permissions-boundary'] || 'none', adoptNamespaces: values['adopt-namespaces'], externalRoleArns: values['external-role-arns'],
    agentRuntime, refuseFindings: refuse, requiredTags: values['required-tags'] || 'none', iamQuotas, awsQps, workloadIdentity,
  }, 'starting');

  let ready = false;
  const servers = await serveEndpoints([
    { address: parseBindAddress(values['health-probe-bind-address'], '--health-probe-bind-address'), paths: {
      '/healthz': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
      '/readyz': (_req, res) => res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ok\n' : 'not ready\n'),
    } },
    { address: parseBindAddress(values['metrics-bind-address'], '--metrics-bind-address'), paths: {
      '/metrics': (_req, res) => void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text)),
    } },
  ]);
  const [health, metrics] = servers;
  if (health) log.info({ port: listeningPort(health), address: values['health-probe-bind-address'] }, 'health endpoints listening');
  if (metrics) log.info({ port: listeningPort(metrics), address: values['metrics-bind-address'] }, 'metrics endpoint listening');
  const closeServers = () => { for (const server of new Set(servers)) server?.close(); };

  const informers = new SharedInformers(kc, log);
  const aws = new AwsEnvironment();
  const context: OperatorContext = {
    kc, log, informers, aws, retryBudget: new RetryBudget(DEFAULT_BACKOFF.qps, DEFAULT_BACKOFF.burst),
    cluster: values['cluster-name'], workers: Number(values.workers),
    resyncMs: Number(values.resync) * 1000, reconcileTimeoutMs: Number(values['reconcile-timeout']) * 1000, defaultDeletionPolicy: deletionPolicy as DeletionPolicy,
    agentRuntime: agentRuntime as AgentRuntime,
    tenancy: new TenancyPolicy({
      permissionsBoundary: values['permissions-boundary'] || undefined,
      adoptNamespaces: list(values['adopt-namespaces']),
      externalRoleArns: list(values['external-role-arns']),
    }),
    platform: new PlatformRules({ iamQuotas, requiredTags: list(values['required-tags']) }),
    roleDocuments: new RoleDocumentsReader(instrument(new IAMClient({ region: aws.region }), 'iam')),
    workloadIdentity,
    ...(refuse !== 'none' ? { refuseFindingsAt: refuse as Severity } : {}),
  };
  const stopRequested = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const elector = values['leader-elect'] === 'false' ? undefined : startLeaderElection({
    kc, log, namespace: values['leader-election-namespace'], name: 'bedrock-forge-operator', identity: `${hostname()}_${randomUUID()}`,
    leaseDurationMs: Number(values['lease-duration']) * 1000,
    renewDeadlineMs: Number(values['renew-deadline']) * 1000,
    retryPeriodMs: Number(values['retry-period']) * 1000,
  });
  ready = true; // A replica waiting for the Lease is healthy and ready to take over.
  if (elector) {
    log.info('waiting to become leader');
    const outcome = await Promise.race([elector.acquired.then(() => 'leader'), stopRequested]);
    if (outcome !== 'leader') {
      await elector.release();
      closeServers();
      return 0;
    }
    log.info('became leader');
  }
  const lost = new Promise<string>((resolve) => elector?.onLost(() => resolve('lost')));

  const controllers = [await iamRoleController(context), await lambdaController(context), await agentController(context), await flowController(context),
    await promptController(context), guardrailController(context), ...await partControllers(context)];
  await Promise.all(controllers.map((c) => c.start()));
  log.info({ kinds: controllers.map((c) => c.kind) }, 'watching');

  const why = await Promise.race([stopRequested, lost]);
  ready = false;
  if (why === 'lost') {
    // Another replica may already be working: stop at once, finish nothing.
    log.error('leadership lost; exiting');
    await Promise.all(controllers.map((c) => c.stop(0)));
    await informers.stop();
    closeServers();
    return 1;
  }
  log.info({ signal: why }, 'stopping: finishing reconciles in flight');
  await Promise.all(controllers.map((c) => c.stop(Number(values['shutdown-timeout']) * 1000)));
  await informers.stop();
  await elector?.release();
  closeServers();
  log.info('stopped');
  return 0;
}

/** A comma-separated flag value as a list, without blanks. */
function list(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}
