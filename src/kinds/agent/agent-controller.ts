// The Agent controller: the generic loop with the Agent's two runtimes (Bedrock Agents and
// Bedrock AgentCore, agent-runtimes.ts), and the watches that
// bring an Agent back when something it depends on changes: the IAMRole it runs as (named, or
// generated for it) and the Lambdas its action groups call.
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AgentSpec } from '../../api/agent.ts';
import { AgentKind, GuardrailKind, IAMRoleKind, LambdaKind, type AgentResource, type GuardrailResource, type IAMRoleResource, type LambdaResource } from '../../api/kinds.ts';
import { referenceName } from '../../api/common.ts';
import { AgentSnapshot } from '../../aws/bedrock-agent/agent-snapshot.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller } from '../../runtime/controller.ts';
import { cached, cachedList, customKind, keyOf, type KindInformer } from '../../runtime/informers.ts';
import { patchAnnotations } from '../../runtime/kube-writes.ts';
import { agentUsesLambda } from '../agent-lambda-link.ts';
import { GeneratedRoles, ownerKeys } from '../generated-roles.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { AgentExternalClient, type AgentLookups } from './agent-client.ts';
import { namedIAMRole } from './agent-references.ts';
import { AgentRuntimes } from './agent-runtimes.ts';
import { AgentCoreExternalClient } from './agentcore/agentcore-client.ts';

export async function agentController(ctx: OperatorContext) {
  const bedrock = instrument(new BedrockAgentClient({ region: ctx.aws.region }), 'bedrock-agent');
  const [agents, roles, lambdas, guardrails] = await Promise.all([
    ctx.informers.informer(customKind(AgentKind)),
    ctx.informers.informer(customKind(IAMRoleKind)),
    ctx.informers.informer(customKind(LambdaKind)),
    ctx.informers.informer(customKind(GuardrailKind)),
  ]);
  const lookups: AgentLookups = {
    iamRole: (namespace, name) => cached<IAMRoleResource>(roles, namespace, name),
    lambda: (namespace, name) => cached<LambdaResource>(lambdas, namespace, name),
    guardrail: (namespace, name) => cached<GuardrailResource>(guardrails, namespace, name),
    annotateLambda: (namespace, name, annotations) => patchAnnotations(ctx.kc, LambdaKind, namespace, name, annotations),
  };
  const generated = new GeneratedRoles(ctx.kc, lookups.iamRole);
  // A preparation that failed is tried again no more than once in ten minutes, however short the resync.
  const retryFailedPrepareMs = Math.max(ctx.resyncMs, 600_000);
  const classic = new AgentExternalClient(bedrock, ctx.aws, lookups, generated, ownershipGuard(ctx), ctx.tenancy, retryFailedPrepareMs, ctx.platform, ctx.roleDocuments,
    new AgentSnapshot(bedrock, ctx.resyncMs / 2));
  const agentcore = new AgentCoreExternalClient(
    instrument(new BedrockAgentCoreControlClient({ region: ctx.aws.region }), 'bedrock-agentcore'), ctx.aws, lookups, generated, ownershipGuard(ctx), ctx.tenancy, ctx.platform, ctx.roleDocuments);
  const client = new AgentRuntimes(classic, agentcore, ctx.agentRuntime, ctx.defaultDeletionPolicy);
  return new Controller({
    ...controllerBase(ctx),
    kind: AgentKind,
    client,
    watches: [
      { type: customKind(IAMRoleKind), keysFor: (role) => [...agentsWhere(agents, role, (s) => namedIAMRole(s)?.name === role.metadata?.name), ...ownerKeys(role, AgentKind.kind)] },
      { type: customKind(LambdaKind), keysFor: (lambda) => agentsWhere(agents, lambda, (_, a) => agentUsesLambda(a, lambda.metadata?.name ?? '')) },
      { type: customKind(GuardrailKind), keysFor: (g) => agentsWhere(agents, g, (s) => s.guardrail?.name !== undefined && referenceName(s.guardrail.name) === g.metadata?.name) },
    ],
  });
}

function agentsWhere(agents: KindInformer, related: KubernetesObject, match: (spec: AgentSpec, agent: AgentResource) => boolean): string[] {
  return cachedList<AgentResource>(agents, related.metadata?.namespace).filter((a) => match(a.spec, a)).map(keyOf);
}
