import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/index.js';
import { ResourceDefinition, Resource, Workcell } from '@praxis/assets';
import { User } from '@praxis/auth';
import { Deck, DeckLayout, DeckType } from '@praxis/decks';
import { Machine, MachineDefinition } from '@praxis/machines';
import { ProtocolDefinitionEntity, ProtocolSource } from '@praxis/protocols';
import { Reservation, Run, RunCall, RunCommand, RunEvent, RunOutput, RunTransition, Schedule } from '@praxis/execution';
import { NotificationDelivery, NotificationRule, NotifiedTransition } from '@praxis/notifications';
import { AuditEntry } from '@praxis/audit';

/**
 * The schema: every entity and every migration, listed explicitly. This module is the single
 * source for the app's DataSource and the migration CLI's; nothing else lists entities.
 */
export const ENTITIES = [User, Workcell, ResourceDefinition, Resource, MachineDefinition, Machine, DeckType, DeckLayout, Deck, ProtocolSource, ProtocolDefinitionEntity, Run, RunTransition, RunCall, RunCommand, RunOutput, Reservation, Schedule, NotificationRule, NotificationDelivery, NotifiedTransition, AuditEntry, RunEvent];

export function dataSourceOptions(url: string, poolSize = 10, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    applicationName: 'praxis',
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
    ...extra,
  } as DataSourceOptions;
}
