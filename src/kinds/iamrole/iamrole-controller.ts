// The IAMRole controller: the generic loop with the IAM role client, and the watches that bring a
// role back when an Agent or Flow its spec.grants name changes (its alias re-created, Ready).
import { IAMClient } from '@aws-sdk/client-iam';
import type { KubernetesObject } from '@kubernetes/client-node';
import { AgentKind, FlowKind, IAMRoleKind, type AgentResource, type FlowResource, type IAMRoleResource } from '../../api/kinds.ts';
import { RoleSnapshot } from '../../aws/iam/role-snapshot.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller } from '../../runtime/controller.ts';
import { errorMessage } from '../../runtime/errors.ts';
import { cached, cachedList, customKind, keyOf, type KindInformer } from '../../runtime/informers.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { grantedObjects } from './grants.ts';
import { IAMRoleExternalClient, roleNameOf } from './iamrole-client.ts';

/** Resync periods between a role's own drift checks, which the watched listing makes a backstop. */
const BACKSTOP_RESYNCS = 10;

export async function iamRoleController(ctx: OperatorContext) {
  // IAM is global; the SDK still wants a region.
  const iam = instrument(new IAMClient({ region: ctx.aws.region }), 'iam');
  const [roles, agents, flows] = await Promise.all([
    ctx.informers.informer(customKind(IAMRoleKind)),
    ctx.informers.informer(customKind(AgentKind)),
    ctx.informers.informer(customKind(FlowKind)),
  ]);
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
  const workload = {
    lookups: {
      agent: (namespace: string, name: string) => cached<AgentResource>(agents, namespace, name),
      flow: (namespace: string, name: string) => cached<FlowResource>(flows, namespace, name),
    },
    settings: ctx.workloadIdentity ?? {},
    aws: ctx.aws,
  };
  return new Controller({
    ...controllerBase(ctx),
    resyncMs: ctx.resyncMs * BACKSTOP_RESYNCS,
    kind: IAMRoleKind,
    client: new IAMRoleExternalClient(iam, ownershipGuard(ctx), ctx.tenancy, ctx.platform, snapshot, workload),
    awsChanges: {
      watch: (changed, wanted) => snapshot.watch(listingPeriodMs, changed, (error) =>
        ctx.log.warn({ kind: IAMRoleKind.kind, err: errorMessage(error) }, 'the account\'s role listing failed; trying again at the next period'), wanted),
      nameOf: roleNameOf,
    },
    watches: [
      { type: customKind(AgentKind), keysFor: (agent) => rolesGranting(roles, agent, 'agents') },
      { type: customKind(FlowKind), keysFor: (flow) => rolesGranting(roles, flow, 'flows') },
    ],
  });
}

/** The IAMRoles of the object's namespace whose grants name it. */
function rolesGranting(roles: KindInformer, related: KubernetesObject, kind: 'agents' | 'flows'): string[] {
  const name = related.metadata?.name ?? '';
  return cachedList<IAMRoleResource>(roles, related.metadata?.namespace)
    .filter((r) => grantedObjects(r.spec.grants)[kind].includes(name)).map(keyOf);
}
