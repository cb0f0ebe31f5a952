// `bedrock-forge-operator run`: the operator process. It uses the current kubeconfig and the
// default AWS credential chain (AWS_ENDPOINT_URL honoured). The controllers of IAMRole, Lambda
// and Agent plug in here as they are written.
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { KINDS } from '../api/kinds.ts';
import { createLogger } from '../log.ts';
import { watchKinds } from '../runtime/watch-kinds.ts';

export const runUsage = `Usage: bedrock-forge-operator run [--health-port PORT]

Runs the operator against the current kubeconfig (KUBECONFIG, or in-cluster) and the default AWS
credential chain; AWS_ENDPOINT_URL points it at another endpoint (the local emulator).

  --health-port PORT   serve /healthz and /readyz on PORT (default 8081; 0 picks a free port)`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'health-port': { type: 'string', default: '8081' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.error(runUsage);
    return 0;
  }
  const log = createLogger();
  const kc = new KubeConfig();
  kc.loadFromDefault();
  log.info({ server: kc.getCurrentCluster()?.server, awsEndpoint: process.env.AWS_ENDPOINT_URL ?? 'default' }, 'starting');

  let ready = false;
  const health = await serveHealth(Number(values['health-port']), () => ready);
  log.info({ port: (health.address() as { port: number }).port }, 'health endpoints listening');

  const watches = await watchKinds(kc, log);
  ready = true;
  log.info({ kinds: KINDS.map((k) => k.kind) }, 'watching');

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('stopping');
  ready = false;
  await watches.stop();
  health.close();
  return 0;
}

function serveHealth(port: number, isReady: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const ok = req.url === '/healthz' || (req.url === '/readyz' && isReady());
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
