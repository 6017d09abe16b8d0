import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { SYSTEM_QUEUE } from './queues.js';

/**
 * A BullMQ queue with no 'error' listener prints every connection error to the console. Route
 * them to the logger instead, once per distinct message, so a Redis outage reads as one warning.
 * At shutdown, a queue whose Redis is gone is disconnected rather than left reconnecting.
 */
@Injectable()
export class QueueErrorLogger implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Queue');

  constructor(@InjectQueue(SYSTEM_QUEUE) private readonly system: Queue) {}

  onModuleInit(): void {
    this.watch(this.system);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const closed = this.system.close().then(() => true);
    const timedOut = new Promise<false>((r) => setTimeout(() => r(false), 1000).unref());
    if (!(await Promise.race([closed, timedOut]))) await this.system.disconnect();
  }

  watch(queue: Queue): void {
    let last = '';
    queue.on('error', (err: Error) => {
      if (err.message !== last) this.logger.warn(`queue ${queue.name}: ${err.message}`);
      last = err.message;
    });
  }
}
