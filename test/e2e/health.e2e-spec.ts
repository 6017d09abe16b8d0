import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/net.js';

describe('GET /api/v1/health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is public and reports database, redis and queue', async () => {
    const res = await t.http.get('/api/v1/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok', queue: 'ok' } });
  });

  it('answers 503 naming the database when it cannot be reached, and recovers by itself', async () => {
    const admin = new pg.Client({ connectionString: `${process.env.TEST_PG_BASE_URL}/postgres` });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${t.db.name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [t.db.name]);
      const res = await t.http.get('/api/v1/health').expect(503);
      expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.body.error.message).toMatch(/database/);
      expect(res.body.error.details.checks).toEqual({ database: 'down', redis: 'ok', queue: 'ok' });
    } finally {
      await admin.query(`ALTER DATABASE "${t.db.name}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await t.http.get('/api/v1/health').expect(200);
  });
});

describe('GET /api/v1/health with Redis unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  });
  afterAll(() => t.close());

  it('answers 503 naming redis and the queue, without a 500 or an error log', async () => {
    const res = await t.http.get('/api/v1/health').expect(503);
    expect(res.body.error.details.checks).toEqual({ database: 'ok', redis: 'down', queue: 'down' });
    expect(res.body.error.message).toMatch(/redis/);
    expect(t.logs.errors()).toEqual([]);
  });
});
