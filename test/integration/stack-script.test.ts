// `npm run stack:up` leaves a stack running in the background with .stack/env to use it;
// `npm run stack:down` stops it and leaves no process behind.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = join(import.meta.dirname, '..', '..', 'scripts', 'stack.ts');
let stateDir: string;

function stackCommand(command: 'up' | 'down') {
  return run(process.execPath, [script, command], { env: { ...process.env, STACK_STATE_DIR: stateDir }, timeout: 120_000 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  await stackCommand('down').catch(() => undefined);
  await rm(stateDir, { recursive: true, force: true });
});

describe('stack:up and stack:down', () => {
  it('start a usable stack in the background, refuse a second one, and stop every process', async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'stack-state-'));
    await stackCommand('up');
    const env = await readFile(join(stateDir, 'env'), 'utf8');
    const value = (key: string) => env.match(new RegExp(`^export ${key}='([^']*)'`, 'm'))?.[1];
    expect(value('KUBECONFIG')).toBeTruthy();
    expect(value('AWS_ENDPOINT_URL')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const kubectl = join(value('PATH')!, 'kubectl');
    const { stdout } = await run(kubectl, ['get', 'crd', '-o', 'name'], { env: { ...process.env, KUBECONFIG: value('KUBECONFIG')! } });
    expect(stdout).toContain('agents.bedrockforge.io');

    const again = await stackCommand('up');
    expect(again.stdout).toContain('already running');

    const supervisor = Number(await readFile(join(stateDir, 'pid'), 'utf8'));
    const children = Object.values(JSON.parse(await readFile(join(stateDir, 'child-pids.json'), 'utf8')) as Record<string, number>);
    expect([supervisor, ...children].every(alive)).toBe(true);

    await stackCommand('down');
    expect([supervisor, ...children].filter(alive)).toEqual([]);
  });
});
