// One reconcile pass of one object, with no queue, informer or clock of its own: what the
// Controller runs for each key, and what test/unit/reconciler.test.ts drives with a fake external
// client and fake Kubernetes writes.
//
// A pass: finalizer (before any write, Kubernetes ones included) → resolve → observe → create or
// update → observe again → status. Deletion: delete (or retain) → finalize → finalizer removed.
// Drift is a difference found in AWS after the object was Ready for its current generation and
// for the same resolved inputs (a related object, such as an Agent calling a Lambda, changes what
// a Ready object needs without any change in AWS: that is progress too). Status is written only when it changed; an Event is written once per reason
// and message, never per retry.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Condition, Finding } from '../api/common.ts';
import { FINALIZER, deletionPolicyOf, type AnyResource, type CustomResource, type DeletionPolicy } from '../api/metadata.ts';
import type { Reason } from '../api/reasons.ts';
import { findCondition, setCondition, type ConditionInput, type ConditionType } from './conditions.ts';
import { RetryableError, TerminalError, WaitingError, errorMessage, reasonOf } from './errors.ts';
import type { AccessVerdict, Coverage, ExternalClient, PassContext } from './external-client.ts';
import { withSignal } from './pass-context.ts';

/** The Kubernetes writes a pass makes; KubeWrites makes them against the apiserver. */
export interface ObjectWrites {
  writeStatus<T extends AnyResource>(obj: T, status: Record<string, unknown>): Promise<T>;
  addFinalizer<T extends AnyResource>(obj: T): Promise<T>;
  removeFinalizer(obj: AnyResource): Promise<void>;
  event(obj: AnyResource, type: 'Normal' | 'Warning', reason: Reason, message: string): Promise<void>;
}

/** What the queue does with the key after the pass. */
export type PassOutcome =
  /** Done: look again after `afterMs` (resync, a wait, a step still settling), or never. */
  | { result: 'success' | 'waiting' | 'terminal'; requeueAfterMs?: number }
  /** Failed: retry after the key's backoff. */
  | { result: 'error' };

export interface ReconcilerOptions<Spec extends object, Status extends object, Resolved, Plan> {
  kind: string;
  client: ExternalClient<Spec, Status, Resolved, Plan>;
  writes: ObjectWrites;
  defaultDeletionPolicy: DeletionPolicy;
  /** The next drift check, in ms (the Controller adds jitter). */
  resyncMs: () => number;
  /** Called when drift is corrected (the metric). */
  onDrift?: () => void;
  /** Called with each object's readiness after a pass (the metric); undefined when it is going away. */
  onReadiness?: (obj: AnyResource, ready: boolean | undefined) => void;
  /** Called with each object's findings after they are assessed (the metric); undefined when it is going away. */
  onFindings?: (obj: AnyResource, findings: Finding[] | undefined) => void;
  /** Objects with a finding at or above this severity are refused before anything is created or changed. */
  refuseFindingsAt?: Finding['severity'];
}

/** What an assessment adds to every status write of the pass. */
interface Advice {
  fields: { findings?: Finding[]; findingCount?: number };
  conditions: ConditionInput[];
  /** Conditions that no longer apply to the object. */
  remove?: ConditionType[];
}

/** Milliseconds each step of a pass took since the one before (its debug line: where a pass's time goes). */
class Steps {
  readonly #start = performance.now();
  #last = this.#start;
  readonly laps: Record<string, number> = {};

