// What the production images run, exercised without a Docker engine: the worker image's
// HEALTHCHECK command against a real worker and Redis, and the api image's file set (dist,
// package.json, node_modules: nothing from the source tree) migrating a database and serving.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN, createTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, testRedisUrl } from '../support/db.js';
import { freePort } from '../support/net.js';
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

  it('the api image\'s files alone (dist, package.json, node_modules) migrate a database, seed the admin and serve', async () => {
    // What docker/Dockerfile's runtime stage holds, in a folder away from the source tree.
    const image = mkdtempSync(join(tmpdir(), 'praxis-image-'));
    cpSync(join(process.cwd(), 'dist'), join(image, 'dist'), { recursive: true });
    cpSync(join(process.cwd(), 'package.json'), join(image, 'package.json'));
    // The runtime stage's other COPY: the dashboard's static files.
    expect(readFileSync('docker/Dockerfile', 'utf8')).toMatch(/^COPY apps\/api\/dashboard \.\/apps\/api\/dashboard$/m);
    cpSync(join(process.cwd(), 'apps', 'api', 'dashboard'), join(image, 'apps', 'api', 'dashboard'), { recursive: true });
    symlinkSync(join(process.cwd(), 'node_modules'), join(image, 'node_modules'), 'dir');
    const db = await createTestDatabase({ migrate: false });
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      PORT: String(port),
      HOST: '127.0.0.1',
      PRAXIS_DATA_DIR: join(image, 'data'),
      PRAXIS_ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
    };
    let api: ReturnType<typeof spawn> | undefined;
    try {
      // compose's `migrate` job
      const setup = spawnSync(process.execPath, ['dist/apps/api/src/cli.js', 'setup'], { cwd: image, env, encoding: 'utf8' });
      expect(setup.stderr).not.toMatch(/error/i);
      expect(setup.status).toBe(0);
      // the api service
      api = spawn(process.execPath, ['dist/apps/api/src/main.js'], { cwd: image, env, stdio: 'ignore' });
      const base = `http://127.0.0.1:${port}`;
      await eventually(async () => ((await fetch(`${base}/api/v1/health`).catch(() => null))?.status === 200 ? true : undefined), 'the api to answer healthy', 30_000);
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      expect((await fetch(`${base}/api/v1/workcells`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
      // The dashboard, and the Socket.IO browser client it loads (from the production dependencies).
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const scripts = [...(await page.text()).matchAll(/src="\/?(dashboard\/[^"]+)"/g)].map((m) => m[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      for (const s of scripts) expect((await fetch(`${base}/${s}`)).status).toBe(200);
      expect((await fetch(`${base}/dashboard/socket.io.esm.min.js`)).status).toBe(200);
    } finally {
      api?.kill('SIGTERM');
      await new Promise((r) => (api && api.exitCode === null ? api.once('exit', r) : r(null)));
      await db.drop();
      rmSync(image, { recursive: true, force: true });
    }
  }, 90_000);
});
