// Redis and PostgreSQL restarted while a run is executing, for real: each test starts its own
// server on a fixed port, stops it mid-run and starts it again where the API and worker expect it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMigrations } from '@praxis/database/migrate';
import { DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { Redis } from 'ioredis';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { RESUMABLE } from '../support/protocols.js';
import { eventually, runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

type Auth = { Authorization: string };
interface Server {
  url: string;
  port: number;
  stop(): Promise<void>;
}
interface Services {
  startRedis(o: { dir: string; persistent: boolean; port?: number }): Promise<Server>;
  startPostgres(o: { dir: string; fast: boolean; port?: number; logFile?: string }): Promise<Server>;
}
// A plain ES module of the project's scripts (no typings): the same code that starts `npm start`'s servers.
const services = (await import('../../scripts/lib/services.mjs' as string)) as Services;

/** An app on the given services, the demo workcell seeded and the resumable protocol registered. */
async function setUp(env: Record<string, string>) {
  const t = await createTestApp({ RUN_RECOVERY_INTERVAL_MS: '300', WORKER_HEARTBEAT_INTERVAL_MS: '200', ...env });
  const admin = { Authorization: `Bearer ${await t.login()}` };
  const operator = { Authorization: `Bearer ${(await t.createUser('ora', Role.Operator)).token}` };
  const viewer = { Authorization: `Bearer ${(await t.createUser('vik', Role.Viewer)).token}` };
  await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
  await t.app.get(DemoSeedService).seed();
  const folder = mkdtempSync(join(tmpdir(), 'praxis-restarts-'));
  writeFileSync(join(folder, 'resumable.ts'), RESUMABLE);
  const { report } = await t.app.get(ProtocolSourcesService).ensureFolderSource('restarts', folder);
  const protocolId = report.added.find((d) => d.name === 'resumable')!.id;

  const { get, until } = runPolling(() => t.http, () => viewer, 60000);
  const commands = async (id: string) => (await t.http.get(`/api/v1/runs/${id}/commands?limit=1000`).set(viewer).expect(200)).body.items as Array<{ seq: number; command: string }>;
  const health = async () => {
    const res = await t.http.get('/api/v1/health');
    return { status: res.status, checks: (res.status === 200 ? res.body.checks : res.body.error?.details?.checks) as Record<string, string> | undefined };
  };
  const start = async (parameters: Record<string, number>) => (await t.http.post('/api/v1/runs').set(operator).send({ protocolId, parameters }).expect(201)).body as { id: string };
  const released = async (runId: string) => {
    await eventually(async () => ((await t.http.get('/api/v1/reservations').set(viewer).expect(200)).body.length === 0 ? true : undefined), 'no reservation left');
    const machine = (await t.db.query(`SELECT status, "currentRunId" FROM machines WHERE name = 'starlet'`))[0];
    expect(machine).toEqual({ status: 'available', currentRunId: null });
    return runId;
  };
  return { t, viewer, operator, protocolId, get, until, commands, health, start, released, close: () => rmSync(folder, { recursive: true, force: true }) };
}

/** The command log has no hole and no repeat: 1..n. */
function expectContiguous(cmds: Array<{ seq: number }>): void {
  expect(cmds.map((c) => c.seq).sort((a, b) => a - b)).toEqual(cmds.map((_, i) => i + 1));
}

describe.each([
  // No persistence: a restart forgets every key (locks, queues, heartbeats), the worst case.
  { persistent: false, outcome: 'stops with a clear error (its reservation was lost)' },
  // Append-only file, as `npm start` runs it: the locks and jobs survive the restart.
  { persistent: true, outcome: 'goes on to the end (its locks survived the restart)' },
])('faults: Redis restarted during a run (persistent: $persistent)', ({ persistent, outcome }) => {
  const dir = mkdtempSync(join(tmpdir(), 'praxis-redis-restart-'));
  let redis: Server;
  let client: Redis;
  let worker: WorkerProcess;
  let s: Awaited<ReturnType<typeof setUp>>;
  /** The port of a Redis the test stopped and has not started again (if it failed in between). */
  let stopped: number | null = null;

  beforeAll(async () => {
    redis = await services.startRedis({ dir, persistent });
    client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    s = await setUp({ REDIS_URL: redis.url });
    worker = await startWorker(s.t.config.database.url, redis.url, client);
  }, 90000);
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    // Closing the app's queues needs a Redis to say goodbye to.
    if (stopped !== null) redis = await services.startRedis({ dir, persistent, port: stopped });
    await s?.t.close();
    s?.close();
    client?.disconnect();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  it(`the run ${outcome}, nothing stays reserved, health is 503 while Redis is down and recovers, and new runs go on`, async () => {
    const run = await s.start({ wells: 48, delayMs: persistent ? 600 : 400 });
    await eventually(async () => ((await s.commands(run.id)).length >= 8 ? true : undefined), '8 commands');
    const port = redis.port;
    await redis.stop();
    stopped = port;

    const unhealthy = await eventually(async () => {
      const h = await s.health();
      return h.status === 503 ? h : undefined;
    }, 'health to answer 503');
    expect(unhealthy.checks).toMatchObject({ redis: 'down', database: 'ok' });
    // The records are in PostgreSQL: reading them does not need Redis.
    expect((await s.get(run.id)).status).toBe('running');
    // A new run cannot be queued: a clear 503, not a hang or a 500.
    const refused = await s.t.http.post('/api/v1/runs').set(s.operator).send({ protocolId: s.protocolId, parameters: { wells: 1 } });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('SERVICE_UNAVAILABLE');

    // Down longer than a job lock (10 s): BullMQ takes the run's job for stalled once Redis is back
    // and hands it out again. It must not be re-run, nor ended while it is still executing.
    if (persistent) await new Promise((r) => setTimeout(r, 11000));
    redis = await services.startRedis({ dir, persistent, port });
    stopped = null;
    const ended = await s.until(run.id, ['failed', 'interrupted', 'completed']);
    const cmds = await s.commands(run.id);
    if (persistent) {
      // The lease checked on reconnect found its locks: the run was protected throughout.
      expect(ended.status).toBe('completed');
      expect(ended.result).toEqual({ done: 48 });
      expect(cmds).toHaveLength(48 * 4);
    } else {
      // Redis came back without the run's locks: exclusivity is no longer guaranteed, so the worker
      // stops the run before its next hardware command instead of going on unprotected.
      expect(ended.status).toBe('failed');
      expect(ended.error).toMatchObject({ name: 'ReservationLost', message: expect.stringContaining('reservation was lost') });
      expect(cmds.length).toBeGreaterThanOrEqual(8);
    }
    // What it did is all recorded, with no hole.
    expectContiguous(cmds);
    await s.released(run.id);
    for (const a of Object.values(ended.assets as Record<string, { id: string }>)) expect(await client.exists(`praxis:lock:asset:${a.id}`)).toBe(0);

    const up = await eventually(async () => {
      const h = await s.health();
      return h.status === 200 ? h : undefined;
    }, 'health to recover');
    expect(up.checks).toEqual({ database: 'ok', redis: 'ok', queue: 'ok' });
    // The worker's queues reconnected by themselves: a new run executes to the end.
    const next = await s.start({ wells: 2, delayMs: 0 });
    expect((await s.until(next.id, ['completed', 'failed', 'interrupted'])).status).toBe('completed');
    await s.released(next.id);
  }, 120000);
});

describe('faults: PostgreSQL restarted during a run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'praxis-pg-restart-'));
  let pg: Server;
  let worker: WorkerProcess;
  let s: Awaited<ReturnType<typeof setUp>>;
  const startPg = (port?: number) => services.startPostgres({ dir: join(dir, 'data'), fast: true, logFile: join(dir, 'postgres.log'), ...(port ? { port } : {}) });

  beforeAll(async () => {
    pg = await startPg();
    await runMigrations(pg.url);
    s = await setUp({ DATABASE_URL: pg.url });
    worker = await startWorker(pg.url, s.t.config.redis.url, s.t.redis);
  }, 120000);
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await s?.t.close();
    s?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  it('the run goes on and completes with every record written, health is 503 while the database is down and recovers', async () => {
    const run = await s.start({ wells: 16, delayMs: 250 });
    await eventually(async () => ((await s.commands(run.id)).length >= 8 ? true : undefined), '8 commands');
    const port = pg.port;
    await pg.stop();

    const down = await eventually(async () => {
      const h = await s.health();
      return h.status === 503 ? h : undefined;
    }, 'health to answer 503');
    expect(down.checks).toMatchObject({ database: 'down', redis: 'ok' });
    // Reads answer 503 in the error envelope while the database is down, never 500.
    const during = await s.t.http.get(`/api/v1/runs/${run.id}`).set(s.viewer);
    expect(during.status).toBe(503);
    expect(during.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(JSON.stringify(during.body)).not.toMatch(/ECONNREFUSED|at .*\.js|SELECT/);
    // The robot is not stopped by a database restart: the worker keeps its records in memory.
    await new Promise((r) => setTimeout(r, 1500));
    pg = await startPg(port);

    const ended = await s.until(run.id, ['completed', 'failed', 'interrupted']);
    expect(ended.status).toBe('completed');
    expect(ended.result).toEqual({ done: 16 });
    // Every command and step reached the database once: 4 commands per well, steps completed.
    const cmds = await s.commands(run.id);
    expect(cmds).toHaveLength(16 * 4);
    expectContiguous(cmds);
    const steps = (await s.t.http.get(`/api/v1/runs/${run.id}/calls`).set(s.viewer).expect(200)).body as Array<{ name: string; status: string }>;
    expect(steps.filter((c) => c.name === 'move').map((c) => c.status)).toEqual(Array(16).fill('completed'));
    await s.released(run.id);
    expect((await s.health()).status).toBe(200);
  }, 150000);
});
