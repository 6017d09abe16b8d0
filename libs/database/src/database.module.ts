import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@praxis/config';
import type { DataSourceOptions } from 'typeorm';

/**
 * The app's one DataSource. Apps pass `dataSourceOptions` from `@praxis/database/schema`, the
 * same options the migration CLI uses (kept out of this module so entities can import the base
 * entity without an import cycle).
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: (config: AppConfig) => DataSourceOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ ...options(config), retryAttempts: 10, retryDelay: 1000 }),
        }),
      ],
    };
  }
}
