// The reconcile contract, table by table in the manner of crossplane-runtime's reconciler tests:
// a fake external client says what AWS holds, fake Kubernetes writes record what the pass wrote.
// Each case asserts what a user would see: conditions, Events, AWS writes, and when the key
// comes back.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/api/common.ts';
import { FINALIZER, type AnyResource, type CustomResource, type DeletionPolicy } from '../../src/api/metadata.ts';
import type { Reason } from '../../src/api/reasons.ts';
import { RETRY_AFTER, TerminalError, WaitingError } from '../../src/runtime/errors.ts';
import type { DeleteResult, ExternalClient, Observation, PassContext, UpdateResult } from '../../src/runtime/external-client.ts';
import { Reconciler, SETTLING_REQUEUE_MS, type ObjectWrites } from '../../src/runtime/reconciler.ts';

type Spec = { want: string };
type Status = { arn?: string };
type Obj = CustomResource<Spec, Status>;
const RESYNC_MS = 600_000;

/** A fake AWS resource: `observations` are answered in turn (the last one repeats). */
class FakeClient implements ExternalClient<Spec, Status, string, string[]> {
  readonly calls: string[] = [];
  observations: Observation<Status, string[]>[] = [];
  updateResult: UpdateResult = { wrote: true };
  deleteResults: DeleteResult[] = [{ wrote: true, remaining: false }];
  failWith?: unknown;
  /** What related objects make of the spec (an Agent calling a Lambda changes the Lambda's policy). */
  related = '';

  async resolve(obj: Obj): Promise<string> {
    this.calls.push('resolve');
    if (this.failWith) throw this.failWith;
    return obj.spec.want + this.related;
  }
  async observe(): Promise<Observation<Status, string[]>> {
    this.calls.push('observe');
    return this.observations.length > 1 ? this.observations.shift()! : this.observations[0]!;
  }
  async create(): Promise<void> {
    this.calls.push('create');
  }
  async update(): Promise<UpdateResult> {
    this.calls.push('update');
    return this.updateResult;
  }
  async delete(): Promise<DeleteResult> {
    this.calls.push('delete');
    return this.deleteResults.length > 1 ? this.deleteResults.shift()! : this.deleteResults[0]!;
  }
  async finalize(_obj: Obj, policy: DeletionPolicy): Promise<void> {
    this.calls.push(`finalize ${policy}`);
  }
  get awsWrites(): string[] {
    return this.calls.filter((c) => ['create', 'update', 'delete'].includes(c));
  }
}

/** Records the pass's Kubernetes writes; the object it returns is what the apiserver would hold. */
class FakeWrites implements ObjectWrites {
  readonly statusWrites: Record<string, unknown>[] = [];
  readonly events: { type: string; reason: Reason; message: string }[] = [];
  readonly order: string[] = [];
  finalizerRemoved = false;
  last?: AnyResource;

  async writeStatus<T extends AnyResource>(obj: T, status: Record<string, unknown>): Promise<T> {
    this.statusWrites.push(status);
    this.last = { ...obj, status } as T;
    return this.last as T;
  }
  async addFinalizer<T extends AnyResource>(obj: T): Promise<T> {
    this.order.push('addFinalizer');
    return { ...obj, metadata: { ...obj.metadata, finalizers: [...(obj.metadata.finalizers ?? []), FINALIZER] } };
  }
  async removeFinalizer(): Promise<void> {
    this.finalizerRemoved = true;
  }
  async event(_obj: AnyResource, type: 'Normal' | 'Warning', reason: Reason, message: string): Promise<void> {
    this.events.push({ type, reason, message });
  }
}

