// The IAMRole controller: the generic loop with the IAM role client.
import { IAMClient } from '@aws-sdk/client-iam';
import { IAMRoleKind } from '../../api/kinds.ts';
import { Controller } from '../../runtime/controller.ts';
import { countAwsCalls } from '../../runtime/metrics.ts';
import { controllerBase, type OperatorContext } from '../operator-context.ts';
import { IAMRoleClient } from './iamrole-client.ts';

export function iamRoleController(ctx: OperatorContext): Controller {
  // IAM is global; the SDK still wants a region.
  const iam = new IAMClient({ region: ctx.aws.region });
  countAwsCalls(iam, 'iam');
  return new Controller({ ...controllerBase(ctx), kind: IAMRoleKind, client: new IAMRoleClient(iam, ctx.cluster, ctx.tenancy) });
}
