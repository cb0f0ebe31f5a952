import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { runCommand } from './run-command.ts';
import { waitFor } from './wait.ts';

const FIELD_MANAGER = 'bedrock-forge-testbed';
const READY_TIMEOUT_MS = 30_000;
const CREATE_DELAY_AFTER_ESTABLISHED_MS = 2_000;

/**
 * Applies (server-side, with the bundled kubectl) every *.yaml file in `crdDir`, then waits until
 * each CustomResourceDefinition among them is Established and its resources can be listed.
 * Returns the names of those CRDs.
 *
 * kubectl, not client-node: client-node serialises objects through its typed models, which
 * silently drop keys they do not know in their wire spelling (x-kubernetes-preserve-unknown-fields
 * and the other x-kubernetes-* extensions of a CRD schema).
 */
export async function installCrds(kubectl: string, kubeconfigPath: string, crdDir: string): Promise<string[]> {
  const objects = await readManifests(crdDir);
  if (objects.length === 0) return [];
  const files = [...new Set(objects.map((o) => o.file))];
  try {
    await runCommand(kubectl, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, ...files.flatMap((f) => ['-f', f])], {
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
    });
  } catch (error) {
    throw new Error(`cannot apply the manifests of ${crdDir}: ${(error as Error).message}`);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const crds = objects
    .map(({ object }) => object)
    .filter((object): object is V1CustomResourceDefinition => object.kind === 'CustomResourceDefinition');
  await Promise.all(crds.map((crd) => waitUntilServed(kubeConfig, crd)));
  return crds.map((crd) => crd.metadata?.name ?? '');
}

/**
 * Established is not enough to serve custom resources without surprises:
 * - the resource's storage is created on first use, and until its watch cache is initialized a LIST
 *   gets 429 "storage is (re)initializing" (client-node does not retry it);
 * - kube-apiserver delays every create by 2 s while the CRD has been Established for less than 2 s
 *   (apiextensions-apiserver customresource_handler.go, for HA consistency; not configurable).
 * So the CRD counts as served once a LIST succeeds and that window has passed.
 */
async function waitUntilServed(kubeConfig: KubeConfig, crd: V1CustomResourceDefinition): Promise<void> {
  const name = crd.metadata?.name ?? '';
  const extensionsApi = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const established = await waitFor(
    `CustomResourceDefinition ${name} to be Established`,
    async () => {
      const { status } = await extensionsApi.readCustomResourceDefinition({ name });
      return status?.conditions?.find((c) => c.type === 'Established' && c.status === 'True');
    },
    { timeoutMs: READY_TIMEOUT_MS },
  );
  const customObjectsApi = kubeConfig.makeApiClient(CustomObjectsApi);
  const version = crd.spec.versions.find((v) => v.served)?.name ?? '';
  await waitFor(
    `the custom resources of ${name} to be listable`,
    () => customObjectsApi.listClusterCustomObject({ group: crd.spec.group, version, plural: crd.spec.names.plural }),
    { timeoutMs: READY_TIMEOUT_MS },
  );
  // lastTransitionTime has whole seconds, like the copy kube-apiserver compares with.
  const createDelayEnds = new Date(established.lastTransitionTime ?? 0).getTime() + CREATE_DELAY_AFTER_ESTABLISHED_MS;
  await waitFor(`creates of ${name} to be served without delay`, () => (Date.now() >= createDelayEnds ? true : undefined), {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 50,
  });
}

async function readManifests(dir: string): Promise<{ object: KubernetesObject; file: string }[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort();
  const manifests: { object: KubernetesObject; file: string }[] = [];
  for (const name of files) {
    const file = join(dir, name);
    for (const document of parseAllDocuments(await readFile(file, 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file} is not valid YAML: ${document.errors[0]?.message}`);
      const object = document.toJS() as KubernetesObject | null;
      if (object) manifests.push({ object, file });
    }
  }
  return manifests;
}
