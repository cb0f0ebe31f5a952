// Samples the operator process: its resident memory (VmRSS in /proc), and from its /metrics
// (prom-client's default metrics) the JS heap in use and reserved, memory outside the heap, and
// the event-loop delay p99. prom-client resets the event-loop histogram at every scrape, so each
// sample's p99 covers the time since the previous sample: the benchmark scrapes only at the edges
// of the phases it reports.
import { readFile } from 'node:fs/promises';
import type { RunningOperator } from '../../test/harness/operator.ts';

export interface OperatorSample {
  /** VmRSS of the operator process. */
  rssMiB: number;
  /** nodejs_heap_size_used_bytes and nodejs_heap_size_total_bytes. */
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** nodejs_external_memory_bytes: memory held by JS objects outside the heap (buffers, WebAssembly, module sources). */
  externalMiB: number;
  /** nodejs_eventloop_lag_p99_seconds, over the time since the previous sample. */
  eventLoopP99Ms: number;
  /** process_cpu_seconds_total: CPU time the operator used since it started. */
  cpuSeconds: number;
  /** bedrockforge_aws_listing_load_seconds: the account-wide listings loaded so far, by listing (successful loads). */
  listingLoads: Record<string, { count: number; seconds: number }>;
  /** CPU time every core of the machine spent busy since boot (/proc/stat): with the operator's, whose time it was. */
  machineBusySeconds: number;
  /** CPU time of each other process of the stack (emulator, kube-apiserver, …) and of this benchmark, since each started. */
  othersCpuSeconds: Record<string, number>;
}

const MiB = 1024 * 1024;

async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kB === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kB) / 1024;
}

/** Busy time of all cores since boot: /proc/stat's first line, every column but idle and iowait, in seconds (USER_HZ 100). */
async function machineBusySeconds(): Promise<number> {
  const [, ...ticks] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** utime + stime of a process (/proc/<pid>/stat, fields 14 and 15, USER_HZ 100); 0 once it is gone. */
async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return 0;
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function metric(text: string, name: string): number {
  const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
  if (value === undefined) throw new Error(`the operator's /metrics has no ${name}`);
  return Number(value);
}

function listingLoads(text: string): OperatorSample['listingLoads'] {
  const loads: OperatorSample['listingLoads'] = {};
  for (const [, part, listing, value] of text.matchAll(/^bedrockforge_aws_listing_load_seconds_(sum|count)\{listing="([^"]+)",outcome="success"\} (\S+)$/gm)) {
    const entry = (loads[listing!] ??= { count: 0, seconds: 0 });
    if (part === 'sum') entry.seconds = Number(value);
    else entry.count = Number(value);
  }
  return loads;
}

/** `others`: the pids of the stack's other processes, by name, whose CPU time the sample includes. */
export async function sampleOperator(operator: RunningOperator, others: Record<string, number | undefined>): Promise<OperatorSample> {
  const response = await fetch(`${operator.metricsUrl()}/metrics`);
  if (!response.ok) throw new Error(`the operator's /metrics: HTTP ${response.status}`);
  const text = await response.text();
  const own = process.cpuUsage();
  return {
    rssMiB: await residentMiB(operator.child.pid!),
    heapUsedMiB: metric(text, 'nodejs_heap_size_used_bytes') / MiB,
    heapTotalMiB: metric(text, 'nodejs_heap_size_total_bytes') / MiB,
    externalMiB: metric(text, 'nodejs_external_memory_bytes') / MiB,
    eventLoopP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    cpuSeconds: metric(text, 'process_cpu_seconds_total'),
    listingLoads: listingLoads(text),
    machineBusySeconds: await machineBusySeconds(),
    othersCpuSeconds: {
      ...Object.fromEntries(await Promise.all(Object.entries(others).filter((e): e is [string, number] => e[1] !== undefined)
        .map(async ([name, pid]) => [name, await processCpuSeconds(pid)] as const))),
      benchmark: (own.user + own.system) / 1e6,
    },
  };
}

/**
 * Resident memory read from /proc every `everyMs` until stopped (not from /metrics: a scrape resets the
 * event-loop histogram). One sample is noise at this scale: resident memory swings by tens of MiB as a
 * listing is loaded and collected, so the benchmark compares the peaks of whole resync periods.
 */
export function sampleResidentMemory(pid: number, everyMs: number): { stop(): Promise<{ atMs: number; rssMiB: number }[]> } {
  const samples: { atMs: number; rssMiB: number }[] = [];
  let reading: Promise<void> = Promise.resolve();
  const read = () => {
    reading = residentMiB(pid).then((rssMiB) => { samples.push({ atMs: Date.now(), rssMiB }); }, () => undefined);
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await reading;
      return samples;
    },
  };
}
