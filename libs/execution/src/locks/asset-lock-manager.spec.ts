// Against the real redis-server that test/setup/global-setup.mjs starts (TEST_REDIS_URL); every
// test uses its own key prefix, so nothing here sees another test's locks.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { AssetLockManager, holderOf, type AssetLockManagerOptions } from './asset-lock-manager.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` is true; fails after `timeoutMs` (a bound on waiting, not a speed claim). */
async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(20);
  }
}

function redisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests through Jest (global setup starts redis-server)');
  return url;
}

describe('AssetLockManager (real Redis)', () => {
  const clients: Redis[] = [];
  const managers: AssetLockManager[] = [];
  let redis: Redis;
  let prefix: string;

  const client = () => {
    const c = new Redis(redisUrl());
    clients.push(c);
    return c;
  };
  /** A manager on its own connection, as another api/worker process would have. */
  const manager = (opts: AssetLockManagerOptions = {}) => {
    const m = new AssetLockManager(client(), { keyPrefix: prefix, ...opts });
    managers.push(m);
    return m;
  };

  beforeAll(() => {
    redis = client();
  });

  beforeEach(() => {
    prefix = `praxis:test:lock:${randomBytes(4).toString('hex')}:`;
  });

  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('is all or none: a run wanting A,B while another holds B gets nothing, and B’s holder is named', async () => {
    const m = manager();
    expect(await m.acquire('run-1', ['B'])).toMatchObject({ ok: true, lease: { runId: 'run-1', assetIds: ['B'] } });

    const r = await m.acquire('run-2', ['A', 'B']);
    expect(r).toEqual({ ok: false, busy: [{ assetId: 'B', holderRunId: 'run-1' }] });
    expect(await redis.exists(prefix + 'A')).toBe(0);
    expect(await m.holder('A')).toBeNull();
    expect(await m.holder('B')).toBe('run-1');

    // A is free for anyone afterwards.
    expect(await manager().acquire('run-3', ['A'])).toMatchObject({ ok: true });
    expect(await m.holder('A')).toBe('run-3');
  });

  it('names every busy asset with its own holder', async () => {
    const m = manager();
    await m.acquire('run-1', ['A']);
    await m.acquire('run-2', ['C']);
    expect(await m.acquire('run-3', ['C', 'B', 'A'])).toEqual({
      ok: false,
      busy: [
        { assetId: 'A', holderRunId: 'run-1' },
        { assetId: 'C', holderRunId: 'run-2' },
      ],
    });
    expect(await m.holder('B')).toBeNull();
  });

  it('records the holder in the lock value itself, with the TTL on that key', async () => {
    const m = manager({ ttlMs: 5000 });
    const r = await m.acquire('run-with:colons|and|bars', ['X', 'X', 'W']);
    expect(r).toMatchObject({ ok: true, lease: { assetIds: ['W', 'X'] } });
    const value = await redis.get(prefix + 'X');
    expect(value).toMatch(/^run-with:colons\|and\|bars\|[0-9a-f]{32}$/);
    expect(holderOf(value)).toBe('run-with:colons|and|bars');
    expect(await redis.get(prefix + 'W')).toBe(value); // one lease, one value
    const ttl = await redis.pttl(prefix + 'X');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
    // A foreign value under the prefix is not mistaken for a run.
    await redis.set(prefix + 'F', 'not-a-lease', 'PX', 5000);
    expect(await m.holder('F')).toBeNull();
    expect(await m.acquire('run-2', ['F'])).toEqual({ ok: false, busy: [{ assetId: 'F', holderRunId: null }] });
  });

  it('never lets two runs hold one asset: 50 concurrent runs over random subsets of 5 assets', async () => {
    const assets = ['a1', 'a2', 'a3', 'a4', 'a5'];
    const ms = [manager(), manager(), manager()]; // three "processes"
    const occupancy = new Map<string, string>();
    const violations: string[] = [];
    let conflicts = 0;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

    const runOne = async (i: number) => {
      const runId = `run-${i}`;
      const want = assets.filter(() => rand() < 0.5);
      if (want.length === 0) want.push(assets[i % assets.length]!);
      const m = ms[i % ms.length]!;
      for (;;) {
        const r = await m.acquire(runId, want);
        if (!r.ok) {
          conflicts++;
          for (const b of r.busy) {
            if (!want.includes(b.assetId)) violations.push(`${runId} told ${b.assetId} is busy but did not ask for it`);
            if (b.holderRunId === runId) violations.push(`${runId} named as its own blocker`);
          }
          // (busy may be empty only if conflicts kept vanishing for CONFLICT_ATTEMPTS tries.)
          await sleep(rand() * 5);
          continue;
        }
        for (const a of want) {
          const other = occupancy.get(a);
          if (other) violations.push(`${runId} got ${a} while ${other} held it`);
          occupancy.set(a, runId);
        }
        await sleep(rand() * 5);
        for (const a of want) {
          if (occupancy.get(a) !== runId) violations.push(`${a} changed hands while ${runId} held it`);
          occupancy.delete(a);
        }
        await m.release(runId);
        return;
      }
    };

    await Promise.all(Array.from({ length: 50 }, (_, i) => runOne(i)));
    expect(violations).toEqual([]);
    expect(conflicts).toBeGreaterThan(0); // the test did exercise contention
    expect(await ms[0]!.held()).toEqual([]);
  });

  it('lets the locks expire after the TTL once extension stops (close)', async () => {
    const m = manager({ ttlMs: 300, extendEveryMs: 100 });
    await m.acquire('run-1', ['A', 'B']);
    await m.close();
    expect(await m.holder('A')).toBe('run-1'); // close does not release
    await expect(m.acquire('run-2', ['C'])).rejects.toThrow(/closed/);
    await eventually(async () => (await m.holder('A')) === null && (await m.holder('B')) === null, 'locks to expire');
    expect(await manager().acquire('run-2', ['A', 'B'])).toMatchObject({ ok: true });
  });

  it('keeps a lease alive well beyond its TTL by extending it automatically', async () => {
    const m = manager({ ttlMs: 300, extendEveryMs: 100 });
    const r = await m.acquire('run-1', ['A']);
    if (!r.ok) throw new Error('expected the lease');
    const firstExpiry = r.lease.expiresAt;
    await sleep(1200); // four TTLs
    expect(await m.holder('A')).toBe('run-1');
    expect(await redis.pttl(prefix + 'A')).toBeGreaterThan(0);
    expect(r.lease.expiresAt).toBeGreaterThan(firstExpiry);
    expect(await manager().acquire('run-2', ['A'])).toEqual({ ok: false, busy: [{ assetId: 'A', holderRunId: 'run-1' }] });
    await m.release('run-1');
    expect(await m.holder('A')).toBeNull();
  });

  it('calls onLost when a lock disappears under a lease, and does not re-create it', async () => {
    const lost: Array<[string, Error]> = [];
    const m = manager({ ttlMs: 400, extendEveryMs: 50, onLost: (runId, err) => lost.push([runId, err]) });
    await m.acquire('run-1', ['A', 'B']);
    await redis.del(prefix + 'B'); // e.g. expired during a Redis stall, or deleted by hand
    await eventually(() => lost.length > 0, 'onLost');
    expect(lost).toHaveLength(1);
    expect(lost[0]![0]).toBe('run-1');
    expect(lost[0]![1]).toBeInstanceOf(Error);
    expect(await m.holder('B')).toBeNull();
    // Re-acquiring a lost lease is refused until it is released; release then frees the rest.
    await expect(m.acquire('run-1', ['A', 'B'])).rejects.toThrow(/lost/);
    await m.release('run-1');
    expect(await m.holder('A')).toBeNull();
    expect(await m.acquire('run-1', ['A', 'B'])).toMatchObject({ ok: true });
  });

  it('release is idempotent, also after the locks expired or were taken away', async () => {
    const m = manager({ ttlMs: 5000 });
    await m.release('never-acquired');
    await m.acquire('run-1', ['A', 'B']);
    await m.release('run-1');
    await m.release('run-1');
    expect(await m.holder('A')).toBeNull();
    expect(await m.holder('B')).toBeNull();

    await m.acquire('run-2', ['A', 'B']);
    await manager().forceRelease('A');
    await m.release('run-2'); // A already gone: no error, B still released
    expect(await m.holder('B')).toBeNull();

    // Releasing never deletes a lock that another run took after ours expired.
    const short = manager({ ttlMs: 200, extendEveryMs: 50 });
    await short.acquire('run-3', ['C']);
    await short.close();
    await eventually(async () => (await m.holder('C')) === null, 'C to expire');
    await m.acquire('run-4', ['C']);
    await short.release('run-3');
    expect(await m.holder('C')).toBe('run-4');
  });

  it('forceRelease deletes the lock whatever holds it and names the former holder', async () => {
    const lost: string[] = [];
    const owner = manager({ ttlMs: 600, extendEveryMs: 100, onLost: (runId) => lost.push(runId) });
    const admin = manager();
    await owner.acquire('run-1', ['A', 'B']);
    expect(await admin.forceRelease('A')).toBe('run-1');
    expect(await admin.forceRelease('A')).toBeNull();
    expect(await admin.forceRelease('never-locked')).toBeNull();
    expect(await admin.holder('A')).toBeNull();
    expect(await admin.acquire('run-2', ['A'])).toMatchObject({ ok: true });
    // The owner's lease notices at its next extension (here: from another manager).
    await eventually(() => lost.length > 0, 'owner onLost');
    expect(lost).toEqual(['run-1']);

    // Force-releasing through the owning manager tells it at once.
    const self: string[] = [];
    const m = manager({ onLost: (runId) => self.push(runId) });
    await m.acquire('run-3', ['C']);
    expect(await m.forceRelease('C')).toBe('run-3');
    expect(self).toEqual(['run-3']);
  });

  it('held() lists every held asset lock with its run and remaining TTL', async () => {
    const m = manager({ ttlMs: 10_000 });
    expect(await m.held()).toEqual([]);
    await m.acquire('run-1', ['B', 'A']);
    await m.acquire('run-2', ['C']);
    await m.acquire('run-3', ['D']);
    await m.release('run-3');
    await redis.set(prefix + 'foreign', 'x', 'PX', 10_000); // not a lease value: not listed
    const held = await m.held();
    expect(held.map(({ assetId, runId }) => ({ assetId, runId }))).toEqual([
      { assetId: 'A', runId: 'run-1' },
      { assetId: 'B', runId: 'run-1' },
      { assetId: 'C', runId: 'run-2' },
    ]);
    for (const h of held) {
      expect(h.ttlMs).toBeGreaterThan(0);
      expect(h.ttlMs).toBeLessThanOrEqual(10_000);
    }
    // Another prefix is another namespace.
    expect(await manager({ keyPrefix: prefix + 'other:' }).held()).toEqual([]);
  });

  it('held() walks the whole SCAN cursor (more keys than one SCAN batch)', async () => {
    const m = manager({ ttlMs: 10_000 });
    const ids = Array.from({ length: 700 }, (_, i) => `asset-${String(i).padStart(4, '0')}`);
    expect(await m.acquire('big-run', ids)).toMatchObject({ ok: true });
    const held = await m.held();
    expect(held.map((h) => h.assetId)).toEqual(ids);
    expect(new Set(held.map((h) => h.runId))).toEqual(new Set(['big-run']));
    await m.release('big-run');
    expect(await m.held()).toEqual([]);
  });

  it('same run, same assets: the same lease (also when asked concurrently); other assets: an error', async () => {
    const m = manager();
    const [a, b] = await Promise.all([m.acquire('run-1', ['A', 'B']), m.acquire('run-1', ['B', 'A', 'A'])]);
    expect(a.ok && b.ok && a.lease === b.lease).toBe(true);
    const again = await m.acquire('run-1', ['B', 'A']);
    expect(again.ok && a.ok && again.lease === a.lease).toBe(true);
    await expect(m.acquire('run-1', ['A'])).rejects.toThrow(/already holds/);
    await expect(m.acquire('run-1', ['A', 'B', 'C'])).rejects.toThrow(/already holds/);
    expect(await m.holder('C')).toBeNull();
    // Another process holding locks for the same run id sees them as busy, named.
    expect(await manager().acquire('run-1', ['A'])).toEqual({ ok: false, busy: [{ assetId: 'A', holderRunId: 'run-1' }] });
  });

  it('a run with no assets gets an empty lease; bad arguments are rejected', async () => {
    const m = manager();
    expect(await m.acquire('run-0', [])).toMatchObject({ ok: true, lease: { runId: 'run-0', assetIds: [] } });
    await m.release('run-0');
    await expect(m.acquire('', ['A'])).rejects.toThrow(/runId/);
    await expect(m.acquire('run-1', ['A', ''])).rejects.toThrow(/assetIds/);
    expect(() => new AssetLockManager(redis, { ttlMs: 100, extendEveryMs: 100 })).toThrow(/extendEveryMs/);
    expect(() => new AssetLockManager(redis, { ttlMs: 1.5 })).toThrow(/ttlMs/);
  });
});
