// `npm run bench`: how the operator does at scale on the local stack, in figures (no pass/fail), printed
// and written as JSON (bench-results/) so that runs can be compared. Per kind (IAMRole, Lambda, Agent):
//   - time from applying everything at once (Kubernetes API, 20 at a time; timed on its own) to all Ready,
//     and the AWS calls that took per resource;
//   - once in sync: AWS calls per resource per resync (over two resync periods, then ten), AWS writes and
//     object writes (both should be 0);
// and for the operator process (bundled, as the image runs it): resident memory and JS heap idle, after
// convergence, after two and after ten resyncs; event-loop delay p99 while converging and in sync; CPU time
// of the operator and of each other process of the stack; the apply-to-Ready latency of one IAMRole
// applied while the rest are in sync. The emulator answers at once, so the times measure the operator
// and kube-apiserver, not AWS, within the operator's budget on AWS (--aws-qps, its defaults unless given:
// with them, converging is bounded by the budget). Options: scripts/benchmark/options.ts (`--help`).
import { loadavg } from 'node:os';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startOperator, type RunningOperator } from '../test/harness/operator.ts';
import { startStack, type Stack } from '../test/harness/stack.ts';
import { APPLY_CONCURRENCY } from './benchmark/apply.ts';
import { ATTRIBUTION, KIND_SERVICE } from './benchmark/aws-calls.ts';
import { expectedCounts, type BenchKind } from './benchmark/manifests.ts';
import { sampleOperator, type OperatorSample } from './benchmark/operator-stats.ts';
import { bundleOperator } from './bundle.ts';
import { parseOptions, USAGE, type BenchOptions } from './benchmark/options.ts';
import {
  applyToReady, converge, inSync, seconds, startTrackers, MEMORY_PERIODS, PROBES, SYNC_PERIODS,
  type Convergence, type Sync, type SyncSample, type Trackers,
} from './benchmark/phases.ts';
import { header, humanLines, say, writeJson, type BenchResults, type KindResult, type SyncWindow } from './benchmark/report.ts';
import { runInfo } from './benchmark/run-info.ts';
import { watchdog, type Watchdog } from './benchmark/watchdog.ts';

function syncWindow(sample: SyncSample, kind: BenchKind, objects: number, periods: number): SyncWindow {
  const calls = sample.calls[KIND_SERVICE[kind]];
  const changes = sample.changes.get(kind)!;
  return {
    periods, calls: calls.calls, callsPerResourcePerResync: calls.calls / objects / periods, awsWrites: calls.writes,
    objectWrites: changes.objectWrites, readyLost: changes.readyLost, operations: calls.operations,
  };
}

