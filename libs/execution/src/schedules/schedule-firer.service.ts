import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppException } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import { QUEUE_PREFIX } from '@praxis/redis';
import { type Job, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { RunsService } from '../runs/runs.service.js';
import { Schedule, type ScheduleError } from './schedule.entity.js';
import { FIRE_JOB, type ScheduleFireData, SCHEDULES_QUEUE, ScheduleQueue } from './schedule-queue.js';

const RECONCILE_MS = 60_000;
/** How far back a fire's run is looked for (a fire is retried within seconds; clocks may differ a little). */
const DUPLICATE_WINDOW_MS = 3600_000;

export type FireOutcome = { runId: string; duplicate?: true } | { skipped: 'deleted' | 'paused' } | { error: ScheduleError };

/** The fire time in a Job Scheduler's job id `repeat:<schedulerId>:<millis>`. */
export function fireTime(job: Pick<Job, 'id' | 'timestamp'>): Date {
  const m = /:(\d+)$/.exec(job.id ?? '');
  return new Date(m ? Number(m[1]) : job.timestamp);
}

/**
 * The worker side of schedules: consumes the `schedules` queue, where each fire of a schedule's Job
 * Scheduler becomes a run created like `POST /runs` does (`createdBy: schedule:<name>`, the
 * schedule's id, the fire in `properties.fireId`). A run whose assets are busy is queued like any
 * other; a fire that cannot create a run records why in the schedule's `lastError`. Fires are
 * idempotent (a fire already turned into a run is not turned into another). Also keeps the queue's
 * Job Schedulers in line with the table: at start and every minute.
 */
@Injectable()
export class ScheduleFirer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleFirer.name);
  private worker: Worker<ScheduleFireData> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastError = '';

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly runs: RunsService,
    private readonly queue: ScheduleQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<ScheduleFireData>(SCHEDULES_QUEUE, (job) => this.process(job), {
      connection: { url: this.config.redis.url, maxRetriesPerRequest: null, connectTimeout: 5000 },
      prefix: QUEUE_PREFIX,
      concurrency: 4,
    });
    this.worker.on('error', (err) => {
      if (err.message !== this.lastError) this.logger.warn({ queue: SCHEDULES_QUEUE, err: err.message }, 'schedule queue error');
      this.lastError = err.message;
    });
    // Not awaited: a worker starting while Redis is down still starts (and re-arms once it is back).
    const rearm = () => void this.reconcile().catch((err: Error) => this.logger.warn({ err: err.message }, 'could not re-arm the schedules'));
    rearm();
    this.timer = setInterval(rearm, RECONCILE_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.worker?.close().catch(() => undefined);
  }

  private async process(job: Job<ScheduleFireData>): Promise<FireOutcome | undefined> {
    if (job.name !== FIRE_JOB) return undefined;
    return this.fire(job.data.scheduleId, job.id!, fireTime(job));
  }

  /** Turns one fire of a schedule into a run (or records why it could not). */
  async fire(scheduleId: string, fireId: string, at: Date): Promise<FireOutcome> {
    const s = await this.db.getRepository(Schedule).findOneBy({ id: scheduleId });
    if (!s || s.paused) {
      await this.queue.disarm(scheduleId).catch(() => undefined);
      return { skipped: s ? 'paused' : 'deleted' };
    }
    const earlier = (await this.db.query(
      `SELECT id FROM runs WHERE "scheduleId" = $1 AND "createdAt" >= $2 AND properties->>'fireId' = $3 LIMIT 1`,
      [s.id, new Date(at.getTime() - DUPLICATE_WINDOW_MS), fireId],
    )) as Array<{ id: string }>;
    if (earlier.length) return { runId: earlier[0]!.id, duplicate: true };
    try {
      const run = await this.runs.create(
        { protocolId: s.protocolId, parameters: s.parameters, assets: s.assets, workcellId: s.workcellId ?? undefined, priority: s.priority },
        `schedule:${s.name}`,
        { scheduleId: s.id, properties: { fireId } },
      );
      await this.db.query('UPDATE schedules SET "lastRunAt" = $2, "lastRunId" = $3, "lastError" = NULL WHERE id = $1', [s.id, run.createdAt, run.id]);
      return { runId: run.id };
    } catch (err) {
      const e = err as Error;
      const error: ScheduleError = {
        ...(err instanceof AppException ? { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } : { code: 'INTERNAL_ERROR', message: e.message }),
        at: new Date().toISOString(),
        fireId,
      };
      this.logger.warn({ scheduleId: s.id, schedule: s.name, fireId, code: error.code, err: error.message }, 'a schedule fired but created no run');
      await this.db.query('UPDATE schedules SET "lastError" = $2::jsonb WHERE id = $1', [s.id, JSON.stringify(error)]).catch(() => undefined);
      // Refusals (bad input, nothing satisfies a requirement) are recorded; anything else is tried again.
      if (!(err instanceof AppException)) throw err;
      return { error };
    }
  }

  /**
   * Arms every active schedule whose Job Scheduler is missing or differs, and disarms the ones of
   * schedules paused or gone. The queue is read before the table (the API writes the table first),
   * so a schedule being created is never taken for one that is gone.
   */
  async reconcile(): Promise<{ armed: number; disarmed: number }> {
    const armed = new Map((await this.queue.armed()).map((a) => [a.key, a]));
    const rows = await this.db.getRepository(Schedule).find({ select: { id: true, cron: true, timezone: true, paused: true } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    let armedN = 0;
    let disarmedN = 0;
    for (const [key] of armed) {
      const s = byId.get(key);
      if (!s || s.paused) {
        await this.queue.disarm(key);
        disarmedN++;
      }
    }
    for (const s of rows) {
      if (s.paused) continue;
      const a = armed.get(s.id);
      if (a && a.pattern === s.cron && (a.tz ?? 'UTC') === s.timezone) continue;
      try {
        await this.queue.arm(s);
        armedN++;
      } catch (err) {
        this.logger.warn({ scheduleId: s.id, err: (err as Error).message }, 'could not arm a schedule');
      }
    }
    if (armedN || disarmedN) this.logger.log({ armed: armedN, disarmed: disarmedN }, 're-armed schedules from the database');
    return { armed: armedN, disarmed: disarmedN };
  }
}
