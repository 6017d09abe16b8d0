import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { ADMIN, createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { eventually } from '../support/worker.js';

type Auth = { Authorization: string };

interface Entry {
  id: string;
  createdAt: string;
  actorId: string | null;
  actorUsername: string | null;
  actorRole: string | null;
  method: string;
  route: string;
  path: string;
  targetType: string | null;
  targetId: string | null;
  status: number;
  outcome: 'success' | 'failure';
  errorCode: string | null;
  requestId: string;
  summary: Record<string, unknown> | null;
}

describe('audit log: who did what, to what, and how it ended', () => {
  let t: TestApp;
  let admin: Auth;
  let operator: Auth;
  let viewer: Auth;
  let adminId: string;
  let operatorId: string;
  let defs: Record<string, string>;
  let demo: string;

  const audit = async (query = ''): Promise<{ items: Entry[]; total: number; limit: number; offset: number }> =>
    (await t.http.get(`/api/v1/audit${query ? `?${query}` : ''}`).set(admin).expect(200)).body;
  /** The entry of one request, found by its request id (guard refusals are written just after the answer). */
  const entryOf = (res: { headers: Record<string, string> }) =>
    eventually(async () => (await audit(`requestId=${res.headers['x-request-id']}`)).items[0], `the audit entry of ${res.headers['x-request-id']}`);

  beforeAll(async () => {
    t = await createTestApp();
    admin = { Authorization: `Bearer ${await t.login()}` };
    adminId = (await t.http.get('/api/v1/auth/me').set(admin).expect(200)).body.userId;
    const op = await t.createUser('opal', Role.Operator);
    operatorId = op.id;
    operator = { Authorization: `Bearer ${op.token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('vic', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    defs = {};
    for (const d of (await t.app.get(ProtocolSourcesService).ensureFolderSource('examples', resolve('examples/protocols'))).report.added) defs[d.name] = d.id;
    demo = (await t.http.get('/api/v1/workcells').set(admin).expect(200)).body.items[0].id;
  }, 60000);
  afterAll(async () => {
    await t?.close();
  });

  it('records a create with its actor, the created id as target, the status and the request id', async () => {
    const res = await t.http.post('/api/v1/workcells').set(admin).send({ name: 'bench_a', location: 'room 12' }).expect(201);
    const e = await entryOf(res);
    expect(e).toMatchObject({
      actorId: adminId,
      actorUsername: ADMIN.username,
      actorRole: 'admin',
      method: 'POST',
      route: '/api/v1/workcells',
      path: '/api/v1/workcells',
      targetType: 'workcells',
      targetId: res.body.id,
      status: 201,
      outcome: 'success',
      errorCode: null,
      requestId: res.headers['x-request-id'],
      summary: { name: 'bench_a', location: 'room 12' },
    });
    // Written before the answer left: it is there at once, not eventually.
    expect((await audit(`requestId=${res.headers['x-request-id']}`)).total).toBe(1);
  });

  it('records failures: a role refusal (403), bad input (400), a missing target (404), a conflict (409)', async () => {
    const refused = await t.http.post('/api/v1/workcells').set(operator).send({ name: 'sneaky' }).expect(403);
    expect(await entryOf(refused)).toMatchObject({
      actorId: operatorId,
      actorUsername: 'opal',
      actorRole: 'operator',
      route: '/api/v1/workcells',
      targetType: 'workcells',
      targetId: null,
      status: 403,
      outcome: 'failure',
      errorCode: 'FORBIDDEN',
      requestId: refused.body.error.traceId,
    });

    const wc = (await t.http.post('/api/v1/workcells').set(admin).send({ name: 'bench_b' }).expect(201)).body;
    const invalid = await t.http.patch(`/api/v1/workcells/${wc.id}`).set(admin).send({ name: 42 }).expect(400);
    expect(await entryOf(invalid)).toMatchObject({ method: 'PATCH', route: '/api/v1/workcells/:id', targetType: 'workcells', targetId: wc.id, status: 400, outcome: 'failure', errorCode: 'VALIDATION_FAILED', summary: { name: 42 } });

    const missing = '0190b0f0-0000-7000-8000-000000000000';
    const gone = await t.http.delete(`/api/v1/workcells/${missing}`).set(admin).expect(404);
    expect(await entryOf(gone)).toMatchObject({ method: 'DELETE', targetId: missing, status: 404, errorCode: 'NOT_FOUND' });

    const run = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.plate_replication, workcellId: demo, scheduledAt: new Date(Date.now() + 3600_000).toISOString() }).expect(201)).body;
    const nothingAsked = await t.http.post(`/api/v1/runs/${run.id}/input`).set(operator).send({ values: { confirmed: true } }).expect(409);
    expect(await entryOf(nothingAsked)).toMatchObject({ actorUsername: 'opal', route: '/api/v1/runs/:id/input', targetType: 'runs', targetId: run.id, status: 409, errorCode: 'CONFLICT', summary: { values: { confirmed: true } } });
  });

  it('records runs and run actions by operators, with what was asked', async () => {
    const created = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.plate_replication, workcellId: demo, parameters: { volume: 15 }, scheduledAt: new Date(Date.now() + 3600_000).toISOString() }).expect(201);
    expect(await entryOf(created)).toMatchObject({ actorUsername: 'opal', targetType: 'runs', targetId: created.body.id, status: 201, summary: { protocolId: defs.plate_replication, parameters: { volume: 15 } } });
    const cancel = await t.http.post(`/api/v1/runs/${created.body.id}/actions`).set(operator).send({ action: 'cancel', reason: 'wrong plate' }).expect(202);
    expect(await entryOf(cancel)).toMatchObject({ route: '/api/v1/runs/:id/actions', targetType: 'runs', targetId: created.body.id, status: 202, outcome: 'success', summary: { action: 'cancel', reason: 'wrong plate' } });
    const again = await t.http.post(`/api/v1/runs/${created.body.id}/actions`).set(operator).send({ action: 'cancel' }).expect(409);
    expect(await entryOf(again)).toMatchObject({ status: 409, outcome: 'failure', errorCode: 'CONFLICT' });
  });

  it('never stores a password or a token, only a redacted summary', async () => {
    const created = await t.http.post('/api/v1/users').set(admin).send({ username: 'newbie', password: 'first-Secret-123', role: 'viewer' }).expect(201);
    const changed = await t.http.patch(`/api/v1/users/${created.body.id}`).set(admin).send({ password: 'second-Secret-456' }).expect(200);
    const source = await t.http.post('/api/v1/protocols/sources').set(admin).send({ name: 'private_repo', kind: 'git', url: 'https://bot:tok3n-value@127.0.0.1:9/lab/protocols.git', ref: 'main' });
    expect(await entryOf(created)).toMatchObject({ targetType: 'users', targetId: created.body.id, summary: { username: 'newbie', password: '[redacted]', role: 'viewer' } });
    expect(await entryOf(changed)).toMatchObject({ targetId: created.body.id, summary: { password: '[redacted]' } });
    expect((await entryOf(source)).summary).toMatchObject({ url: 'https://***@127.0.0.1:9/lab/protocols.git' });
    const rows = JSON.stringify(await t.db.query('SELECT * FROM audit_entries'));
    for (const secret of ['first-Secret-123', 'second-Secret-456', 'tok3n-value', ADMIN.password]) expect(rows).not.toContain(secret);
    expect(rows).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no bearer token either
  });

  it('does not record reads, logins or anonymous attempts', async () => {
    const before = (await audit()).total;
    await t.http.get('/api/v1/workcells').set(viewer).expect(200);
    await t.http.post('/api/v1/auth/login').send({ username: 'vic', password: 'vic-password' }).expect(200);
    await t.http.post('/api/v1/auth/login').send({ username: 'vic', password: 'wrong-password' }).expect(401);
    await t.http.post('/api/v1/workcells').send({ name: 'anonymous' }).expect(401);
    // A write after them, so that anything they had recorded would be in by now.
    const marker = await t.http.post('/api/v1/workcells').set(admin).send({ name: 'marker' }).expect(201);
    await entryOf(marker);
    expect((await audit()).total).toBe(before + 1);
    expect((await audit('targetType=auth/login')).total).toBe(0);
  });

  it('a failure to write the audit entry does not fail the request: it is logged at error level', async () => {
    await t.db.query('ALTER TABLE audit_entries RENAME TO audit_entries_away');
    let res;
    try {
      res = await t.http.post('/api/v1/workcells').set(admin).send({ name: 'while_away' }).expect(201);
    } finally {
      await t.db.query('ALTER TABLE audit_entries_away RENAME TO audit_entries');
    }
    const line = t.logs.errors().find((l) => l.msg === 'audit entry could not be stored');
    expect(line).toMatchObject({ audit: { method: 'POST', targetId: res.body.id, requestId: res.headers['x-request-id'], actorUsername: ADMIN.username } });
  });

  it('GET /audit is for admins only', async () => {
    await t.http.get('/api/v1/audit').set(viewer).expect(403);
    await t.http.get('/api/v1/audit').set(operator).expect(403);
    await t.http.get('/api/v1/audit').expect(401);
  });

  it('filters by actor, target, outcome, status, method and time range, with the list conventions', async () => {
    const all = await audit('limit=1000');
    expect(all.total).toBe(all.items.length);
    // Newest first.
    const times = all.items.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    const byOpal = await audit('actorUsername=opal&limit=1000');
    expect(byOpal.total).toBeGreaterThanOrEqual(5);
    expect(byOpal.items.every((e) => e.actorUsername === 'opal' && e.actorId === operatorId)).toBe(true);
    expect((await audit(`actorId=${operatorId}`)).total).toBe(byOpal.total);

    const failures = await audit('outcome=failure&limit=1000');
    expect(failures.items.length).toBeGreaterThanOrEqual(5);
    expect(failures.items.every((e) => e.status >= 400 && e.errorCode)).toBe(true);
    expect((await audit('status=403')).items.map((e) => e.actorUsername)).toEqual(['opal']);
    expect((await audit('errorCode=FORBIDDEN')).total).toBe(1);
    expect((await audit('method=delete')).items.every((e) => e.method === 'DELETE')).toBe(true);

    const wc = all.items.find((e) => e.summary?.name === 'bench_b' && e.method === 'POST')!;
    const onTarget = await audit(`targetType=workcells&targetId=${wc.targetId}&sort=createdAt`);
    expect(onTarget.items.map((e) => [e.method, e.status])).toEqual([
      ['POST', 201],
      ['PATCH', 400],
    ]);

    // Time range: createdFrom is inclusive, createdTo exclusive.
    const pivot = all.items[Math.floor(all.items.length / 2)]!.createdAt;
    const newer = await audit(`createdFrom=${pivot}&limit=1000`);
    const older = await audit(`createdTo=${pivot}&limit=1000`);
    expect(newer.total + older.total).toBe(all.total);
    expect(newer.items.every((e) => e.createdAt >= pivot) && older.items.every((e) => e.createdAt < pivot)).toBe(true);

    const page = await audit('limit=2&offset=1');
    expect(page).toMatchObject({ limit: 2, offset: 1, total: all.total });
    expect(page.items.map((e) => e.id)).toEqual(all.items.slice(1, 3).map((e) => e.id));

    const bad = async (q: string) => (await t.http.get(`/api/v1/audit?${q}`).set(admin).expect(400)).body.error.details.fields;
    expect(await bad('outcome=meh')).toEqual(['outcome']);
    expect(await bad('status=abc')).toEqual(['status']);
    expect(await bad('method=GET')).toEqual(['method']);
    expect(await bad('sort=actorRole')).toEqual(['sort']);
    expect(await bad('property.x=1')).toEqual(['property']);
    expect(await bad('createdFrom=yesterday')).toEqual(['createdFrom']);
  });
});
