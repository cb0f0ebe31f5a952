// The IAMRole controller: the generic loop with the IAM role client.
import { IAMClient } from '@aws-sdk/client-iam';
import { IAMRoleKind } from '../../api/kinds.ts';
import { RoleSnapshot } from '../../aws/iam/role-snapshot.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller } from '../../runtime/controller.ts';
import { errorMessage } from '../../runtime/errors.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { IAMRoleExternalClient, roleNameOf } from './iamrole-client.ts';

/** Resync periods between a role's own drift checks, which the watched listing makes a backstop. */
const BACKSTOP_RESYNCS = 10;

export function iamRoleController(ctx: OperatorContext) {
  // IAM is global; the SDK still wants a region.
  const iam = instrument(new IAMClient({ region: ctx.aws.region }), 'iam');
  // Every role of the account in a few listings (src/aws/iam/role-snapshot.ts), loaded every half
  // resync period and compared with the load before: a role that changed in AWS has its drift
  // check queued as soon as the load that shows it ends, so drift is found within half a resync
  // plus a load (bedrockforge_aws_listing_load_seconds), without a pass of every role
  // every resync, which at 10,000 roles kept two cores busy. A role's own periodic check comes only
  // every BACKSTOP_RESYNCS resyncs, as a backstop. An observe is answered from a load up to half a
  // resync old (a resync while the next load runs). The listings cost IAM a call per 500 roles
  // per load.
  const listingPeriodMs = ctx.resyncMs / 2;
  const snapshot = new RoleSnapshot(iam, listingPeriodMs);
  return new Controller({
    ...controllerBase(ctx),
    resyncMs: ctx.resyncMs * BACKSTOP_RESYNCS,
    kind: IAMRoleKind,
    client: new IAMRoleExternalClient(iam, ownershipGuard(ctx), ctx.tenancy, ctx.platform, snapshot),
    awsChanges: {
      watch: (changed, wanted) => snapshot.watch(listingPeriodMs, changed, (error) =>
        ctx.log.warn({ kind: IAMRoleKind.kind, err: errorMessage(error) }, 'the account\'s role listing failed; trying again at the next period'), wanted),
      nameOf: roleNameOf,
    },
  });
}