function object(options: { generation?: number; conditions?: Condition[]; status?: Status; deleting?: boolean; retain?: boolean; finalizer?: boolean } = {}): Obj {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Thing',
    metadata: {
      name: 'x', namespace: 'ns', uid: 'u1', generation: options.generation ?? 1,
      finalizers: options.finalizer === false ? [] : [FINALIZER],
      ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      ...(options.retain ? { annotations: { 'bedrockforge.io/deletion-policy': 'retain' } } : {}),
    },
    spec: { want: 'v' },
    status: { ...(options.status ?? {}), conditions: options.conditions ?? [] },
  };
}

function readyFor(generation: number): Condition[] {
  return [
    { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: generation },
    { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: generation },
  ];
}

const inSync: Observation<Status, string[]> = { exists: true, status: { arn: 'arn:x' }, diff: [], plan: [] };
const differs: Observation<Status, string[]> = { exists: true, status: { arn: 'arn:x' }, diff: ['trust policy'], plan: ['fix'] };
const absent: Observation<Status, string[]> = { exists: false, status: {} };

function setup(defaultDeletionPolicy: DeletionPolicy = 'delete') {
  const client = new FakeClient();
  const writes = new FakeWrites();
  let drift = 0;
  const reconciler = new Reconciler({ kind: 'Thing', client, writes, defaultDeletionPolicy, resyncMs: () => RESYNC_MS, onDrift: () => drift++ });
  const ctx = (signal = new AbortController().signal): PassContext => ({ signal, log: pino({ level: 'silent' }) });
  return { client, writes, reconciler, ctx, drift: () => drift };
}

const synced = (status: Record<string, unknown> | undefined) => (status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Synced');
const ready = (status: Record<string, unknown> | undefined) => (status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');

describe('Reconciler: progress and drift', () => {
  it('converges over several passes with Created and Updated Events, never DriftCorrected', async () => {
    const { client, writes, reconciler, ctx, drift } = setup();
    // Pass 1 creates; passes 2 and 3 each take one more step (an agent's action groups, then its
    // preparation), after which it is in sync.
    client.observations = [absent, differs, differs, differs, differs, inSync];
    let obj = object();
    const outcomes = [];
    for (let pass = 0; pass < 3; pass++) {
      outcomes.push(await reconciler.reconcile(obj, ctx()));
      obj = (writes.last as Obj | undefined) ?? obj;
    }
    expect(writes.events.map((e) => e.reason)).toEqual(['Created', 'Updated', 'Updated']);
    expect(drift()).toBe(0);
    expect(outcomes.map((o) => 'requeueAfterMs' in o && o.requeueAfterMs)).toEqual([SETTLING_REQUEUE_MS, SETTLING_REQUEUE_MS, RESYNC_MS]);
    expect(ready(writes.last?.status as Record<string, unknown>)).toMatchObject({ status: 'True', observedGeneration: 1 });
  });

  it('says at debug level where a pass\'s time went, step by step', async () => {
    const { client, reconciler } = setup();
    client.observations = [absent, inSync];
    const lines: Array<{ msg: string; ms?: number; steps?: Record<string, number> }> = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line) as (typeof lines)[number]); } });
    await reconciler.reconcile(object(), { signal: new AbortController().signal, log });
    const done = lines.find((l) => l.msg === 'pass done');
    expect(Object.keys(done?.steps ?? {})).toEqual(['finalizer', 'assess', 'resolve', 'observe', 'create', 'event', 'observe again', 'status']);
    expect(Object.values(done!.steps!).every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true);
    expect(done!.ms).toBeGreaterThanOrEqual(0);
  });

  it('calls a difference found after Ready for the current generation drift, and corrects it', async () => {
    const { client, writes, reconciler, ctx, drift } = setup();
    client.observations = [differs, inSync];
    await reconciler.reconcile(object({ conditions: readyFor(1) }), ctx());
    expect(writes.events).toEqual([{ type: 'Normal', reason: 'DriftCorrected', message: 'Corrected drift in: trust policy' }]);
    expect(drift()).toBe(1);
  });

  it('calls a change a related object asks of a Ready object progress, not drift', async () => {
    const { client, writes, reconciler, ctx, drift } = setup();
    client.observations = [inSync, differs, inSync];
    const obj = object({ conditions: readyFor(1), status: { arn: 'arn:x' } });
    await reconciler.reconcile(obj, ctx());
    client.related = ' and an agent that calls it';
    await reconciler.reconcile(obj, ctx());
    expect(writes.events.map((e) => e.reason)).toEqual(['Updated']);
    expect(drift()).toBe(0);
  });

  it('still calls it drift when new drift appears while the last is corrected, and status says Pending meanwhile', async () => {
    const { client, writes, reconciler, ctx, drift } = setup();
    // In sync; then drift, corrected, but the observation after the write finds new drift.
    client.observations = [inSync, differs, differs, differs, inSync];
    let obj = object({ conditions: readyFor(1), status: { arn: 'arn:x' } });
    for (let pass = 0; pass < 3; pass++) {
      await reconciler.reconcile(obj, ctx());
      obj = (writes.last as Obj | undefined) ?? obj;
    }
    expect(writes.events.map((e) => e.reason)).toEqual(['DriftCorrected', 'DriftCorrected']);
    expect(drift()).toBe(2);
  });

  it('calls a resource deleted in AWS after Ready drift, and creates it again', async () => {
    const { client, writes, reconciler, ctx, drift } = setup();
    client.observations = [absent, inSync];
    await reconciler.reconcile(object({ conditions: readyFor(1) }), ctx());
    expect(client.awsWrites).toEqual(['create']);
    expect(writes.events.map((e) => e.reason)).toEqual(['DriftCorrected']);
    expect(drift()).toBe(1);
  });

  it('calls a change of spec after Ready an update, not drift', async () => {
    const { client, writes, reconciler, ctx, drift } = setup();
    client.observations = [differs, inSync];
    await reconciler.reconcile(object({ generation: 2, conditions: readyFor(1) }), ctx());
    expect(writes.events.map((e) => e.reason)).toEqual(['Updated']);
    expect(drift()).toBe(0);
  });

  it('calls the retry of a failed update progress, when the object was not Ready for its generation', async () => {
    const { client, writes, reconciler, ctx, drift } = setup();
    client.observations = [differs, inSync];
    const failedBefore: Condition[] = [{ type: 'Synced', status: 'False', reason: 'ReconcileError', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 }];
    await reconciler.reconcile(object({ conditions: failedBefore }), ctx());
    expect(writes.events.map((e) => e.reason)).toEqual(['Updated']);
    expect(drift()).toBe(0);
  });
});

