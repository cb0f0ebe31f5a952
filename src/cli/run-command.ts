// `bedrock-forge-operator run`: the operator process. It uses the current kubeconfig and the
// default AWS credential chain (AWS_ENDPOINT_URL honoured).
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../log.ts';
import { iamRoleController } from '../kinds/iamrole/iamrole-controller.ts';
import type { DeletionPolicy } from '../runtime/controller.ts';
import { registry } from '../runtime/metrics.ts';

export const runUsage = `Usage: bedrock-forge-operator run [options]

Runs the operator against the current kubeconfig (KUBECONFIG, or in-cluster) and the default AWS
credential chain; AWS_ENDPOINT_URL points it at another endpoint (the local emulator).

  --cluster-name NAME         names this cluster in the ownership tags of AWS resources (default: default)
  --resync SECONDS            drift check per resource (default 600)
  --workers N                 concurrent reconciles per kind (default 4)
  --deletion-policy POLICY    delete (default) or retain: what deleting a resource does in AWS,
                              unless its annotation bedrockforge.io/deletion-policy says otherwise
  --health-port PORT          serve /healthz, /readyz and /metrics on PORT (default 8081; 0 picks a free port)`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'cluster-name': { type: 'string', default: process.env.CLUSTER_NAME ?? 'default' },
      resync: { type: 'string', default: '600' },
      workers: { type: 'string', default: '4' },
      'deletion-policy': { type: 'string', default: 'delete' },
      'health-port': { type: 'string', default: '8081' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(runUsage);
    return 0;
  }
  const deletionPolicy = values['deletion-policy'];
  if (deletionPolicy !== 'delete' && deletionPolicy !== 'retain') {
    console.error(`--deletion-policy must be delete or retain, not ${deletionPolicy}`);
    return 1;
  }
  const log = createLogger();
  const kc = new KubeConfig();
  kc.loadFromDefault();
  log.info({ server: kc.getCurrentCluster()?.server, awsEndpoint: process.env.AWS_ENDPOINT_URL ?? 'default' }, 'starting');

  let ready = false;
  const health = await serveHealth(Number(values['health-port']), () => ready);
  log.info({ port: (health.address() as { port: number }).port }, 'health endpoints listening');

  const options = {
    kc, log, cluster: values['cluster-name'], workers: Number(values.workers),
    resyncMs: Number(values.resync) * 1000, defaultDeletionPolicy: deletionPolicy as DeletionPolicy,
  };
  const controllers = [iamRoleController(options)];
  await Promise.all(controllers.map((c) => c.start()));
  ready = true;
  log.info({ kinds: controllers.map((c) => c.kind) }, 'watching');

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('stopping: finishing reconciles in flight');
  ready = false;
  await Promise.all(controllers.map((c) => c.stop()));
  health.close();
  log.info('stopped');
  return 0;
}

function serveHealth(port: number, isReady: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
      return;
    }
    const ok = req.url === '/healthz' || (req.url === '/readyz' && isReady());
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
