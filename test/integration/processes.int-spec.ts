import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { createTestDatabase, testRedisUrl, type TestDatabase } from '../support/db.js';

const dist = (app: string) => join(process.cwd(), 'dist', 'apps', app, 'src', 'main.js');

describe('configuration is validated at boot', () => {
  for (const app of ['api', 'worker']) {
    it(`${app}: a missing variable stops the process with a message naming it`, () => {
      const r = spawnSync(process.execPath, [dist(app)], { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 20000 });
      expect(r.status).toBe(78);
      expect(r.stderr).toMatch(/DATABASE_URL is not set/);
      expect(r.stderr).toMatch(/REDIS_URL is not set/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('an invalid value is named with what is wrong', () => {
    const env = { PATH: process.env.PATH, DATABASE_URL: 'mysql://x', REDIS_URL: 'redis://127.0.0.1:1', PORT: 'eighty' };
    const r = spawnSync(process.execPath, [dist('api')], { env, encoding: 'utf8', timeout: 20000 });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/DATABASE_URL has an invalid value: DATABASE_URL must be a postgres/);
    expect(r.stderr).toMatch(/PORT has an invalid value/);
  });
});

describe('worker process', () => {
  let db: TestDatabase;
  let redis: Redis;
  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await db.drop();
  });

  it('connects, heartbeats, answers a job on its queue, and shuts down gracefully on SIGTERM', async () => {
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      PRAXIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'praxis-worker-')),
      WORKER_HEARTBEAT_INTERVAL_MS: '200',
      LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, [dist('worker')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));

    const key = `praxis:workers:*:${child.pid}:*`;
    const until = Date.now() + 20000;
    let keys: string[] = [];
    while (keys.length === 0 && Date.now() < until) {
      keys = await redis.keys(key);
      if (!keys.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(keys).toHaveLength(1);
    const hb = JSON.parse((await redis.get(keys[0])) ?? '{}');
    expect(hb).toMatchObject({ pid: child.pid, queues: ['system'] });
    expect(await redis.pttl(keys[0])).toBeLessThanOrEqual(600);

    const connection = { url: testRedisUrl() };
    const queue = new Queue('system', { connection, prefix: 'praxis-bull' });
    const events = new QueueEvents('system', { connection, prefix: 'praxis-bull' });
    await events.waitUntilReady();
    const job = await queue.add('ping', { requestedAt: new Date().toISOString() });
    const result = await job.waitUntilFinished(events, 15000);
    expect(result).toMatchObject({ workerId: hb.id, answeredAt: expect.any(String) });
    await events.close();
    await queue.close();

    child.kill('SIGTERM');
    // Nest closes everything, then re-raises the signal so the exit status tells how it ended.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    expect(await redis.exists(keys[0])).toBe(0);
    expect(output).toMatch(/stopped \(SIGTERM\)/);
  });
});
