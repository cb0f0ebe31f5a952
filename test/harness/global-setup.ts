import { ensureKubeBinaries } from './binaries.ts';
import { ensureEmulator } from './emulator/emulator.ts';

/** vitest globalSetup: builds (or finds in the cache) the kube binaries and the moto venv once, before any test file. */
export default async function setup(): Promise<void> {
  await Promise.all([ensureKubeBinaries(), ensureEmulator()]);
}
