import { DynamicModule, Module } from '@nestjs/common';
import { pinoParams } from '@praxis/common';
import { AppConfig, ConfigModule } from '@praxis/config';
import { DatabaseModule } from '@praxis/database';
import { dataSourceOptions } from '@praxis/database/schema';
import { ExecutionWorkerModule } from '@praxis/execution';
import { RedisModule } from '@praxis/redis';
import { LoggerModule } from 'nestjs-pino';
import { HeartbeatService, WorkerIdentity } from './heartbeat.service.js';
import { MetricsServerService } from './metrics-server.service.js';
import { SystemProcessor } from './system.processor.js';

/** The worker role: queue processors and the workcells' live hardware. No HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(pinoParams({ name: 'praxis-worker', level: config.logLevel, pretty: config.logPretty })),
        DatabaseModule.forRoot((c) => dataSourceOptions(c.database.url, c.database.poolSize)),
        RedisModule,
        ExecutionWorkerModule,
      ],
      providers: [WorkerIdentity, HeartbeatService, SystemProcessor, MetricsServerService],
    };
  }
}
