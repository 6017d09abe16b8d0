// One BullMQ queue per workcell: `runs.<workcellId>`. Job id = run id, so a run is enqueued (and
// executed) at most once; `scheduledAt` becomes the job's delay; priority orders waiting runs.
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@praxis/config';
import { QUEUE_PREFIX, withTimeout } from '@praxis/redis';
import { Queue } from 'bullmq';

export const RUN_QUEUE_PREFIX = 'runs.';
export const runQueueName = (workcellId: string): string => `${RUN_QUEUE_PREFIX}${workcellId}`;

export interface RunJobData {
  runId: string;
}

/** BullMQ priorities: 1 is first; run priorities -1000..1000 map to 1..2001 (higher run priority first). */
const ENQUEUE_TIMEOUT_MS = 5000;

export const jobPriority = (priority: number): number => 1001 - priority;

@Injectable()
export class RunQueues implements OnApplicationShutdown {
  private readonly queues = new Map<string, Queue<RunJobData>>();

  constructor(private readonly config: AppConfig) {}

  queue(workcellId: string): Queue<RunJobData> {
    const hit = this.queues.get(workcellId);
    if (hit) return hit;
    const q: Queue<RunJobData> = new Queue(runQueueName(workcellId), {
      connection: { url: this.config.redis.url, maxRetriesPerRequest: null, connectTimeout: 5000 },
      prefix: QUEUE_PREFIX,
    });
    q.on('error', () => undefined);
    this.queues.set(workcellId, q);
    return q;
  }

  /** Adds the run's job; fails after 5 s when Redis does not answer (the queue would wait for it forever). */
  async enqueue(workcellId: string, runId: string, opts: { delayMs?: number; priority: number }): Promise<void> {
    const add = this.queue(workcellId).add('run', { runId }, {
      jobId: runId,
      delay: Math.max(0, opts.delayMs ?? 0),
      priority: jobPriority(opts.priority),
      attempts: 1,
      removeOnComplete: { age: 24 * 3600, count: 10000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    await withTimeout(add, ENQUEUE_TIMEOUT_MS, 'the run queue did not answer');
  }

  /** Removes a run's job if it has not started (a cancelled queued or scheduled run). */
  async remove(workcellId: string, runId: string): Promise<void> {
    const job = await this.queue(workcellId).getJob(runId);
    if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }
}
