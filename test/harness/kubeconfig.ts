import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface KubeconfigSpec {
  server: string;
  caPem: string;
  user: string;
  token: string;
}

/** Writes a kubeconfig with one cluster, user and context ("testbed"), authenticating with a bearer token. */
export async function writeKubeconfig(path: string, { server, caPem, user, token }: KubeconfigSpec): Promise<void> {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'testbed', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'testbed', context: { cluster: 'testbed', user } }],
    'current-context': 'testbed',
  };
  await writeFile(path, stringify(kubeconfig), { mode: 0o600 });
}
