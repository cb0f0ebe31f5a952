// The Agent's external client seen through its parts: every verb gets the Agent with the
// ActionGroup and AgentKnowledgeBaseAssociation objects that name it merged into its spec
// (merge-parts.ts), so both runtimes keep them in AWS exactly as if written inline, and status.parts
// records which parts, at which generation, the agent holds (what the parts' own Ready reads).
import type { AgentSpec, AgentStatus } from '../../api/agent.ts';
import type { AgentResource } from '../../api/kinds.ts';
import type { DeletionPolicy } from '../../api/metadata.ts';
import type { AccessVerdict, Coverage, DeleteResult, ExternalClient, Observation, PassContext, UpdateResult } from '../../runtime/external-client.ts';
import { mergeParts, type PartLists, type PartRef } from '../agent-parts/merge-parts.ts';
import type { AgentRuntimePlan, AgentRuntimeResolved, AgentRuntimes } from './agent-runtimes.ts';

/** What resolve saw: the merged spec and its parts are what the rest of the pass brings into AWS. */
export interface AgentWithPartsResolved {
  runtime: AgentRuntimeResolved;
  spec: AgentSpec;
  parts: PartRef[];
}

export class AgentWithParts implements ExternalClient<AgentSpec, AgentStatus, AgentWithPartsResolved, AgentRuntimePlan> {
  readonly #runtimes: AgentRuntimes;
  readonly #parts: PartLists;

  constructor(runtimes: AgentRuntimes, parts: PartLists) {
    this.#runtimes = runtimes;
    this.#parts = parts;
  }

  #merged(obj: AgentResource): AgentResource {
    return mergeParts(obj, this.#parts).agent;
  }

  coverage(obj: AgentResource): Coverage | undefined {
    return this.#runtimes.coverage(this.#merged(obj));
  }

  async resolve(obj: AgentResource): Promise<AgentWithPartsResolved> {
    const { agent, parts } = mergeParts(obj, this.#parts);
    return { runtime: await this.#runtimes.resolve(agent), spec: agent.spec, parts };
  }

  checkAccess(obj: AgentResource, resolved: AgentWithPartsResolved): Promise<AccessVerdict | undefined> {
    return this.#runtimes.checkAccess({ ...obj, spec: resolved.spec }, resolved.runtime);
  }

  async observe(obj: AgentResource, resolved: AgentWithPartsResolved): Promise<Observation<AgentStatus, AgentRuntimePlan>> {
    const observation = await this.#runtimes.observe({ ...obj, spec: resolved.spec }, resolved.runtime);
    const parts = resolved.parts.length > 0 ? resolved.parts : undefined;
    return { ...observation, status: { ...observation.status, parts } };
  }

  create(obj: AgentResource, resolved: AgentWithPartsResolved): Promise<void> {
    return this.#runtimes.create({ ...obj, spec: resolved.spec }, resolved.runtime);
  }

  update(obj: AgentResource, resolved: AgentWithPartsResolved, plan: AgentRuntimePlan, ctx: PassContext): Promise<UpdateResult> {
    return this.#runtimes.update({ ...obj, spec: resolved.spec }, resolved.runtime, plan, ctx);
  }

  delete(obj: AgentResource): Promise<DeleteResult> {
    return this.#runtimes.delete(this.#merged(obj));
  }

  finalize(obj: AgentResource, policy: DeletionPolicy): Promise<void> {
    return this.#runtimes.finalize(this.#merged(obj), policy);
  }
}
