// The phases of a benchmark run: watching the kinds, applying everything and waiting until each kind is
// all Ready (with the calls its service took), counting calls and writes once in sync over two and then
// ten resync periods (once no object has been written for a while) with the operator sampled at both
// ends, and timing single IAMRoles to Ready.
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { recordedCalls, startRecording } from '../../test/harness/emulator/recorder.ts';
import type { RunningOperator } from '../../test/harness/operator.ts';
import type { Stack } from '../../test/harness/stack.ts';
import { sleep } from '../../test/harness/wait.ts';
import { createAll, createObject } from './apply.ts';
import { KIND_SERVICE, tally, type ServiceTally } from './aws-calls.ts';
import { benchObjects, role, BENCH_KINDS, type BenchKind } from './manifests.ts';
import { sampleOperator, sampleResidentMemory } from './operator-stats.ts';
import type { BenchOptions } from './options.ts';
import { say } from './report.ts';
import { KindTracker } from './tracker.ts';

export const SYNC_PERIODS = 2;
export const MEMORY_PERIODS = 10;
export const PROBES = 5;
/** Resident memory samples per resync period in sync. */
const RSS_SAMPLES_PER_RESYNC = 9;
const CONVERGE_TIMEOUT_MS = 60 * 60_000;
const PROGRESS_EVERY_MS = 30_000;
const QUIET_MS = 10_000;
const SETTLE_TIMEOUT_MS = 120_000;

export type Trackers = Map<BenchKind, KindTracker>;
interface Converged { readyAt: number; calls: ServiceTally }
export interface SyncSample { calls: ReturnType<typeof tally>; changes: Map<BenchKind, ReturnType<KindTracker['changes']>> }

export const seconds = (fromMs: number, toMs = Date.now()) => (toMs - fromMs) / 1000;

export async function startTrackers(kc: KubeConfig, expected: Record<BenchKind, number>): Promise<Trackers> {
  const trackers: Trackers = new Map(BENCH_KINDS.filter((kind) => expected[kind] > 0).map((kind) => [kind, new KindTracker(kc, kind, expected[kind])]));
  await Promise.all([...trackers.values()].map((t) => t.start()));
  return trackers;
}

/** Prints how many objects are Ready every PROGRESS_EVERY_MS until stopped: where the time goes. */
function reportProgress(trackers: Trackers, since: number): () => void {
  const timer = setInterval(() => {
    say(`  ${seconds(since).toFixed(0)} s: Ready ${[...trackers.values()].map((t) => `${t.kind} ${t.readyCount}/${t.expected}`).join(', ')}`);
  }, PROGRESS_EVERY_MS);
  return () => clearInterval(timer);
}

/** Resolves when the kind is all Ready, with the calls its service took until then. */
async function kindConverged(stack: Stack, tracker: KindTracker): Promise<Converged> {
  const readyAt = await tracker.whenAllReady();
  return { readyAt, calls: tally(await recordedCalls(stack.awsEndpoint))[KIND_SERVICE[tracker.kind]] };
}

/** The promise's value, or an error with `message()` once `ms` have passed. */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function notReadyMessage(trackers: Trackers): string {
  const waiting = [...trackers.values()].flatMap((t) => t.notReady(5));
  return `not all Ready after ${CONVERGE_TIMEOUT_MS / 60_000} min; for example:\n  ${waiting.join('\n  ')}`;
}

/** Applies everything at once; resolves when every kind is all Ready. */
export async function converge(stack: Stack, api: CustomObjectsApi, options: BenchOptions, trackers: Trackers) {
  const objects = benchObjects(options.counts);
  await startRecording(stack.awsEndpoint);
  const started = Date.now();
  const stopProgress = reportProgress(trackers, started);
  try {
    const converging = Promise.all([...trackers.values()].map((t) => kindConverged(stack, t)));
    await createAll(api, objects);
    const applyS = seconds(started);
    say(`applied ${objects.length} objects in ${applyS.toFixed(1)} s; waiting for every kind to be Ready…`);
    const converged = await withTimeout(converging, CONVERGE_TIMEOUT_MS, () => notReadyMessage(trackers));
    const untilAllReady = tally(await recordedCalls(stack.awsEndpoint));
    const byKind = new Map([...trackers.keys()].map((kind, i) => [kind, converged[i]!]));
    return { started, applied: objects.length, applyS, untilAllReady, converged: byKind };
  } finally {
    stopProgress();
  }
}