describe('Reconciler: what it writes', () => {
  it('writes no status and no Event, and nothing in AWS, when the resource is in sync and status says so', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.observations = [inSync];
    const obj = object({ conditions: readyFor(1), status: { arn: 'arn:x' } });
    (obj.status as Record<string, unknown>).observedGeneration = 1;
    const outcome = await reconciler.reconcile(obj, ctx());
    expect(outcome).toEqual({ result: 'success', requeueAfterMs: RESYNC_MS });
    expect(writes.statusWrites).toEqual([]);
    expect(writes.events).toEqual([]);
    expect(client.awsWrites).toEqual([]);
  });

  it('adds the finalizer before resolving, since resolve may write child objects', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.observations = [inSync];
    await reconciler.reconcile(object({ finalizer: false }), ctx());
    expect(writes.order).toEqual(['addFinalizer']);
    expect(client.calls[0]).toBe('resolve');
  });

  it('on a blocked resource writes nothing in AWS and emits one Warning, not one per pass', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.observations = [{ exists: true, status: {}, blocked: { reason: 'AlreadyExists', message: 'not ours' } }];
    let obj = object();
    for (let pass = 0; pass < 3; pass++) {
      const outcome = await reconciler.reconcile(obj, ctx());
      expect(outcome).toEqual({ result: 'success', requeueAfterMs: RESYNC_MS });
      obj = (writes.last as Obj | undefined) ?? obj;
    }
    expect(client.awsWrites).toEqual([]);
    expect(writes.events).toEqual([{ type: 'Warning', reason: 'AlreadyExists', message: 'not ours' }]);
    expect(synced(writes.last?.status as Record<string, unknown>)).toMatchObject({ status: 'False', reason: 'AlreadyExists' });
  });

  it('fails a pass whose update wrote nothing while a difference remains, with backoff and one Warning', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.observations = [differs];
    client.updateResult = { wrote: false };
    let obj = object();
    for (let pass = 0; pass < 3; pass++) {
      expect(await reconciler.reconcile(obj, ctx())).toEqual({ result: 'error' });
      obj = (writes.last as Obj | undefined) ?? obj;
    }
    expect(writes.events).toEqual([{ type: 'Warning', reason: 'NoProgress', message: expect.stringContaining('trust policy') as string }]);
    expect(synced(writes.last?.status as Record<string, unknown>)).toMatchObject({ status: 'False', reason: 'NoProgress' });
  });
});

