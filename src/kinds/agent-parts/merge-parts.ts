// How an Agent and the ActionGroup and AgentKnowledgeBaseAssociation objects that name it make one
// agent: the parts are added to the spec's own action groups and knowledge bases, inline first, then
// the parts oldest first. A part that would clash (a name or knowledge base the agent already has)
// or that names what this operator cannot use is left out and refused on its own object, so one
// team's part never stops the agent. Pure: the same view for the Agent's controller, the parts'
// controller and the Lambda controller (which grants the agents its function serves).
import type { AgentSpec } from '../../api/agent.ts';
import { referenceName } from '../../api/common.ts';
import type { ActionGroupResource, AgentKnowledgeBaseAssociationResource, AgentResource } from '../../api/kinds.ts';
import type { TerminalReason } from '../../api/reasons.ts';

export type PartKind = 'ActionGroup' | 'AgentKnowledgeBaseAssociation';
export type PartResource = ActionGroupResource | AgentKnowledgeBaseAssociationResource;

/** The parts of a namespace, as the informers cache them. */
export interface PartLists {
  actionGroups(namespace: string): ActionGroupResource[];
  associations(namespace: string): AgentKnowledgeBaseAssociationResource[];
}

export interface PartRef {
  kind: PartKind;
  name: string;
  generation: number;
}

export interface Refusal {
  reason: TerminalReason;
  message: string;
}

export interface MergedAgent {
  /** The agent with its parts, as if they were written inline. */
  agent: AgentResource;
  /** The parts merged in, at the generation merged. */
  parts: PartRef[];
  /** Parts naming the agent that are left out, by `kind/name`. */
  refused: Map<string, Refusal>;
}

/** A knowledge base ID in Bedrock: ten letters and digits. */
const KNOWLEDGE_BASE_ID = /^[0-9a-zA-Z]{10}$/;

/** The name of the Agent object a part names. */
export function agentOfPart(part: PartResource): string {
  const spec = part.spec as { agentId?: string | { ref: string }; agentName?: string | { ref: string } };
  const ref = spec.agentId ?? spec.agentName;
  return ref === undefined ? '' : referenceName(ref);
}

export function actionGroupName(group: ActionGroupResource): string {
  return group.spec.actionGroupName ?? group.metadata.name;
}

export const partKey = (kind: PartKind, name: string) => `${kind}/${name}`;

/** The knowledge base ID an association gives, or why it gives none this operator can use. */
export function associationKnowledgeBase(association: AgentKnowledgeBaseAssociationResource): { id: string } | Refusal {
  const { knowledgeBaseId, knowledgeBaseName } = association.spec;
  if (knowledgeBaseName !== undefined) {
    return {
      reason: 'UnsupportedKnowledgeBaseReference',
      message: `spec.knowledgeBaseName names the Bedrock Forge KnowledgeBase ${referenceName(knowledgeBaseName)}, which this operator does not manage: create the knowledge base outside it and set spec.knowledgeBaseId to its ID (10 letters and digits)`,
    };
  }
  const id = knowledgeBaseId === undefined ? '' : referenceName(knowledgeBaseId);
  if (typeof knowledgeBaseId === 'string' && KNOWLEDGE_BASE_ID.test(id)) return { id };
  return {
    reason: 'UnsupportedKnowledgeBaseReference',
    message: `spec.knowledgeBaseId ${JSON.stringify(knowledgeBaseId)} is not a knowledge base ID (10 letters and digits); a reference to a KnowledgeBase resource cannot be followed, this operator does not manage knowledge bases: give the ID of the knowledge base in Bedrock`,
  };
}

const oldestFirst = <T extends PartResource>(parts: T[]): T[] =>
  [...parts].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));

/** The agent with the parts of its namespace that name it (those being deleted are gone already). */
export function mergeParts(agent: AgentResource, lists: PartLists): MergedAgent {
  const namespace = agent.metadata.namespace ?? 'default';
  const named = <T extends PartResource>(parts: T[]) => oldestFirst(parts.filter((p) => !p.metadata.deletionTimestamp && agentOfPart(p) === agent.metadata.name));
  const groups = named(lists.actionGroups(namespace));
  const associations = named(lists.associations(namespace));
  const parts: PartRef[] = [];
  const refused = new Map<string, Refusal>();
  if (groups.length === 0 && associations.length === 0) return { agent, parts, refused };

  const actionGroups = [...(agent.spec.actionGroups ?? [])];
  const groupSource = new Map(actionGroups.map((g) => [g.name, 'in its spec.actionGroups']));
  for (const group of groups) {
    const name = actionGroupName(group);
    const taken = groupSource.get(name);
    if (taken) {
      refused.set(partKey('ActionGroup', group.metadata.name), {
        reason: 'DuplicateActionGroup',
        message: `Agent ${namespace}/${agent.metadata.name} already has an action group named ${name} (${taken}): give this one another spec.actionGroupName, or remove one of them`,
      });
      continue;
    }
    const { agentId: _agent, agentName: _agentName, actionGroupName: _name, agentVersion: _version, prepareAgent: _prepare, tags: _tags, timeouts: _timeouts, ...fields } = group.spec;
    actionGroups.push({ name, ...fields });
    groupSource.set(name, `from ActionGroup ${group.metadata.name}`);
    parts.push({ kind: 'ActionGroup', name: group.metadata.name, generation: group.metadata.generation ?? 0 });
  }

  const knowledgeBases = [...(agent.spec.knowledgeBases ?? [])];
  const baseSource = new Map(knowledgeBases.map((kb) => [kb.knowledgeBaseId, 'in its spec.knowledgeBases']));
  for (const association of associations) {
    const key = partKey('AgentKnowledgeBaseAssociation', association.metadata.name);
    const base = associationKnowledgeBase(association);
    if (!('id' in base)) {
      refused.set(key, base);
      continue;
    }
    const taken = baseSource.get(base.id);
    if (taken) {
      refused.set(key, {
        reason: 'DuplicateKnowledgeBase',
        message: `Agent ${namespace}/${agent.metadata.name} is already associated with knowledge base ${base.id} (${taken}): remove one of them`,
      });
      continue;
    }
    knowledgeBases.push({
      knowledgeBaseId: base.id,
      description: association.spec.description,
      ...(association.spec.state ?? association.spec.knowledgeBaseState ? { knowledgeBaseState: association.spec.state ?? association.spec.knowledgeBaseState } : {}),
    });
    baseSource.set(base.id, `from AgentKnowledgeBaseAssociation ${association.metadata.name}`);
    parts.push({ kind: 'AgentKnowledgeBaseAssociation', name: association.metadata.name, generation: association.metadata.generation ?? 0 });
  }

  const spec: AgentSpec = {
    ...agent.spec,
    ...(actionGroups.length > 0 ? { actionGroups } : {}),
    ...(knowledgeBases.length > 0 ? { knowledgeBases } : {}),
  };
  return { agent: { ...agent, spec }, parts, refused };
}
