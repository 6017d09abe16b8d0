import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RedisService, WORKER_HEARTBEAT_KEY, type WorkerHeartbeat } from '@praxis/redis';
import { poolStats, type PoolStats } from '@praxis/database';
import { DataSource } from 'typeorm';
import { AssetLockManager } from '../locks/asset-lock-manager.js';
import { RunQueues } from '../run-queues.js';
import { EXECUTING_STATUSES, RunStatus, TERMINAL_STATUSES } from '../runs/run-status.js';

/** A queued run no live worker serves for this long is reported stuck. */
const QUEUED_STUCK_MS = 60_000;

export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  lastHeartbeatAt: string;
  heartbeatAgeMs: number;
  workcells: string[];
  currentRuns: string[];
}
export interface QueueStatus {
  workcellId: string;
  workcellName: string;
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
  /** Live workers taking this workcell's runs. */
  workers: number;
}
export interface LockStatus {
  assetId: string;
  assetName: string | null;
  runId: string;
  runStatus: string | null;
  /** Since the reservation was taken (null: a lock without a reservation row). */
  ageMs: number | null;
  ttlMs: number;
}
export interface ReservationStatus {
  assetId: string;
  assetKind: string;
  assetName: string;
  runId: string;
  runStatus: string | null;
  acquiredAt: string;
  ageMs: number;
  /** The run has ended (or is gone): the reservation outlived it. */
  stale: boolean;
  /** A Redis lock backs it. */
  locked: boolean;
}
export interface StuckRun {
  runId: string;
  protocolName: string;
  workcellId: string;
  status: string;
  workerId: string | null;
  reason: 'worker_gone' | 'input_timed_out' | 'no_worker';
  detail: string;
  sinceMs: number;
}

/**
 * What an operator asks when something looks wrong: which workers are alive and what they run,
 * how deep each workcell's queue is, which locks and reservations are held by whom and for how
 * long, and which runs look stuck. Each part is one query or one SCAN; the Prometheus gauges read
 * the same methods.
 */
