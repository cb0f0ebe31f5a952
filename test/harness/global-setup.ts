import { ensureKubeBinaries } from './binaries.ts';
import { ensureEmulator } from './emulator/emulator.ts';
import { ensureOperatorImage } from './image/operator-image.ts';
import { ensureNodeAssets } from './node/node.ts';

/**
 * vitest globalSetup: builds (or finds in the cache) everything the test files start, once, before
 * any of them runs, so no test's own setup has to wait minutes for a build on a new machine: the
 * kube binaries, then the node's (one Go build at a time on two cores), and meanwhile the moto
 * venv and the operator's image.
 */
export default async function setup(): Promise<void> {
  await Promise.all([
    ensureKubeBinaries().then(() => ensureNodeAssets()),
    ensureEmulator(),
    ensureOperatorImage(),
  ]);
}
