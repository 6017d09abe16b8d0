import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ExecutionError, Redlock, ResourceLockedError, type Lock } from './redlock.js';

/** The assets one run holds, all together, until `release(runId)`. */
export interface AssetLease {
  runId: string;
  /** Sorted, without duplicates. */
  assetIds: string[];
  /**
   * Epoch ms until which the locks are certainly held (Redlock's estimate: acquisition start +
   * TTL - clock drift). Kept current: every automatic extension moves it forward.
   */
  expiresAt: number;
}

export type AcquireResult =
  | { ok: true; lease: AssetLease }
  | { ok: false; busy: Array<{ assetId: string; holderRunId: string | null }> };

export interface AssetLockManagerOptions {
  /** Lock lifetime without extension (integer ms). Default 30 000. */
  ttlMs?: number;
  /** How often a held lease is extended by another `ttlMs` (integer ms < ttlMs). Default ttlMs / 3. */
  extendEveryMs?: number;
  /** Redis key of an asset's lock = keyPrefix + assetId. Default 'praxis:lock:asset:'. */
  keyPrefix?: string;
  /**
   * A lease could not be extended: one of its locks expired, was force-released or is held by
   * someone else now, or Redis stayed unreachable until the lease expired. Exclusivity is no
   * longer guaranteed; the run should stop touching the hardware. Called once per lease.
   * Default: a process warning.
   */
  onLost?(runId: string, err: Error): void;
}

export const DEFAULT_ASSET_LOCK_TTL_MS = 30_000;
export const DEFAULT_ASSET_LOCK_PREFIX = 'praxis:lock:asset:';

/**
 * Acquisition attempts while a conflict keeps vanishing before its holder can be read (the
 * holder released between our failed acquire and the read). Each retry follows a real change,
 * so this only bounds pathological churn; past it the answer is `{ ok: false, busy: [] }`.
 */
const CONFLICT_ATTEMPTS = 20;
const SCAN_COUNT = 250;

/** Deletes one lock whatever its value and returns that value (nil when it was free). */
const FORCE_RELEASE_SCRIPT = `
local v = redis.call('get', KEYS[1])
if v then redis.call('del', KEYS[1]) end
return v
`;

interface LeaseState {
  readonly lease: AssetLease;
  /** Null for a lease of no assets (nothing to lock). */
  lock: Lock | null;
  timer: NodeJS.Timeout | null;
  /** active: extended by the timer; lost: onLost was called; stopped: being released. */
  state: 'active' | 'lost' | 'stopped';
}

/**
 * The seeds' AssetLockManager: all-or-none Redis locks on a run's assets, with a TTL that is
 * renewed automatically while the run holds them. Plain TypeScript (no Nest), on Redlock with a
 * single Redis client.
 *
 * Keys and holders. An asset's lock is the string key `keyPrefix + assetId` with a PX TTL; its
 * value is `<runId>|<32 hex nonce>`. The holder is therefore read from the lock key itself, never
 * from a second key that could outlive it, lag behind it or be missing after a crash: when the
 * lock expires its holder disappears in the same instant, and a lock taken again carries the new
 * holder. Redlock generates lock values itself (a private `_random()`, called synchronously at
 * the start of `acquire`); each acquisition uses its own Redlock instance whose `_random` returns
 * our value, and the result is checked (a redlock upgrade that stops honouring it fails loudly
 * rather than locking under anonymous values). redlock is pinned to 5.0.0-beta.2.
 *
 * All or none. Redlock's acquire script checks every key and then sets every key in one Lua
 * script, so on one Redis a run gets all of its assets or none, and two runs asking for
 * overlapping sets cannot deadlock (keys are also passed in sorted id order, so the order is
 * deterministic). With retryCount 0 a busy asset answers at once: waiting in line is the
 * scheduler's job. A conflict answers `{ ok: false, busy }` naming each requested asset that is
 * held and its holder; Redlock has already removed anything it set. The holders are read right
 * after the refusal; if the conflicting locks were released in between, the acquisition is simply
 * tried again (bounded, see CONFLICT_ATTEMPTS).
 *
 * Re-acquiring. `acquire` for a run this manager already holds (or is acquiring) with the same
 * set of assets answers the same lease (idempotent); with a different set it throws: a run's
 * assets are reserved together, so release first. Idempotency is per manager instance: locks
 * held for the same run id by another process show up as busy, naming that run.
 *
 * Extension and loss. One timer per lease extends all its locks by ttlMs every extendEveryMs.
 * A refused extension (a lock expired, was force-released or taken) loses the lease at once;
 * a Redis error is retried until the lease would have expired, then loses it. A lost lease's
 * remaining locks are left to expire (they are not released early: the run may still be
 * stopping its hardware); `release(runId)` removes them sooner. Timers are unref'd.
 *
 * Scope. Single Redis instance (or a primary): the multi-key scripts are not Cluster-safe
 * unless all asset keys share a hash slot, and the client must not use an ioredis keyPrefix.
 * A process that dies stops extending, so its runs' locks expire within ttlMs.
 */
