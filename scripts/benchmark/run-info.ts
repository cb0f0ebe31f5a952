// What a benchmark run ran on, so that runs can be compared: the machine's cores and load, the Node
// version, and the git commit with the files that differed from it (the run measures the working tree).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { repoRoot } from '../../test/harness/repo-paths.ts';

export interface RunInfo {
  cores: number;
  cpuModel: string;
  /** 1-minute load average when the run started: another job on the machine skews every figure. */
  loadAverageAtStart: number;
  nodeVersion: string;
  commit: string;
  /** Files that differed from the commit when the run started (`git status --porcelain`). */
  uncommitted: string[];
  /** sha256 of `git diff HEAD` and the untracked files: two runs with the same commit and digest ran the same tree. */
  uncommittedDigest: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trimEnd();
  } catch {
    return '';
  }
}

function uncommittedDigest(): string {
  const hash = createHash('sha256').update(git(['diff', 'HEAD', '--binary']));
  for (const path of git(['ls-files', '--others', '--exclude-standard']).split('\n').filter(Boolean).sort()) {
    hash.update(`\0${path}\0`);
    try {
      hash.update(readFileSync(join(repoRoot, path)));
    } catch {
      // Removed since git listed it.
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export function runInfo(): RunInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart: loadavg()[0] ?? 0,
    nodeVersion: process.version,
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    uncommitted: git(['status', '--porcelain']).split('\n').filter(Boolean),
    uncommittedDigest: uncommittedDigest(),
  };
}
