// The Agent kind's two runtimes behind one external client: each object runs on Bedrock Agents
// ("classic") or Bedrock AgentCore, by spec.runtime or the operator's --agent-runtime. Changing an
// object's runtime migrates it: the new runtime is brought up while the old one keeps serving
// (status shows both, and migration.phase Preparing), and only once the new one is in sync (every
// endpoint READY on the version its alias routes to) is the old one deleted, or with deletion
// policy retain released, and a MigrationComplete Event written.
import type { AgentRuntime, AgentSpec, AgentStatus } from '../../api/agent.ts';
import type { AgentResource } from '../../api/kinds.ts';
import { deletionPolicyOf, type DeletionPolicy } from '../../api/metadata.ts';
import { WaitingError } from '../../runtime/errors.ts';
import type { AccessVerdict, Coverage, DeleteResult, ExternalClient, Observation, PassContext, UpdateResult } from '../../runtime/external-client.ts';
import type { AgentExternalClient, AgentPlan, AgentResolved } from './agent-client.ts';
import type { AgentCoreExternalClient, AgentCorePlan, AgentCoreResolved } from './agentcore/agentcore-client.ts';

export type AgentRuntimeResolved =
  | { runtime: 'classic'; classic: AgentResolved }
  | { runtime: 'agentcore'; agentcore: AgentCoreResolved };

export type AgentRuntimePlan =
  | { step: 'classic'; plan: AgentPlan }
  | { step: 'agentcore'; plan: AgentCorePlan }
  /** The object's runtime is in sync: the other one goes. */
  | { step: 'retire'; runtime: AgentRuntime };

const NAMES: Record<AgentRuntime, string> = { classic: 'Bedrock Agents (classic)', agentcore: 'Bedrock AgentCore' };

/** The status fields of each runtime, cleared once it is retired. */
const CLEARED: Record<AgentRuntime, Partial<AgentStatus>> = {
  classic: { agentId: undefined, agentArn: undefined, agentStatus: undefined, agentVersion: undefined, preparedAt: undefined, roleArn: undefined, aliases: undefined, managedTagKeys: undefined },
  agentcore: { agentCore: undefined },
};

/** Whether status records resources of `runtime` in AWS. */
function recorded(runtime: AgentRuntime, status: AgentResource['status']): boolean {
  return runtime === 'classic' ? Boolean(status?.agentId) : Boolean(status?.agentCore?.harnessId || status?.agentCore?.gatewayId);
}

export function runtimeOf(obj: AgentResource, fallback: AgentRuntime): AgentRuntime {
  return obj.spec.runtime ?? fallback;
}

export class AgentRuntimes implements ExternalClient<AgentSpec, AgentStatus, AgentRuntimeResolved, AgentRuntimePlan> {
  readonly #classic: AgentExternalClient;
  readonly #agentcore: AgentCoreExternalClient;
  readonly #fallback: AgentRuntime;
  readonly #defaultDeletionPolicy: DeletionPolicy;
  /** Objects (by UID) whose old runtime this process retired, until status no longer records it. */
  readonly #retired = new Set<string>();

  constructor(classic: AgentExternalClient, agentcore: AgentCoreExternalClient, fallback: AgentRuntime, defaultDeletionPolicy: DeletionPolicy) {
    this.#classic = classic;
    this.#agentcore = agentcore;
    this.#fallback = fallback;
    this.#defaultDeletionPolicy = defaultDeletionPolicy;
  }

