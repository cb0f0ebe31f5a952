// The Agent controller: the generic loop with the Bedrock agent client, and the watches that
// bring an Agent back when something it depends on changes: the IAMRole it runs as (named, or
// generated for it) and the Lambdas its action groups call.
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AgentSpec } from '../../api/agent.ts';
import { AgentKind, IAMRoleKind, LambdaKind } from '../../api/kinds.ts';
import { Controller } from '../../runtime/controller.ts';
import { cached, customKind, keyOf, type KindInformer } from '../../runtime/informers.ts';
import { patchAnnotations, type AnyResource } from '../../runtime/kube-writes.ts';
import { countAwsCalls } from '../../runtime/metrics.ts';
import { GeneratedRoles, ownerKeys } from '../generated-roles.ts';
import { agentUsesLambda } from '../lambda/lambda-client.ts';
import { controllerBase, type OperatorContext } from '../operator-context.ts';
import { BedrockAgentsClient, namedIAMRole } from './agent-client.ts';

export async function agentController(ctx: OperatorContext): Promise<Controller> {
  const bedrock = new BedrockAgentClient({ region: ctx.aws.region });
  countAwsCalls(bedrock, 'bedrock-agent');
  const [agents, roles, lambdas] = await Promise.all([
    ctx.informers.informer(customKind(AgentKind)),
    ctx.informers.informer(customKind(IAMRoleKind)),
    ctx.informers.informer(customKind(LambdaKind)),
  ]);
  const lookups = {
    iamRole: (namespace: string, name: string) => cached<AnyResource>(roles, namespace, name),
    lambda: (namespace: string, name: string) => cached<AnyResource>(lambdas, namespace, name),
  };
  const annotateLambda = (namespace: string, name: string, annotations: Record<string, string>) => patchAnnotations(ctx.kc, LambdaKind, namespace, name, annotations);
  const client = new BedrockAgentsClient(bedrock, ctx.aws, ctx.cluster, lookups, new GeneratedRoles(ctx.kc, lookups.iamRole), ctx.resyncMs, annotateLambda, ctx.tenancy);
  return new Controller({
    ...controllerBase(ctx),
    kind: AgentKind,
    client,
    recordCreatePending: true,
    watches: [
      { type: customKind(IAMRoleKind), keysFor: (role) => [...agentsWhere(agents, role, (s) => namedIAMRole(s)?.name === role.metadata?.name), ...ownerKeys(role, AgentKind.kind)] },
      { type: customKind(LambdaKind), keysFor: (lambda) => agentsWhere(agents, lambda, (_, a) => agentUsesLambda(a, lambda.metadata?.name ?? '')) },
    ],
  });
}

function agentsWhere(agents: KindInformer, related: KubernetesObject, match: (spec: AgentSpec, agent: AnyResource) => boolean): string[] {
  return (agents.list(related.metadata?.namespace) as AnyResource[]).filter((a) => match(a.spec as AgentSpec, a)).map(keyOf);
}
