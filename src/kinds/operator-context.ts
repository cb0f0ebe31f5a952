// What every kind's controller is built from: the cluster, the AWS environment, the process-wide
// informers and retry budget, and the operator's flags.
import type { KubeConfig } from '@kubernetes/client-node';
import type { AgentRuntime } from '../api/agent.ts';
import type { Finding } from '../api/common.ts';
import type { DeletionPolicy } from '../api/metadata.ts';
import type { AwsEnvironment } from '../aws/aws-environment.ts';
import type { Logger } from '../log.ts';
import type { SharedInformers } from '../runtime/informers.ts';
import { DEFAULT_BACKOFF, WorkQueue, type RetryBudget } from '../runtime/work-queue.ts';
import { OwnershipGuard } from './ownership-guard.ts';
import type { PlatformRules } from './platform-rules.ts';
import type { RoleDocumentsReader } from './role-documents.ts';
import type { TenancyPolicy } from './tenancy-policy.ts';
import type { WorkloadIdentitySettings } from './iamrole/service-account-trust.ts';

export interface OperatorContext {
  kc: KubeConfig;
  log: Logger;
  aws: AwsEnvironment;
  informers: SharedInformers;
  /** The overall retry rate limit, shared by the work queues of all kinds. */
  retryBudget: RetryBudget;
  /** Names this cluster in the ownership tags of AWS resources. */
  cluster: string;
  workers: number;
  resyncMs: number;
  reconcileTimeoutMs: number;
  defaultDeletionPolicy: DeletionPolicy;
  /** Where an Agent without spec.runtime runs (--agent-runtime). */
  agentRuntime: AgentRuntime;
  /** What application teams may do through the operator (boundary, adoption, external roles). */
  tenancy: TenancyPolicy;
  /** Required tags and the account's IAM quotas, checked before any AWS call. */
  platform: PlatformRules;
  /** Refuse objects with findings at or above this severity (--refuse-findings). */
  refuseFindingsAt?: Finding['severity'];
  /** Reads the documents of the roles Agents and Lambdas use, for the access check. */
  roleDocuments: RoleDocumentsReader;
  /** The cluster an IAMRole's spec.serviceAccount trust names (--eks-cluster-arn, --eks-oidc-provider-arn); undefined: neither given. */
  workloadIdentity?: WorkloadIdentitySettings;
}

/** The generic parts of a kind's ControllerOptions. */
export function controllerBase(ctx: OperatorContext) {
  return {
    kc: ctx.kc, log: ctx.log, informers: ctx.informers, workers: ctx.workers, resyncMs: ctx.resyncMs, reconcileTimeoutMs: ctx.reconcileTimeoutMs,
    defaultDeletionPolicy: ctx.defaultDeletionPolicy, queue: new WorkQueue(DEFAULT_BACKOFF, ctx.retryBudget),
    ...(ctx.refuseFindingsAt ? { refuseFindingsAt: ctx.refuseFindingsAt } : {}),
  };
}

/** Who owns what in AWS, for this cluster and these tenancy rules. */
export function ownershipGuard(ctx: OperatorContext): OwnershipGuard {
  return new OwnershipGuard(ctx.cluster, ctx.tenancy);
}