export class AssetLockManager {
  readonly ttlMs: number;
  readonly extendEveryMs: number;
  readonly keyPrefix: string;
  private readonly onLost: (runId: string, err: Error) => void;
  private readonly leases = new Map<string, LeaseState>();
  private readonly inflight = new Map<string, { setKey: string; promise: Promise<AcquireResult> }>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    opts: AssetLockManagerOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_ASSET_LOCK_TTL_MS;
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 1) throw new Error(`ttlMs must be a positive integer (got ${opts.ttlMs})`);
    this.extendEveryMs = opts.extendEveryMs ?? Math.max(1, Math.floor(this.ttlMs / 3));
    if (!Number.isInteger(this.extendEveryMs) || this.extendEveryMs < 1 || this.extendEveryMs >= this.ttlMs) {
      throw new Error(`extendEveryMs must be a positive integer below ttlMs (got ${opts.extendEveryMs} with ttlMs ${this.ttlMs})`);
    }
    this.keyPrefix = opts.keyPrefix ?? DEFAULT_ASSET_LOCK_PREFIX;
    if (!this.keyPrefix) throw new Error('keyPrefix must not be empty');
    if (redis.options.keyPrefix) throw new Error('AssetLockManager needs a Redis client without an ioredis keyPrefix (SCAN ignores it)');
    this.onLost =
      opts.onLost ?? ((runId, err) => process.emitWarning(`asset lease of run ${runId} lost: ${err.message}`, 'AssetLockLost'));
  }

  /**
   * Locks every asset of the run, all or none. Never throws for a conflict; throws for invalid
   * arguments, a different re-acquisition (see the class comment), after close(), or when Redis
   * fails.
   */
  acquire(runId: string, assetIds: string[]): Promise<AcquireResult> {
    if (this.closed) return Promise.reject(new Error('AssetLockManager is closed'));
    if (typeof runId !== 'string' || !runId) return Promise.reject(new Error('runId must be a non-empty string'));
    if (!Array.isArray(assetIds) || assetIds.some((a) => typeof a !== 'string' || !a)) {
      return Promise.reject(new Error('assetIds must be non-empty strings'));
    }
    const ids = [...new Set(assetIds)].sort();
    const setKey = JSON.stringify(ids);

    const pending = this.inflight.get(runId);
    if (pending) {
      if (pending.setKey === setKey) return pending.promise;
      return Promise.reject(this.otherSetError(runId, JSON.parse(pending.setKey) as string[], ids));
    }
    const existing = this.leases.get(runId);
    if (existing) {
      if (JSON.stringify(existing.lease.assetIds) !== setKey) {
        return Promise.reject(this.otherSetError(runId, existing.lease.assetIds, ids));
      }
      if (existing.state !== 'active') {
        return Promise.reject(new Error(`The lease of run ${runId} was ${existing.state === 'lost' ? 'lost' : 'being released'}: release(runId) before acquiring again`));
      }
      return Promise.resolve({ ok: true, lease: existing.lease });
    }

    const promise = this.lock(runId, ids).finally(() => this.inflight.delete(runId));
    this.inflight.set(runId, { setKey, promise });
    return promise;
  }

  /** Releases the run's locks (only locks still carrying its lease's value). Idempotent. */
  async release(runId: string): Promise<void> {
    await this.inflight.get(runId)?.promise.catch(() => undefined);
    const st = this.leases.get(runId);
    if (!st) return;
    this.stop(st, 'stopped');
    if (st.lock) {
      try {
        await st.lock.release();
      } catch (err) {
        // Some locks had already expired or been force-released; the rest were deleted.
        // Anything else (Redis down) keeps the lease so release can be retried.
        if (!(await isRefusal(err))) throw err;
      }
    }
    if (this.leases.get(runId) === st) this.leases.delete(runId);
  }

  /** The run holding the asset, or null when it is free (or locked by something not ours). */
  async holder(assetId: string): Promise<string | null> {
    return holderOf(await this.redis.get(this.key(assetId)));
  }

  /** Every asset lock under keyPrefix held by a run, with its remaining TTL (SCAN, not KEYS). */
  async held(): Promise<Array<{ assetId: string; runId: string; ttlMs: number }>> {
    const keys = new Set<string>();
    const match = escapeGlob(this.keyPrefix) + '*';
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
      for (const k of batch) keys.add(k);
      cursor = next;
    } while (cursor !== '0');

    const out: Array<{ assetId: string; runId: string; ttlMs: number }> = [];
    const all = [...keys];
    for (let i = 0; i < all.length; i += SCAN_COUNT) {
      const chunk = all.slice(i, i + SCAN_COUNT);
      const pipe = this.redis.pipeline();
      for (const k of chunk) pipe.get(k).pttl(k);
      const res = (await pipe.exec()) ?? [];
      chunk.forEach((k, j) => {
        const [getErr, value] = res[2 * j] ?? [];
        const [ttlErr, ttl] = res[2 * j + 1] ?? [];
        if (getErr || ttlErr) return; // not a string key: not one of ours
        const runId = holderOf(value as string | null);
        if (runId && typeof ttl === 'number' && ttl > 0) out.push({ assetId: k.slice(this.keyPrefix.length), runId, ttlMs: ttl });
      });
    }
    return out.sort((a, b) => (a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0));
  }

  /**
   * Admin override: deletes the asset's lock whatever holds it and returns the former holder
   * (null when it was free). The holding lease loses its exclusivity: its next extension fails
   * and calls onLost (at once when the lease belongs to this manager).
   */
  async forceRelease(assetId: string): Promise<string | null> {
    const value = (await this.redis.eval(FORCE_RELEASE_SCRIPT, 1, this.key(assetId))) as string | null;
    if (value === null) return null;
    for (const st of this.leases.values()) {
      if (st.lock?.value === value && st.state === 'active') {
        this.lose(st, new Error(`asset ${assetId} was force-released`));
      }
    }
    return holderOf(value);
  }

  /**
   * Extends every active lease now rather than at its next turn. Called when the Redis connection
   * comes back: if Redis restarted and lost the locks, the runs learn it at once (their leases are
   * lost), not up to extendEveryMs later while another run may already hold their assets.
   */
  verifyAll(): void {
    for (const st of this.leases.values()) if (st.state === 'active' && st.lock) this.schedule(st, 0);
  }

  /** Stops every extension timer and refuses new acquisitions. Does not release anything. */
  async close(): Promise<void> {
    this.closed = true;
    for (const st of this.leases.values()) this.clearTimer(st);
  }

  // --- internals -------------------------------------------------------------------------

  private key(assetId: string): string {
    return this.keyPrefix + assetId;
  }

  private otherSetError(runId: string, held: string[], wanted: string[]): Error {
    return new Error(
      `Run ${runId} already holds or is acquiring [${held.join(', ')}]; release it before acquiring [${wanted.join(', ')}]`,
    );
  }

  private async lock(runId: string, ids: string[]): Promise<AcquireResult> {
    if (ids.length === 0) {
      const st: LeaseState = { lease: { runId, assetIds: [], expiresAt: Infinity }, lock: null, timer: null, state: 'active' };
      this.leases.set(runId, st);
      return { ok: true, lease: st.lease };
    }
    const keys = ids.map((id) => this.key(id));
    let busy: Array<{ assetId: string; holderRunId: string | null }> = [];
    for (let attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
      const value = `${runId}|${randomBytes(16).toString('hex')}`;
      let lock: Lock;
      try {
        lock = await this.redlockValued(value).acquire(keys, this.ttlMs);
      } catch (err) {
        if (!(await isRefusal(err))) throw err;
        busy = await this.busy(ids);
        if (busy.length > 0) return { ok: false, busy };
        continue; // the conflicting lock went away before we could name it: try again
      }
      if (lock.value !== value) {
        await lock.release().catch(() => undefined);
        throw new Error('redlock did not use the lock value AssetLockManager gave it (redlock upgraded?): holders cannot be named');
      }
      const st: LeaseState = { lease: { runId, assetIds: ids, expiresAt: lock.expiration }, lock, timer: null, state: 'active' };
      this.leases.set(runId, st);
      this.schedule(st, this.extendEveryMs);
      return { ok: true, lease: st.lease };
    }
    return { ok: false, busy };
  }

  /** A Redlock whose next lock value is `value` (see the class comment). */
  private redlockValued(value: string): Redlock {
    const rl = new Redlock([this.redis], { retryCount: 0, retryDelay: 0, retryJitter: 0 });
    (rl as unknown as { _random(): string })._random = () => value;
    return rl;
  }

  private async busy(ids: string[]): Promise<Array<{ assetId: string; holderRunId: string | null }>> {
    const values = await this.redis.mget(ids.map((id) => this.key(id)));
    return ids.flatMap((assetId, i) => (values[i] === null ? [] : [{ assetId, holderRunId: holderOf(values[i]) }]));
  }

  private schedule(st: LeaseState, delayMs: number): void {
    if (this.closed || st.state !== 'active') return;
    this.clearTimer(st);
    st.timer = setTimeout(() => void this.extend(st), delayMs);
    st.timer.unref();
  }

  private async extend(st: LeaseState): Promise<void> {
    st.timer = null;
    if (this.closed || st.state !== 'active' || !st.lock) return;
    try {
      const next = await st.lock.extend(this.ttlMs);
      if (st.state !== 'active') return; // released or lost meanwhile
      st.lock = next;
      st.lease.expiresAt = next.expiration;
      this.schedule(st, this.extendEveryMs);
    } catch (err) {
      if (st.state !== 'active') return;
      const left = st.lock.expiration - Date.now();
      if (!(await isRefusal(err)) && left > 0) {
        // Redis unreachable: try again while the locks are still ours.
        this.schedule(st, Math.max(1, Math.min(this.extendEveryMs, Math.floor(left / 3))));
        return;
      }
      this.lose(st, lossError(err));
    }
  }

  private lose(st: LeaseState, err: Error): void {
    this.stop(st, 'lost');
    try {
      this.onLost(st.lease.runId, err);
    } catch {
      // A failing callback must not become an unhandled rejection of the timer.
    }
  }

  private stop(st: LeaseState, state: 'lost' | 'stopped'): void {
    st.state = state;
    this.clearTimer(st);
  }

  private clearTimer(st: LeaseState): void {
    if (st.timer) clearTimeout(st.timer);
    st.timer = null;
  }
}

/** The run id recorded in a lock value `<runId>|<32 hex>`, or null. */
export function holderOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^([\s\S]+)\|[0-9a-f]{32}$/.exec(value);
  return m ? m[1]! : null;
}

/**
 * True when Redlock failed because the keys were not (or no longer) in the expected state
 * (a lock held by someone else, expired or deleted), false for Redis/connection errors.
 */
async function isRefusal(err: unknown): Promise<boolean> {
  if (!(err instanceof ExecutionError)) return false;
  if (err.attempts.length === 0) return true; // "Cannot extend an already-expired lock."
  const stats = await err.attempts[err.attempts.length - 1]!;
  const errors = [...stats.votesAgainst.values()];
  return errors.length > 0 && errors.every((e) => e instanceof ResourceLockedError);
}

function lossError(err: unknown): Error {
  if (!(err instanceof ExecutionError) || err.attempts.length === 0) return err instanceof Error ? err : new Error(String(err));
  return new Error(`lease extension refused or failed: ${err.message}`, { cause: err });
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