describe('Reconciler: errors decide when the key comes back', () => {
  const cases: { name: string; error: unknown; outcome: unknown; reason: Reason; event: 'Normal' | 'Warning' }[] = [
    { name: 'a wait, after its named delay', error: new WaitingError('WaitingForRole', 'role not Ready', 'dependency'), outcome: { result: 'waiting', requeueAfterMs: RETRY_AFTER.dependency }, reason: 'WaitingForRole', event: 'Normal' },
    { name: 'a terminal error, at the next resync', error: new TerminalError('NoRole', 'name a role'), outcome: { result: 'terminal', requeueAfterMs: RESYNC_MS }, reason: 'NoRole', event: 'Warning' },
    { name: 'throttling, after the key\'s backoff', error: Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }), outcome: { result: 'error' }, reason: 'ReconcileError', event: 'Warning' },
  ];
  for (const c of cases) {
    it(`retries ${c.name}`, async () => {
      const { client, writes, reconciler, ctx } = setup();
      client.failWith = c.error;
      expect(await reconciler.reconcile(object(), ctx())).toEqual(c.outcome);
      expect(writes.events.map((e) => [e.type, e.reason])).toEqual([[c.event, c.reason]]);
      expect(client.awsWrites).toEqual([]);
    });
  }

  it('says a throttled pass is retrying, with the error\'s name', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.failWith = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    await reconciler.reconcile(object(), ctx());
    expect(synced(writes.last?.status as Record<string, unknown>)?.message).toBe('Throttling: Rate exceeded (retrying with backoff)');
  });

  it('keeps a Ready resource Ready while a later pass fails', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.failWith = new Error('boom');
    await reconciler.reconcile(object({ conditions: readyFor(1) }), ctx());
    expect(ready(writes.last?.status as Record<string, unknown>)).toMatchObject({ status: 'True', reason: 'Available' });
  });

  it('reports a pass past its deadline as DeadlineExceeded and retries it with backoff', async () => {
    const { client, writes, reconciler, ctx } = setup();
    const abort = new AbortController();
    abort.abort();
    client.failWith = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    expect(await reconciler.reconcile(object(), ctx(abort.signal))).toEqual({ result: 'error' });
    expect(synced(writes.last?.status as Record<string, unknown>)).toMatchObject({ reason: 'DeadlineExceeded' });
  });
});

