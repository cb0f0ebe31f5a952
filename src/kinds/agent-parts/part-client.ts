// The external client of the ActionGroup and AgentKnowledgeBaseAssociation kinds. A part has no
// writer of its own in AWS (its Agent keeps it, one writer per agent), so this client makes no AWS
// call at all: it reads the Agent the part names and says whether that Agent holds the part, at its
// generation, and is Ready. Deleting a part waits until its Agent has taken it out of AWS.
import type { AgentResource } from '../../api/kinds.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import type { DeleteResult, ExternalClient, Observation, UpdateResult } from '../../runtime/external-client.ts';
import { agentOfPart, mergeParts, partKey, type PartKind, type PartLists, type PartResource } from './merge-parts.ts';

type PartStatus = { agent?: string; agentId?: string };

export interface PartLookups extends PartLists {
  agent(namespace: string, name: string): AgentResource | undefined;
}

const WHAT: Record<PartKind, string> = { ActionGroup: 'action group', AgentKnowledgeBaseAssociation: 'knowledge base association' };

function ready(agent: AgentResource): { ready: boolean; message?: string } {
  const conditions = agent.status?.conditions ?? [];
  const current = agent.status?.observedGeneration === agent.metadata.generation;
  const isReady = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  const synced = conditions.find((c) => c.type === 'Synced');
  return { ready: current && isReady, ...(synced?.status === 'False' && synced.message ? { message: `${synced.reason}: ${synced.message}` } : {}) };
}

export class PartClient implements ExternalClient<object, PartStatus, AgentResource, undefined> {
  readonly #kind: PartKind;
  readonly #lookups: PartLookups;

  constructor(kind: PartKind, lookups: PartLookups) {
    this.#kind = kind;
    this.#lookups = lookups;
  }

  #agent(obj: PartResource): { name: string; namespace: string; agent: AgentResource | undefined } {
    const namespace = obj.metadata.namespace ?? 'default';
    const name = agentOfPart(obj);
    return { name, namespace, agent: this.#lookups.agent(namespace, name) };
  }

  async resolve(obj: PartResource): Promise<AgentResource> {
    const { name, namespace, agent } = this.#agent(obj);
    const what = WHAT[this.#kind];
    if (!agent || agent.metadata.deletionTimestamp) {
      throw new WaitingError('WaitingForAgent', `Agent ${namespace}/${name} ${agent ? 'is being deleted' : 'does not exist'}; the ${what} joins it once it exists (a part names an Agent object of its own namespace)`, 'dependency');
    }
    const refusal = mergeParts(agent, this.#lookups).refused.get(partKey(this.#kind, obj.metadata.name));
    if (refusal) throw new TerminalError(refusal.reason, refusal.message);
    const held = (agent.status?.parts ?? []).some((p) => p.kind === this.#kind && p.name === obj.metadata.name && p.generation === obj.metadata.generation);
    const state = ready(agent);
    if (!held || !state.ready) {
      throw new WaitingError('WaitingForAgent', `Agent ${namespace}/${name} has not yet brought this ${what} into AWS${state.message ? ` (${state.message})` : ''}`, 'dependency');
    }
    return agent;
  }

  async observe(_obj: PartResource, agent: AgentResource): Promise<Observation<PartStatus, undefined>> {
    return { exists: true, status: { agent: agent.metadata.name, agentId: agent.status?.agentId }, diff: [], plan: undefined };
  }

  async create(): Promise<void> {
    throw new Error('a part is created in AWS by its Agent');
  }

  async update(): Promise<UpdateResult> {
    return { wrote: false };
  }

  /** Done once the Agent no longer holds the part (or is gone): the Agent takes it out of AWS. */
  async delete(obj: PartResource): Promise<DeleteResult> {
    const { name, namespace, agent } = this.#agent(obj);
    const held = agent !== undefined && !agent.metadata.deletionTimestamp && (agent.status?.parts ?? []).some((p) => p.kind === this.#kind && p.name === obj.metadata.name);
    if (held) {
      const state = ready(agent);
      // Its watch of the Agent brings the part back as soon as the Agent's status changes.
      throw new WaitingError('WaitingForAgent', `Agent ${namespace}/${name} has not yet taken this ${WHAT[this.#kind]} out of AWS${state.message ? ` (${state.message})` : ''}`, 'dependency');
    }
    return { wrote: false, remaining: false };
  }

  async finalize(): Promise<void> {}
}
