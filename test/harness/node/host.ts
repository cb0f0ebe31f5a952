// What a node changes on the machine outside its own processes, and how to undo it: links and
// routes (ip), mounts, processes that outlive their parent (containerd shims and the containers they
// run), kernel parameters.
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { runCommand } from '../run-command.ts';
import { waitFor } from '../wait.ts';

export function ip(args: string[]): Promise<string> {
  return runCommand('ip', args);
}

/** `ip …`, ignoring the error of something already gone (cleanup of what may not exist). */
export async function ipQuiet(args: string[]): Promise<void> {
  await ip(args).catch(() => undefined);
}

/** Mount points at or under `dir` in this mount namespace, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const mountInfo = await readFile('/proc/self/mountinfo', 'utf8');
  // Field 5 is the mount point, with spaces and the like escaped as \040 (octal).
  const points = mountInfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))));
  return [...new Set(points.filter((point) => point === dir || point.startsWith(`${dir}/`)))].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or under `dir` (lazily, so a busy mount does not stop the cleanup); returns what was mounted. */
export async function unmountAllUnder(dir: string): Promise<string[]> {
  const unmounted: string[] = [];
  // A mount can hide another of the same point (kubelet bind-mounts its root directory onto itself).
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) break;
    for (const point of points) {
      await runCommand('umount', ['--lazy', point]).catch(() => undefined);
      unmounted.push(point);
    }
  }
  return unmounted;
}

/**
 * Pids of processes whose root directory is under `dir` (a container's rootfs) or whose command
 * line contains `marker` (a containerd shim names its containerd's socket).
 */
export async function processesOf(dir: string, marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const root = await readlink(`/proc/${pid}/root`);
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      if (root.startsWith(`${dir}/`) || commandLine.includes(marker)) pids.push(pid);
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return pids;
}

/** SIGKILLs the processes `processesOf` finds until none is left. */
export async function killProcessesOf(dir: string, marker: string, timeoutMs = 15_000): Promise<number[]> {
  const killed = new Set<number>();
  await waitFor(
    `the processes of ${dir} to exit`,
    async () => {
      const pids = await processesOf(dir, marker);
      for (const pid of pids) {
        killed.add(pid);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return pids.length === 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
  return [...killed];
}

/** Kernel parameters the kubelet sets at start (protectKernelDefaults false) and the CNI bridge plugin (ip_forward). */
export const TOUCHED_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
  'net.ipv4.ip_forward',
] as const;

const sysctlPath = (name: string): string => `/proc/sys/${name.replaceAll('.', '/')}`;

export async function readSysctls(): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of TOUCHED_SYSCTLS) {
    try {
      values[name] = (await readFile(sysctlPath(name), 'utf8')).trim();
    } catch {
      // not in this kernel or namespace
    }
  }
  return values;
}

/** Writes back the values that differ; returns the names it could not restore. */
export async function restoreSysctls(saved: Record<string, string>): Promise<string[]> {
  const current = await readSysctls();
  const failed: string[] = [];
  for (const [name, value] of Object.entries(saved)) {
    if (current[name] === value) continue;
    try {
      await writeFile(sysctlPath(name), `${value}\n`);
    } catch {
      failed.push(name);
    }
  }
  return failed;
}
