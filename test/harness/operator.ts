// Runs the operator as a child process against a stack, as `npm start` would (with its V8 flags).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_MALLOC_ENV, OPERATOR_NODE_FLAGS } from '../../src/cli/node-flags.ts';
import { repoRoot } from './repo-paths.ts';
import type { Stack } from './stack.ts';
import { waitFor } from './wait.ts';

export interface RunningOperator {
  child: ChildProcess;
  logFile: string;
  /** Every log line so far (JSON). */
  lines(): string[];
  /** Base URL of /healthz and /readyz. */
  healthUrl(): string;
  /** Base URL of /metrics. */
  metricsUrl(): string;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * Starts the operator; resolves once its log says `until` (by default: it is watching, i.e.
 * leading). It runs with the stack's environment and the operator's own (its access key, whose
 * requests the emulator's front authorizes against the operator's IAM policy, and the stack's
 * permissions boundary); `env` adds to (or overrides) them, e.g. another KUBECONFIG. `script`:
 * what node runs, the sources by default, or the bundle the image ships (scripts/bundle.ts).
 */
export async function startOperator(
  stack: Stack, args: string[] = [], name = 'operator', until = 'watching', env: Record<string, string> = {},
  script = join(repoRoot, 'bin', 'bedrock-forge-operator.js'),
): Promise<RunningOperator> {
  const logFile = join(stack.dir, 'logs', `${name}.log`);
  // Free ports on loopback, so that several operators can run side by side.
  const endpoints = ['--health-probe-bind-address', '127.0.0.1:0', '--metrics-bind-address', '127.0.0.1:0'];
  const child = spawn(process.execPath, [...OPERATOR_NODE_FLAGS, script, 'run', ...endpoints, ...args], {
    env: { ...process.env, ...OPERATOR_MALLOC_ENV, ...stack.env, ...stack.operatorEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  let text = '';
  child.stdout!.on('data', (d: Buffer) => { text += d.toString(); log.write(d); });
  child.stderr!.pipe(log);
  const urlLogged = (msg: string) => {
    const line = text.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
    return `http://127.0.0.1:${(JSON.parse(line ?? '{}') as { port?: number }).port}`;
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const operator: RunningOperator = {
    child,
    logFile,
    lines: () => text.split('\n').filter(Boolean),
    healthUrl: () => urlLogged('health endpoints listening'),
    metricsUrl: () => urlLogged('metrics endpoint listening'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitFor(`the operator to log "${until}"`, () => (text.includes(`"msg":"${until}"`) ? true : undefined), { timeoutMs: 30_000 });
  } catch (error) {
    await operator.stop();
    throw new Error(`${(error as Error).message}; its log: ${logFile}`);
  }
  return operator;
}
