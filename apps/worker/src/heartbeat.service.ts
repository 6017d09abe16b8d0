import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@praxis/config';
import { RunExecutor } from '@praxis/execution';
import { RedisService, SYSTEM_QUEUE, WORKER_HEARTBEAT_KEY, type WorkerHeartbeat } from '@praxis/redis';

/** This worker's identity, shared by its processors. */
@Injectable()
export class WorkerIdentity {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly startedAt = new Date().toISOString();
}

/**
 * Publishes a heartbeat key with a TTL of three intervals: a worker that dies (even by SIGKILL)
 * disappears from the live set by itself; one that stops cleanly removes its key at once.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    private readonly identity: WorkerIdentity,
    private readonly executor: RunExecutor,
  ) {}

  private get key(): string {
    return this.redis.key(WORKER_HEARTBEAT_KEY, this.identity.id);
  }

  async beat(): Promise<void> {
    const hb: WorkerHeartbeat = {
      id: this.identity.id,
      hostname: hostname(),
      pid: process.pid,
      startedAt: this.identity.startedAt,
      at: new Date().toISOString(),
      queues: [SYSTEM_QUEUE, ...this.executor.queues],
      workcells: this.executor.workcellIds,
      runs: this.executor.activeRunIds,
    };
    await this.redis.client.set(this.key, JSON.stringify(hb), 'PX', this.config.worker.heartbeatIntervalMs * 3);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.beat().catch((err: Error) => this.logger.warn(`Heartbeat failed: ${err.message}`));
    this.timer = setInterval(() => {
      this.beat().catch((err: Error) => this.logger.warn(`Heartbeat failed: ${err.message}`));
    }, this.config.worker.heartbeatIntervalMs);
    this.timer.unref();
    this.logger.log(`Worker ${this.identity.id} is up`);
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.client.del(this.key).catch(() => undefined);
    this.logger.log(`Worker ${this.identity.id} stopped${signal ? ` (${signal})` : ''}`);
  }
}
