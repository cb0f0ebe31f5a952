// The account's role snapshot (src/aws/iam/role-snapshot.ts) with a fake IAM client: one load
// serves every observe within its age, a role the operator wrote is read directly until a later
// load, a role the two listings disagree on is read directly, and a failed load fails its waiters
// and is tried again by the next; a watched listing is loaded every period and names what changed.
import type { IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoleSnapshot, type RoleView } from '../../src/aws/iam/role-snapshot.ts';
import { registry } from '../../src/runtime/metrics.ts';

const role = (name: string, extra: Record<string, unknown> = {}) => ({
  RoleName: name, Arn: `arn:aws:iam::123456789012:role/${name}`, RoleId: `AROA${name.toUpperCase()}`, Path: '/',
  AssumeRolePolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}'),
  RolePolicyList: [{ PolicyName: 'Invoke', PolicyDocument: encodeURIComponent('{"Statement":[]}') }],
  AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', PolicyName: 'ReadOnlyAccess' }],
  Tags: [{ Key: 'Team', Value: 'a' }], ...extra,
});

/** A fake IAM that pages its roles two at a time, and counts and can fail calls. */
function fakeIam(names: string[], options: { listed?: string[]; fail?: () => boolean; extra?: Map<string, Record<string, unknown>>; onCall?: () => void } = {}) {
  const calls: string[] = [];
  const page = <T>(items: T[], marker: string | undefined) => {
    const start = Number(marker ?? 0);
    const next = start + 2 < items.length ? String(start + 2) : undefined;
    return { items: items.slice(start, start + 2), IsTruncated: next !== undefined, Marker: next };
  };
  const client = {
    send: async (command: { constructor: { name: string }; input: { Marker?: string } }) => {
      calls.push(command.constructor.name);
      options.onCall?.();
      await Promise.resolve();
      if (options.fail?.()) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
      if (command.constructor.name === 'GetAccountAuthorizationDetailsCommand') {
        const p = page(names.map((n) => role(n, options.extra?.get(n))), command.input.Marker);
        return { RoleDetailList: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
      }
      const p = page((options.listed ?? names).map((n) => ({ RoleName: n, Description: `role ${n}`, MaxSessionDuration: 7200 })), command.input.Marker);
      return { Roles: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
    },
  };
  return { client: client as unknown as IAMClient, calls };
}

describe('RoleSnapshot', () => {
  it('serves every role of the account from one paginated load, with what both listings give', async () => {
    const { client, calls } = fakeIam(['a', 'b', 'c', 'd', 'e']);
    const snapshot = new RoleSnapshot(client, 60_000, () => 1_000);
    const views = await Promise.all(['a', 'b', 'c', 'd', 'e', 'zz'].map((n) => snapshot.view(n)));
    // Three pages of each listing, once, for all six concurrent observes.
    expect(calls).toEqual([...Array(3).fill('GetAccountAuthorizationDetailsCommand'), ...Array(3).fill('ListRolesCommand')]);
    expect(views[5]).toBe('absent');
    expect(views[0]).toMatchObject({
      arn: 'arn:aws:iam::123456789012:role/a', roleId: 'AROAA', path: '/', description: 'role a', maxSessionDuration: 7200,
      tags: [{ Key: 'Team', Value: 'a' }], attached: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    expect((views[0] as RoleView).inline).toEqual([{ name: 'Invoke', document: encodeURIComponent('{"Statement":[]}') }]);
  });

  it('loads again once the load is older than its maximum age, and waits for it past twice that', async () => {
    let now = 0;
    const { client, calls } = fakeIam(['a']);
    const snapshot = new RoleSnapshot(client, 30_000, () => now);
    await snapshot.view('a');
    now = 29_999;
    await snapshot.view('a');
    expect(calls).toHaveLength(2);
    now = 60_000;
    await snapshot.view('a');
    expect(calls).toHaveLength(4);
  });

  it('answers from the last load while the next one runs, up to twice its maximum age', async () => {
    let now = 0;
    let description = 'first';
    const { client, calls } = fakeIam(['a']);
    const send = client.send.bind(client);
    (client as { send: typeof send }).send = async (command) => {
      const answer = await send(command) as { Roles?: { Description?: string }[] };
      for (const r of answer.Roles ?? []) r.Description = description;
      return answer;
    };
    const snapshot = new RoleSnapshot(client, 30_000, () => now);
    await snapshot.view('a');
    description = 'second';
    // Past its age: the first load answers at once, and a second one starts.
    now = 45_000;
    expect(await snapshot.view('a')).toMatchObject({ description: 'first' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await snapshot.view('a')).toMatchObject({ description: 'second' });
    expect(calls).toHaveLength(4);
    // Past twice its age, an observe waits for a load.
    description = 'third';
    now = 45_000 + 60_000;
    expect(await snapshot.view('a')).toMatchObject({ description: 'third' });
  });

  it('sends a role the operator wrote to the single-role calls until a load that started after the write', async () => {
    let now = 0;
    const { client } = fakeIam(['a', 'b']);
    const snapshot = new RoleSnapshot(client, 30_000, () => now);
    await snapshot.view('a');
    now = 10;
    snapshot.touch('a');
    expect(await snapshot.view('a')).toBe('unknown');
    expect(await snapshot.view('b')).not.toBe('unknown');
    now = 60_000;
    expect(await snapshot.view('a')).toMatchObject({ roleId: 'AROAA' });
  });

  it('answers at once for a role written after the load in flight began, instead of waiting for it', async () => {
    let now = 0;
    const { client, calls } = fakeIam(['a', 'b']);
    const snapshot = new RoleSnapshot(client, 30_000, () => now);
    const loading = snapshot.view('b');
    now = 10;
    snapshot.touch('a');
    // Answered before the load in flight (two calls away) gives anything.
    expect(await snapshot.view('a')).toBe('unknown');
    expect(calls).toHaveLength(1);
    await loading;
  });

  it('sends a role only one listing has (made or deleted between them) to the single-role calls', async () => {
    const { client } = fakeIam(['a', 'b'], { listed: ['a'] });
    const snapshot = new RoleSnapshot(client, 30_000, () => 0);
    expect(await snapshot.view('b')).toBe('unknown');
  });

  describe('watched', () => {
    afterEach(() => { vi.useRealTimers(); });

    it('loads every period and names the roles made, deleted or changed since the load before', async () => {
      vi.useFakeTimers({ now: 0 });
      const names = ['a', 'b', 'c'];
      const extra = new Map<string, Record<string, unknown>>();
      const { client, calls } = fakeIam(names, { extra });
      const snapshot = new RoleSnapshot(client, 10_000, () => Date.now());
      const seen: string[][] = [];
      const stop = snapshot.watch(10_000, (changed) => seen.push(changed.sort()));
      await vi.advanceTimersByTimeAsync(0);
      // The first load has nothing to compare with.
      expect(seen).toEqual([]);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(seen).toEqual([[]]);
      // Made in the console: a policy attached to b, c deleted, d made.
      extra.set('b', { AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', PolicyName: 'AdministratorAccess' }] });
      names.splice(2, 1, 'd');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(seen.at(-1)).toEqual(['b', 'c', 'd']);
      // Observes within the period are answered from the watched loads: no load of their own.
      const loads = calls.filter((c) => c === 'ListRolesCommand').length;
      expect(await snapshot.view('b')).toMatchObject({ attached: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
      expect(calls.filter((c) => c === 'ListRolesCommand').length).toBe(loads);
      stop();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls.filter((c) => c === 'ListRolesCommand').length).toBe(loads);
    });

    it('does not name a role the operator wrote while the load ran, and names it next time if it changed since', async () => {
      vi.useFakeTimers({ now: 0 });
      const extra = new Map<string, Record<string, unknown>>();
      let duringLoad = () => undefined as void;
      const { client } = fakeIam(['a', 'b'], { extra, onCall: () => duringLoad() });
      const snapshot = new RoleSnapshot(client, 10_000, () => Date.now());
      const seen: string[][] = [];
      const stop = snapshot.watch(10_000, (changed) => seen.push(changed.sort()));
      await vi.advanceTimersByTimeAsync(0);
      // The operator tags a and b while the next load runs: the load shows both tagged.
      duringLoad = () => {
        duringLoad = () => undefined;
        for (const name of ['a', 'b']) {
          snapshot.touch(name);
          extra.set(name, { Tags: [{ Key: 'Team', Value: 'b' }] });
        }
      };
      await vi.advanceTimersByTimeAsync(10_000);
      expect(seen).toEqual([[]]);
      // Then someone changes b in the console: the load after names it, and only it.
      extra.set('b', { Tags: [{ Key: 'Team', Value: 'c' }] });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(seen).toEqual([[], ['b']]);
      stop();
    });

    it('loads nothing in a period in which no object wants it', async () => {
      vi.useFakeTimers({ now: 0 });
      const { client, calls } = fakeIam(['a']);
      const snapshot = new RoleSnapshot(client, 5_000, () => Date.now());
      let objects = 0;
      const stop = snapshot.watch(5_000, () => undefined, undefined, () => objects > 0);
      await vi.advanceTimersByTimeAsync(30_000);
      expect(calls).toEqual([]);
      objects = 1;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(calls).toEqual(['GetAccountAuthorizationDetailsCommand', 'ListRolesCommand']);
      stop();
    });

    it('reports a failed load and compares the next with the last that succeeded', async () => {
      vi.useFakeTimers({ now: 0 });
      let failing = false;
      const names = ['a', 'b'];
      const { client } = fakeIam(names, { fail: () => failing });
      const snapshot = new RoleSnapshot(client, 5_000, () => Date.now());
      const seen: string[][] = [];
      const failures: string[] = [];
      const stop = snapshot.watch(5_000, (changed) => seen.push(changed), (e) => failures.push((e as Error).message));
      await vi.advanceTimersByTimeAsync(0);
      failing = true;
      names.push('c');
      await vi.advanceTimersByTimeAsync(5_000);
      expect(failures).toEqual(['Rate exceeded']);
      failing = false;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(seen).toEqual([['c']]);
      stop();
      // Each load is timed, by outcome.
      const loads = await registry.getSingleMetricAsString('bedrockforge_aws_listing_load_seconds');
      expect(loads).toMatch(/_count\{listing="iam-roles",outcome="error"\} [1-9]/);
      expect(loads).toMatch(/_count\{listing="iam-roles",outcome="success"\} [1-9]/);
    });
  });

  it('fails every observe waiting for a load that fails, and the next observe loads again', async () => {
    let failing = true;
    const { client, calls } = fakeIam(['a'], { fail: () => failing });
    const snapshot = new RoleSnapshot(client, 30_000, () => 0);
    const results = await Promise.allSettled([snapshot.view('a'), snapshot.view('a')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toHaveLength(1);
    failing = false;
    expect(await snapshot.view('a')).toMatchObject({ roleId: 'AROAA' });
  });
});
