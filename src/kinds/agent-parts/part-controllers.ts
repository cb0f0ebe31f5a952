// The ActionGroup and AgentKnowledgeBaseAssociation controllers: the generic loop with the part
// client (no AWS calls), brought back whenever the Agent they name changes (its status says which
// parts it holds) and whenever another part of the same Agent changes (a name it clashed with may
// be free now).
import type { KubernetesObject } from '@kubernetes/client-node';
import { ActionGroupKind, AgentKind, AgentKnowledgeBaseAssociationKind, type AgentResource, type KindDefinition } from '../../api/kinds.ts';
import { Controller } from '../../runtime/controller.ts';
import { cached, customKind, keyOf } from '../../runtime/informers.ts';
import { controllerBase, type OperatorContext } from '../operator-context.ts';
import { agentOfPart, type PartKind, type PartResource } from './merge-parts.ts';
import { PartClient } from './part-client.ts';
import { partLists } from './part-lists.ts';

export async function partControllers(ctx: OperatorContext): Promise<Controller[]> {
  const [agents, parts] = await Promise.all([ctx.informers.informer(customKind(AgentKind)), partLists(ctx.informers)]);
  const lookups = { ...parts, agent: (namespace: string, name: string) => cached<AgentResource>(agents, namespace, name) };
  /** The parts of `kind` naming the same Agent as `related` (an Agent, or a part). */
  const partsOf = (kind: PartKind, agentName: string, namespace: string | undefined): string[] =>
    (kind === 'ActionGroup' ? parts.actionGroups(namespace ?? '') : parts.associations(namespace ?? ''))
      .filter((p) => agentOfPart(p) === agentName).map(keyOf);
  const controller = (kind: PartKind, definition: KindDefinition) => new Controller({
    ...controllerBase(ctx),
    // A part's deletion is its Agent's change in AWS, whatever the operator's default policy.
    defaultDeletionPolicy: 'delete',
    kind: definition,
    client: new PartClient(kind, lookups),
    watches: [
      { type: customKind(AgentKind), keysFor: (agent: KubernetesObject) => partsOf(kind, agent.metadata?.name ?? '', agent.metadata?.namespace) },
      { type: customKind(definition), keysFor: (part: KubernetesObject) => partsOf(kind, agentOfPart(part as PartResource), part.metadata?.namespace).filter((k) => k !== keyOf(part)) },
    ],
  });
  return [controller('ActionGroup', ActionGroupKind), controller('AgentKnowledgeBaseAssociation', AgentKnowledgeBaseAssociationKind)];
}
