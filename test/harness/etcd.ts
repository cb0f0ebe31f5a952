import { ManagedProcess } from './managed-process.ts';
import { freeLoopbackPorts } from './ports.ts';
import { waitFor } from './wait.ts';

export interface Etcd {
  process: ManagedProcess;
  /** http://127.0.0.1:PORT, for kube-apiserver's --etcd-servers */
  clientUrl: string;
}

const QUOTA_BYTES = 256 * 1024 * 1024;
const READY_TIMEOUT_MS = 30_000;

/** A single-member etcd on loopback ports, its data in `dataDir`; resolves once /health says it is healthy. */
export async function startEtcd(binary: string, dataDir: string, logPath: string): Promise<Etcd> {
  const [clientPort, peerPort] = await freeLoopbackPorts(2);
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = await ManagedProcess.start({
    name: 'etcd',
    command: binary,
    args: [
      '--name=testbed',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=testbed=${peerUrl}`,
      // Test data need not survive a crash of the machine: no fsync makes every write much faster.
      '--unsafe-no-fsync',
      `--quota-backend-bytes=${QUOTA_BYTES}`,
      '--log-level=warn',
    ],
    logPath,
  });
  try {
    await waitFor(
      `etcd to be healthy at ${clientUrl}`,
      async () => {
        const response = await fetch(`${clientUrl}/health`);
        const body = (await response.json()) as { health?: string };
        return body.health === 'true' ? true : undefined;
      },
      { timeoutMs: READY_TIMEOUT_MS, failFast: () => etcd.exitError() },
    );
  } catch (error) {
    await etcd.stop();
    throw error;
  }
  return { process: etcd, clientUrl };
}