  coverage(obj: AgentResource): Coverage | undefined {
    return runtimeOf(obj, this.#fallback) === 'agentcore' ? this.#agentcore.coverage(obj) : undefined;
  }

  async resolve(obj: AgentResource): Promise<AgentRuntimeResolved> {
    return runtimeOf(obj, this.#fallback) === 'agentcore'
      ? { runtime: 'agentcore', agentcore: await this.#agentcore.resolve(obj) }
      : { runtime: 'classic', classic: await this.#classic.resolve(obj) };
  }

  async checkAccess(obj: AgentResource, resolved: AgentRuntimeResolved): Promise<AccessVerdict | undefined> {
    return resolved.runtime === 'classic' ? this.#classic.checkAccess(obj, resolved.classic) : this.#agentcore.checkAccess(obj, resolved.agentcore);
  }

  async observe(obj: AgentResource, resolved: AgentRuntimeResolved): Promise<Observation<AgentStatus, AgentRuntimePlan>> {
    const runtime = resolved.runtime;
    const other: AgentRuntime = runtime === 'classic' ? 'agentcore' : 'classic';
    const uid = obj.metadata.uid ?? obj.metadata.name;
    const observation: Observation<AgentStatus, AgentRuntimePlan> = resolved.runtime === 'classic'
      ? wrap(await this.#classic.observe(obj, resolved.classic), 'classic')
      : wrap(await this.#agentcore.observe(obj, resolved.agentcore), 'agentcore');
    const retired = this.#retired.has(uid);
    const leftover = recorded(other, obj.status) && !retired;
    if (!recorded(other, obj.status)) this.#retired.delete(uid);
    const status: Partial<AgentStatus> = { ...observation.status, runtime, ...(retired ? CLEARED[other] : {}), migration: undefined };
    if (observation.blocked || !leftover) return { ...observation, status } as Observation<AgentStatus, AgentRuntimePlan>;
    if (observation.exists && observation.diff.length === 0) {
      return {
        exists: true,
        status: { ...status, migration: { from: other, to: runtime, phase: 'Retiring' } },
        diff: [`${NAMES[other]} agent (migrated to ${NAMES[runtime]})`],
        plan: { step: 'retire', runtime: other },
      };
    }
    return { ...observation, status: { ...status, migration: { from: other, to: runtime, phase: 'Preparing' } } } as Observation<AgentStatus, AgentRuntimePlan>;
  }

  async create(obj: AgentResource, resolved: AgentRuntimeResolved): Promise<void> {
    if (resolved.runtime === 'classic') await this.#classic.create(obj, resolved.classic);
    else await this.#agentcore.create(obj, resolved.agentcore);
  }

  async update(obj: AgentResource, resolved: AgentRuntimeResolved, plan: AgentRuntimePlan, ctx: PassContext): Promise<UpdateResult> {
    if (plan.step === 'classic' && resolved.runtime === 'classic') return this.#classic.update(obj, resolved.classic, plan.plan);
    if (plan.step === 'agentcore' && resolved.runtime === 'agentcore') return this.#agentcore.update(obj, resolved.agentcore, plan.plan);
    if (plan.step !== 'retire') throw new Error(`plan for ${plan.step} given for the ${resolved.runtime} runtime`);
    return this.#retire(obj, plan.runtime, ctx);
  }

  /** The old runtime goes once the new one serves: deleted, or released with deletion policy retain. */
  async #retire(obj: AgentResource, runtime: AgentRuntime, ctx: PassContext): Promise<UpdateResult> {
    const policy = deletionPolicyOf(obj, this.#defaultDeletionPolicy);
    const client = runtime === 'classic' ? this.#classic : this.#agentcore;
    let wrote = false;
    if (policy === 'delete') {
      const deleted = await client.delete(obj);
      wrote = deleted.wrote;
      if (deleted.remaining) {
        if (wrote) return { wrote };
        throw new WaitingError(runtime === 'classic' ? 'AgentBusy' : 'HarnessBusy', `the ${NAMES[runtime]} agent is being deleted; the migration is done once it is gone`, 'settling');
      }
    }
    await client.finalize(obj, policy);
    this.#retired.add(obj.metadata.uid ?? obj.metadata.name);
    const to = runtime === 'classic' ? 'agentcore' : 'classic';
    const kept = policy === 'retain' ? `; deletion policy retain: the ${NAMES[runtime]} agent stays in AWS, no longer managed` : '';
    ctx.log.info({ from: runtime, to }, 'migration complete');
    return { wrote: true, done: [{ reason: 'MigrationComplete', message: `The agent runs on ${NAMES[to]}; its ${NAMES[runtime]} agent is ${policy === 'retain' ? 'released' : 'deleted'}${kept}` }] };
  }

  /** Deletes what the object has on either runtime. */
  async delete(obj: AgentResource): Promise<DeleteResult> {
    const runtime = runtimeOf(obj, this.#fallback);
    const results: DeleteResult[] = [];
    for (const r of ['classic', 'agentcore'] as const) {
      if (r !== runtime && !recorded(r, obj.status)) continue;
      results.push(r === 'classic' ? await this.#classic.delete(obj) : await this.#agentcore.delete(obj));
    }
    return { wrote: results.some((r) => r.wrote), remaining: results.some((r) => r.remaining) };
  }

  async finalize(obj: AgentResource, policy: DeletionPolicy): Promise<void> {
    this.#retired.delete(obj.metadata.uid ?? obj.metadata.name);
    await this.#classic.finalize(obj, policy);
    await this.#agentcore.finalize(obj, policy);
  }
}

function wrap<P>(observation: Observation<AgentStatus, P>, step: 'classic' | 'agentcore'): Observation<AgentStatus, AgentRuntimePlan> {
  if (!observation.exists || observation.blocked) return observation as Observation<AgentStatus, AgentRuntimePlan>;
  return { ...observation, plan: { step, plan: observation.plan } as AgentRuntimePlan };
}