@Injectable()
export class SystemStatusService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly redis: RedisService,
    private readonly locks: AssetLockManager,
    private readonly queues: RunQueues,
  ) {}

  /** Workers with a current heartbeat (the key expires three intervals after the last beat). */
  async workers(now = Date.now()): Promise<WorkerStatus[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.client.scan(cursor, 'MATCH', this.redis.key(WORKER_HEARTBEAT_KEY, '*'), 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    const values = keys.length ? await this.redis.client.mget(...keys) : [];
    const out: WorkerStatus[] = [];
    for (const v of values) {
      if (!v) continue;
      let hb: WorkerHeartbeat;
      try {
        hb = JSON.parse(v) as WorkerHeartbeat;
      } catch {
        continue;
      }
      out.push({
        id: hb.id,
        host: hb.hostname,
        pid: hb.pid,
        startedAt: hb.startedAt,
        lastHeartbeatAt: hb.at,
        heartbeatAgeMs: Math.max(0, now - Date.parse(hb.at)),
        workcells: hb.workcells ?? [],
        currentRuns: hb.runs ?? [],
      });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Jobs per workcell queue and state, with the number of live workers taking them. */
  async queueDepths(workers?: WorkerStatus[]): Promise<QueueStatus[]> {
    const live = workers ?? (await this.workers());
    const cells = (await this.db.query('SELECT id, name FROM workcells ORDER BY name')) as Array<{ id: string; name: string }>;
    return Promise.all(
      cells.map(async (c) => {
        const counts = await this.queues.queue(c.id).getJobCounts('wait', 'prioritized', 'waiting-children', 'delayed', 'active', 'failed');
        return {
          workcellId: c.id,
          workcellName: c.name,
          waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0),
          delayed: counts.delayed ?? 0,
          active: counts.active ?? 0,
          failed: counts.failed ?? 0,
          workers: live.filter((w) => w.workcells.includes(c.id)).length,
        };
      }),
    );
  }

  /** Reservation rows (the durable record of who holds what), with their run's status and age. */
  async reservations(now = Date.now()): Promise<ReservationStatus[]> {
    const held = new Set((await this.locks.held()).map((l) => `${l.assetId}|${l.runId}`));
    const rows = (await this.db.query(
      `SELECT res."assetId", res."assetKind", res."assetName", res."runId", res."acquiredAt", r.status AS "runStatus"
         FROM reservations res LEFT JOIN runs r ON r.id = res."runId" ORDER BY res."acquiredAt"`,
    )) as Array<{ assetId: string; assetKind: string; assetName: string; runId: string; acquiredAt: Date; runStatus: string | null }>;
    return rows.map((r) => ({
      assetId: r.assetId,
      assetKind: r.assetKind,
      assetName: r.assetName,
      runId: r.runId,
      runStatus: r.runStatus,
      acquiredAt: new Date(r.acquiredAt).toISOString(),
      ageMs: Math.max(0, now - new Date(r.acquiredAt).getTime()),
      stale: r.runStatus === null || TERMINAL_STATUSES.includes(r.runStatus as RunStatus),
      locked: held.has(`${r.assetId}|${r.runId}`),
    }));
  }

  /** The Redis asset locks, with their holder run, its status and the reservation's age. */
  async heldLocks(now = Date.now()): Promise<LockStatus[]> {
    const held = await this.locks.held();
    if (!held.length) return [];
    const rows = (await this.db.query(
      `SELECT h."assetId", h."runId", res."assetName", res."acquiredAt", r.status AS "runStatus"
         FROM unnest($1::uuid[], $2::uuid[]) AS h("assetId", "runId")
         LEFT JOIN reservations res ON res."assetId" = h."assetId" AND res."runId" = h."runId"
         LEFT JOIN runs r ON r.id = h."runId"`,
      [held.map((h) => h.assetId), held.map((h) => h.runId)],
    )) as Array<{ assetId: string; runId: string; assetName: string | null; acquiredAt: Date | null; runStatus: string | null }>;
    const byKey = new Map(rows.map((r) => [`${r.assetId}|${r.runId}`, r]));
    return held.map((h) => {
      const r = byKey.get(`${h.assetId}|${h.runId}`);
      return {
        assetId: h.assetId,
        assetName: r?.assetName ?? null,
        runId: h.runId,
        runStatus: r?.runStatus ?? null,
        ageMs: r?.acquiredAt ? Math.max(0, now - new Date(r.acquiredAt).getTime()) : null,
        ttlMs: h.ttlMs,
      };
    });
  }

  /**
   * Runs that look stuck: executing with no heartbeat from their worker, awaiting an answer past
   * their prompt's timeout, or queued for a minute on a workcell no live worker takes.
   */
  async stuckRuns(workers?: WorkerStatus[], now = Date.now()): Promise<StuckRun[]> {
    const live = workers ?? (await this.workers(now));
    const alive = new Set(live.map((w) => w.id.split(':').slice(0, 2).join(':')));
    const served = new Set(live.flatMap((w) => w.workcells));
    const rows = (await this.db.query(
      `SELECT id, "protocolName", "workcellId", status, "workerId", "pendingInput", "updatedAt", "createdAt", "scheduledAt"
         FROM runs WHERE status = ANY($1::text[]) OR (status = 'queued' AND "createdAt" < now() - ($2 || ' milliseconds')::interval)`,
      [EXECUTING_STATUSES, String(QUEUED_STUCK_MS)],
    )) as Array<{ id: string; protocolName: string; workcellId: string; status: RunStatus; workerId: string | null; pendingInput: { requestedAt?: string; timeoutMs?: number } | null; updatedAt: Date; createdAt: Date; scheduledAt: Date | null }>;
    const out: StuckRun[] = [];
    for (const r of rows) {
      const base = { runId: r.id, protocolName: r.protocolName, workcellId: r.workcellId, status: r.status, workerId: r.workerId };
      if (r.status === RunStatus.Queued) {
        const since = Math.max(new Date(r.createdAt).getTime(), r.scheduledAt ? new Date(r.scheduledAt).getTime() : 0);
        if (!served.has(r.workcellId) && now - since >= QUEUED_STUCK_MS) {
          out.push({ ...base, reason: 'no_worker', detail: 'queued, and no live worker takes this workcell\'s runs', sinceMs: now - since });
        }
        continue;
      }
      if (r.workerId && !alive.has(r.workerId)) {
        out.push({ ...base, reason: 'worker_gone', detail: `no heartbeat from its worker ${r.workerId}`, sinceMs: now - new Date(r.updatedAt).getTime() });
        continue;
      }
      const p = r.pendingInput;
      if (r.status === RunStatus.AwaitingInput && p?.timeoutMs && p.requestedAt) {
        const due = Date.parse(p.requestedAt) + p.timeoutMs;
        if (now > due) out.push({ ...base, reason: 'input_timed_out', detail: `its prompt timed out ${Math.round((now - due) / 1000)} s ago and the run did not move on`, sinceMs: now - due });
      }
    }
    return out;
  }

  /** Redis INFO memory's used_memory, in bytes. */
  async redisUsedMemory(): Promise<number> {
    const info = await this.redis.client.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  }

  /** The database pool of this process: connections total, idle, in use, and requests waiting for one. */
  databasePool(): PoolStats {
    return poolStats(this.db);
  }
}
