import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { harnessLog } from './log.ts';
import { isProcessAlive } from './managed-process.ts';
import { sleep } from './wait.ts';

const OWNER_FILE = 'owner.pid';
/** A lock directory without an owner file this old was left by a process that died right after mkdir. */
const OWNERLESS_STALE_MS = 30_000;
const POLL_MS = 500;

/**
 * Runs `fn` while holding a lock directory (mkdir is atomic), so that concurrent processes on this
 * machine do not do the same work twice. A lock whose owner process is dead is taken over.
 */
export async function withDirLock<T>(lockDir: string, what: string, fn: () => Promise<T>, timeoutMs = 45 * 60_000): Promise<T> {
  await acquire(lockDir, what, timeoutMs);
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function acquire(lockDir: string, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let announcedOwner: number | undefined;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, OWNER_FILE), `${process.pid}\n`);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(lockDir);
    if (await isStale(lockDir, owner)) {
      await breakStaleLock(lockDir, owner);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(`gave up waiting for ${what}: ${lockDir} is still held by pid ${owner ?? 'unknown'}`);
    }
    if (owner !== undefined && owner !== announcedOwner) {
      harnessLog.info(`waiting for ${what}: pid ${owner} holds ${lockDir}`);
      announcedOwner = owner;
    }
    await sleep(POLL_MS);
  }
}

async function readOwner(lockDir: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(join(lockDir, OWNER_FILE), 'utf8'), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(lockDir: string, owner: number | undefined): Promise<boolean> {
  if (owner !== undefined) return !isProcessAlive(owner);
  try {
    return Date.now() - (await stat(lockDir)).mtimeMs > OWNERLESS_STALE_MS;
  } catch {
    return false; // released meanwhile: just try again
  }
}

/** Moves the stale lock aside first (atomic), so two waiters cannot both remove a lock and one a fresh one. */
async function breakStaleLock(lockDir: string, staleOwner: number | undefined): Promise<void> {
  const aside = `${lockDir}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(lockDir, aside);
  } catch {
    return; // someone else moved or released it
  }
  const movedOwner = await readOwner(aside);
  if (movedOwner !== staleOwner && movedOwner !== undefined && isProcessAlive(movedOwner)) {
    // Another waiter took the lock between our check and our rename: give it back.
    await rename(aside, lockDir).catch(() => undefined);
    return;
  }
  harnessLog.warn(`removed stale lock ${lockDir} of dead pid ${staleOwner ?? 'unknown'}`);
  await rm(aside, { recursive: true, force: true });
}
