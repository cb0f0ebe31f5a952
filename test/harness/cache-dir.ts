import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { withDirLock } from './dir-lock.ts';

/** `${XDG_CACHE_HOME:-$HOME/.cache}/bedrock-forge-operator`: built tools, shared by every checkout on this machine. */
export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'bedrock-forge-operator');
}

/** First 16 hex digits of the sha256 of the given parts, each one length-prefixed. */
export function shortHash(parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:`).update(part);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Returns `finalDir`, creating it first if it does not exist: `populate` fills a temporary sibling
 * directory, which is then renamed into place, so `finalDir` is either absent or complete.
 * A lock makes concurrent callers wait for one build instead of each doing their own.
 */
export async function ensureCachedDir(finalDir: string, what: string, populate: (tmpDir: string) => Promise<void>): Promise<string> {
  if (await isDirectory(finalDir)) return finalDir;
  await mkdir(dirname(finalDir), { recursive: true });
  await withDirLock(`${finalDir}.lock`, what, async () => {
    if (await isDirectory(finalDir)) return; // built by the process we waited for
    const tmpDir = `${finalDir}.tmp-${process.pid}`;
    await rm(tmpDir, { recursive: true, force: true });
    await mkdir(tmpDir);
    try {
      await populate(tmpDir);
      await rename(tmpDir, finalDir);
    } catch (error) {
      await rm(tmpDir, { recursive: true, force: true });
      throw error;
    }
  });
  return finalDir;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
