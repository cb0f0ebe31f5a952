// The Agent controller: the generic loop with the Agent's two runtimes (Bedrock Agents and
// Bedrock AgentCore, agent-runtimes.ts), and the watches that
// bring an Agent back when something it depends on changes: the IAMRole it runs as (named, or
// generated for it), the Lambdas its action groups call, the Guardrail and the Prompts it names, and
// its parts written as objects of their own (ActionGroup, AgentKnowledgeBaseAssociation), which it
// merges in (agent-with-parts.ts).
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AgentSpec } from '../../api/agent.ts';
import {
  ActionGroupKind, AgentKind, AgentKnowledgeBaseAssociationKind, GuardrailKind, IAMRoleKind, LambdaKind, PromptKind, type AgentResource, type GuardrailResource,
  type IAMRoleResource, type LambdaResource, type PromptResource,
} from '../../api/kinds.ts';
import { referenceName } from '../../api/common.ts';
import { AgentSnapshot } from '../../aws/bedrock-agent/agent-snapshot.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller } from '../../runtime/controller.ts';
import { cached, cachedList, customKind, keyOf, type KindInformer } from '../../runtime/informers.ts';
import { patchAnnotations } from '../../runtime/kube-writes.ts';
import { agentUsesLambda } from '../agent-lambda-link.ts';
import { agentOfPart, type PartResource } from '../agent-parts/merge-parts.ts';
import { partLists } from '../agent-parts/part-lists.ts';
import { GeneratedRoles, ownerKeys } from '../generated-roles.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { AgentExternalClient, type AgentLookups } from './agent-client.ts';
import { namedIAMRole } from './agent-references.ts';
import { AgentRuntimes } from './agent-runtimes.ts';
import { AgentWithParts } from './agent-with-parts.ts';
import { promptsNamed } from './prompt-overrides.ts';
import { AgentCoreExternalClient } from './agentcore/agentcore-client.ts';

export async function agentController(ctx: OperatorContext) {
  const bedrock = instrument(new BedrockAgentClient({ region: ctx.aws.region }), 'bedrock-agent');
  const [agents, roles, lambdas, prompts, parts, guardrails] = await Promise.all([
    ctx.informers.informer(customKind(AgentKind)),
    ctx.informers.informer(customKind(IAMRoleKind)),
    ctx.informers.informer(customKind(LambdaKind)),
    ctx.informers.informer(customKind(PromptKind)),
    partLists(ctx.informers),
    ctx.informers.informer(customKind(GuardrailKind)),
  ]);
  const lookups: AgentLookups = {
    iamRole: (namespace, name) => cached<IAMRoleResource>(roles, namespace, name),
    lambda: (namespace, name) => cached<LambdaResource>(lambdas, namespace, name),
    prompt: (namespace, name) => cached<PromptResource>(prompts, namespace, name),
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
  const client = new AgentWithParts(new AgentRuntimes(classic, agentcore, ctx.agentRuntime, ctx.defaultDeletionPolicy), parts);
  const agentOf = (part: KubernetesObject) => [`${part.metadata?.namespace ?? ''}/${agentOfPart(part as PartResource)}`];
  return new Controller({
    ...controllerBase(ctx),
    kind: AgentKind,
    client,
    watches: [
      { type: customKind(IAMRoleKind), keysFor: (role) => [...agentsWhere(agents, role, (s) => namedIAMRole(s)?.name === role.metadata?.name), ...ownerKeys(role, AgentKind.kind)] },
      { type: customKind(LambdaKind), keysFor: (lambda) => agentsWhere(agents, lambda, (_, a) => agentUsesLambda(parts.merged(a), lambda.metadata?.name ?? '')) },
      { type: customKind(ActionGroupKind), keysFor: agentOf },
      { type: customKind(AgentKnowledgeBaseAssociationKind), keysFor: agentOf },
      // The Prompt objects prompt overrides name (their templates are copied into the agent).
      { type: customKind(PromptKind), keysFor: (prompt) => agentsWhere(agents, prompt, (s) => promptsNamed(s).includes(prompt.metadata?.name ?? '')) },
      { type: customKind(GuardrailKind), keysFor: (g) => agentsWhere(agents, g, (s) => s.guardrail?.name !== undefined && referenceName(s.guardrail.name) === g.metadata?.name) },
    ],
  });
}

function agentsWhere(agents: KindInformer, related: KubernetesObject, match: (spec: AgentSpec, agent: AgentResource) => boolean): string[] {
  return cachedList<AgentResource>(agents, related.metadata?.namespace).filter((a) => match(a.spec, a)).map(keyOf);
}
