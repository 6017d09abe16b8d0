import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { RunsService, ScheduleFirer, ScheduleQueue } from '@praxis/execution';
import { ProtocolSourcesService } from '@praxis/protocols';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { eventually, startWorker, type WorkerProcess } from '../support/worker.js';

type Auth = { Authorization: string };
type RunBody = { id: string; status: string; createdBy: string; scheduleId: string | null; properties: { fireId?: string } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The wall-clock parts of an instant in a time zone. */
function wallClock(iso: string, timeZone: string): { weekday: string; hour: string; minute: string; second: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { weekday: get('weekday'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

describe('schedules: cron in a time zone, runs created on time by the worker, pause, resume, their runs', () => {
  let t: TestApp;
  let operator: Auth;
  let viewer: Auth;
  let worker: WorkerProcess;
  let defs: Record<string, string>;
  let workcellId: string;
  let queue: ScheduleQueue;
  const fields = (res: { body: { error: { details: { fields: string[] } } } }) => [...res.body.error.details.fields].sort();
  const create = async (body: Record<string, unknown>) => {
    const res = await t.http.post('/api/v1/schedules').set(operator).send({ protocolId: defs.plate_replication, parameters: { volume: 1 }, ...body });
    if (res.status !== 201) throw new Error(`create schedule: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; name: string; nextRunAt: string | null; [k: string]: unknown };
  };
  const runsOf = async (id: string, query = '') => (await t.http.get(`/api/v1/runs?scheduleId=${id}&limit=1000${query}`).set(viewer).expect(200)).body as { items: RunBody[]; total: number };
  const countOf = async (id: string) => (await runsOf(id)).total;
  /** Every run the schedule created has ended; returns them. */
  const allEnded = (id: string, timeoutMs = 180000) =>
    eventually(async () => {
      const { items } = await runsOf(id);
      return items.every((r) => ['completed', 'failed', 'cancelled', 'interrupted'].includes(r.status)) ? items : undefined;
    }, `the runs of schedule ${id} to end`, timeoutMs, 250);

  beforeAll(async () => {
    t = await createTestApp();
    const admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('sam', Role.Operator)).token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('vera', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    const { report } = await t.app.get(ProtocolSourcesService).ensureFolderSource('examples', resolve('examples/protocols'));
    expect(report.errors).toEqual([]);
    defs = Object.fromEntries(report.added.map((d) => [d.name, d.id]));
    workcellId = (await t.db.query(`SELECT id FROM workcells WHERE name = 'demo'`))[0].id;
    queue = t.app.get(ScheduleQueue);
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
  }, 60000);
  afterAll(async () => {
    // Redis is shared by the test files: leave no Job Scheduler behind, whatever happened.
    for (const a of (await queue?.armed().catch(() => [])) ?? []) await queue.disarm(a.key).catch(() => undefined);
    await worker?.stop();
    await t?.close();
  });

  it('creates, lists, gets, updates and deletes; nextRunAt follows the expression in its time zone', async () => {
    const before = Date.now();
    const s = await create({ name: 'weekday_mornings', cron: '0 9 * * 1-5', timezone: 'America/New_York', parameters: { volume: 5 } });
    expect(s).toMatchObject({
      name: 'weekday_mornings',
      cron: '0 9 * * 1-5',
      timezone: 'America/New_York',
      protocolId: defs.plate_replication,
      parameters: { volume: 5 },
      assets: {},
      workcellId,
      priority: 0,
      paused: false,
      lastRunAt: null,
      lastRunId: null,
      lastError: null,
      createdBy: 'user:sam',
    });
    // 09:00 on a weekday in New York, within the next four days.
    const next = new Date(s.nextRunAt!).getTime();
    expect(next).toBeGreaterThan(before);
    expect(next).toBeLessThan(before + 4 * 24 * 3600_000);
    expect(wallClock(s.nextRunAt!, 'America/New_York')).toMatchObject({ hour: '09', minute: '00', second: '00' });
    expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(wallClock(s.nextRunAt!, 'America/New_York').weekday);
    expect(await queue.queue.getJobScheduler(s.id)).toMatchObject({ key: s.id, pattern: '0 9 * * 1-5', tz: 'America/New_York' });

    // Another zone: 09:00 in Tokyo; the Job Scheduler follows.
    const tokyo = (await t.http.patch(`/api/v1/schedules/${s.id}`).set(operator).send({ timezone: 'Asia/Tokyo' }).expect(200)).body;
    expect(tokyo.timezone).toBe('Asia/Tokyo');
    expect(wallClock(tokyo.nextRunAt, 'Asia/Tokyo')).toMatchObject({ hour: '09', minute: '00' });
    expect(tokyo.nextRunAt).not.toBe(s.nextRunAt);
    expect(await queue.queue.getJobScheduler(s.id)).toMatchObject({ pattern: '0 9 * * 1-5', tz: 'Asia/Tokyo' });

    // UTC by default.
    const utc = await create({ name: 'daily_utc', cron: '30 6 * * *', priority: 3 });
    expect(utc).toMatchObject({ timezone: 'UTC', priority: 3, parameters: { volume: 1 } });
    expect(utc.nextRunAt).toMatch(/T06:30:00\.000Z$/);

    const got = (await t.http.get(`/api/v1/schedules/${s.id}`).set(viewer).expect(200)).body;
    expect(got).toMatchObject({ id: s.id, timezone: 'Asia/Tokyo', nextRunAt: tokyo.nextRunAt });
    const list = (await t.http.get('/api/v1/schedules').set(viewer).expect(200)).body;
    expect(list).toMatchObject({ total: 2, limit: 50, offset: 0 });
    expect(list.items.map((x: { name: string }) => x.name)).toEqual(['daily_utc', 'weekday_mornings']);
    expect(list.items[1].nextRunAt).toEqual(expect.any(String));
    expect((await t.http.get('/api/v1/schedules?search=MORNING').set(viewer).expect(200)).body.total).toBe(1);
    expect((await t.http.get(`/api/v1/schedules?protocolId=${defs.plate_replication}&sort=-name`).set(viewer).expect(200)).body.items[0].name).toBe('weekday_mornings');
    await t.http.get('/api/v1/schedules?paused=maybe').set(viewer).expect(400);
    await t.http.get('/api/v1/schedules?sort=cron').set(viewer).expect(400);

    // Pause and resume: no Job Scheduler (and no next fire) while paused.
    const paused = (await t.http.post(`/api/v1/schedules/${s.id}/pause`).set(operator).expect(200)).body;
    expect(paused).toMatchObject({ paused: true, nextRunAt: null });
    expect(await queue.queue.getJobScheduler(s.id)).toBeUndefined();
    expect((await t.http.get('/api/v1/schedules?paused=true').set(viewer).expect(200)).body.items.map((x: { id: string }) => x.id)).toEqual([s.id]);
    const resumed = (await t.http.post(`/api/v1/schedules/${s.id}/resume`).set(operator).expect(200)).body;
    expect(resumed).toMatchObject({ paused: false, nextRunAt: tokyo.nextRunAt });
    expect(await queue.queue.getJobScheduler(s.id)).toMatchObject({ tz: 'Asia/Tokyo' });
    const patchedPause = (await t.http.patch(`/api/v1/schedules/${s.id}`).set(operator).send({ paused: true, name: 'weekday_mornings_tokyo' }).expect(200)).body;
    expect(patchedPause).toMatchObject({ paused: true, name: 'weekday_mornings_tokyo', nextRunAt: null });
    expect(await queue.queue.getJobScheduler(s.id)).toBeUndefined();

    // Roles and conflicts.
    await t.http.post('/api/v1/schedules').set(viewer).send({ name: 'nope', cron: '* * * * *', protocolId: defs.plate_replication }).expect(403);
    await t.http.patch(`/api/v1/schedules/${s.id}`).set(viewer).send({ paused: false }).expect(403);
    await t.http.delete(`/api/v1/schedules/${s.id}`).set(viewer).expect(403);
    const dup = await t.http.post('/api/v1/schedules').set(operator).send({ name: 'daily_utc', cron: '* * * * *', protocolId: defs.plate_replication }).expect(409);
    expect(dup.body.error.code).toBe('ALREADY_EXISTS');
    const dupRename = await t.http.patch(`/api/v1/schedules/${s.id}`).set(operator).send({ name: 'daily_utc' }).expect(409);
    expect(dupRename.body.error.code).toBe('ALREADY_EXISTS');

    for (const id of [s.id, utc.id]) {
      await t.http.delete(`/api/v1/schedules/${id}`).set(operator).expect(204);
      await t.http.get(`/api/v1/schedules/${id}`).set(viewer).expect(404);
      expect(await queue.queue.getJobScheduler(id)).toBeUndefined();
    }
    await t.http.delete(`/api/v1/schedules/${s.id}`).set(operator).expect(404);
    await t.http.get('/api/v1/schedules/not-a-uuid').set(viewer).expect(400);
    expect((await t.http.get('/api/v1/schedules').set(viewer).expect(200)).body.total).toBe(0);
  });

  it('names bad input: cron, timezone, protocol, parameters, assets, on create and on update', async () => {
    const post = (body: Record<string, unknown>) => t.http.post('/api/v1/schedules').set(operator).send({ name: 'bad', cron: '* * * * *', protocolId: defs.plate_replication, ...body });
    for (const cron of ['every day', '61 * * * *', '* * *', '', '0 0 31 4 *', '* * * * * * *']) {
      const res = await post({ cron }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(fields(res)).toEqual(['cron']);
    }
    for (const timezone of ['Mars/Olympus', '+01:00', 'not a zone', '']) expect(fields(await post({ timezone }).expect(400))).toEqual(['timezone']);
    expect(fields(await post({ protocolId: '0190a000-0000-7000-8000-000000000000' }).expect(400))).toEqual(['protocolId']);
    expect(fields(await post({ parameters: { volume: 999 } }).expect(400))).toEqual(['parameters.volume']);
    expect(fields(await post({ parameters: { volume: 'lots' } }).expect(400))).toEqual(['parameters.volume']);
    // Every bad field at once.
    const all = await post({ cron: 'often', timezone: 'Nowhere/Else', parameters: { volume: -1 }, assets: { bogus: '0190a000-0000-7000-8000-000000000000' } }).expect(400);
    expect(fields(all)).toEqual(['assets.bogus', 'cron', 'parameters.volume', 'timezone']);
    // Types and unknown fields (the global validation).
    const types = await t.http.post('/api/v1/schedules').set(operator).send({ name: 'has space', cron: 5, protocolId: 'x', paused: 'yes', priority: 5000, extra: 1 }).expect(400);
    expect(fields(types)).toEqual(['cron', 'extra', 'name', 'paused', 'priority', 'protocolId']);
    await t.http.post('/api/v1/schedules').set(operator).send({ name: 'null_tz', cron: '* * * * *', protocolId: defs.plate_replication, timezone: null }).expect(400);
    expect((await t.http.get('/api/v1/schedules').set(viewer).expect(200)).body.total).toBe(0);

    const s = await create({ name: 'checked_updates', cron: '0 12 * * *', paused: true });
    expect(fields(await t.http.patch(`/api/v1/schedules/${s.id}`).set(operator).send({ cron: '0 25 * * *' }).expect(400))).toEqual(['cron']);
    expect(fields(await t.http.patch(`/api/v1/schedules/${s.id}`).set(operator).send({ timezone: 'Europe/Nowhere' }).expect(400))).toEqual(['timezone']);
    expect(fields(await t.http.patch(`/api/v1/schedules/${s.id}`).set(operator).send({ parameters: { volume: 0 } }).expect(400))).toEqual(['parameters.volume']);
    // A new protocol revision is checked against the parameters kept.
    expect(fields(await t.http.patch(`/api/v1/schedules/${s.id}`).set(operator).send({ protocolId: '0190a000-0000-7000-8000-000000000000' }).expect(400))).toEqual(['protocolId']);
    const ok = (await t.http.patch(`/api/v1/schedules/${s.id}`).set(operator).send({ cron: '*/10 * * * * *', parameters: {} }).expect(200)).body;
    expect(ok).toMatchObject({ cron: '*/10 * * * * *', parameters: { volume: 50 }, paused: true, nextRunAt: null });
    await t.http.delete(`/api/v1/schedules/${s.id}`).set(operator).expect(204);
  });

  it('fires every second: the worker creates runs that queue while their assets are busy and then complete; pause stops them, resume restarts, delete removes the scheduler', async () => {
    // A run waiting for operator input holds the liquid handler: the schedule's runs must queue behind it.
    const blocker = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.serial_dilution, workcellId }).expect(201)).body;
    await eventually(async () => {
      const r = (await t.http.get(`/api/v1/runs/${blocker.id}`).set(viewer).expect(200)).body;
      if (['failed', 'completed', 'cancelled'].includes(r.status)) throw new Error(`the blocking run ended: ${JSON.stringify(r)}`);
      return r.status === 'awaiting_input' ? r : undefined;
    }, 'the blocking run to wait for input', 30000);

    const s = await create({ name: 'every_second', cron: '* * * * * *' });
    const queued = await eventually(async () => {
      const { items } = await runsOf(s.id);
      return items.length >= 2 ? items : undefined;
    }, 'two runs of the schedule', 30000);
    expect(queued.map((r) => r.status)).toEqual(Array(queued.length).fill('queued'));
    expect((await t.http.get(`/api/v1/runs/${blocker.id}`).set(viewer).expect(200)).body.status).toBe('awaiting_input');
    await t.http.post(`/api/v1/runs/${blocker.id}/actions`).set(operator).send({ action: 'cancel', reason: 'let the schedule go' }).expect(202);
    await eventually(async () => ((await runsOf(s.id, '&status=completed')).total >= 1 ? true : undefined), 'a run of the schedule to complete', 120000, 250);

    await t.http.post(`/api/v1/schedules/${s.id}/pause`).set(operator).expect(200);
    expect(await queue.queue.getJobScheduler(s.id)).toBeUndefined();
    await sleep(1000); // a fire already being turned into a run when the pause came lands
    const whilePaused = await countOf(s.id);
    await sleep(2500);
    expect(await countOf(s.id)).toBe(whilePaused);

    const resumed = (await t.http.post(`/api/v1/schedules/${s.id}/resume`).set(operator).expect(200)).body;
    expect(resumed.nextRunAt).toEqual(expect.any(String));
    await eventually(async () => ((await countOf(s.id)) > whilePaused ? true : undefined), 'a run after the resume', 30000);

    await t.http.delete(`/api/v1/schedules/${s.id}`).set(operator).expect(204);
    expect(await queue.queue.getJobScheduler(s.id)).toBeUndefined();
    await sleep(1000);
    const afterDelete = await countOf(s.id);
    await sleep(2500);
    expect(await countOf(s.id)).toBe(afterDelete);

    // None was dropped: every run the schedule created completed, each from a fire of its own.
    const runs = await allEnded(s.id);
    expect(runs.length).toBe(afterDelete);
    expect(runs.map((r) => r.status)).toEqual(Array(runs.length).fill('completed'));
    for (const r of runs) expect(r).toMatchObject({ createdBy: 'schedule:every_second', scheduleId: s.id, properties: { fireId: expect.stringMatching(new RegExp(`^repeat:${s.id}:\\d+$`)) } });
    expect(new Set(runs.map((r) => r.properties.fireId)).size).toBe(runs.length);
    const first = runs[runs.length - 1]!;
    const tr = (await t.http.get(`/api/v1/runs/${first.id}/transitions`).set(viewer).expect(200)).body;
    expect(tr[0]).toMatchObject({ from: null, to: 'queued', actor: 'schedule:every_second' });
    expect(tr.map((x: { to: string }) => x.to).at(-1)).toBe('completed');
    // The schedule is gone; its runs stay, listed by scheduleId.
    await t.http.get(`/api/v1/schedules/${s.id}/runs`).set(viewer).expect(404);
  }, 300000);

  it('lists the runs a schedule created, and records the last run', async () => {
    const s = await create({ name: 'listed', cron: '0 0 1 1 *', parameters: { volume: 2 } });
    // Fire it by hand, as the worker would (twice: a fire is turned into one run only).
    const firer = new ScheduleFirer(t.app.get(DataSource), t.config, t.app.get(RunsService), queue);
    const fireId = `repeat:${s.id}:${Date.now()}`;
    const one = await firer.fire(s.id, fireId, new Date());
    const again = await firer.fire(s.id, fireId, new Date());
    expect(one).toEqual({ runId: expect.any(String) });
    expect(again).toEqual({ runId: (one as { runId: string }).runId, duplicate: true });
    const two = await firer.fire(s.id, `repeat:${s.id}:${Date.now() + 1000}`, new Date());

    const page = (await t.http.get(`/api/v1/schedules/${s.id}/runs`).set(viewer).expect(200)).body;
    expect(page).toMatchObject({ total: 2, limit: 50, offset: 0 });
    expect(page.items.map((r: RunBody) => r.id)).toEqual([(two as { runId: string }).runId, (one as { runId: string }).runId]);
    expect(page.items[0]).toMatchObject({ scheduleId: s.id, createdBy: 'schedule:listed', parameters: { volume: 2 }, priority: 0 });
    expect((await t.http.get(`/api/v1/schedules/${s.id}/runs?status=bogus`).set(viewer).expect(400)).body.error.details.fields).toEqual(['status']);
    const got = (await t.http.get(`/api/v1/schedules/${s.id}`).set(viewer).expect(200)).body;
    expect(got).toMatchObject({ lastRunId: (two as { runId: string }).runId, lastError: null });
    expect(got.lastRunAt).toEqual(expect.any(String));
    // A fire of a schedule that is paused or gone creates nothing and disarms it.
    await t.http.post(`/api/v1/schedules/${s.id}/pause`).set(operator).expect(200);
    expect(await firer.fire(s.id, `repeat:${s.id}:1`, new Date())).toEqual({ skipped: 'paused' });
    await t.http.delete(`/api/v1/schedules/${s.id}`).set(operator).expect(204);
    expect(await firer.fire(s.id, `repeat:${s.id}:2`, new Date())).toEqual({ skipped: 'deleted' });
    await allEnded(s.id);
  }, 120000);

  it('re-arms from the database: a lost Job Scheduler comes back, one of a schedule that is gone is removed', async () => {
    const s = await create({ name: 'rearmed', cron: '0 0 1 1 *' });
    await queue.disarm(s.id);
    const orphan = '0190a000-0000-7000-8000-0000000000ff';
    await queue.arm({ id: orphan, cron: '0 0 1 1 *', timezone: 'UTC' });
    const firer = new ScheduleFirer(t.app.get(DataSource), t.config, t.app.get(RunsService), queue);
    // (The worker re-arms every minute too, so the counts of this first pass are not asserted.)
    await firer.reconcile();
    expect(await queue.queue.getJobScheduler(s.id)).toMatchObject({ pattern: '0 0 1 1 *', tz: 'UTC' });
    expect(await queue.queue.getJobScheduler(orphan)).toBeUndefined();
    expect(await firer.reconcile()).toEqual({ armed: 0, disarmed: 0 });
    await t.http.delete(`/api/v1/schedules/${s.id}`).set(operator).expect(204);
  });

  it('records why a fire created no run instead of dropping it, and clears it when a run is created again', async () => {
    const starlet = (await t.db.query(`SELECT id FROM machines WHERE name = 'starlet'`))[0].id;
    const s = await create({ name: 'blocked', cron: '* * * * * *', paused: true });
    await t.http.patch(`/api/v1/machines/${starlet}/status`).set(operator).send({ status: 'maintenance', reason: 'calibration' }).expect(200);
    try {
      await t.http.post(`/api/v1/schedules/${s.id}/resume`).set(operator).expect(200);
      const failed = await eventually(async () => {
        const b = (await t.http.get(`/api/v1/schedules/${s.id}`).set(viewer).expect(200)).body;
        return b.lastError ? b : undefined;
      }, 'the fire error to be recorded', 30000);
      expect(failed.lastError).toMatchObject({ code: 'ASSET_UNAVAILABLE', details: { requirement: 'lh' }, fireId: expect.stringMatching(/^repeat:/), at: expect.any(String) });
      expect(failed.lastError.message).toContain('"lh"');
      expect(failed.lastRunId).toBeNull();
      expect(await countOf(s.id)).toBe(0);
    } finally {
      await t.http.patch(`/api/v1/machines/${starlet}/status`).set(operator).send({ status: 'available' }).expect(200);
    }
    const recovered = await eventually(async () => {
      const b = (await t.http.get(`/api/v1/schedules/${s.id}`).set(viewer).expect(200)).body;
      return b.lastRunId && !b.lastError ? b : undefined;
    }, 'a run once the machine is back', 30000);
    await t.http.delete(`/api/v1/schedules/${s.id}`).set(operator).expect(204);
    const runs = await allEnded(s.id);
    expect(runs.map((r) => r.id)).toContain(recovered.lastRunId);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
  }, 300000);

  it('answers 409 naming a requirement nothing in the workcell satisfies', async () => {
    const empty = (await t.db.query(`INSERT INTO workcells (id, name, properties, "createdAt", "updatedAt") VALUES (gen_random_uuid(), 'empty', '{}', now(), now()) RETURNING id`))[0].id;
    const res = await t.http.post('/api/v1/schedules').set(operator).send({ name: 'nowhere', cron: '0 9 * * *', protocolId: defs.nested_steps, workcellId: empty }).expect(409);
    expect(res.body.error).toMatchObject({ code: 'ASSET_UNAVAILABLE', details: { requirement: 'lh' } });
    // A bad expression is named first (400), before the 409.
    const both = await t.http.post('/api/v1/schedules').set(operator).send({ name: 'nowhere', cron: 'never', protocolId: defs.nested_steps, workcellId: empty }).expect(400);
    expect(fields(both)).toEqual(['cron']);
    // With two workcells, one must be named (or decided by the assets).
    const ambiguous = await t.http.post('/api/v1/schedules').set(operator).send({ name: 'which', cron: '0 9 * * *', protocolId: defs.nested_steps }).expect(400);
    expect(fields(ambiguous)).toEqual(['workcellId']);
    expect((await t.http.get('/api/v1/schedules').set(viewer).expect(200)).body.total).toBe(0);
  });
});
