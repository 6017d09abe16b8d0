import { DynamicModule, Module } from '@nestjs/common';
import { AssetsModule } from '@praxis/assets';
import { AuthModule } from '@praxis/auth';
import { pinoParams } from '@praxis/common';
import { AppConfig, ConfigModule } from '@praxis/config';
import { DatabaseModule } from '@praxis/database';
import { DecksModule } from '@praxis/decks';
import { DiscoveryModule } from '@praxis/discovery';
import { MachinesModule } from '@praxis/machines';
import { ProtocolsModule } from '@praxis/protocols';
import { EventsModule, ExecutionModule } from '@praxis/execution';
import { AuditModule } from '@praxis/audit';
import { NotificationsModule } from '@praxis/notifications';
import { dataSourceOptions } from '@praxis/database/schema';
import { RedisModule } from '@praxis/redis';
import { LoggerModule } from 'nestjs-pino';
import { HealthModule } from './health/health.module.js';
import { SystemModule } from './system/system.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

/** The API role: HTTP controllers only. It enqueues work; it never registers queue processors. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, opts: { logStream?: NodeJS.WritableStream } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(pinoParams({ name: 'praxis-api', level: config.logLevel, pretty: config.logPretty, stream: opts.logStream })),
        DatabaseModule.forRoot((c) => dataSourceOptions(c.database.url, c.database.poolSize)),
        RedisModule,
        AuthModule,
        HealthModule,
        SystemModule,
        MetricsModule,
        AssetsModule,
        MachinesModule,
        DecksModule,
        DiscoveryModule,
        ProtocolsModule,
        ExecutionModule,
        EventsModule,
        NotificationsModule,
        AuditModule,
      ],
    };
  }
}
