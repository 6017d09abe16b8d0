// The operator's view and repair of a stuck system, with a real stale state: a worker SIGKILLed
// in the middle of a run, its locks and reservations left behind, a reservation that outlived its
// run, a prompt past its timeout.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_WORKCELL, DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { RESUMABLE } from '../support/protocols.js';
import { eventually, runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

type Status = {
  health: { database: string; redis: string; queue: string };
  workers: Array<{ id: string; pid: number; heartbeatAgeMs: number; workcells: string[]; currentRuns: string[] }>;
  queues: Array<{ workcellName: string; workcellId: string; waiting: number; delayed: number; active: number; failed: number; workers: number }>;
  locks: Array<{ assetId: string; assetName: string | null; runId: string; runStatus: string | null; ageMs: number | null; ttlMs: number }>;
  reservations: Array<{ assetId: string; assetName: string; runId: string; runStatus: string | null; ageMs: number; stale: boolean; locked: boolean }>;
  stuckRuns: Array<{ runId: string; reason: string; status: string; workerId: string | null; detail: string }>;
  redisUsedMemoryBytes: number;
};

describe('system status and reconcile (admin), on a real stale state', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let folder: string;
  const defs: Record<string, string> = {};
  const workers: WorkerProcess[] = [];
  const { until } = runPolling(() => t.http, () => operator, 60_000);
  const status = async (): Promise<Status> => (await t.http.get('/api/v1/system/status').set(admin).expect(200)).body as Status;
  const reconcile = async () => (await t.http.post('/api/v1/system/reconcile').set(admin).expect(200)).body as { interruptedRuns: Array<{ runId: string; workerId: string; was: string }>; releasedReservations: Array<{ assetId: string; runId: string }>; requeuedRuns: string[]; skipped: string[] };

  beforeAll(async () => {
    // No periodic sweep during the test: the operator's reconcile is what repairs.
    t = await createTestApp({ RUN_RECOVERY_INTERVAL_MS: '600000', WORKER_HEARTBEAT_INTERVAL_MS: '200' });
    admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('sys_op', Role.Operator)).token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('sys_view', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    const sources = t.app.get(ProtocolSourcesService);
    for (const d of (await sources.ensureFolderSource('examples', resolve('examples/protocols'))).report.added) defs[d.name] = d.id;
    folder = mkdtempSync(join(tmpdir(), 'praxis-system-'));
    writeFileSync(join(folder, 'resumable.ts'), RESUMABLE);
    for (const d of (await sources.ensureFolderSource('extra', folder)).report.added) defs[d.name] = d.id;
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await t?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('is admin only', async () => {
    await t.http.get('/api/v1/system/status').set(viewer).expect(403);
    await t.http.get('/api/v1/system/status').set(operator).expect(403);
    await t.http.post('/api/v1/system/reconcile').set(operator).expect(403);
    await t.http.get('/api/v1/system/status').expect(401);
  });

  it('shows a live worker with its run, the queue, locks and reservations; after SIGKILL the run is stuck; reconcile repairs it, once', async () => {
    const workcellId = (await t.db.query('SELECT id FROM workcells WHERE name = $1', [DEMO_WORKCELL]))[0].id as string;
    // A finished run, whose reservation a crash "between" left behind (the seeds' case).
    const first = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
    workers.push(first);
    const quick = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.nested_steps }).expect(201)).body.id as string;
    expect((await until(quick, ['completed', 'failed'])).status).toBe('completed');
    const leftover = randomUUID();
    await t.db.query(`INSERT INTO reservations ("assetId", "assetKind", "assetName", "runId", "acquiredAt") VALUES ($1, 'resource', 'left_behind', $2, now() - interval '1 hour')`, [leftover, quick]);

    const run = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.resumable, parameters: { wells: 40, delayMs: 200 } }).expect(201)).body.id as string;
    await until(run, ['running']);

    const live = await eventually(async () => {
      const s = await status();
      return s.workers.length === 1 && s.workers[0]!.currentRuns.includes(run) ? s : undefined;
    }, 'the worker heartbeat to list its run');
    expect(live.health).toEqual({ database: 'ok', redis: 'ok', queue: 'ok', errors: {} });
    expect(live.workers[0]).toMatchObject({ pid: first.proc.pid, workcells: [workcellId] });
    expect(live.workers[0]!.heartbeatAgeMs).toBeLessThan(600 + 1000);
    expect(live.queues.find((q) => q.workcellName === DEMO_WORKCELL)).toMatchObject({ workcellId, active: 1, workers: 1 });
    const runAssets = (await t.http.get(`/api/v1/runs/${run}`).set(operator).expect(200)).body.assets as Record<string, { id: string; name: string }>;
    const assetIds = Object.values(runAssets).map((a) => a.id).sort();
    expect(live.locks.filter((l) => l.runId === run).map((l) => l.assetId).sort()).toEqual(assetIds);
    for (const l of live.locks.filter((x) => x.runId === run)) expect(l).toMatchObject({ runStatus: 'running', assetName: expect.any(String), ageMs: expect.any(Number) });
    expect(live.reservations.filter((r) => r.runId === run).map((r) => [r.assetId, r.stale, r.locked])).toEqual(expect.arrayContaining(assetIds.map((id) => [id, false, true])));
    expect(live.reservations.find((r) => r.assetId === leftover)).toMatchObject({ runId: quick, runStatus: 'completed', stale: true, locked: false, assetName: 'left_behind' });
    expect(live.reservations.find((r) => r.assetId === leftover)!.ageMs).toBeGreaterThanOrEqual(3600_000);
    expect(live.stuckRuns).toEqual([]);
    expect(live.redisUsedMemoryBytes).toBeGreaterThan(0);

    // The worker dies mid-run: no heartbeat, its locks and reservations stay behind.
    await first.stop('SIGKILL');
    const stuck = await eventually(async () => {
      const s = await status();
      return s.workers.length === 0 && s.stuckRuns.length ? s : undefined;
    }, 'the run to show as stuck');
    expect(stuck.stuckRuns).toEqual([expect.objectContaining({ runId: run, reason: 'worker_gone', status: 'running' })]);
    expect(stuck.stuckRuns[0]!.workerId).toMatch(new RegExp(`:${first.proc.pid}$`));
    expect(stuck.queues.find((q) => q.workcellName === DEMO_WORKCELL)!.workers).toBe(0);
    // The run is still "running": nothing repaired it by itself (no periodic sweep in this test).
    expect((await t.http.get(`/api/v1/runs/${run}`).set(operator).expect(200)).body.status).toBe('running');

    const repaired = await reconcile();
    expect(repaired.skipped).toEqual([]);
    expect(repaired.interruptedRuns).toEqual([{ runId: run, workerId: expect.stringMatching(new RegExp(`:${first.proc.pid}$`)), was: 'running' }]);
    expect(repaired.releasedReservations.map((r) => r.assetId).sort()).toEqual([...assetIds, leftover].sort());
    expect(repaired.requeuedRuns).toEqual([]);

    const after = (await t.http.get(`/api/v1/runs/${run}`).set(operator).expect(200)).body;
    expect(after).toMatchObject({ status: 'interrupted', error: { name: 'WorkerLost' } });
    expect((await t.http.get('/api/v1/reservations').set(operator).expect(200)).body).toEqual([]);
    const lh = (await t.http.get(`/api/v1/machines/${runAssets.lh!.id}`).set(operator).expect(200)).body;
    expect(lh).toMatchObject({ status: 'available', currentRunId: null });
    const clean = await status();
    expect(clean.locks).toEqual([]);
    expect(clean.reservations).toEqual([]);
    expect(clean.stuckRuns).toEqual([]);

    // Idempotent: nothing left to do.
    expect(await reconcile()).toEqual({ interruptedRuns: [], releasedReservations: [], requeuedRuns: [], skipped: [] });
    // The audit log has the repair, by the admin.
    const audit = (await t.http.get('/api/v1/audit?method=POST&actorUsername=admin&limit=1000').set(admin).expect(200)).body.items as Array<{ path: string; status: number }>;
    expect(audit.filter((a) => a.path === '/api/v1/system/reconcile').map((a) => a.status)).toEqual([200, 200]);
  }, 120_000);

  it('a prompt past its timeout that the run did not move on from shows as stuck; reconcile leaves a run with a live worker alone', async () => {
    const w = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
    workers.push(w);
    const live = await eventually(async () => ((await status()).workers.find((x) => x.pid === w.proc.pid) ? true : undefined), 'the new worker');
    expect(live).toBe(true);
    const workerId = (await status()).workers.find((x) => x.pid === w.proc.pid)!.id.split(':').slice(0, 2).join(':');
    // A run that waits on its operator with its worker alive, its prompt 5 minutes past due.
    const [{ id }] = await t.db.query(
      `INSERT INTO runs (id, "protocolId", "protocolName", "protocolVersion", "workcellId", status, parameters, assets, "createdBy", "workerId", "pendingInput", "startedAt")
       SELECT gen_random_uuid(), "protocolId", "protocolName", "protocolVersion", "workcellId", 'awaiting_input', '{}', '{}', 'test', $1,
              jsonb_build_object('id', 'p1', 'prompt', 'Confirm?', 'fieldsSchema', '{}'::jsonb, 'stepSeq', 1, 'requestedAt', to_jsonb(now() - interval '10 minutes'), 'timeoutMs', 300000), now()
         FROM runs LIMIT 1 RETURNING id`,
      [workerId],
    );
    const s = await status();
    expect(s.stuckRuns).toEqual([expect.objectContaining({ runId: id, reason: 'input_timed_out', status: 'awaiting_input', workerId })]);
    expect(s.stuckRuns[0]!.detail).toMatch(/timed out 30\d s ago/);
    // Its worker is alive: reconcile does not interrupt it (only an operator decides about it).
    expect((await reconcile()).interruptedRuns).toEqual([]);
    expect((await t.db.query('SELECT status FROM runs WHERE id = $1', [id]))[0].status).toBe('awaiting_input');
    await t.db.query(`UPDATE runs SET status = 'cancelled', "pendingInput" = NULL WHERE id = $1`, [id]);
  }, 60_000);
});
