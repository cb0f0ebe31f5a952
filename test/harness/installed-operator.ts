// The operator installed as users install it: its image imported into the test bed's node and the
// Helm chart installed with it, AWS being the emulator (through the node's address for it) and
// credentials coming from a Secret, as on a cluster without IRSA: the operator's own access key,
// whose requests the emulator's front authorizes against the operator's IAM policy, with the
// stack's permissions boundary. Used by the installed test and by `npm run demo -- --in-cluster`.
import { join } from 'node:path';
import { ensureOperatorImage, type OperatorImage } from './image/operator-image.ts';
import { kubectl } from './kubectl.ts';
import { TESTBED_AWS_QPS } from './stack.ts';
import { repoRoot } from './repo-paths.ts';
import { runCommand } from './run-command.ts';
import type { Stack } from './stack.ts';

export const CHART = join(repoRoot, 'charts', 'bedrock-forge-operator');
export const RELEASE = 'bfo';
export const RELEASE_NAMESPACE = 'bedrock-forge';
/** Selects the release's pods. */
export const RELEASE_SELECTOR = `app.kubernetes.io/instance=${RELEASE}`;

/** Builds (or finds) the image and imports it into the stack's node. */
export async function importOperatorImage(stack: Stack): Promise<OperatorImage> {
  if (!stack.node) throw new Error('the operator runs as a Pod only on a stack started with { node: true }');
  const image = await ensureOperatorImage();
  await stack.node.importImage(image.archive);
  return image;
}

export function helm(stack: Stack, args: string[]): Promise<string> {
  return runCommand(stack.bin.helm, args, { env: { ...process.env, ...stack.env } });
}

/** `helm install` of the chart with the image; `values` are more `--set` pairs. Returns once helm has. */
export async function helmInstallOperator(stack: Stack, image: OperatorImage, values: Record<string, string | number> = {}): Promise<void> {
  for (const args of [
    ['create', 'namespace', RELEASE_NAMESPACE],
    // The Secret a cluster without IRSA would hold.
    ['create', 'secret', 'generic', 'aws-credentials', '-n', RELEASE_NAMESPACE,
      `--from-literal=AWS_ACCESS_KEY_ID=${stack.operatorEnv.AWS_ACCESS_KEY_ID}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${stack.operatorEnv.AWS_SECRET_ACCESS_KEY}`],
  ]) {
    const result = await kubectl(stack, args);
    if (result.code !== 0 && !result.stderr.includes('AlreadyExists')) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  }
  const settings: Record<string, string | number> = {
    'image.repository': image.repository, 'image.tag': image.tag, 'image.pullPolicy': 'Never',
    'aws.region': 'us-east-1', 'aws.endpointUrl': stack.node!.awsEndpoint, 'aws.credentialsSecret.name': 'aws-credentials',
    'tenancy.permissionsBoundary': stack.permissionsBoundaryArn,
    // The emulator has no quota: the test bed's budget (stack.ts), as helm --set pairs.
    ...Object.fromEntries(TESTBED_AWS_QPS.split(',').map((pair) => pair.split('=')).map(([service, qps]) => [`aws.qps.${service}`, Number(qps)])),
    ...values,
  };
  await helm(stack, ['install', RELEASE, CHART, '-n', RELEASE_NAMESPACE, ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`])]);
}
