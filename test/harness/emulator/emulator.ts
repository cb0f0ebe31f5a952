import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot, ensureCachedDir, shortHash } from '../cache-dir.ts';
import { harnessLog } from '../log.ts';
import { ManagedProcess } from '../managed-process.ts';
import { runCommand } from '../run-command.ts';

const requirementsPath = join(import.meta.dirname, 'requirements.txt');
const launcherPath = join(import.meta.dirname, 'moto_server.py');
const PORT_LINE = /^MOTO_PORT=(\d+)$/;
const START_TIMEOUT_MS = 60_000;

/**
 * Path of a Python that has moto installed: a venv in the cache directory, created on first use from
 * requirements.txt with the machine's python3 (or $PYTHON), and reused while both stay the same.
 */
export async function ensureEmulator(): Promise<string> {
  const requirements = await readFile(requirementsPath, 'utf8');
  const motoVersion = requirements.match(/^moto(?:\[[^\]]*\])?==(\S+)/m)?.[1];
  if (!motoVersion) throw new Error(`${requirementsPath} does not pin moto`);
  const basePython = process.env.PYTHON || 'python3';
  const pythonVersion = await runCommand(basePython, ['-c', 'import sys; print(sys.version)']).catch((error: Error) => {
    throw new Error(`Python 3 is needed for the moto AWS emulator (set $PYTHON to choose one): ${error.message}`);
  });
  const venvDir = join(cacheRoot(), `moto-${motoVersion}-${shortHash([requirements, pythonVersion])}`);
  await ensureCachedDir(venvDir, 'the moto emulator install', async (tmpDir) => {
    const started = Date.now();
    harnessLog.info(`installing moto ${motoVersion} into a venv (${venvDir})…`);
    await runCommand(basePython, ['-m', 'venv', tmpDir]);
    await runCommand(join(tmpDir, 'bin', 'python'), [
      ...['-m', 'pip', 'install', '--quiet', '--no-input', '--disable-pip-version-check'],
      ...['-r', requirementsPath],
    ]);
    harnessLog.info(`installed moto ${motoVersion} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  return join(venvDir, 'bin', 'python');
}

export interface Emulator {
  process: ManagedProcess;
  /** http://127.0.0.1:PORT */
  endpoint: string;
}

/** Starts moto_server.py; it picks a free port and exits when its stdin closes. */
export async function startEmulator(python: string, logPath: string): Promise<Emulator> {
  const moto = await ManagedProcess.start({
    name: 'moto',
    command: python,
    args: [launcherPath],
    logPath,
    stdinPipe: true,
    // The request recorder (POST /moto-api/recorder/start-recording) writes beside the log.
    env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_RECORDER_FILEPATH: `${logPath}.recording` },
  });
  try {
    const [, port] = await moto.waitForLine(PORT_LINE, START_TIMEOUT_MS);
    return { process: moto, endpoint: `http://127.0.0.1:${port}` };
  } catch (error) {
    await moto.stop();
    throw error;
  }
}

/** Forgets every AWS resource the emulator holds (moto's POST /moto-api/reset). */
export async function resetAws(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`resetting the AWS emulator failed: HTTP ${response.status} ${await response.text()}`);
}
