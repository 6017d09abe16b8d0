import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig } from '@praxis/config';
import { LiveEventPublisher, RedisService, WORKER_HEARTBEAT_KEY } from '@praxis/redis';
import { DataSource } from 'typeorm';
import { AssetLockManager } from '../locks/asset-lock-manager.js';
import { RunQueues } from '../run-queues.js';
import { EXECUTING_STATUSES, RunStatus, TERMINAL_STATUSES } from '../runs/run-status.js';
import { freeRunHoldings } from '../runs/run-holdings.js';
import { RunTransitionsService } from '../runs/run-transitions.service.js';

const RECOVERY_LOCK = 7362154;

export interface RecoveryReport {
  /** Runs whose worker is gone, now `interrupted`. */
  interrupted: Array<{ runId: string; workerId: string | null; was: RunStatus }>;
  /** Assets held (lock or reservation row) by runs that had ended, now free. */
  released: Array<{ assetId: string; runId: string }>;
  /** Queued runs whose job was lost (its worker died while it was only waiting its turn), queued again. */
  requeued: string[];
  /** What this pass did not decide, and why (e.g. heartbeats not trustworthy yet after a Redis restart). */
  skipped: string[];
}

/**
 * Recovery when a worker dies: a run whose worker stopped heartbeating becomes `interrupted`
 * (never re-executed on its own: a robot holds physical state) and everything it held is freed.
 * Runs in the API on a timer (one instance at a time, by advisory lock); also callable at once.
 * Idempotent: every change is conditional on what it found.
 */
