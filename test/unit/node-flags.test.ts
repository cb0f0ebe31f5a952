// The operator's V8 flags and malloc settings (src/cli/node-flags.ts) are the same wherever it
// starts: the image's entrypoint and environment (the bundle), `npm start` and the bin script's
// shebang (the test bed imports them; the bundle keeps the shebang).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATOR_MALLOC_ENV, OPERATOR_NODE_FLAGS } from '../../src/cli/node-flags.ts';
import { repoRoot } from '../harness/repo-paths.ts';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** The flags between the node binary and the script, in a command given as words. */
function nodeFlags(words: string[]): string[] {
  const script = words.findIndex((w) => /bedrock-forge-operator\.m?js$/.test(w));
  expect(script, `a command that runs bin/bedrock-forge-operator.js or its bundle: ${words.join(' ')}`).toBeGreaterThan(0);
  return words.slice(1, script);
}

const mallocWords = Object.entries(OPERATOR_MALLOC_ENV).map(([name, value]) => `${name}=${value}`);

/** The NAME=value words before the node binary in a command given as words. */
function assignments(words: string[]): string[] {
  return words.slice(0, words.findIndex((w) => !/^[A-Z_]+=/.test(w)));
}

describe('the operator\'s malloc settings', () => {
  it('are the image\'s environment', () => {
    const env = [...read('Dockerfile').matchAll(/^ENV (.*)$/gm)].flatMap((m) => m[1]!.split(' ')).filter((w) => w.startsWith('MALLOC_'));
    expect(env).toEqual(mallocWords);
  });

  it('are npm start\'s', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect(assignments(start.split(' '))).toEqual(mallocWords);
  });

  it('are the bin script\'s shebang', () => {
    const shebang = read('bin/bedrock-forge-operator.js').split('\n')[0]!;
    expect(assignments(shebang.slice('#!/usr/bin/env -S '.length).split(' '))).toEqual(mallocWords);
  });
});

describe('the operator\'s V8 flags', () => {
  it('are the image entrypoint\'s', () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    expect(nodeFlags(JSON.parse(entrypoint ?? '[]') as string[])).toEqual([...OPERATOR_NODE_FLAGS]);
  });

  it('are npm start\'s', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    const words = start.split(' ');
    expect(nodeFlags(words.slice(assignments(words).length))).toEqual([...OPERATOR_NODE_FLAGS]);
  });

  it('are the bin script\'s shebang', () => {
    const shebang = read('bin/bedrock-forge-operator.js').split('\n')[0]!;
    expect(shebang.startsWith('#!/usr/bin/env -S ')).toBe(true);
    const words = shebang.slice('#!/usr/bin/env -S '.length).split(' ');
    expect(nodeFlags([...words.slice(assignments(words).length), 'bedrock-forge-operator.js'])).toEqual([...OPERATOR_NODE_FLAGS]);
  });
});