describe('Reconciler: deletion', () => {
  it('deletes, waits while something remains, then releases children and removes the finalizer', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.deleteResults = [{ wrote: true, remaining: true }, { wrote: false, remaining: true }, { wrote: false, remaining: false }];
    const obj = object({ deleting: true });
    expect(await reconciler.reconcile(obj, ctx())).toEqual({ result: 'success', requeueAfterMs: SETTLING_REQUEUE_MS });
    expect(await reconciler.reconcile(obj, ctx())).toEqual({ result: 'success', requeueAfterMs: SETTLING_REQUEUE_MS });
    expect(writes.finalizerRemoved).toBe(false);
    expect(await reconciler.reconcile(obj, ctx())).toEqual({ result: 'success', requeueAfterMs: undefined });
    expect(client.calls).toEqual(['delete', 'delete', 'delete', 'finalize delete']);
    expect(writes.finalizerRemoved).toBe(true);
    expect(writes.events.map((e) => e.reason)).toEqual(['Deleted']);
  });

  it('with deletion policy retain deletes nothing in AWS and still releases children and the finalizer', async () => {
    for (const [obj, fallback] of [[object({ deleting: true, retain: true }), 'delete'], [object({ deleting: true }), 'retain']] as const) {
      const { client, writes, reconciler, ctx } = setup(fallback);
      await reconciler.reconcile(obj, ctx());
      expect(client.calls).toEqual(['finalize retain']);
      expect(writes.finalizerRemoved).toBe(true);
      expect(writes.events.map((e) => e.reason)).toEqual(['Retained']);
    }
  });

  it('leaves an object without the finalizer alone', async () => {
    const { client, writes, reconciler, ctx } = setup();
    await reconciler.reconcile(object({ deleting: true, finalizer: false }), ctx());
    expect(client.calls).toEqual([]);
    expect(writes.finalizerRemoved).toBe(false);
  });
});

