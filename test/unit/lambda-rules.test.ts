// What Lambda refuses, known locally from src/aws/lambda/lambda-rules.json.
import { describe, expect, it } from 'vitest';
import { zipArchive } from '../harness/zip.ts';
import { environmentRefusal, LAMBDA_RULES, runtimeRefusal, zipProblem } from '../../src/kinds/lambda/lambda-rules.ts';

describe('runtimes', () => {
  it('refuses python2.7 for new and existing functions, naming the date and the source', () => {
    expect(runtimeRefusal('python2.7', true)).toMatch(/spec.runtime python2.7 .* new functions since \d{4}-\d\d-\d\d .*lambda-runtimes/);
    expect(runtimeRefusal('python2.7', false)).toContain('updates since');
  });
  it('takes a supported runtime, and a deprecated one until its block date', () => {
    expect(runtimeRefusal('python3.13', true)).toBeUndefined();
    const entry = LAMBDA_RULES.deprecatedRuntimes.find((r) => r.identifier === 'nodejs20.x')!;
    expect(runtimeRefusal('nodejs20.x', true, new Date(`${entry.blockCreate}T00:00:00Z`))).toBeDefined();
    expect(runtimeRefusal('nodejs20.x', true, new Date(new Date(`${entry.blockCreate}T00:00:00Z`).getTime() - 86_400_000))).toBeUndefined();
  });
});

describe('environment', () => {
  it('refuses reserved keys', () => {
    expect(environmentRefusal({ AWS_REGION: 'x', OK: 'y' }, 'spec.environment')).toContain('spec.environment sets AWS_REGION');
  });
  it('measures 4 KB as Lambda does: the JSON of the variables', () => {
    const at = (n: number) => ({ A: 'a'.repeat(n) });
    const overhead = JSON.stringify(at(0)).length;
    expect(environmentRefusal(at(4096 - overhead), 'spec.environment')).toBeUndefined();
    expect(environmentRefusal(at(4097 - overhead), 'spec.environment')).toContain('4097 bytes');
  });
});

describe('zip files', () => {
  it('takes a zip, refuses text and a truncated zip', () => {
    const zip = zipArchive({ 'app.py': 'def handler(e, c):\n  return 1\n' });
    expect(zipProblem(zip)).toBeUndefined();
    expect(zipProblem(Buffer.from('not a zip'))).toContain('not a zip archive');
    expect(zipProblem(zip.subarray(10))).toBeDefined();
  });
});
