import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RedisService, SYSTEM_QUEUE, withTimeout } from '@praxis/redis';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';

export type CheckName = 'database' | 'redis' | 'queue';
export type CheckStatus = 'ok' | 'down';

export interface HealthReport {
  status: 'ok' | 'error';
  checks: Record<CheckName, CheckStatus>;
  errors: Partial<Record<CheckName, string>>;
}

const TIMEOUT_MS = 2000;

/** Checks each dependency the API needs, in parallel, each with a short timeout. */
@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly redis: RedisService,
    @InjectQueue(SYSTEM_QUEUE) private readonly queue: Queue,
  ) {}

  async check(): Promise<HealthReport> {
    const probes: Record<CheckName, () => Promise<unknown>> = {
      database: () => this.db.query('SELECT 1'),
      redis: () => this.redis.ping(TIMEOUT_MS),
      // The queue's own connection must answer a BullMQ command, not just accept a socket.
      queue: () => this.queue.getJobCounts('waiting'),
    };
    const names = Object.keys(probes) as CheckName[];
    const results = await Promise.allSettled(names.map((n) => withTimeout(probes[n](), TIMEOUT_MS, `${n} did not answer within ${TIMEOUT_MS} ms`)));
    const report: HealthReport = { status: 'ok', checks: { database: 'ok', redis: 'ok', queue: 'ok' }, errors: {} };
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        report.status = 'error';
        report.checks[names[i]] = 'down';
        report.errors[names[i]] = r.reason instanceof Error ? r.reason.message : String(r.reason);
      }
    });
    return report;
  }
}
