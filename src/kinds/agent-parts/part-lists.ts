// The parts of each namespace from the shared informers, for the controllers that merge them
// into their Agents (the Agent's, the parts', the Lambda's).
import { ActionGroupKind, AgentKnowledgeBaseAssociationKind, type ActionGroupResource, type AgentKnowledgeBaseAssociationResource, type AgentResource } from '../../api/kinds.ts';
import { cachedList, customKind, type SharedInformers } from '../../runtime/informers.ts';
import { mergeParts, type PartLists } from './merge-parts.ts';

export interface CachedParts extends PartLists {
  /** The Agent with its parts merged in. */
  merged(agent: AgentResource): AgentResource;
}

export async function partLists(informers: SharedInformers): Promise<CachedParts> {
  const [groups, associations] = await Promise.all([
    informers.informer(customKind(ActionGroupKind)),
    informers.informer(customKind(AgentKnowledgeBaseAssociationKind)),
  ]);
  const lists: PartLists = {
    actionGroups: (namespace) => cachedList<ActionGroupResource>(groups, namespace),
    associations: (namespace) => cachedList<AgentKnowledgeBaseAssociationResource>(associations, namespace),
  };
  return { ...lists, merged: (agent) => mergeParts(agent, lists).agent };
}
