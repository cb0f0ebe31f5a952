// The Flow controller: the generic loop with the Flow's external client, and the watches that
// bring a Flow back when something its nodes name changes (an Agent and its aliases, a Lambda)
// or the IAMRole it runs as (named, or generated for it).
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import type { KubernetesObject } from '@kubernetes/client-node';
import { AgentKind, FlowKind, IAMRoleKind, LambdaKind, type AgentResource, type FlowResource, type IAMRoleResource, type LambdaResource } from '../../api/kinds.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller } from '../../runtime/controller.ts';
import { cached, cachedList, customKind, keyOf, type KindInformer } from '../../runtime/informers.ts';
import { GeneratedRoles, ownerKeys } from '../generated-roles.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { namedObjects } from './desired-flow.ts';
import { FlowExternalClient, type FlowLookups } from './flow-client.ts';

export async function flowController(ctx: OperatorContext) {
  const bedrock = instrument(new BedrockAgentClient({ region: ctx.aws.region }), 'bedrock-agent');
  const [flows, roles, lambdas, agents] = await Promise.all([
    ctx.informers.informer(customKind(FlowKind)),
    ctx.informers.informer(customKind(IAMRoleKind)),
    ctx.informers.informer(customKind(LambdaKind)),
    ctx.informers.informer(customKind(AgentKind)),
  ]);
  const lookups: FlowLookups = {
    iamRole: (namespace, name) => cached<IAMRoleResource>(roles, namespace, name),
    lambda: (namespace, name) => cached<LambdaResource>(lambdas, namespace, name),
    agent: (namespace, name) => cached<AgentResource>(agents, namespace, name),
  };
  // A preparation that failed is tried again no more than once in ten minutes, however short the resync.
  const retryFailedPrepareMs = Math.max(ctx.resyncMs, 600_000);
  const client = new FlowExternalClient(bedrock, ctx.aws, lookups, new GeneratedRoles(ctx.kc, lookups.iamRole), ownershipGuard(ctx), ctx.tenancy, retryFailedPrepareMs, ctx.platform, ctx.roleDocuments);
  return new Controller({
    ...controllerBase(ctx),
    kind: FlowKind,
    client,
    watches: [
      { type: customKind(IAMRoleKind), keysFor: (role) => [...flowsWhere(flows, role, (f) => f.spec.iamRole === role.metadata?.name), ...ownerKeys(role, FlowKind.kind)] },
      { type: customKind(AgentKind), keysFor: (agent) => flowsWhere(flows, agent, (f) => namedObjects(f.spec.definition).agents.includes(agent.metadata?.name ?? '')) },
      { type: customKind(LambdaKind), keysFor: (lambda) => flowsWhere(flows, lambda, (f) => namedObjects(f.spec.definition).lambdas.includes(lambda.metadata?.name ?? '')) },
    ],
  });
}

function flowsWhere(flows: KindInformer, related: KubernetesObject, match: (flow: FlowResource) => boolean): string[] {
  return cachedList<FlowResource>(flows, related.metadata?.namespace).filter(match).map(keyOf);
}
