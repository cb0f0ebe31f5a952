// The pod sandbox ("pause") image of the test bed's node. No registry is reachable, so it is built
// here with buildah from scratch and the machine's static busybox (busybox-static), kept as an OCI
// archive that containerd imports, and cached, keyed by the busybox binary and the entrypoint.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot, shortHash } from '../cache-dir.ts';
import { withDirLock } from '../dir-lock.ts';
import { harnessLog } from '../log.ts';
import { runCommand } from '../run-command.ts';

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
  // The operator image's buildah storage (build-image.sh), so both builds share one lock and one store.
  const dir = join(cacheRoot(), 'image');
  await mkdir(dir, { recursive: true });
  const image = { ref: `${REPOSITORY}:${key}`, archive: join(dir, `pause-${key}.oci.tar`) };
  if (await exists(image.archive)) return image;
  return withDirLock(join(dir, 'build.lock'), 'the pause image build', async () => {
    if (await exists(image.archive)) return image;
    const started = Date.now();
    const storageConf = join(dir, 'storage.conf');
    await writeFile(storageConf, `[storage]\ndriver = "overlay"\ngraphroot = "${dir}/storage/root"\nrunroot = "${dir}/storage/run"\n`);
    const env = { ...process.env, CONTAINERS_STORAGE_CONF: storageConf, BUILDAH_ISOLATION: 'chroot' };
    const buildah = (args: string[]) => runCommand('buildah', args, { env }).then((out) => out.trim());
    const container = await buildah(['from', '--quiet', 'scratch']);
    await buildah(['copy', '--quiet', '--chmod', '0755', container, BUSYBOX, BUSYBOX]);
    await buildah(['config', '--os', 'linux', '--arch', 'amd64', '--entrypoint', JSON.stringify(ENTRYPOINT), '--cmd', '', container]);
    await buildah(['commit', '--quiet', '--rm', container, image.ref]);
    await buildah(['push', '--quiet', image.ref, `oci-archive:${image.archive}.tmp:${image.ref}`]);
    await rename(`${image.archive}.tmp`, image.archive);
    harnessLog.info(`built ${image.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return image;
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
