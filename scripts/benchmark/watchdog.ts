// Fails a benchmark run at once when the operator or a process of the stack exits under it, instead
// of waiting out the convergence timeout with nothing left to converge.
import type { RunningOperator } from '../../test/harness/operator.ts';
import type { Stack } from '../../test/harness/stack.ts';

const CHECK_EVERY_MS = 2_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What has gone: the operator (with its exit code or signal), or a stack process. */
function gone(stack: Stack, operator: RunningOperator): string | undefined {
  const { exitCode, signalCode } = operator.child;
  if (exitCode !== null || signalCode !== null) return `the operator exited (${exitCode ?? signalCode}); its log: ${operator.logFile}`;
  const dead = Object.entries(stack.pids).filter(([, pid]) => pid !== undefined && !alive(pid)).map(([name]) => name);
  return dead.length > 0 ? `${dead.join(', ')} of the stack exited; logs: ${stack.dir}/logs` : undefined;
}

export interface Watchdog {
  /** Rejects when something has gone; never resolves. */
  failed: Promise<never>;
  /** What has gone, if anything has (an error elsewhere may be its consequence). */
  reason(): string | undefined;
  stop(): void;
}

export function watchdog(stack: Stack, operator: RunningOperator): Watchdog {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const what = gone(stack, operator);
      if (what) reject(new Error(`benchmark aborted: ${what}`));
    }, CHECK_EVERY_MS);
  });
  failed.catch(() => undefined);
  return { failed, reason: () => gone(stack, operator), stop: () => clearInterval(timer) };
}
