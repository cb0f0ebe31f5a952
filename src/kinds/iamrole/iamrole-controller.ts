// The IAMRole controller: the generic loop with the IAM role client.
import { IAMClient } from '@aws-sdk/client-iam';
import { IAMRoleKind } from '../../api/kinds.ts';
import { RoleSnapshot } from '../../aws/iam/role-snapshot.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller } from '../../runtime/controller.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { IAMRoleExternalClient } from './iamrole-client.ts';

export function iamRoleController(ctx: OperatorContext) {
  // IAM is global; the SDK still wants a region.
  const iam = instrument(new IAMClient({ region: ctx.aws.region }), 'iam');
  // Every role of the account in a few listings (src/aws/iam/role-snapshot.ts), loaded again once
  // older than a ninth of a resync period and answering until twice that while the next load runs:
  // a role that drifts is seen by its first resync after a load that followed the change, so
  // within 1.1 + 2/9 resync periods (59.5 s at the default 45 s). The listings cost IAM a call per
  // 500 roles per load.
  const snapshot = new RoleSnapshot(iam, ctx.resyncMs / 9);
  return new Controller({ ...controllerBase(ctx), kind: IAMRoleKind, client: new IAMRoleExternalClient(iam, ownershipGuard(ctx), ctx.tenancy, ctx.platform, snapshot) });
}
