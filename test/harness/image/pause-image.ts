// The pod sandbox ("pause") image of the test bed's node. No registry is reachable, so it is built
// here with buildah from scratch and the machine's static busybox (busybox-static), kept as an OCI
// archive that containerd imports, and cached, keyed by the busybox binary and the entrypoint.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shortHash } from '../cache-dir.ts';
import { harnessLog } from '../log.ts';
import { runCommand } from '../run-command.ts';
import { ensureArchive, imageCacheDir } from './buildah-store.ts';

export const BUSYBOX = '/bin/busybox';
const REPOSITORY = 'localhost/bedrock-forge-pause';
/** Sleeps until SIGTERM or SIGINT, which end it at once (PID 1 ignores signals it has no handler for). */
const ENTRYPOINT = [BUSYBOX, 'sh', '-c', `trap 'exit 0' TERM INT; while true; do ${BUSYBOX} sleep 3600 & wait $!; done`];

export interface PauseImage {
  ref: string;
  archive: string;
}

/** Builds the sandbox image unless an archive of the same inputs is cached. Needs root, buildah and busybox-static. */
export async function ensurePauseImage(): Promise<PauseImage> {
  const key = shortHash([await readFile(BUSYBOX), JSON.stringify(ENTRYPOINT)]);
  const image = { ref: `${REPOSITORY}:${key}`, archive: join(imageCacheDir(), `pause-${key}.oci.tar`) };
  await ensureArchive(image.archive, 'the pause image build', async (tmp, env) => {
    const started = Date.now();
    const buildah = (args: string[]) => runCommand('buildah', args, { env }).then((out) => out.trim());
    const container = await buildah(['from', '--quiet', 'scratch']);
    await buildah(['copy', '--quiet', '--chmod', '0755', container, BUSYBOX, BUSYBOX]);
    await buildah(['config', '--os', 'linux', '--arch', 'amd64', '--entrypoint', JSON.stringify(ENTRYPOINT), '--cmd', '', container]);
    await buildah(['commit', '--quiet', '--rm', container, image.ref]);
    await buildah(['push', '--quiet', image.ref, `oci-archive:${tmp}:${image.ref}`]);
    harnessLog.info(`built ${image.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  return image;
}
