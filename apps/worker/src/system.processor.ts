import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { SYSTEM_QUEUE, type SystemJobName, type SystemJobs } from '@praxis/redis';
import type { Job } from 'bullmq';
import { WorkerIdentity } from './heartbeat.service.js';

type Handlers = { [K in SystemJobName]: (job: Job<SystemJobs[K]['data']>) => Promise<SystemJobs[K]['result']> };

/** Jobs on the `system` queue. Every job name in SystemJobs must have a handler here. */
@Processor(SYSTEM_QUEUE)
export class SystemProcessor extends WorkerHost {
  private readonly handlers: Handlers = {
    ping: async () => ({ workerId: this.identity.id, answeredAt: new Date().toISOString() }),
  };

  constructor(private readonly identity: WorkerIdentity) {
    super();
  }

  private readonly logger = new Logger(SystemProcessor.name);
  private lastError = '';

  /** Connection errors (Redis restarting...) as one warning each, not a console stack per retry. */
  @OnWorkerEvent('error')
  onError(err: Error): void {
    if (err.message !== this.lastError) this.logger.warn(`worker on ${SYSTEM_QUEUE}: ${err.message}`);
    this.lastError = err.message;
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as SystemJobName];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${SYSTEM_QUEUE}`);
    return handler(job);
  }
}
