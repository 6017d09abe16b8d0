import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@praxis/config';
import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from './redis-options.js';

/**
 * The one shared Redis command connection. Errors are logged, never thrown into the process
 * (a Redis outage shows up as a failing health check, not a crash); commands fail fast while
 * the connection is down instead of queueing forever.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  /** Prefix for every key Praxis writes itself (BullMQ has its own prefix). */
  readonly prefix = 'praxis:';

  constructor(config: AppConfig) {
    this.client = new Redis({
      ...redisOptionsFromUrl(config.redis.url),
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      connectTimeout: 5000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    let lastError = '';
    this.client.on('error', (err: Error) => {
      if (err.message !== lastError) this.logger.warn(`Redis: ${err.message}`);
      lastError = err.message;
    });
    this.client.on('ready', () => {
      if (lastError) this.logger.log('Redis connection restored');
      lastError = '';
    });
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async ping(timeoutMs = 2000): Promise<void> {
    await withTimeout(this.client.ping(), timeoutMs, 'Redis did not answer PING');
  }

  async onApplicationShutdown(): Promise<void> {
    // QUIT is queued while disconnected and would wait for a Redis that may never return.
    if (this.client.status !== 'ready') return this.client.disconnect();
    await withTimeout(this.client.quit(), 2000, 'QUIT timed out').catch(() => this.client.disconnect());
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
