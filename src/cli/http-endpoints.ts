// The operator's HTTP endpoints: /healthz and /readyz for the kubelet's probes, /metrics for
// Prometheus. Bind addresses are written as controller-runtime's flags take them: `:8081` is port
// 8081 on every interface (the kubelet probes the pod IP, not loopback), `127.0.0.1:0` a free port
// on loopback, `0` no server at all.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface BindAddress {
  /** Undefined: every interface. */
  host: string | undefined;
  port: number;
}

/** `[host]:port`; `0` (or empty) disables the endpoint. */
export function parseBindAddress(value: string, flag: string): BindAddress | undefined {
  if (value === '0' || value === '') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new Error(`${flag} must be [host]:port (":8081" for every interface), or 0 to disable; not ${value}`);
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

/**
 * Serves each binding's paths at its address: bindings with the same address (not port 0) share
 * one server. Resolves once all listen, with each binding's server (undefined where disabled).
 */
export async function serveEndpoints(bindings: { address: BindAddress | undefined; paths: Record<string, Handler> }[]): Promise<(Server | undefined)[]> {
  const shared = new Map<string, Record<string, Handler>>();
  const routes = bindings.map(({ address, paths }, i) => {
    if (!address) return undefined;
    // Port 0 asks for a free port: such a binding never shares.
    const key = address.port === 0 ? `#${i}` : `${address.host ?? '*'}:${address.port}`;
    const routesOfKey = shared.get(key) ?? {};
    shared.set(key, Object.assign(routesOfKey, paths));
    return { key, address };
  });
  const servers = new Map<string, Promise<Server>>();
  return Promise.all(routes.map((route) => {
    if (!route) return undefined;
    let server = servers.get(route.key);
    if (!server) servers.set(route.key, (server = listen(route.address, shared.get(route.key)!)));
    return server;
  }));
}

function listen(address: BindAddress, paths: Record<string, Handler>): Promise<Server> {
  const server = createServer((req, res) => {
    const handler = paths[new URL(req.url ?? '/', 'http://x').pathname];
    if (handler) handler(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve(server));
  });
}

export function listeningPort(server: Server): number {
  return (server.address() as { port: number }).port;
}
