// The IAMRole controller: the generic loop with the IAM role client.
import { IAMClient } from '@aws-sdk/client-iam';
import type { KubeConfig } from '@kubernetes/client-node';
import { IAMRoleKind } from '../../api/kinds.ts';
import type { Logger } from '../../log.ts';
import { Controller, type DeletionPolicy } from '../../runtime/controller.ts';
import { countAwsCalls } from '../../runtime/metrics.ts';
import { IAMRoleClient } from './iamrole-client.ts';

export interface KindControllerOptions {
  kc: KubeConfig;
  log: Logger;
  cluster: string;
  workers: number;
  resyncMs: number;
  defaultDeletionPolicy: DeletionPolicy;
}

export function iamRoleController(o: KindControllerOptions): Controller {
  // IAM is global; the SDK still wants a region (AWS_REGION, else us-east-1).
  const iam = new IAMClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
  countAwsCalls(iam, 'iam');
  return new Controller({ ...o, kind: IAMRoleKind, client: new IAMRoleClient(iam, o.cluster) });
}
