import { DataSource } from 'typeorm';
import { dataSourceOptions } from './schema.js';

/**
 * Runs pending migrations under a Postgres advisory lock, so several instances started at once
 * (N api replicas, the launcher) never race. Returns the names of the migrations applied.
 */
export async function runMigrations(url: string): Promise<string[]> {
  // Two connections: one holds the advisory lock, the other runs the migrations.
  const ds = new DataSource(dataSourceOptions(url, 2));
  await ds.initialize();
  try {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(7362150)');
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(7362150)').catch(() => undefined);
      await runner.release();
    }
  } finally {
    await ds.destroy();
  }
}

/** SQL the entities would add on top of the migrations (empty when the schema is in sync). */
export async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const log = await ds.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}
