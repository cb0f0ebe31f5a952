// Every package the operator ships (production dependencies, as `npm ci --omit=dev` installs them
// into the image) carries a licence compatible with Apache-2.0. AGPL/GPL packages (iam-simulate,
// the evaluator's oracle) may be development dependencies only.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Permissive licences; PSF-2.0 (argparse, under js-yaml) and the Unlicense are permissive too. */
const ALLOWED = new Set(['MIT', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', 'ISC', '0BSD', 'Unlicense', 'PSF-2.0', 'BlueOak-1.0.0']);

interface LockPackage { license?: string; dev?: boolean; devOptional?: boolean }

describe('licences', () => {
  it('of every shipped package are compatible with Apache-2.0', async () => {
    const lock = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
    const shipped = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev && !p.devOptional);
    expect(shipped.length).toBeGreaterThan(50);
    const refused = shipped.filter(([, p]) => !ALLOWED.has(p.license ?? '')).map(([path, p]) => `${path}: ${p.license ?? 'no licence'}`);
    expect(refused).toEqual([]);
  });

  it('keep the AGPL oracle a development dependency', async () => {
    const lock = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
    const copyleft = Object.entries(lock.packages).filter(([, p]) => /GPL/.test(p.license ?? ''));
    expect(copyleft.length).toBeGreaterThan(0);
    expect(copyleft.filter(([, p]) => !p.dev).map(([path]) => path)).toEqual([]);
  });
});
