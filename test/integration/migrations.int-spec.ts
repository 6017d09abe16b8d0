import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pendingSchemaChanges, runMigrations } from '@praxis/database/migrate';
import { dataSourceOptions } from '@praxis/database/schema';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('schema comes only from migrations', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    ds = new DataSource(dataSourceOptions(db.url, 2));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('an empty database has every migration pending and nothing applied', async () => {
    expect(await ds.showMigrations()).toBe(true);
  });

  it('after the migrations, the entities would generate no new migration (run `npm run migration:generate -- <Name>` if this fails)', async () => {
    const applied = await runMigrations(db.url);
    expect(applied.length).toBeGreaterThan(0);
    expect(await ds.showMigrations()).toBe(false);
    expect(await pendingSchemaChanges(ds)).toEqual([]);
  });

  it('running the migrations again applies nothing', async () => {
    expect(await runMigrations(db.url)).toEqual([]);
  });

  it('concurrent migration runs (N instances starting at once) do not collide', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const results = await Promise.all([runMigrations(fresh.url), runMigrations(fresh.url), runMigrations(fresh.url)]);
      const counts = results.map((r) => r.length).sort();
      expect(counts[0]).toBe(0);
      expect(counts[1]).toBe(0);
      expect(counts[2]).toBeGreaterThan(0);
    } finally {
      await fresh.drop();
    }
  });

  it('every migration can be reverted and re-applied', async () => {
    const count = (await ds.query('SELECT count(*)::int AS n FROM migrations'))[0].n as number;
    for (let i = 0; i < count; i++) await ds.undoLastMigration({ transaction: 'each' });
    const tables = await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`);
    expect(tables).toEqual([]);
    await runMigrations(db.url);
    expect(await pendingSchemaChanges(ds)).toEqual([]);
  });
});
