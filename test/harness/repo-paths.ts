import { resolve } from 'node:path';

/** Root of this repository (two levels above test/harness). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');
