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
  // Every role of the account in a few listings, no older than half a resync period: a role that
  // drifts is seen by its next resync after that (src/aws/iam/role-snapshot.ts).
  const snapshot = new RoleSnapshot(iam, ctx.resyncMs / 2);
  return new Controller({ ...controllerBase(ctx), kind: IAMRoleKind, client: new IAMRoleExternalClient(iam, ownershipGuard(ctx), ctx.tenancy, ctx.platform, snapshot) });
}
