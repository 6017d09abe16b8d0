// One BullMQ queue, `schedules`, with one Job Scheduler per active schedule (scheduler id =
// schedule id). Each fire is a `fire` job (its id names the fire: `repeat:<scheduleId>:<millis>`)
// that the worker turns into a run.
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@praxis/config';
import { QUEUE_PREFIX, withTimeout } from '@praxis/redis';
import { type JobSchedulerJson, Queue } from 'bullmq';
import type { Schedule } from './schedule.entity.js';

export const SCHEDULES_QUEUE = 'schedules';
/** A queue command waits this long for Redis (BullMQ's connection would wait for it forever). */
const QUEUE_TIMEOUT_MS = 5000;
export const FIRE_JOB = 'fire';

export interface ScheduleFireData {
  scheduleId: string;
}

@Injectable()
export class ScheduleQueue implements OnApplicationShutdown {
  private q: Queue<ScheduleFireData> | null = null;

  constructor(private readonly config: AppConfig) {}

  get queue(): Queue<ScheduleFireData> {
    if (!this.q) {
      this.q = new Queue(SCHEDULES_QUEUE, {
        connection: { url: this.config.redis.url, maxRetriesPerRequest: null, connectTimeout: 5000 },
        prefix: QUEUE_PREFIX,
      });
      this.q.on('error', () => undefined);
    }
    return this.q;
  }

  /** Creates or replaces the schedule's Job Scheduler (its expression and time zone). */
  async arm(s: Pick<Schedule, 'id' | 'cron' | 'timezone'>): Promise<void> {
    const upsert = this.queue.upsertJobScheduler(
      s.id,
      { pattern: s.cron, tz: s.timezone },
      {
        name: FIRE_JOB,
        data: { scheduleId: s.id },
        opts: {
          // A fire that fails unexpectedly (database down) is tried again; fires are idempotent.
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 24 * 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
        },
      },
    );
    await withTimeout(upsert, QUEUE_TIMEOUT_MS, 'the schedule queue did not answer');
  }

  /** Removes the schedule's Job Scheduler (and its next fire). */
  async disarm(scheduleId: string): Promise<void> {
    await withTimeout(this.queue.removeJobScheduler(scheduleId), QUEUE_TIMEOUT_MS, 'the schedule queue did not answer');
  }

  /** Every Job Scheduler on the queue. */
  async armed(): Promise<JobSchedulerJson<ScheduleFireData>[]> {
    return withTimeout(this.queue.getJobSchedulers(0, -1), QUEUE_TIMEOUT_MS, 'the schedule queue did not answer');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.q?.close().catch(() => undefined);
  }
}
