import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@praxis/config';
import { QUEUE_PREFIX, SYSTEM_QUEUE } from './queues.js';
import { LiveEventPublisher } from './live-events.js';
import { QueueErrorLogger } from './queue-errors.js';
import { RedisService } from './redis.service.js';

/** Redis for both roles: the shared command connection, BullMQ's connection settings, the live events publisher. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        prefix: QUEUE_PREFIX,
        connection: { url: config.redis.url, maxRetriesPerRequest: null, connectTimeout: 5000 },
      }),
    }),
    BullModule.registerQueue({ name: SYSTEM_QUEUE }),
  ],
  providers: [RedisService, QueueErrorLogger, LiveEventPublisher],
  exports: [RedisService, BullModule, QueueErrorLogger, LiveEventPublisher],
})
export class RedisModule {}