async function syncSample(stack: Stack, trackers: Trackers): Promise<SyncSample> {
  return { calls: tally(await recordedCalls(stack.awsEndpoint)), changes: new Map([...trackers].map(([kind, t]) => [kind, t.changes()])) };
}

/**
 * Once in sync: the calls and writes over SYNC_PERIODS resyncs, then over MEMORY_PERIODS, and the operator
 * sampled at convergence and after both (after SYNC_PERIODS, the garbage of converging is mostly collected).
 */
/** Until no object has been written for QUIET_MS (at most SETTLE_TIMEOUT_MS): the last passes of converging are not counted as in sync. */
async function settled(trackers: Trackers): Promise<void> {
  const started = Date.now();
  const writes = () => [...trackers.values()].reduce((n, t) => n + t.changes().objectWrites, 0);
  let last = writes();
  let quietSince = Date.now();
  while (Date.now() - quietSince < QUIET_MS && Date.now() - started < SETTLE_TIMEOUT_MS) {
    await sleep(1_000);
    if (writes() !== last) {
      last = writes();
      quietSince = Date.now();
    }
  }
  say(`settled: no object written for ${QUIET_MS / 1000} s, ${seconds(started).toFixed(0)} s after all Ready`);
}

export async function inSync(stack: Stack, operator: RunningOperator, trackers: Trackers, resyncS: number) {
  await settled(trackers);
  await startRecording(stack.awsEndpoint);
  for (const tracker of trackers.values()) tracker.resetChanges();
  const since = Date.now();
  const converged = await sampleOperator(operator, stack.pids);
  const resident = sampleResidentMemory(operator.child.pid!, (resyncS * 1000) / RSS_SAMPLES_PER_RESYNC);
  say(`in sync: counting over ${SYNC_PERIODS} resyncs (${SYNC_PERIODS * resyncS} s), then up to ${MEMORY_PERIODS} resyncs (${MEMORY_PERIODS * resyncS} s)…`);
  await sleep(since + SYNC_PERIODS * resyncS * 1000 - Date.now());
  const short = await syncSample(stack, trackers);
  const afterTwo = await sampleOperator(operator, stack.pids);
  await sleep(since + MEMORY_PERIODS * resyncS * 1000 - Date.now());
  const long = await syncSample(stack, trackers);
  const afterTen = await sampleOperator(operator, stack.pids);
  return { converged, short, long, afterTwo, afterTen, rssPerResync: perResync(await resident.stop(), since, resyncS) };
}

/** The peak and median of the resident memory samples of each resync period in sync, in order. */
function perResync(samples: { atMs: number; rssMiB: number }[], since: number, resyncS: number): { peakMiB: number[]; medianMiB: number[] } {
  const periods: number[][] = Array.from({ length: MEMORY_PERIODS }, () => []);
  for (const { atMs, rssMiB } of samples) periods[Math.min(MEMORY_PERIODS - 1, Math.floor((atMs - since) / (resyncS * 1000)))]?.push(rssMiB);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { peakMiB: periods.map((p) => Math.max(0, ...p)), medianMiB: periods.map(median) };
}

/** One IAMRole at a time, created while the rest are in sync: milliseconds to seen Ready. */
export async function applyToReady(api: CustomObjectsApi, tracker: KindTracker): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const object = role(`bench-probe-${i}`, 100_000 + i);
    const ready = tracker.whenReady(object.metadata.name);
    const started = Date.now();
    await createObject(api, object);
    const readyAt = await withTimeout(ready, 60_000, () => `${object.metadata.name} not Ready after 60 s`);
    samples.push(readyAt - started);
    // When, to line up with the operator's log (LOG_LEVEL=debug: each pass's steps and their times).
    say(`  ${object.metadata.name}: created at ${new Date(started).toISOString()}, seen Ready ${readyAt - started} ms later`);
  }
  return samples;
}

export type Convergence = Awaited<ReturnType<typeof converge>>;
export type Sync = Awaited<ReturnType<typeof inSync>>;
