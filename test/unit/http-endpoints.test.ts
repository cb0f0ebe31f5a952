// Where the operator listens: controller-runtime's address syntax, every interface by default (the
// kubelet probes the pod IP), and probes and metrics on one port when their addresses are equal.
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listeningPort, parseBindAddress, serveEndpoints } from '../../src/cli/http-endpoints.ts';

let servers: (Server | undefined)[] = [];
afterEach(() => {
  for (const s of new Set(servers)) s?.close();
  servers = [];
});

describe('bind addresses', () => {
  it('reads [host]:port, an empty host as every interface, and 0 as off', () => {
    expect(parseBindAddress(':8081', 'f')).toEqual({ host: undefined, port: 8081 });
    expect(parseBindAddress('127.0.0.1:0', 'f')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseBindAddress('[::1]:9090', 'f')).toEqual({ host: '::1', port: 9090 });
    expect(parseBindAddress('0', 'f')).toBeUndefined();
    expect(() => parseBindAddress('8081', '--metrics-bind-address')).toThrow(/--metrics-bind-address must be \[host\]:port/);
    expect(() => parseBindAddress(':70000', 'f')).toThrow();
  });

  it('listens on every interface for ":port", not on loopback only', async () => {
    servers = await serveEndpoints([{ address: parseBindAddress(':0', 'f'), paths: { '/healthz': (_q, r) => r.end('ok') } }]);
    const address = servers[0]!.address() as { address: string };
    expect(['::', '0.0.0.0']).toContain(address.address);
  });

  it('serves probes and metrics from one server when their addresses are the same, and 404 elsewhere', async () => {
    const free = await serveEndpoints([{ address: { host: '127.0.0.1', port: 0 }, paths: {} }]);
    const port = listeningPort(free[0]!);
    await new Promise((r) => free[0]!.close(r));
    const address = parseBindAddress(`127.0.0.1:${port}`, 'f');
    servers = await serveEndpoints([
      { address, paths: { '/healthz': (_q, r) => r.end('ok') } },
      { address, paths: { '/metrics': (_q, r) => r.end('# metrics') } },
    ]);
    expect(servers[0]).toBe(servers[1]);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('ok');
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toBe('# metrics');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });
});