  lap(step: string): void {
    const now = performance.now();
    this.laps[step] = Math.round(now - this.#last);
    this.#last = now;
  }

  get totalMs(): number {
    return Math.round(performance.now() - this.#start);
  }
}

/** State of one pass that its failure path needs. */
interface Pass {
  advice?: Advice;
}

const SEVERITY_ORDER: Array<Finding['severity']> = ['low', 'medium', 'high'];

/** Look again soon: a delete to confirm, or a resource still settling after a write. */
export const SETTLING_REQUEUE_MS = 2_000;

/** How long recording the failure of a pass that ran out of time may take. */
const RECORD_TIMEOUT_MS = 10_000;

type Resource<Spec extends object, Status extends object> = CustomResource<Spec, Status>;

export class Reconciler<Spec extends object, Status extends object, Resolved, Plan> {
  readonly #o: ReconcilerOptions<Spec, Status, Resolved, Plan>;
  /** The generation and a digest of the resolved inputs each object was last Ready for, by UID. */
  readonly #readyFor = new Map<string, { generation: number | undefined; inputs: string }>();

  constructor(options: ReconcilerOptions<Spec, Status, Resolved, Plan>) {
    this.#o = options;
  }

  /** One pass; never throws: a failure is recorded on the object and told to the queue. */
  async reconcile(obj: Resource<Spec, Status>, ctx: PassContext): Promise<PassOutcome> {
    const pass: Pass = {};
    try {
      const requeueAfterMs = obj.metadata.deletionTimestamp ? await this.#finalize(obj, ctx) : await this.#sync(obj, ctx, pass);
      return { result: 'success', requeueAfterMs };
    } catch (error) {
      return this.#failed(obj, ctx.signal.aborted ? deadlineError(error) : error, ctx, pass.advice);
    }
  }

  async #sync(obj: Resource<Spec, Status>, ctx: PassContext, pass: Pass): Promise<number> {
    const { client, kind } = this.#o;
    const steps = new Steps();
    // Before any write: resolve may create generated IAMRoles, which the finalizer must release.
    if (!obj.metadata.finalizers?.includes(FINALIZER)) obj = await this.#o.writes.addFinalizer(obj);
    steps.lap('finalizer');
    if (client.findings) {
      const findings = client.findings(obj);
      pass.advice = await this.#adviseFindings(obj, findings, ctx);
      this.#refuseFindings(findings);
    }
    if (client.coverage) {
      const coverage = client.coverage(obj);
      if (coverage) pass.advice = await this.#adviseCoverage(obj, coverage, pass.advice, ctx);
      // The object no longer runs where coverage is in question (an Agent moved back to classic).
      else if (findCondition(obj.status?.conditions, 'RuntimeCoverage')) pass.advice = { fields: pass.advice?.fields ?? {}, conditions: pass.advice?.conditions ?? [], remove: ['RuntimeCoverage'] };
    }
    steps.lap('assess');
    const resolved = await client.resolve(obj, ctx);
    const inputs = digest(resolved);
    const access = await client.checkAccess?.(obj, resolved, ctx);
    if (access) pass.advice = await this.#adviseAccess(obj, access, pass.advice, ctx);
    const advice = pass.advice;
    steps.lap('resolve');
    const uid = obj.metadata.uid ?? obj.metadata.name;
    // What this process saw last wins over status, which a pass that found new drift right after
    // correcting the last one has set to Pending, and which the informer may not have yet. After a
    // restart, status is all there is.
    const last = this.#readyFor.get(uid);
    const drift = last ? last.generation === obj.metadata.generation && last.inputs === inputs : readyForGeneration(obj);
    ctx = { ...ctx, driftCheck: drift };
    let observation = await client.observe(obj, resolved, ctx);
    steps.lap('observe');
    if (observation.blocked) {
      const { reason, message } = observation.blocked;
      await this.#setStatus(obj, observation.status, [
        { type: 'Synced', status: 'False', reason, message },
        { type: 'Ready', status: 'False', reason },
      ], advice);
      await this.#eventOnce(obj, 'Warning', reason, message, ctx);
      return this.#o.resyncMs();
    }
    if (!observation.exists) {
      await client.create(obj, resolved, ctx);
      steps.lap('create');
      ctx.log.info(drift ? 'drift corrected: recreated in AWS' : 'created in AWS');
      if (drift) this.#o.onDrift?.();
      await this.#event(obj, 'Normal', drift ? 'DriftCorrected' : 'Created',
        drift ? `Recreated the ${kind}: it had been deleted in AWS` : `Created the ${kind} in AWS`, ctx);
      steps.lap('event');
      observation = await client.observe(obj, resolved, ctx);
      steps.lap('observe again');
    } else if (observation.diff.length > 0) {
      const differs = observation.diff.join(', ');
      const { wrote, done } = await client.update(obj, resolved, observation.plan, ctx);
      steps.lap('update');
      for (const note of done ?? []) await this.#event(obj, 'Normal', note.reason, note.message, ctx);
      if (!wrote) {
        throw new RetryableError('NoProgress', `still differs from the spec and the operator has no change to make: ${differs}`);
      }
      ctx.log.info({ diff: observation.diff }, drift ? 'drift corrected' : 'updated in AWS');
      if (drift) this.#o.onDrift?.();
      await this.#event(obj, 'Normal', drift ? 'DriftCorrected' : 'Updated', `${drift ? 'Corrected drift in' : 'Updated'}: ${differs}`, ctx);
      steps.lap('event');
      observation = await client.observe(obj, resolved, ctx);
      steps.lap('observe again');
    }
    if (observation.blocked) throw new RetryableError('ReconcileError', `after the change: ${observation.blocked.message}`);
    const ready = observation.exists && observation.diff.length === 0;
    if (ready) this.#readyFor.set(uid, { generation: obj.metadata.generation, inputs });
    await this.#setStatus(obj, observation.status, [
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
      ready
        ? { type: 'Ready', status: 'True', reason: 'Available' }
        : { type: 'Ready', status: 'False', reason: 'Pending', message: observation.exists ? `still differs: ${observation.diff.join(', ')}` : 'being created' },
    ], advice);
    steps.lap('status');
    ctx.log.debug({ ms: steps.totalMs, steps: steps.laps }, 'pass done');
    return ready ? this.#o.resyncMs() : SETTLING_REQUEUE_MS;
  }

  async #finalize(obj: Resource<Spec, Status>, ctx: PassContext): Promise<number | undefined> {
    if (!obj.metadata.finalizers?.includes(FINALIZER)) return undefined;
    const { client, kind } = this.#o;
    this.#o.onReadiness?.(obj, undefined);
    this.#o.onFindings?.(obj, undefined);
    const policy = deletionPolicyOf(obj, this.#o.defaultDeletionPolicy);
    if (policy === 'retain') {
      ctx.log.info('deletion policy retain: the AWS resource stays');
      await client.finalize?.(obj, policy, ctx);
      await this.#event(obj, 'Normal', 'Retained', `Deletion policy retain: the ${kind} stays in AWS`, ctx);
    } else {
      const { wrote, remaining } = await client.delete(obj, ctx);
      if (wrote) {
        ctx.log.info('deleted in AWS');
        await this.#event(obj, 'Normal', 'Deleted', `Deleted the ${kind} in AWS`, ctx);
      }
      if (remaining) return SETTLING_REQUEUE_MS;
      await client.finalize?.(obj, policy, ctx);
    }
    await this.#o.writes.removeFinalizer(obj);
    this.forget(obj);
    return undefined;
  }

  /** Drops what the reconciler remembers of an object that is gone. */
  forget(obj: AnyResource): void {
    this.#readyFor.delete(obj.metadata.uid ?? obj.metadata.name);
  }

  /**
   * What findings add to the status: the list, its count and the Findings condition; a Warning
   * Event for each finding not in status yet, so that Events say what is new, once.
   */
  async #adviseFindings(obj: Resource<Spec, Status>, findings: Finding[], ctx: PassContext): Promise<Advice> {
    const sorted = [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity));
    const counts = SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0).reverse();
    this.#o.onFindings?.(obj, findings);
    const known = new Set(((obj.status as { findings?: Finding[] } | undefined)?.findings ?? []).map(findingKey));
    for (const f of sorted.filter((x) => !known.has(findingKey(x)))) {
      await this.#event(obj, 'Warning', 'FindingsPresent', `[${f.severity}] ${f.path}: ${f.message}`, ctx);
    }
    return {
      fields: { findings: sorted.slice(0, 100), findingCount: findings.length },
      conditions: [findings.length === 0
        ? { type: 'Findings', status: 'False', reason: 'NoFindings', message: 'the policies have no findings' }
        : { type: 'Findings', status: 'True', reason: 'FindingsPresent', message: `${counts.map(([s, n]) => `${n} ${s}`).join(', ')}: ${sorted[0]!.path}: ${sorted[0]!.message}${findings.length > 1 ? ' (all in status.findings)' : ''}` }],
    };
  }

  /** The AccessCheck condition, and a Warning Event when it turns to denied or names another denial. */
  async #adviseAccess(obj: Resource<Spec, Status>, access: AccessVerdict, advice: Advice | undefined, ctx: PassContext): Promise<Advice> {
    const reason = access.outcome === 'allowed' ? 'AccessAllowed' : access.outcome === 'denied' ? 'AccessWouldBeDenied' : 'AccessNotVerifiable';
    const status = access.outcome === 'allowed' ? 'True' : access.outcome === 'denied' ? 'False' : 'Unknown';
    const previous = findCondition(obj.status?.conditions, 'AccessCheck');
    if (access.outcome === 'denied' && (previous?.reason !== reason || previous.message !== access.message)) {
      await this.#event(obj, 'Warning', reason, access.message, ctx);
    }
    return { ...advice, fields: advice?.fields ?? {}, conditions: [...(advice?.conditions ?? []), { type: 'AccessCheck', status, reason, message: access.message }] };
  }

  /** The RuntimeCoverage condition, and a Warning Event when what the runtime cannot carry out changes. */
  async #adviseCoverage(obj: Resource<Spec, Status>, coverage: Coverage, advice: Advice | undefined, ctx: PassContext): Promise<Advice> {
    const covered = coverage.gaps.length === 0;
    const message = covered
      ? `every field of the spec is carried out on ${coverage.runtime}`
      : `${coverage.runtime} has no equivalent for: ${coverage.gaps.join('; ')}`;
    const previous = findCondition(obj.status?.conditions, 'RuntimeCoverage');
    if (!covered && previous?.message !== message) await this.#event(obj, 'Warning', 'NotCovered', message, ctx);
    return {
      fields: advice?.fields ?? {},
      conditions: [...(advice?.conditions ?? []), { type: 'RuntimeCoverage', status: covered ? 'True' : 'False', reason: covered ? 'FullyCovered' : 'NotCovered', message }],
    };
  }

  /** Under --refuse-findings, an object with findings at or above the severity goes no further. */
  #refuseFindings(findings: Finding[] | undefined): void {
    const floor = this.#o.refuseFindingsAt;
    if (!floor || !findings) return;
    const refused = findings.filter((f) => SEVERITY_ORDER.indexOf(f.severity) >= SEVERITY_ORDER.indexOf(floor));
    if (refused.length === 0) return;
    throw new TerminalError('FindingsRefused',
      `this operator refuses objects with ${floor}${floor === 'high' ? '' : ' or higher'} findings (its --refuse-findings): ${refused.map((f) => `[${f.severity}] ${f.path}: ${f.message}`).join('; ')}`);
  }

  async #failed(obj: Resource<Spec, Status>, error: unknown, ctx: PassContext, advice?: Advice): Promise<PassOutcome> {
    const reason = reasonOf(error);
    const known = error instanceof TerminalError || error instanceof WaitingError;
    // Anything else (throttling, 5xx, network, a deadline) is retried: the message says so, with the error's name.
    const name = !known && error instanceof Error && error.name !== 'Error' && !(error instanceof RetryableError) ? `${error.name}: ` : '';
    const message = known ? errorMessage(error) : `${name}${errorMessage(error)} (retrying with backoff)`;
    // A resource that was usable stays Ready while a later change fails.
    const wasReady = findCondition(obj.status?.conditions, 'Ready')?.status === 'True';
    const synced = findCondition(obj.status?.conditions, 'Synced');
    const alreadyRecorded = synced?.status === 'False' && synced.reason === reason && synced.message === message;
    const record = async () => {
      await this.#setStatus(obj, undefined, [{ type: 'Synced', status: 'False', reason, message }, ...(wasReady ? [] : [{ type: 'Ready' as const, status: 'False' as const, reason }])], advice);
      await this.#eventOnce(obj, error instanceof WaitingError ? 'Normal' : 'Warning', reason, message, ctx);
    };
    try {
      // A pass past its deadline still records why, under a deadline of its own.
      await (ctx.signal.aborted ? withSignal(AbortSignal.timeout(RECORD_TIMEOUT_MS), record) : record());
    } catch (statusError) {
      ctx.log.warn({ err: errorMessage(statusError) }, 'cannot record the failure');
    }
    if (error instanceof WaitingError) {
      // Said once at info: a wait polled again (every 10 s for a dependency) is not news.
      ctx.log[alreadyRecorded ? 'debug' : 'info']({ reason, message }, 'waiting');
      return { result: 'waiting', requeueAfterMs: error.retryAfterMs };
    }
    if (error instanceof TerminalError) {
      ctx.log.warn({ reason, message }, 'cannot reconcile until the spec changes');
      return { result: 'terminal', requeueAfterMs: this.#o.resyncMs() };
    }
    ctx.log.warn({ reason, err: message }, 'reconcile failed; retrying with backoff');
    return { result: 'error' };
  }

  /** Writes status only when it differs from what the object holds. */
  async #setStatus(obj: Resource<Spec, Status>, fields: Partial<Status> | undefined, conditions: ConditionInput[], advice?: Advice): Promise<void> {
    const current = (obj.status ?? {}) as Record<string, unknown> & { conditions?: Condition[] };
    const generation = obj.metadata.generation ?? 0;
    let list = current.conditions;
    for (const c of [...conditions, ...(advice?.conditions ?? [])]) list = setCondition(list, c, generation, new Date());
    if (advice?.remove) list = list?.filter((c) => !advice.remove!.includes(c.type as ConditionType));
    if (!obj.metadata.deletionTimestamp) this.#o.onReadiness?.(obj, findCondition(list, 'Ready')?.status === 'True');
    const next = withoutUndefined({ ...current, ...(fields ?? {}), ...(advice?.fields ?? {}), observedGeneration: generation, conditions: list });
    if (isDeepStrictEqual(next, withoutUndefined(current))) return;
    await this.#o.writes.writeStatus(obj, next);
  }

  /** Events are for people: one that cannot be written (RBAC, apiserver busy) never fails a pass. */
  async #event(obj: AnyResource, type: 'Normal' | 'Warning', reason: Reason, message: string, ctx: PassContext): Promise<void> {
    try {
      await this.#o.writes.event(obj, type, reason, message);
    } catch (error) {
      ctx.log.warn({ reason, err: errorMessage(error) }, 'cannot record an Event');
    }
  }

  /** An Event, unless the Synced condition already says the same (no Event per retry). */
  async #eventOnce(obj: AnyResource, type: 'Normal' | 'Warning', reason: Reason, message: string, ctx: PassContext): Promise<void> {
    const synced = findCondition(obj.status?.conditions, 'Synced');
    if (synced?.reason === reason && synced.message === message) return;
    await this.#event(obj, type, reason, message, ctx);
  }
}

const findingKey = (f: Finding) => `${f.check}|${f.path}|${f.message}`;

/** Ready for the generation it has now: a difference found in AWS is then drift, not progress. */
export function readyForGeneration(obj: AnyResource): boolean {
  const ready = findCondition(obj.status?.conditions, 'Ready');
  return ready?.status === 'True' && ready.observedGeneration === obj.metadata.generation;
}

/** An error of a pass whose deadline passed: whatever the aborted call threw, the pass timed out. */
function deadlineError(error: unknown): unknown {
  if (error instanceof TerminalError || error instanceof WaitingError) return error;
  return new RetryableError('DeadlineExceeded', `the reconcile did not finish within its deadline (${errorMessage(error)})`, { cause: error });
}

/** A digest of a kind's resolved inputs, to tell their change from drift; binary data (code zips) by its own hash. */
function digest(value: unknown): string {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key, json: unknown) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? `sha256:${createHash('sha256').update(raw).digest('base64url')}` : json;
  });
  return createHash('sha256').update(text ?? '').digest('base64url');
}

function withoutUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
