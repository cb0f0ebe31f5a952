// What the test bed's image builds share: one buildah store and lock under the cache directory
// (not the machine's /var/lib/containers), and archives kept in the cache only once complete.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot } from '../cache-dir.ts';
import { withDirLock } from '../dir-lock.ts';

/** The cache directory of images: buildah's store, downloads and the archives. */
export function imageCacheDir(): string {
  return join(cacheRoot(), 'image');
}

/** The environment that points buildah at the cache's store, with chroot isolation. */
export async function buildahEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  const storageConf = join(dir, 'storage.conf');
  await writeFile(storageConf, `[storage]\ndriver = "overlay"\ngraphroot = "${dir}/storage/root"\nrunroot = "${dir}/storage/run"\n`);
  return { ...process.env, CONTAINERS_STORAGE_CONF: storageConf, BUILDAH_ISOLATION: 'chroot' };
}

/**
 * `archive` if it exists; else `build` writes `${archive}.tmp` under the store's lock (one build
 * at a time, waiting ones find the result), which then becomes `archive`.
 */
export async function ensureArchive(archive: string, what: string, build: (tmpPath: string, env: NodeJS.ProcessEnv) => Promise<void>): Promise<void> {
  const dir = imageCacheDir();
  await mkdir(dir, { recursive: true });
  if (await isFile(archive)) return;
  await withDirLock(join(dir, 'build.lock'), what, async () => {
    if (await isFile(archive)) return;
    const tmp = `${archive}.tmp`;
    await rm(tmp, { force: true });
    await build(tmp, await buildahEnv(dir));
    await rename(tmp, archive);
  });
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
