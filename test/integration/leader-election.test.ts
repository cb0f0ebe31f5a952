import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CoordinationV1Api, KubeConfig, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLeaderElection, type LeaderElector } from '../../src/runtime/leader-election.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const execFileAsync = promisify(execFile);

const namespace = 'default';
const durations = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = durations;
/** Room for requests and timers on a busy machine, on top of what the protocol allows. */
const slackMs = 500;
const microTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

interface Candidate {
  identity: string;
  elector: LeaderElector;
  /** Date.now() when `acquired` resolved. */
  acquiredAt?: number;
  /** Date.now() of each onLost call. */
  lostAt: number[];
}

describe('leader election through a Lease', () => {
  let stack: Stack;
  let noCrds: string;
  let admin: KubeConfig;
  let leases: CoordinationV1Api;
  const started: Candidate[] = [];
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    noCrds = await mkdtemp(join(tmpdir(), 'leader-election-no-crds-'));
    stack = await startStack({ crdDir: noCrds });
    admin = new KubeConfig();
    admin.loadFromFile(stack.kubeconfigPath);
    leases = admin.makeApiClient(CoordinationV1Api);
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((candidate) => candidate.elector.release()));
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  afterAll(async () => {
    await stack?.stop();
    if (noCrds) await rm(noCrds, { recursive: true, force: true });
  });

  function candidate(lease: string, identity: string, kc = admin): Candidate {
    const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
    const elector = startLeaderElection({ kc, namespace, name: lease, identity, ...durations, log });
    const entry: Candidate = { identity, elector, lostAt: [] };
    elector.acquired.then(() => (entry.acquiredAt = Date.now()), () => {});
    elector.onLost(() => entry.lostAt.push(Date.now()));
    started.push(entry);
    return entry;
  }

  const readLease = (name: string): Promise<V1Lease> => leases.readNamespacedLease({ name, namespace });
  const timeOf = (microTimeField: unknown): number => new Date(String(microTimeField)).getTime();

  it('elects exactly one of two, keeps it while it renews, and hands over at once on release', async () => {
    const lease = 'handover';
    const pair = [candidate(lease, 'replica-a'), candidate(lease, 'replica-b')];

    const leader = await waitFor('a leader', () => pair.find((c) => c.elector.isLeader()), { timeoutMs: 5_000 });
    const follower = pair.find((c) => c !== leader)!;
    const first = await readLease(lease);
    expect(first.spec).toMatchObject({ holderIdentity: leader.identity, leaseDurationSeconds: 3, leaseTransitions: 0 });
    // client-node types these as Dates but hands over the apiserver's strings: MicroTime, six digits.
    expect(first.spec?.renewTime).toMatch(microTime);
    expect(first.spec?.acquireTime).toMatch(microTime);

    // Past the time the lease would have expired without renewals, the follower still follows.
    const holders = new Set<string | undefined>();
    await waitFor(
      'the leader to renew the lease past one lease duration',
      async () => {
        const current = await readLease(lease);
        holders.add(current.spec?.holderIdentity);
        return timeOf(current.spec?.renewTime) > timeOf(first.spec?.renewTime) + leaseDurationMs ? current : undefined;
      },
      {
        timeoutMs: leaseDurationMs + 2_000,
        failFast: () => (follower.elector.isLeader() || !leader.elector.isLeader() ? new Error('leadership moved while the leader was renewing') : undefined),
      },
    );
    expect([...holders]).toEqual([leader.identity]);
    expect(follower.acquiredAt).toBeUndefined();
    expect(String((await readLease(lease)).spec?.acquireTime)).toBe(String(first.spec?.acquireTime));

    await leader.elector.release();
    const releasedAt = Date.now();
    expect(leader.elector.isLeader()).toBe(false);
    await waitFor('the follower to lead', () => follower.acquiredAt, { timeoutMs: retryPeriodMs + 2_000 });
    expect(follower.acquiredAt! - releasedAt).toBeLessThan(retryPeriodMs + slackMs);
    expect(follower.elector.isLeader()).toBe(true);
    expect((await readLease(lease)).spec).toMatchObject({ holderIdentity: follower.identity, leaseDurationSeconds: 3, leaseTransitions: 1 });
    expect(leader.lostAt).toEqual([]);
  });

  it('hands over within leaseDuration + retryPeriod when the leader vanishes without releasing', async () => {
    const lease = 'vanish';
    // The first replica reaches the apiserver through a proxy; cutting it is the replica's death as
    // far as anyone else can tell (and, to itself, an apiserver it can no longer reach).
    const proxy = await startProxy(new URL(admin.getCurrentCluster()!.server));
    cleanups.push(() => proxy.cut());
    const a = candidate(lease, 'replica-a', withServer(admin, proxy.url));
    await waitFor('replica-a to lead', () => a.acquiredAt, { timeoutMs: 5_000 });
    const b = candidate(lease, 'replica-b');
    await waitFor('replica-b to have read the lease', async () => ((await readLease(lease)).spec?.holderIdentity === 'replica-a' ? true : undefined), {
      timeoutMs: 5_000,
    });

    proxy.cut();
    const cutAt = Date.now();

    await waitFor('replica-b to lead', () => b.acquiredAt, { timeoutMs: leaseDurationMs + retryPeriodMs + 5_000 });
    expect(b.acquiredAt! - cutAt).toBeLessThan(leaseDurationMs + retryPeriodMs + slackMs);
    // replica-a gave up (renewDeadline) before replica-b could take over (leaseDuration): never two leaders.
    expect(a.lostAt).toHaveLength(1);
    expect(a.lostAt[0]!).toBeLessThan(b.acquiredAt!);
    expect(a.lostAt[0]! - cutAt).toBeLessThan(renewDeadlineMs + slackMs);
    expect(a.elector.isLeader()).toBe(false);
    expect((await readLease(lease)).spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
  });

  it('reports the loss when another holder overwrites the lease', async () => {
    const lease = 'overwritten';
    const a = candidate(lease, 'replica-a');
    await waitFor('replica-a to lead', () => a.acquiredAt, { timeoutMs: 5_000 });

    const current = await readLease(lease);
    const now = new V1MicroTime(Date.now());
    await leases.replaceNamespacedLease({
      name: lease,
      namespace,
      body: { ...current, spec: { ...current.spec, holderIdentity: 'intruder', leaseDurationSeconds: 30, acquireTime: now, renewTime: now } },
    });
    const overwrittenAt = Date.now();

    await waitFor('replica-a to notice', () => a.lostAt[0], { timeoutMs: retryPeriodMs + 2_000 });
    expect(a.lostAt[0]! - overwrittenAt).toBeLessThan(retryPeriodMs + slackMs);
    expect(a.elector.isLeader()).toBe(false);
    expect((await readLease(lease)).spec?.holderIdentity).toBe('intruder');
    // A listener added after the loss hears of it too.
    const late = await new Promise<string>((resolve) => a.elector.onLost(() => resolve('called')));
    expect(late).toBe('called');
    expect(a.lostAt).toHaveLength(1);
  });

  it('on release, clears the holder and lets others take the lease at once; a follower that stops never leads', async () => {
    const lease = 'released';
    const a = candidate(lease, 'replica-a');
    await waitFor('replica-a to lead', () => a.acquiredAt, { timeoutMs: 5_000 });
    const b = candidate(lease, 'replica-b');
    await b.elector.release();
    await expect(b.elector.acquired).rejects.toThrow(/stopped before this replica acquired it/);
    expect(a.elector.isLeader()).toBe(true);

    await a.elector.release();
    const { spec } = await readLease(lease);
    expect(spec?.holderIdentity ?? '').toBe('');
    expect(spec).toMatchObject({ leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(spec?.renewTime).toMatch(microTime);
    expect(a.lostAt).toEqual([]);
  });

  it('leaves nothing to keep the process alive once released', async () => {
    const moduleUrl = pathToFileURL(join(repoRoot, 'src/runtime/leader-election.ts')).href;
    const script = `
      import { KubeConfig } from '@kubernetes/client-node';
      import { pino } from 'pino';
      import { startLeaderElection } from ${JSON.stringify(moduleUrl)};
      const kc = new KubeConfig();
      kc.loadFromFile(${JSON.stringify(stack.kubeconfigPath)});
      const elector = startLeaderElection({
        kc, namespace: ${JSON.stringify(namespace)}, name: 'exit', identity: 'child', ...${JSON.stringify(durations)},
        log: pino({ level: 'silent' }),
      });
      await elector.acquired;
      console.log('leading');
      await elector.release();
      console.log('released');
    `;
    // Exits by itself, or is killed at the deadline and fails.
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '--eval', script], { cwd: repoRoot, timeout: 15_000 });
    expect(stdout).toBe('leading\nreleased\n');
    expect((await readLease('exit')).spec?.holderIdentity ?? '').toBe('');
  });
});

function withServer(kc: KubeConfig, server: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters.map((cluster) => ({ ...cluster, server })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return copy;
}

/** A TCP proxy to `target` (TLS passes through); cut() drops its connections and refuses new ones. */
async function startProxy(target: URL): Promise<{ url: string; cut(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    cut() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
