/**
 * A test bed stack for trying things by hand, kept running in the background.
 *
 *   node scripts/stack.ts up [--crds DIR] [--node]
 *                                           starts it (a detached supervisor process owns the children) and prints
 *                                           how to use it; CRDs come from DIR (default: the repository's crds/);
 *                                           --node adds a node that runs pods (root, see test/harness/README.md)
 *   node scripts/stack.ts down              stops it
 *
 * Everything lives in .stack/: env (shell exports), operator-env (what the operator runs with on top of env: its own
 * access key, authorized against policies/operator-iam-policy.json, and PERMISSIONS_BOUNDARY), pid (of the
 * supervisor), supervisor.log, cluster/ (data, logs, kubeconfigs).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { ensureKubeBinaries } from '../test/harness/binaries.ts';
import { ensureNodeAssets } from '../test/harness/node/node.ts';
import { ensureEmulator } from '../test/harness/emulator/emulator.ts';
import { isProcessAlive } from '../test/harness/managed-process.ts';
import { repoRoot } from '../test/harness/repo-paths.ts';
import { startStack, type Stack } from '../test/harness/stack.ts';
import { waitFor } from '../test/harness/wait.ts';

// STACK_STATE_DIR moves it elsewhere (tests use a temporary directory).
const stateDir = process.env.STACK_STATE_DIR ? resolve(process.env.STACK_STATE_DIR) : join(repoRoot, '.stack');
const files = {
  env: join(stateDir, 'env'),
  operatorEnv: join(stateDir, 'operator-env'),
  pid: join(stateDir, 'pid'),
  childPids: join(stateDir, 'child-pids.json'),
  supervisorLog: join(stateDir, 'supervisor.log'),
  cluster: join(stateDir, 'cluster'),
};
const SUPERVISE = 'supervise';
const STOP_TIMEOUT_MS = 30_000;

type SupervisorMessage =
  | { ready: true; seconds: number; node?: { name: string; containerdAddress: string; awsEndpoint: string } }
  | { error: string };

async function up(args: string[]): Promise<void> {
  const { crdDir, node } = upOptions(args);
  const running = runningSupervisorPid();
  if (running !== undefined) {
    console.log(`The stack is already running (supervisor pid ${running}). Use it with: source ${show(files.env)}`);
    return;
  }
  // Builds or installs in the foreground, so that their progress shows here.
  await Promise.all([ensureKubeBinaries(), ensureEmulator(), node ? ensureNodeAssets() : undefined]);
  await removeStateFiles();
  await rm(files.cluster, { recursive: true, force: true });
  await mkdir(stateDir, { recursive: true });

  const log = openSync(files.supervisorLog, 'w');
  const supervisor = spawn(process.execPath, [import.meta.filename, SUPERVISE, ...(crdDir ? ['--crds', resolve(crdDir)] : []), ...(node ? ['--node'] : [])], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const message = await new Promise<SupervisorMessage>((resolve, reject) => {
    supervisor.once('message', (received) => resolve(received as SupervisorMessage));
    supervisor.once('error', reject);
    supervisor.once('exit', (code, signal) =>
      reject(new Error(`the stack supervisor ended (${signal ?? `code ${code}`}) before the stack was ready; see ${show(files.supervisorLog)}`)),
    );
  });
  supervisor.disconnect();
  supervisor.unref();
  if ('error' in message) throw new Error(`the stack did not start: ${message.error}\n(see ${show(files.supervisorLog)})`);

  const nodeLines = message.node
    ? `\nNode ${message.node.name} runs pods (images: ctr --address ${message.node.containerdAddress} -n k8s.io images import ARCHIVE,
imagePullPolicy Never); pods reach AWS at ${message.node.awsEndpoint}.\n`
    : '';
  console.log(`Stack ready in ${message.seconds.toFixed(1)} s (supervisor pid ${supervisor.pid}).${nodeLines}

  source ${show(files.env)}     # KUBECONFIG (admin), AWS_ENDPOINT_URL, AWS_REGION, dummy AWS credentials, PATH with kubectl and helm
  kubectl get namespaces
  aws iam list-roles    # AWS SDKs and the AWS CLI honour AWS_ENDPOINT_URL
  (source ${show(files.operatorEnv)} && npm start)   # the operator, with its own key: authorized against policies/operator-iam-policy.json

Non-admin kubeconfigs: ${show(join(files.cluster, 'kubeconfigs'))}/{alice,bob}.kubeconfig
Logs: ${show(files.supervisorLog)}, ${show(join(files.cluster, 'logs'))}/
Stop it with: npm run stack:down`);
}

/** Runs in the detached process: owns the stack until SIGTERM/SIGINT/SIGHUP. */
async function supervise(args: string[]): Promise<void> {
  const { crdDir, node } = upOptions(args);
  // Resolves once the message is handed to the IPC channel, so that exiting right after does not lose it.
  const report = (message: SupervisorMessage): Promise<void> =>
    new Promise((resolve) => {
      if (!process.send) resolve();
      else process.send(message, undefined, {}, () => resolve());
    });
  await writeFile(files.pid, `${process.pid}\n`);
  const startedAt = Date.now();
  let stack: Stack;
  try {
    stack = await startStack({ dir: files.cluster, node, ...(crdDir ? { crdDir } : {}) });
  } catch (error) {
    console.error((error as Error).message);
    await report({ error: (error as Error).message });
    await removeStateFiles();
    process.exit(1);
  }
  let stopping = false;
  const stopAndExit = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    await removeStateFiles();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stopAndExit());
  await writeFile(files.env, envFileLines(stack));
  await writeFile(files.operatorEnv, Object.entries(stack.operatorEnv).map(([key, value]) => `export ${key}=${shellQuote(value)}\n`).join(''));
  await writeFile(files.childPids, JSON.stringify(stack.pids));
  const nodeInfo = stack.node && { name: stack.node.name, containerdAddress: stack.node.containerdAddress, awsEndpoint: stack.node.awsEndpoint };
  await report({ ready: true, seconds: (Date.now() - startedAt) / 1000, ...(nodeInfo ? { node: nodeInfo } : {}) });
  process.disconnect?.();
}

