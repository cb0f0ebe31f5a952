import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called for each line the command prints, on stdout or stderr. */
  onLine?: (line: string) => void;
}

const TAIL_LINES = 40;

/**
 * Runs a command to completion and returns its stdout. A non-zero exit throws an error that
 * quotes the last lines of its output.
 */
export async function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutChunks: Buffer[] = [];
  const tail: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdoutChunks.push(chunk));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      options.onLine?.(line);
    });
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`, { cause: error })));
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  if (code !== 0) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    throw new Error(`${[command, ...args].join(' ')} ${how}; last lines of its output:\n${tail.join('\n')}`);
  }
  return Buffer.concat(stdoutChunks).toString('utf8');
}
