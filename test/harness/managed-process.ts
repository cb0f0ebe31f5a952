import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { harnessLog } from './log.ts';

/** Children still alive, killed synchronously if this process exits without stopping them. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLiveChildrenOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export interface ProcessSpec {
  /** Short name used in logs and errors, e.g. "etcd". */
  name: string;
  command: string;
  args: string[];
  /** File that receives the child's stdout and stderr (appended). */
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Give the child a stdin pipe that stays open while it runs: the child can exit when it closes. */
  stdinPipe?: boolean;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process started through `setpriv --pdeathsig SIGKILL`, so the kernel kills it when the
 * thread that spawned it dies, even by SIGKILL. Output goes to a log file whose tail is quoted in errors.
 */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  readonly exited: Promise<ExitStatus>;
  #child: ChildProcess;
  #exitStatus: ExitStatus | undefined;
  #lineListeners = new Set<(line: string) => void>();

  private constructor(spec: ProcessSpec, child: ChildProcess) {
    if (child.pid === undefined) throw new Error(`${spec.name} has no pid`);
    this.name = spec.name;
    this.pid = child.pid;
    this.logPath = spec.logPath;
    this.#child = child;
    child.on('error', (error) => harnessLog.warn(`${spec.name} (pid ${child.pid}): ${error.message}`));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitStatus = { code, signal };
        liveChildren.delete(child);
        resolve(this.#exitStatus);
      });
    });
    if (child.stdout) {
      child.stdout.pipe(createWriteStream(spec.logPath, { flags: 'a' }));
      createInterface({ input: child.stdout }).on('line', (line) => {
        for (const listener of this.#lineListeners) listener(line);
      });
    }
  }

  static async start(spec: ProcessSpec): Promise<ManagedProcess> {
    killLiveChildrenOnExit();
    const logFd = openSync(spec.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', spec.command, ...spec.args], {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: [spec.stdinPipe ? 'pipe' : 'ignore', 'pipe', logFd],
      });
    } finally {
      closeSync(logFd);
    }
    if (child.pid === undefined) {
      const [error] = (await once(child, 'error')) as [Error];
      throw new Error(`cannot start ${spec.name} through setpriv (util-linux): ${error.message}`, { cause: error });
    }
    liveChildren.add(child);
    harnessLog.debug({ pid: child.pid, log: spec.logPath }, `started ${spec.name}`);
    return new ManagedProcess(spec, child);
  }

  /** If the process has exited, an error that says how and quotes the end of its log; otherwise undefined. */
  exitError(): Error | undefined {
    if (!this.#exitStatus) return undefined;
    const { code, signal } = this.#exitStatus;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    return new Error(`${this.name} (pid ${this.pid}) ${how}; last lines of ${this.logPath}:\n${this.logTail()}`);
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits or the deadline passes. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    let listener: ((line: string) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<RegExpMatchArray>((resolve) => {
          listener = (line) => {
            const match = line.match(pattern);
            if (match) resolve(match);
          };
          this.#lineListeners.add(listener);
        }),
        this.exited.then(() => Promise.reject(this.exitError())),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${this.name} printed no line matching ${pattern} within ${timeoutMs} ms; last lines of ${this.logPath}:\n${this.logTail()}`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      if (listener) this.#lineListeners.delete(listener);
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
    if (this.#exitStatus) return this.#exitStatus;
    this.#child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const exitedInTime = await Promise.race([this.exited.then(() => true), graceOver]);
    clearTimeout(timer);
    if (!exitedInTime) {
      harnessLog.warn(`${this.name} (pid ${this.pid}) ignored SIGTERM for ${graceMs} ms, sending SIGKILL`);
      this.#child.kill('SIGKILL');
    }
    return this.exited;
  }
}

/** Whether a process with this pid exists (a zombie counts until it is reaped). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