function kindResult(kind: BenchKind, options: BenchOptions, trackers: Trackers, run: Convergence, sync: Sync): KindResult {
  const objects = trackers.get(kind)!.expected;
  const { readyAt, calls } = run.converged.get(kind)!;
  const all = run.untilAllReady[KIND_SERVICE[kind]];
  const applied = { IAMRole: options.counts.roles, Lambda: options.counts.lambdas, Agent: options.counts.agents }[kind];
  return {
    objects, applied, allReadyS: seconds(run.started, readyAt),
    converge: { calls: calls.calls, awsWrites: calls.writes, callsPerResource: calls.calls / objects, operations: calls.operations },
    untilAllReady: { calls: all.calls, callsPerResource: all.calls / objects, operations: all.operations },
    inSync: syncWindow(sync.short, kind, objects, SYNC_PERIODS),
    tenResyncs: syncWindow(sync.long, kind, objects, MEMORY_PERIODS),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function operatorFigures(idle: OperatorSample, { converged, afterTwo, afterTen, rssPerResync }: Sync): BenchResults['operator'] {
  return {
    idle, converged, afterTwoResyncs: afterTwo, afterTenResyncs: afterTen,
    rssGrowthMiB: afterTen.rssMiB - converged.rssMiB,
    heapUsedGrowthMiB: afterTen.heapUsedMiB - converged.heapUsedMiB,
    rssGrowthInSyncMiB: afterTen.rssMiB - afterTwo.rssMiB,
    heapUsedGrowthInSyncMiB: afterTen.heapUsedMiB - afterTwo.heapUsedMiB,
    rssPerResync,
    rssPeakGrowthInSyncMiB: rssPerResync.peakMiB[MEMORY_PERIODS - 1]! - rssPerResync.peakMiB[SYNC_PERIODS]!,
    eventLoopP99Ms: { converging: converged.eventLoopP99Ms, inSync: afterTen.eventLoopP99Ms },
    listingLoadsInSync: Object.fromEntries(Object.entries(afterTen.listingLoads).map(([listing, after]) => {
      const before = afterTwo.listingLoads[listing] ?? { count: 0, seconds: 0 };
      const loads = after.count - before.count;
      return [listing, { loads, meanS: loads > 0 ? (after.seconds - before.seconds) / loads : 0 }];
    })),
    cpuSeconds: {
      converging: { operator: converged.cpuSeconds - idle.cpuSeconds, machine: converged.machineBusySeconds - idle.machineBusySeconds },
      inSync: { operator: afterTen.cpuSeconds - afterTwo.cpuSeconds, machine: afterTen.machineBusySeconds - afterTwo.machineBusySeconds },
      others: Object.fromEntries(Object.keys(afterTen.othersCpuSeconds).map((name) => [name, {
        converging: (converged.othersCpuSeconds[name] ?? 0) - (idle.othersCpuSeconds[name] ?? 0),
        inSync: (afterTen.othersCpuSeconds[name] ?? 0) - (afterTwo.othersCpuSeconds[name] ?? 0),
      }])),
    },
  };
}

interface Run {
  options: BenchOptions;
  runStarted: number;
  stackStartS: number;
  header: Pick<BenchResults, 'arguments' | 'machine' | 'git'>;
}

/** Everything measured with the operator running, as the figures of the run. */
async function measure(stack: Stack, operator: RunningOperator, run: Run, setTrackers: (t: Trackers) => void): Promise<BenchResults> {
  const { options } = run;
  const kc = new KubeConfig();
  kc.loadFromFile(stack.kubeconfigPath);
  const api = kc.makeApiClient(CustomObjectsApi);
  const trackers = await startTrackers(kc, expectedCounts(options.counts));
  setTrackers(trackers);
  const idle = await sampleOperator(operator, stack.pids);

  const converged = await converge(stack, api, options, trackers);
  const allReadyS = seconds(converged.started, Math.max(...[...converged.converged.values()].map((c) => c.readyAt)));
  say(`every kind Ready ${allReadyS.toFixed(1)} s after applying began`);
  const sync = await inSync(stack, operator, trackers, options.resyncS);
  say(`applying ${PROBES} IAMRoles one at a time while the rest are in sync…`);
  const probes = await applyToReady(api, trackers.get('IAMRole')!);
  return {
    benchmark: 'bedrock-forge-operator',
    startedAt: new Date(run.runStarted).toISOString(),
    durationS: seconds(run.runStarted),
    ...run.header,
    machine: { ...run.header.machine, loadAverageAtEnd: loadavg()[0] ?? 0 },
    stackStartS: run.stackStartS,
    apply: { objects: converged.applied, seconds: converged.applyS, concurrency: APPLY_CONCURRENCY },
    allReadyS,
    kinds: Object.fromEntries([...trackers.keys()].map((kind) => [kind, kindResult(kind, options, trackers, converged, sync)])),
    otherCalls: { converge: converged.untilAllReady.other, tenResyncs: sync.long.calls.other },
    attribution: ATTRIBUTION,
    operator: operatorFigures(idle, sync),
    applyToReady: { samplesMs: probes, medianMs: median(probes), maxMs: Math.max(...probes) },
  };
}

function optionsOrExit(): BenchOptions {
  try {
    return parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  const options = optionsOrExit();
  const { commit, uncommitted, uncommittedDigest, ...machine } = runInfo();
  const { resources, counts, resyncS, workers, awsQps, awsQpsIsDefault, split } = options;
  const args = { argv: options.argv, resources, ...counts, resyncS, workers, awsQps, awsQpsIsDefault, split };
  const runHeader = { arguments: args, machine, git: { commit, uncommitted, uncommittedDigest } };
  header(runHeader).forEach((line) => say(line));

  const stack = await startStack();
  const stackStartS = seconds(runStarted);
  let operator: RunningOperator | undefined;
  let trackers: Trackers = new Map();
  let guard: Watchdog | undefined;
  const cleanUp = async () => {
    guard?.stop();
    await Promise.all([...trackers.values()].map((t) => t.stop().catch(() => undefined)));
    await operator?.stop();
    await stack.stop();
  };
  const interrupted = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    // Every flag that shapes the figures is explicit: the test bed's environment may set others (AWS_QPS).
    const flags = ['--resync', String(resyncS), '--workers', String(workers), '--aws-qps', awsQps, '--agent-runtime', 'classic'];
    // The operator as the image runs it: bundled (scripts/bundle.ts), built from this checkout.
    operator = await startOperator(stack, flags, 'operator', 'watching', {}, await bundleOperator());
    guard = watchdog(stack, operator);
    const run: Run = { options, runStarted, stackStartS, header: runHeader };
    const results = await Promise.race([measure(stack, operator, run, (t) => { trackers = t; }), guard.failed]);
    say();
    humanLines(results).forEach((line) => say(line));
    say();
    say(`figures written to ${await writeJson(options.jsonPath, results)}; the run took ${results.durationS.toFixed(0)} s (stack start ${stackStartS.toFixed(0)} s), load ${results.machine.loadAverageAtEnd!.toFixed(2)} at the end`);
  } catch (error) {
    // The stack's directory (logs, the operator's among them) is kept to find out why.
    process.env.TESTBED_KEEP_DIR = '1';
    const reason = guard?.reason();
    say(`the run failed${reason ? ` because ${reason}` : ''}; the stack's logs are kept in ${stack.dir}/logs`);
    throw error;
  } finally {
    await cleanUp();
  }
}

await main();
// Nothing is left to wait for; idle keep-alive sockets of the Kubernetes client must not hold the process.
process.exit(0);
