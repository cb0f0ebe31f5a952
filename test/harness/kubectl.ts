// Runs the test bed's kubectl against a stack, as a user would.
import { spawn } from 'node:child_process';
import type { Stack } from './stack.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(stack: Stack, args: string[], stdin?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(stack.bin.kubectl, args, { env: { ...process.env, ...stack.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** `kubectl apply -f -` of the given objects (JSON is YAML). */
export function kubectlApply(stack: Stack, objects: unknown[]): Promise<CommandResult> {
  const list = { apiVersion: 'v1', kind: 'List', items: objects };
  return kubectl(stack, ['apply', '-f', '-'], JSON.stringify(list));
}

/** Whether an apiserver error names the field: `spec.x: …` or `"spec.x" must …`. */
export function namesField(message: string, field: string): boolean {
  return message.includes(`${field}:`) || message.includes(`"${field}"`);
}
