import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@praxis/database/migrate';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function baseUrl(): string {
  const url = process.env.TEST_PG_BASE_URL;
  if (!url) throw new Error('TEST_PG_BASE_URL is not set: run the tests with `npm test` (global setup starts PostgreSQL)');
  return url;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${baseUrl()}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database of its own for one test file; `migrate` applies the migrations. */
export async function createTestDatabase({ migrate = true } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = `${baseUrl()}/${name}`;
  if (migrate) await runMigrations(url);
  return {
    url,
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests with `npm test`');
  return url;
}