@Injectable()
export class RunRecoveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunRecoveryService.name);
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly redis: RedisService,
    private readonly locks: AssetLockManager,
    private readonly transitions: RunTransitionsService,
    private readonly live: LiveEventPublisher,
    private readonly config: AppConfig,
    private readonly queues: RunQueues,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch((err: Error) => this.logger.warn({ err: err.message }, 'run recovery sweep failed')), this.config.worker.recoveryIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * One pass; answers what it changed. The timer's passes skip (empty report) when another
   * instance is at it; `wait` (an operator's reconcile) waits its turn instead, so its answer
   * is the system's state, not "someone else was looking".
   */
  async sweep(opts: { wait?: boolean } = {}): Promise<RecoveryReport> {
    const report: RecoveryReport = { interrupted: [], released: [], requeued: [], skipped: [] };
    if (this.running && opts.wait) {
      const until = Date.now() + 30_000;
      while (this.running && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    }
    if (this.running) {
      report.skipped.push('a recovery pass of this instance is still going on');
      return report;
    }
    this.running = true;
    const qr = this.db.createQueryRunner();
    try {
      await qr.connect();
      let locked: boolean;
      if (opts.wait) {
        await qr.query(`SET statement_timeout = 30000`);
        try {
          await qr.query('SELECT pg_advisory_lock($1)', [RECOVERY_LOCK]);
          locked = true;
        } finally {
          await qr.query('SET statement_timeout = 0');
        }
      } else {
        locked = ((await qr.query('SELECT pg_try_advisory_lock($1) AS locked', [RECOVERY_LOCK])) as Array<{ locked: boolean }>)[0]!.locked;
      }
      if (!locked) {
        report.skipped.push('another API instance is running a recovery pass');
        return report;
      }
      try {
        await this.interruptOrphans(report);
        await this.releaseEnded(report);
        await this.requeueLost(report);
      } finally {
        await qr.query('SELECT pg_advisory_unlock($1)', [RECOVERY_LOCK]);
      }
      return report;
    } finally {
      await qr.release();
      this.running = false;
    }
  }

  private async alive(workerId: string): Promise<boolean> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.client.scan(cursor, 'MATCH', this.redis.key(WORKER_HEARTBEAT_KEY, `${workerId}:*`), 'COUNT', 500);
      if (keys.length) return true;
      cursor = next;
    } while (cursor !== '0');
    return false;
  }

  /**
   * Right after Redis restarted, every heartbeat key is gone until each worker beats again: their
   * absence proves nothing yet. Trust it once Redis has been up for a heartbeat TTL and the clients' reconnect time.
   */
  private async heartbeatsTrustworthy(): Promise<boolean> {
    const info = await this.redis.client.info('server');
    const upSeconds = Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1] ?? Number.POSITIVE_INFINITY);
    // + 5 s: a worker's Redis client reconnects with a backoff of its own before it can beat again.
    return upSeconds * 1000 >= this.config.worker.heartbeatIntervalMs * 3 + 5000;
  }

  private async interruptOrphans(report: RecoveryReport): Promise<void> {
    if (!(await this.heartbeatsTrustworthy())) {
      report.skipped.push('Redis restarted less than a heartbeat TTL ago: missing heartbeats prove nothing yet, so no run was interrupted; try again shortly');
      return;
    }
    const rows = (await this.db.query(`SELECT id, status, "workerId", assets FROM runs WHERE status = ANY($1::text[])`, [EXECUTING_STATUSES])) as Array<{
      id: string;
      status: RunStatus;
      workerId: string | null;
      assets: Record<string, { id: string }>;
    }>;
    const liveness = new Map<string, boolean>();
    for (const r of rows) {
      if (!r.workerId) continue;
      if (!liveness.has(r.workerId)) liveness.set(r.workerId, await this.alive(r.workerId));
      if (liveness.get(r.workerId)) continue;
      const reason = `its worker ${r.workerId} stopped (no heartbeat); the run was not re-executed`;
      let freed: Awaited<ReturnType<typeof freeRunHoldings>> | undefined;
      const done = await this.transitions.tryTransition(
        r.id,
        RunStatus.Interrupted,
        'system:recovery',
        reason,
        { endedAt: new Date(), pendingInput: null, error: { name: 'WorkerLost', message: reason, step: null } },
        r.status,
        // What it held is freed in the same transaction: nobody sees an interrupted run that
        // still holds its assets. (Its Redis locks first: if the commit failed, the reservation
        // rows, still there, keep the assets from being taken.)
        async (em) => {
          for (const { id } of Object.values(r.assets)) await this.releaseLock(id, r.id);
          freed = await freeRunHoldings(em, [r.id]);
        },
      );
      if (!done) continue;
      report.released.push(...freed!.reservations);
      await this.live.machineStatus(freed!.machines);
      this.logger.warn({ runId: r.id, workerId: r.workerId }, 'run interrupted: its worker is gone');
      report.interrupted.push({ runId: r.id, workerId: r.workerId, was: r.status });
    }
  }

  /**
   * A queued run has not started: nothing physical happened. When its job is gone or failed (a
   * worker died while the job was active, before the run started), it is queued again — the
   * only case where Praxis re-submits on its own, because the run never ran.
   */
  private async requeueLost(report: RecoveryReport): Promise<void> {
    const rows = (await this.db.query(
      `SELECT id, "workcellId", priority FROM runs WHERE status = 'queued' AND "updatedAt" < now() - interval '2 seconds' ORDER BY priority DESC, id LIMIT 500`,
    )) as Array<{ id: string; workcellId: string; priority: number }>;
    for (const r of rows) {
      const queue = this.queues.queue(r.workcellId);
      const job = await queue.getJob(r.id);
      const state = job ? await job.getState() : 'missing';
      if (!['failed', 'completed', 'missing', 'unknown'].includes(state)) continue;
      if (job) await job.remove().catch(() => undefined);
      await this.queues.enqueue(r.workcellId, r.id, { priority: r.priority });
      this.logger.warn({ runId: r.id, jobState: state }, 'queued run had lost its job; queued again');
      report.requeued.push(r.id);
    }
  }

  /** Locks and reservation rows of runs that have ended (a worker died before releasing them). */
  private async releaseEnded(report: RecoveryReport): Promise<void> {
    const rows = (await this.db.query(
      `SELECT res."assetId", res."runId" FROM reservations res JOIN runs r ON r.id = res."runId" WHERE r.status = ANY($1::text[])`,
      [TERMINAL_STATUSES],
    )) as Array<{ assetId: string; runId: string }>;
    const ended = new Set<string>(rows.map((r) => r.runId));
    for (const held of await this.locks.held()) {
      if (ended.has(held.runId) && !rows.some((r) => r.assetId === held.assetId)) rows.push({ assetId: held.assetId, runId: held.runId });
    }
    for (const { assetId, runId } of rows) {
      await this.releaseLock(assetId, runId);
      report.released.push({ assetId, runId });
    }
    if (ended.size) await this.live.machineStatus((await freeRunHoldings(this.db, [...ended])).machines);
  }

  /** Deletes the asset's Redis lock when (and only when) that run holds it. */
  private async releaseLock(assetId: string, runId: string): Promise<void> {
    if ((await this.locks.holder(assetId)) === runId) await this.locks.forceRelease(assetId);
  }
}
