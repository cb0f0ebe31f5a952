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
  /** CPU time every core of the machine spent busy since boot (/proc/stat): with the operator's, whose time it was. */
  machineBusySeconds: number;
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

function metric(text: string, name: string): number {
  const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
  if (value === undefined) throw new Error(`the operator's /metrics has no ${name}`);
  return Number(value);
}

export async function sampleOperator(operator: RunningOperator): Promise<OperatorSample> {
  const response = await fetch(`${operator.metricsUrl()}/metrics`);
  if (!response.ok) throw new Error(`the operator's /metrics: HTTP ${response.status}`);
  const text = await response.text();
  return {
    rssMiB: await residentMiB(operator.child.pid!),
    heapUsedMiB: metric(text, 'nodejs_heap_size_used_bytes') / MiB,
    heapTotalMiB: metric(text, 'nodejs_heap_size_total_bytes') / MiB,
    externalMiB: metric(text, 'nodejs_external_memory_bytes') / MiB,
    eventLoopP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    cpuSeconds: metric(text, 'process_cpu_seconds_total'),
    machineBusySeconds: await machineBusySeconds(),
  };
}
