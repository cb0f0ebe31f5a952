// Every request to the apiserver gets the same connection pool (client-node would make a new one,
// with a new TLS connection, per request), and still its own authentication header.
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PooledKubeConfig } from '../../src/runtime/pooled-kubeconfig.ts';

function load(kc: KubeConfig, token: string): KubeConfig {
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

async function request(kc: KubeConfig): Promise<RequestContext> {
  const context = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  return context;
}

describe('PooledKubeConfig', () => {
  it('reuses one connection pool for every request of a cluster and user', async () => {
    const kc = load(new PooledKubeConfig(), 't1');
    const [a, b, c] = [await request(kc), await request(kc), await request(kc)];
    expect(a.getDispatcher()).toBeDefined();
    expect(b.getDispatcher()).toBe(a.getDispatcher());
    expect(c.getDispatcher()).toBe(a.getDispatcher());
    // client-node alone makes a new pool per request: the reason for this class.
    const plain = load(new KubeConfig(), 't1');
    expect((await request(plain)).getDispatcher()).not.toBe((await request(plain)).getDispatcher());
  });

  it('still authenticates each request', async () => {
    const context = await request(load(new PooledKubeConfig(), 'secret-token'));
    expect(context.getHeaders().Authorization).toBe('Bearer secret-token');
  });
});
