// crds/ is generated from src/api; the check fails when they differ.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'crds.ts');

async function check(dir?: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, '--check', ...(dir ? ['--dir', dir] : [])]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('npm run crds:check', () => {
  it('passes on the committed crds/', async () => {
    const result = await check();
    expect(result.output).toContain('crds and charts/bedrock-forge-operator/crds match src/api (8 CRDs)');
    expect(result.code).toBe(0);
  });

  it('fails, naming the file, when a CRD differs from what the types generate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crds-'));
    try {
      await cp(join(root, 'crds'), dir, { recursive: true });
      const file = join(dir, 'bedrockforge.io_agents.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('minLength: 40', 'minLength: 10'));
      const result = await check(dir);
      expect(result.code).toBe(1);
      expect(result.output).toContain('bedrockforge.io_agents.yaml');
      expect(result.output).toContain('npm run crds');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