describe('Reconciler: advice (findings and the access check)', () => {
  const finding = (severity: 'low' | 'medium' | 'high', check: string) => ({ severity, check, path: `spec.x.${check}`, message: `${check} message` });

  function advised(findings: ReturnType<typeof finding>[], refuseFindingsAt?: 'high' | 'medium' | 'low') {
    const client = new FakeClient();
    const writes = new FakeWrites();
    const access = { outcome: 'denied' as const, message: 'role r does not allow bedrock:InvokeModel on arn:m' };
    const advising = Object.assign(client, { findings: () => findings, checkAccess: async () => access });
    const reconciler = new Reconciler({ kind: 'Thing', client: advising, writes, defaultDeletionPolicy: 'delete', resyncMs: () => RESYNC_MS, ...(refuseFindingsAt ? { refuseFindingsAt } : {}) });
    const ctx: PassContext = { signal: new AbortController().signal, log: pino({ level: 'silent' }) };
    return { client, writes, reconciler, ctx };
  }
  const conditionOf = (status: Record<string, unknown> | undefined, type: string) => (status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

  it('writes findings, their count and conditions with the pass, and one Warning Event per finding, once', async () => {
    const { client, writes, reconciler, ctx } = advised([finding('low', 'WildcardResource'), finding('high', 'PublicPrincipal')]);
    client.observations = [inSync];
    await reconciler.reconcile(object(), ctx);
    const status = writes.last!.status as Record<string, unknown>;
    expect(status.findingCount).toBe(2);
    expect((status.findings as Array<{ check: string }>).map((f) => f.check)).toEqual(['PublicPrincipal', 'WildcardResource']);
    expect(conditionOf(status, 'Findings')).toMatchObject({ status: 'True', reason: 'FindingsPresent', message: expect.stringMatching(/^1 high, 1 low: spec.x.PublicPrincipal/) });
    expect(conditionOf(status, 'AccessCheck')).toMatchObject({ status: 'False', reason: 'AccessWouldBeDenied', message: 'role r does not allow bedrock:InvokeModel on arn:m' });
    expect(writes.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['FindingsPresent', 'FindingsPresent', 'AccessWouldBeDenied']);
    // The next pass, in sync, with the same advice: no Event, no status write.
    const before = { events: writes.events.length, statusWrites: writes.statusWrites.length };
    await reconciler.reconcile(writes.last as Obj, ctx);
    expect(writes.events.length).toBe(before.events);
    expect(writes.statusWrites.length).toBe(before.statusWrites);
  });

  it('under --refuse-findings, refuses before resolve (no generated role, no AWS call) and still shows the findings', async () => {
    const { client, writes, reconciler, ctx } = advised([finding('medium', 'ConfusedDeputy')], 'medium');
    client.observations = [absent];
    const outcome = await reconciler.reconcile(object(), ctx);
    expect(outcome.result).toBe('terminal');
    expect(client.calls).toEqual([]);
    const status = writes.last!.status as Record<string, unknown>;
    expect(synced(status)).toMatchObject({ status: 'False', reason: 'FindingsRefused', message: expect.stringContaining('[medium] spec.x.ConfusedDeputy') });
    expect(status.findingCount).toBe(1);
  });

  it('lets findings below the floor through', async () => {
    const { client, reconciler, ctx } = advised([finding('low', 'WildcardResource')], 'medium');
    client.observations = [absent, inSync];
    expect((await reconciler.reconcile(object(), ctx)).result).toBe('success');
    expect(client.awsWrites).toEqual(['create']);
  });
});

describe('Reconciler: runtime coverage (the coverage hook)', () => {
  const GAP_GUARDRAIL = 'spec.guardrail: a harness takes no guardrail';
  const GAP_PROMPTS = 'spec.promptOverrides[PRE_PROCESSING]: a harness has one system prompt';

  /** A client whose object runs on a runtime that cannot carry out `gaps` (undefined: the hook says nothing). */
  function covering(initial: string[] | undefined, extra: Partial<Pick<ExternalClient<Spec, Status, string, string[]>, 'findings'>> = {}) {
    const client = new FakeClient();
    const writes = new FakeWrites();
    const state = { gaps: initial };
    const hooked = Object.assign(client, {
      coverage: () => (state.gaps === undefined ? undefined : { runtime: 'AgentCore', gaps: state.gaps }),
      ...extra,
    });
    const make = () => new Reconciler({ kind: 'Thing', client: hooked, writes, defaultDeletionPolicy: 'delete', resyncMs: () => RESYNC_MS });
    const ctx: PassContext = { signal: new AbortController().signal, log: pino({ level: 'silent' }) };
    return { client, writes, state, reconciler: make(), restart: make, ctx };
  }
  const coverageOf = (status: unknown) => ((status as Record<string, unknown> | undefined)?.conditions as Condition[] | undefined)?.find((c) => c.type === 'RuntimeCoverage');
  const notCovered = (writes: FakeWrites) => writes.events.filter((e) => e.reason === 'NotCovered');

  it('no gaps: RuntimeCoverage True, FullyCovered, and no Event', async () => {
    const { client, writes, reconciler, ctx } = covering([]);
    client.observations = [inSync];
    await reconciler.reconcile(object(), ctx);
    expect(coverageOf(writes.last?.status)).toMatchObject({ status: 'True', reason: 'FullyCovered', message: 'every field of the spec is carried out on AgentCore', observedGeneration: 1 });
    expect(writes.events).toEqual([]);
  });

  it('gaps: RuntimeCoverage False, NotCovered, every gap in the message, and the object still becomes Ready', async () => {
    const { client, writes, reconciler, ctx } = covering([GAP_GUARDRAIL, GAP_PROMPTS]);
    client.observations = [inSync];
    await reconciler.reconcile(object(), ctx);
    const status = writes.last?.status;
    expect(coverageOf(status)).toMatchObject({ status: 'False', reason: 'NotCovered', message: `AgentCore has no equivalent for: ${GAP_GUARDRAIL}; ${GAP_PROMPTS}` });
    expect(ready(status as Record<string, unknown>)).toMatchObject({ status: 'True', reason: 'Available' });
    expect(notCovered(writes)).toEqual([{ type: 'Warning', reason: 'NotCovered', message: `AgentCore has no equivalent for: ${GAP_GUARDRAIL}; ${GAP_PROMPTS}` }]);
  });

  it('one Warning Event per distinct message, not per pass; no status write once status says it', async () => {
    const { client, writes, reconciler, ctx } = covering([GAP_GUARDRAIL]);
    client.observations = [inSync];
    let obj = object();
    for (let pass = 0; pass < 4; pass++) {
      await reconciler.reconcile(obj, ctx);
      obj = (writes.last as Obj | undefined) ?? obj;
    }
    expect(notCovered(writes)).toHaveLength(1);
    expect(writes.statusWrites).toHaveLength(1);
    expect(writes.events).toEqual(notCovered(writes));
  });

  it('a change of gaps is a new Event; becoming covered is none; a gap again is one more', async () => {
    const { client, writes, state, reconciler, ctx } = covering([GAP_GUARDRAIL]);
    client.observations = [inSync];
    let obj = object();
    const pass = async (gaps: string[]) => {
      state.gaps = gaps;
      await reconciler.reconcile(obj, ctx);
      obj = (writes.last as Obj | undefined) ?? obj;
      return coverageOf(obj.status);
    };
    await pass([GAP_GUARDRAIL]);
    await pass([GAP_GUARDRAIL]);
    await pass([GAP_GUARDRAIL, GAP_PROMPTS]);
    await pass([GAP_GUARDRAIL, GAP_PROMPTS]);
    expect(await pass([])).toMatchObject({ status: 'True', reason: 'FullyCovered' });
    expect(await pass([GAP_PROMPTS])).toMatchObject({ status: 'False', reason: 'NotCovered', message: `AgentCore has no equivalent for: ${GAP_PROMPTS}` });
    await pass([GAP_PROMPTS]);
    expect(notCovered(writes).map((e) => e.message)).toEqual([
      `AgentCore has no equivalent for: ${GAP_GUARDRAIL}`,
      `AgentCore has no equivalent for: ${GAP_GUARDRAIL}; ${GAP_PROMPTS}`,
      `AgentCore has no equivalent for: ${GAP_PROMPTS}`,
    ]);
    expect(writes.events.filter((e) => e.reason !== 'NotCovered')).toEqual([]);
  });

  it('after a restart, status is what it goes by: the same gaps make no second Event', async () => {
    const { client, writes, reconciler, restart, ctx } = covering([GAP_GUARDRAIL]);
    client.observations = [inSync];
    await reconciler.reconcile(object(), ctx);
    await restart().reconcile(writes.last as Obj, ctx);
    expect(notCovered(writes)).toHaveLength(1);
  });

  it('is written on a pass that fails or waits too, and its Event is not repeated by the retries', async () => {
    const { client, writes, reconciler, ctx } = covering([GAP_GUARDRAIL]);
    client.failWith = new WaitingError('WaitingForLambda', 'Lambda ns/f is not Ready yet', 'dependency');
    let obj = object();
    for (let pass = 0; pass < 3; pass++) {
      expect((await reconciler.reconcile(obj, ctx)).result).toBe('waiting');
      obj = (writes.last as Obj | undefined) ?? obj;
    }
    expect(coverageOf(obj.status)).toMatchObject({ status: 'False', reason: 'NotCovered' });
    expect(notCovered(writes)).toHaveLength(1);
    expect(writes.events.map((e) => e.reason)).toEqual(['NotCovered', 'WaitingForLambda']);
  });

  it('is written beside the findings, and on a blocked resource', async () => {
    const finding = { severity: 'low' as const, check: 'WildcardResource', path: 'spec.x', message: 'm' };
    const { client, writes, reconciler, ctx } = covering([GAP_GUARDRAIL], { findings: () => [finding] });
    client.observations = [{ exists: true, status: {}, blocked: { reason: 'AlreadyExists', message: 'not ours' } }];
    await reconciler.reconcile(object(), ctx);
    const conditions = ((writes.last?.status as Record<string, unknown>).conditions as Condition[]).map((c) => `${c.type} ${c.status} ${c.reason}`);
    expect(conditions).toEqual(['Findings True FindingsPresent', 'Ready False AlreadyExists', 'RuntimeCoverage False NotCovered', 'Synced False AlreadyExists']);
  });

  it('a client without the hook, or whose hook says nothing for the object, writes no RuntimeCoverage and no Event for it', async () => {
    const plain = setup();
    plain.client.observations = [inSync];
    await plain.reconciler.reconcile(object(), plain.ctx());
    expect(coverageOf(plain.writes.last?.status)).toBeUndefined();
    expect(plain.writes.events).toEqual([]);

    const { client, writes, reconciler, ctx } = covering(undefined);
    client.observations = [inSync];
    await reconciler.reconcile(object(), ctx);
    expect(coverageOf(writes.last?.status)).toBeUndefined();
    expect(writes.events).toEqual([]);
  });

  // An Agent moved back from AgentCore to classic: AgentRuntimes.coverage returns undefined.
  it('RuntimeCoverage goes once the hook says nothing for the object any more', async () => {
    const { client, writes, state, reconciler, ctx } = covering([GAP_GUARDRAIL]);
    client.observations = [inSync];
    await reconciler.reconcile(object(), ctx);
    state.gaps = undefined;
    await reconciler.reconcile(writes.last as Obj, ctx);
    expect(coverageOf(writes.last?.status)).toBeUndefined();
  });
});

describe('Reconciler: milestones of an update (UpdateResult.done)', () => {
  it('each milestone is a Normal Event with its reason and message, before the Updated Event', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.observations = [differs, inSync];
    client.updateResult = { wrote: true, done: [{ reason: 'MigrationComplete', message: 'The agent runs on Bedrock AgentCore; its Bedrock Agents (classic) agent is deleted' }] };
    await reconciler.reconcile(object(), ctx());
    expect(writes.events).toEqual([
      { type: 'Normal', reason: 'MigrationComplete', message: 'The agent runs on Bedrock AgentCore; its Bedrock Agents (classic) agent is deleted' },
      { type: 'Normal', reason: 'Updated', message: 'Updated: trust policy' },
    ]);
    expect(ready(writes.last?.status as Record<string, unknown>)).toMatchObject({ status: 'True' });
  });

  it('several milestones are several Events, in order; an update with none adds none', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.observations = [differs, inSync];
    client.updateResult = { wrote: true, done: [{ reason: 'MigrationComplete', message: 'first' }, { reason: 'MigrationComplete', message: 'second' }] };
    await reconciler.reconcile(object(), ctx());
    expect(writes.events.map((e) => `${e.type} ${e.reason} ${e.message}`)).toEqual(['Normal MigrationComplete first', 'Normal MigrationComplete second', 'Normal Updated Updated: trust policy']);

    const again = setup();
    again.client.observations = [differs, inSync];
    await again.reconciler.reconcile(object(), again.ctx());
    expect(again.writes.events.map((e) => e.reason)).toEqual(['Updated']);
  });

  it('a milestone reached while correcting drift is told as well', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.observations = [differs, inSync];
    client.updateResult = { wrote: true, done: [{ reason: 'MigrationComplete', message: 'done' }] };
    await reconciler.reconcile(object({ conditions: readyFor(1) }), ctx());
    expect(writes.events.map((e) => e.reason)).toEqual(['MigrationComplete', 'DriftCorrected']);
  });

  it('an Event that cannot be written fails neither the milestone\'s pass nor the status', async () => {
    const { client, writes, reconciler, ctx } = setup();
    client.observations = [differs, inSync];
    client.updateResult = { wrote: true, done: [{ reason: 'MigrationComplete', message: 'done' }] };
    writes.event = async () => {
      throw new Error('events is forbidden');
    };
    expect(await reconciler.reconcile(object(), ctx())).toEqual({ result: 'success', requeueAfterMs: RESYNC_MS });
    expect(ready(writes.last?.status as Record<string, unknown>)).toMatchObject({ status: 'True' });
  });
});
