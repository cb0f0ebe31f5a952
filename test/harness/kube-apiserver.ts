import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.ts';
import { freeLoopbackPorts } from './ports.ts';
import { waitFor } from './wait.ts';

/** Users of the static token file: admin is in system:masters; alice and bob have no rights until RBAC grants them. */
export const testUsers = { admin: ['system:masters'], alice: [], bob: [] } as const satisfies Record<string, readonly string[]>;
export type TestUser = keyof typeof testUsers;
export type NonAdminUser = Exclude<TestUser, 'admin'>;

export interface KubeApiserver {
  process: ManagedProcess;
  /** https://127.0.0.1:PORT */
  url: string;
  /** CA that signed the serving certificate kube-apiserver generated for itself. */
  caPem: string;
  tokens: Record<TestUser, string>;
  port: number;
  /** Private key that signs service account tokens (kube-controller-manager's --service-account-private-key-file). */
  serviceAccountKeyPath: string;
  /** Stops kube-apiserver and starts it again on the same port, tokens and certificates (watches break, as in an outage). */
  restart(): Promise<void>;
}

export interface KubeApiserverOptions {
  /** --service-cluster-ip-range (default 10.0.0.0/24); its first address is the `kubernetes` Service's, in the serving certificate. */
  serviceClusterIpRange?: string;
  /** Enables the ServiceAccount admission plugin (pods get their token); only with a controller manager creating "default" ServiceAccounts. */
  serviceAccountAdmission?: boolean;
}

const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
const START_TIMEOUT_MS = 60_000;

/**
 * kube-apiserver on a free loopback port, with token authentication and RBAC, backed by `etcdUrl`.
 * Keys, token file and the self-generated serving certificate go to `pkiDir`. Resolves once /readyz is ok.
 */
export async function startKubeApiserver(
  binary: string,
  etcdUrl: string,
  pkiDir: string,
  logPath: string,
  options: KubeApiserverOptions = {},
): Promise<KubeApiserver> {
  const servingCertDir = join(pkiDir, 'serving');
  await mkdir(servingCertDir, { recursive: true });
  const tokens = await writeTokenFile(join(pkiDir, 'tokens.csv'));
  const serviceAccountKeys = await writeServiceAccountKeys(pkiDir);
  const [port] = await freeLoopbackPorts(1);
  const url = `https://127.0.0.1:${port}`;
  const launch = () => ManagedProcess.start({
    name: 'kube-apiserver',
    command: binary,
    args: [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      // No certificate given: kube-apiserver generates a CA and a serving certificate for 127.0.0.1 here.
      `--cert-dir=${servingCertDir}`,
      `--token-auth-file=${join(pkiDir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${serviceAccountKeys.publicKeyPath}`,
      `--service-account-signing-key-file=${serviceAccountKeys.privateKeyPath}`,
      `--service-cluster-ip-range=${options.serviceClusterIpRange ?? SERVICE_CLUSTER_IP_RANGE}`,
      // Without kube-controller-manager nobody creates the "default" service accounts this plugin requires for pods.
      ...(options.serviceAccountAdmission ? [] : ['--disable-admission-plugins=ServiceAccount']),
      // The default reconciler publishes --advertise-address as the endpoint of the "kubernetes" Service and
      // fails every 10 s because a loopback address is not a valid endpoint; nothing here needs that endpoint.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
    ],
    logPath,
  });
  const waitUntilReady = async (apiserver: ManagedProcess): Promise<string> => {
    const failFast = (): Error | undefined => apiserver.exitError();
    const caPem = await waitFor('kube-apiserver to write its serving certificate', () => readServingCa(servingCertDir), {
      timeoutMs: START_TIMEOUT_MS,
      failFast,
    });
    await waitFor(
      `kube-apiserver to be ready at ${url}/readyz`,
      async () => {
        const { status, body } = await httpsGet(`${url}/readyz`, caPem, tokens.admin);
        if (status !== 200) throw new Error(`HTTP ${status}: ${body.trim().split('\n').filter((line) => line.includes('failed')).join('; ')}`);
        return true;
      },
      { timeoutMs: START_TIMEOUT_MS, failFast },
    );
    return caPem;
  };
  const started = async (): Promise<{ process: ManagedProcess; caPem: string }> => {
    const apiserver = await launch();
    try {
      return { process: apiserver, caPem: await waitUntilReady(apiserver) };
    } catch (error) {
      await apiserver.stop();
      throw error;
    }
  };
  const first = await started();
  const server: KubeApiserver = {
    process: first.process,
    url,
    caPem: first.caPem,
    tokens,
    port: port!,
    serviceAccountKeyPath: serviceAccountKeys.privateKeyPath,
    async restart() {
      await server.process.stop();
      // The serving certificate in --cert-dir is reused, so clients keep trusting the server.
      server.process = (await started()).process;
    },
  };
  return server;
}

/** A fresh random bearer token for each test user, written as kube-apiserver's CSV token file. */
async function writeTokenFile(path: string): Promise<Record<TestUser, string>> {
  const tokens = Object.fromEntries(
    Object.keys(testUsers).map((user) => [user, randomBytes(24).toString('hex')]),
  ) as Record<TestUser, string>;
  // token,user,uid[,"group1,group2"]
  const lines = Object.entries(testUsers).map(([user, groups]) => {
    const columns = [tokens[user as TestUser], user, user];
    if (groups.length > 0) columns.push(`"${groups.join(',')}"`);
    return columns.join(',');
  });
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return tokens;
}

/** RSA key pair with which kube-apiserver signs and verifies service account tokens. */
async function writeServiceAccountKeys(pkiDir: string): Promise<{ privateKeyPath: string; publicKeyPath: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKeyPath = join(pkiDir, 'service-account.key');
  const publicKeyPath = join(pkiDir, 'service-account.pub');
  await writeFile(privateKeyPath, privateKey, { mode: 0o600 });
  await writeFile(publicKeyPath, publicKey);
  return { privateKeyPath, publicKeyPath };
}

/**
 * The CA certificate from the self-signed bundle that kube-apiserver writes to --cert-dir
 * (apiserver.crt holds the serving certificate followed by its CA); undefined until it is complete.
 */
async function readServingCa(certDir: string): Promise<string | undefined> {
  let bundle: string;
  try {
    bundle = await readFile(join(certDir, 'apiserver.crt'), 'utf8');
  } catch {
    return undefined;
  }
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.find((pem) => new X509Certificate(pem).ca)?.concat('\n');
}

function httpsGet(url: string, caPem: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caPem, headers: { Authorization: `Bearer ${token}` }, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}
