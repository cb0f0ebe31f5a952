// The Prompt controller: the generic loop with the Prompt's external client, and the watch that
// brings a Prompt back when an Agent one of its variants names changes (its alias ARN).
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { AgentKind, PromptKind, type AgentResource, type PromptResource } from '../../api/kinds.ts';
import { referenceName } from '../../api/common.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller } from '../../runtime/controller.ts';
import { cached, cachedList, customKind, keyOf } from '../../runtime/informers.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { PromptExternalClient } from './prompt-client.ts';

/** The names of the Agents a Prompt's variants name. */
export function promptAgents(prompt: PromptResource): string[] {
  return (prompt.spec.variants ?? []).flatMap((v) => (v.genAiResource?.agent.agentName ? [referenceName(v.genAiResource.agent.agentName)] : []));
}

export async function promptController(ctx: OperatorContext) {
  const bedrock = instrument(new BedrockAgentClient({ region: ctx.aws.region }), 'bedrock-agent');
  const [prompts, agents] = await Promise.all([
    ctx.informers.informer(customKind(PromptKind)),
    ctx.informers.informer(customKind(AgentKind)),
  ]);
  const client = new PromptExternalClient(bedrock, { agent: (namespace, name) => cached<AgentResource>(agents, namespace, name) }, ownershipGuard(ctx), ctx.platform);
  return new Controller({
    ...controllerBase(ctx),
    kind: PromptKind,
    client,
    watches: [{
      type: customKind(AgentKind),
      keysFor: (agent) => cachedList<PromptResource>(prompts, agent.metadata?.namespace).filter((p) => promptAgents(p).includes(agent.metadata?.name ?? '')).map(keyOf),
    }],
  });
}