async function down(args: string[]): Promise<void> {
  if (args.length > 0) throw new Error(`down takes no arguments`);
  const pid = runningSupervisorPid();
  if (pid === undefined) {
    await removeStateFiles();
    console.log('No stack is running.');
    return;
  }
  const childPids = Object.values(JSON.parse(await readFile(files.childPids, 'utf8').catch(() => '{}')) as Record<string, number>);
  process.kill(pid, 'SIGTERM');
  try {
    await waitFor(`the stack supervisor (pid ${pid}) to exit`, () => (isProcessAlive(pid) ? undefined : true), { timeoutMs: STOP_TIMEOUT_MS });
  } catch {
    console.error(`The supervisor did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it (its children die with it).`);
    process.kill(pid, 'SIGKILL');
  }
  await waitFor('the stack processes to exit', () => (childPids.some(isProcessAlive) ? undefined : true), { timeoutMs: 10_000 });
  await removeStateFiles();
  console.log('Stack stopped.');
}

/** The pid in .stack/pid if that process is alive and is this script's supervisor (pids get reused). */
function runningSupervisorPid(): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(files.pid, 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || !isProcessAlive(pid)) return undefined;
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return commandLine.includes(import.meta.filename) && commandLine.includes(SUPERVISE) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function removeStateFiles(): Promise<void> {
  await Promise.all([files.env, files.operatorEnv, files.pid, files.childPids].map((path) => rm(path, { force: true })));
}

function upOptions(args: string[]): { crdDir: string | undefined; node: boolean } {
  let crdDir: string | undefined;
  let node = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--node') node = true;
    else if (args[i] === '--crds' && args[i + 1] !== undefined && crdDir === undefined) crdDir = args[++i];
    else throw new Error('usage: up [--crds DIR] [--node]');
  }
  return { crdDir, node };
}

/** Shell exports of the stack's environment; PATH gets kubectl's directory prepended to the user's own PATH. */
function envFileLines(stack: Stack): string {
  return Object.entries(stack.env)
    .map(([key, value]) =>
      key === 'PATH' ? `export PATH=${shellQuote(dirname(stack.bin.kubectl))}:"$PATH"\n` : `export ${key}=${shellQuote(value)}\n`,
    )
    .join('');
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function show(path: string): string {
  return relative(process.cwd(), path) || '.';
}

const commands: Record<string, (args: string[]) => Promise<void>> = { up, down, [SUPERVISE]: supervise };
const [commandName = '', ...commandArgs] = process.argv.slice(2);
const command = commands[commandName];
if (!command) {
  console.error('usage: node scripts/stack.ts up [--crds DIR] [--node] | down');
  process.exit(2);
}
try {
  await command(commandArgs);
} catch (error) {
  console.error(`stack ${commandName}: ${(error as Error).message}`);
  process.exit(1);
}
