// What the production images run, exercised without a Docker engine: the worker image's
// HEALTHCHECK command against a real worker and Redis.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type WorkerProcess } from '../support/worker.js';

const healthcheck = join(process.cwd(), 'dist', 'apps', 'worker', 'src', 'healthcheck.js');

describe('deployment: the images\' health checks', () => {
  let t: TestApp;
  let worker: WorkerProcess | undefined;
  const probe = () => spawnSync(process.execPath, [healthcheck], { env: { PATH: process.env.PATH, DATABASE_URL: t.config.database.url, REDIS_URL: t.config.redis.url }, encoding: 'utf8' });

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  it('the worker HEALTHCHECK is healthy while a worker of this host heartbeats, and unhealthy once it stopped', async () => {
    // Other test files' workers may heartbeat in the shared Redis: start from a clean slate.
    const stale = await t.redis.keys('praxis:workers:*');
    if (stale.length) await t.redis.del(...stale);
    expect(probe().status).toBe(1);
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
    const up = probe();
    expect(up.stderr).toBe('');
    expect(up.status).toBe(0);
    await worker.stop();
    worker = undefined;
    await eventually(async () => (probe().status === 1 ? true : undefined), 'the health check to fail once the worker stopped');
    expect(probe().stderr).toMatch(/no heartbeat from a worker on/);
  }, 60_000);

  it('the worker HEALTHCHECK is unhealthy when Redis is unreachable', () => {
    const r = spawnSync(process.execPath, [healthcheck], { env: { PATH: process.env.PATH, DATABASE_URL: t.config.database.url, REDIS_URL: 'redis://127.0.0.1:1' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Redis unreachable/);
  });
});
