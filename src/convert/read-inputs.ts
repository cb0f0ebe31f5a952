// Finds the manifests named on the command line (files, or directories searched for *.yml and
// *.yaml) and the source files beside each, for the converter.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ConvertInput } from './convert.ts';
import type { SourceFile } from './code-configmap.ts';

const MANIFEST = /\.ya?ml$/i;
/** Never packed into a function: manifests, VCS and editor files, caches and installed dependencies. */
const SKIP = /^(\.|__pycache__$|node_modules$|.*\.pyc$)/;

export async function readInputs(paths: string[]): Promise<ConvertInput[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) files.push(...(await walk(path)).filter((f) => MANIFEST.test(f)));
    else files.push(path);
  }
  return Promise.all(files.sort().map(async (file) => ({
    file,
    text: await readFile(file, 'utf8'),
    siblings: (subdirectory?: string) => sourceFiles(subdirectory ? join(dirname(file), subdirectory) : dirname(file)),
  })));
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The files in a manifest's directory and below it, manifests excluded. */
export async function sourceFiles(dir: string): Promise<SourceFile[]> {
  const paths = (await walk(dir)).filter((f) => !MANIFEST.test(f));
  return Promise.all(paths.map(async (path) => ({
    path: relative(dir, path).split(sep).join('/'),
    content: await readFile(path),
  })));
}
