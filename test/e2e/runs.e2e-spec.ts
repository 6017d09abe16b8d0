import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { RunQueues } from '@praxis/execution';
import { ProtocolSourcesService } from '@praxis/protocols';
import pg from 'pg';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { eventually } from '../support/worker.js';

type Auth = { Authorization: string };

describe('runs: creation, matching, listing, actions before execution', () => {
  let t: TestApp;
  let admin: Auth;
  let operator: Auth;
  let viewer: Auth;
  let defs: Record<string, string>;
  let workcellId: string;
  const fields = (res: { body: { error: { details: { fields: string[] } } } }) => res.body.error.details.fields;

  beforeAll(async () => {
    t = await createTestApp();
    admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('otto', Role.Operator)).token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('vic', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    const { report } = await t.app.get(ProtocolSourcesService).ensureFolderSource('examples', resolve('examples/protocols'));
    expect(report.errors).toEqual([]);
    defs = Object.fromEntries(report.added.map((d) => [d.name, d.id]));
    workcellId = (await t.db.query(`SELECT id FROM workcells WHERE name = 'demo'`))[0].id;
  });
  afterAll(() => t.close());

  it('starts a run: parameters with defaults, assets matched by category in the workcell, queued with a job named by the run id', async () => {
    const res = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.plate_replication, parameters: { volume: 25 } }).expect(201);
    expect(res.body).toMatchObject({
      protocolId: defs.plate_replication,
      protocolName: 'plate_replication',
      protocolVersion: '1.0.0',
      workcellId,
      status: 'queued',
      priority: 0,
      parameters: { volume: 25 },
      createdBy: 'user:otto',
      assets: {
        lh: { kind: 'machine', name: 'starlet', category: 'LiquidHandler' },
        tips: { kind: 'resource', name: 'tips_1000_1', category: 'tip_rack' },
        source: { kind: 'resource', name: 'source_plate', category: 'plate' },
        destination: { kind: 'resource', name: 'destination_plate', category: 'plate' },
      },
    });
    expect(res.body.deckLayoutId).toEqual(expect.any(String));
    const job = await t.app.get(RunQueues).queue(workcellId).getJob(res.body.id);
    expect(job?.data).toEqual({ runId: res.body.id });
    const again = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.plate_replication }).expect(201);
    expect(again.body.parameters).toEqual({ volume: 50 });
    const transitions = await t.http.get(`/api/v1/runs/${res.body.id}/transitions`).set(viewer).expect(200);
    expect(transitions.body).toEqual([{ from: null, to: 'queued', actor: 'user:otto', reason: null, at: expect.any(String) }]);
  });

  it('takes the assets given, and names bad input', async () => {
    const resources = await t.http.get('/api/v1/resources?limit=100').set(viewer).expect(200);
    const id = (n: string) => resources.body.items.find((r: { name: string }) => r.name === n).id;
    const ok = await t.http
      .post('/api/v1/runs')
      .set(operator)
      .send({ protocolId: defs.plate_replication, assets: { source: id('destination_plate'), destination: id('source_plate'), tips: id('tips_1000_2') } })
      .expect(201);
    expect(ok.body.assets).toMatchObject({ source: { name: 'destination_plate' }, destination: { name: 'source_plate' }, tips: { name: 'tips_1000_2' } });
    const bad = await t.http
      .post('/api/v1/runs')
      .set(operator)
      .send({ protocolId: defs.plate_replication, parameters: { volume: 999 }, assets: { tips: id('source_plate'), bogus: id('source_plate') }, workcellId: '0190a000-0000-7000-8000-000000000000' })
      .expect(400);
    expect(fields(bad).sort()).toEqual(['assets.bogus', 'assets.tips', 'parameters.volume', 'workcellId']);
    const noProtocol = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: '0190a000-0000-7000-8000-000000000000' }).expect(400);
    expect(fields(noProtocol)).toEqual(['protocolId']);
    const types = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: 'x', priority: 'high', scheduledAt: 'soon' }).expect(400);
    expect(fields(types).sort()).toEqual(['priority', 'protocolId', 'scheduledAt']);
    await t.http.post('/api/v1/runs').set(viewer).send({ protocolId: defs.plate_replication }).expect(403);
  });

  it('answers 409 naming a requirement nothing in the workcell satisfies', async () => {
    const empty = (await t.db.query(`INSERT INTO workcells (id, name, properties, "createdAt", "updatedAt") VALUES (gen_random_uuid(), 'empty', '{}', now(), now()) RETURNING id`))[0].id;
    const res = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.nested_steps, workcellId: empty }).expect(409);
    expect(res.body.error.code).toBe('ASSET_UNAVAILABLE');
    expect(res.body.error.details.requirement).toBe('lh');
    const ambiguous = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.nested_steps }).expect(400);
    expect(fields(ambiguous)).toEqual(['workcellId']);
  });

  it('schedules a run for later, lists with filters, and cancels runs that have not started', async () => {
    const at = new Date(Date.now() + 3600_000).toISOString();
    const scheduled = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.serial_dilution, workcellId, scheduledAt: at, priority: 5 }).expect(201);
    expect(scheduled.body).toMatchObject({ status: 'scheduled', priority: 5, scheduledAt: at });
    const job = await t.app.get(RunQueues).queue(workcellId).getJob(scheduled.body.id);
    expect(await job?.isDelayed()).toBe(true);

    const list = await t.http.get(`/api/v1/runs?status=scheduled&workcellId=${workcellId}`).set(viewer).expect(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([scheduled.body.id]);
    const byName = await t.http.get('/api/v1/runs?protocolName=plate_replication&sort=createdAt').set(viewer).expect(200);
    expect(byName.body.total).toBe(3);
    await t.http.get('/api/v1/runs?status=bogus').set(viewer).expect(400);

    const cancelled = await t.http.post(`/api/v1/runs/${scheduled.body.id}/actions`).set(operator).send({ action: 'cancel', reason: 'not today' }).expect(202);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.endedAt).not.toBeNull();
    expect(await t.app.get(RunQueues).queue(workcellId).getJob(scheduled.body.id)).toBeUndefined();
    const tr = await t.http.get(`/api/v1/runs/${scheduled.body.id}/transitions`).set(viewer).expect(200);
    expect(tr.body.map((x: { to: string }) => x.to)).toEqual(['scheduled', 'cancelled']);
    expect(tr.body[1]).toMatchObject({ from: 'scheduled', actor: 'user:otto', reason: 'not today' });

    const again = await t.http.post(`/api/v1/runs/${scheduled.body.id}/actions`).set(operator).send({ action: 'cancel' }).expect(409);
    expect(again.body.error.details.status).toBe('cancelled');
    const queued = byName.body.items[0];
    const resume = await t.http.post(`/api/v1/runs/${queued.id}/actions`).set(operator).send({ action: 'resume' }).expect(409);
    expect(resume.body.error.message).toContain('queued');
    const badAction = await t.http.post(`/api/v1/runs/${queued.id}/actions`).set(operator).send({ action: 'explode' }).expect(400);
    expect(fields(badAction)).toEqual(['action']);
    await t.http.post(`/api/v1/runs/${queued.id}/actions`).set(viewer).send({ action: 'cancel' }).expect(403);
    await t.http.get('/api/v1/runs/0190a000-0000-7000-8000-000000000000').set(viewer).expect(404);
  });

  it('an action applies to the status the run has when it is taken, not when the request was read: cancel pressed as a run moves to awaiting_input', async () => {
    const run = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.serial_dilution, workcellId }).expect(201)).body;
    await t.app.get(RunQueues).queue(workcellId).remove(run.id);
    await t.db.query(`UPDATE runs SET status = 'running' WHERE id = $1`, [run.id]);
    // A worker's transaction holds the run's row while it moves it running → awaiting_input; the
    // cancel arrives in between: it has read `running` and must wait for the row.
    const worker = new pg.Client({ connectionString: t.db.url });
    await worker.connect();
    try {
      await worker.query('BEGIN');
      await worker.query('SELECT status FROM runs WHERE id = $1 FOR UPDATE', [run.id]);
      const cancel = t.http.post(`/api/v1/runs/${run.id}/cancel`).set(operator).send({ reason: 'wrong plate' }).then((r) => r);
      // (Watched from another connection: inside a transaction pg_stat_activity is a snapshot.)
      await eventually(async () => {
        const waiting = await t.db.query(`SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return waiting.some((r: { query: string }) => /FROM runs WHERE id = \$1 FOR UPDATE/.test(r.query)) ? true : undefined;
      }, 'the cancel waiting for the run row');
      await worker.query(`UPDATE runs SET status = 'awaiting_input' WHERE id = $1`, [run.id]);
      await worker.query('COMMIT');
      const res = await cancel;
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('canceling');
      const tr = (await t.http.get(`/api/v1/runs/${run.id}/transitions`).set(viewer).expect(200)).body;
      expect(tr.at(-1)).toMatchObject({ from: 'awaiting_input', to: 'canceling', actor: 'user:otto', reason: 'wrong plate' });
    } finally {
      await worker.end();
    }
  });
});
