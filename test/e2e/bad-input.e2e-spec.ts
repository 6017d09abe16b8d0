import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/app.js';

/** Bad input gets a clear 4xx in the one envelope, naming the field; never a 500, never an error log. */
describe('bad input', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.login();
  });
  afterAll(() => t.close());

  const expectEnvelope = (body: Record<string, unknown>, code: string) => {
    expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), traceId: expect.any(String) }) });
  };

  it('malformed JSON -> 400 INVALID_JSON', async () => {
    const res = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"username": "admin",').expect(400);
    expectEnvelope(res.body, 'INVALID_JSON');
    expect(res.body.error.message).toMatch(/JSON/);
  });

  it('unknown fields -> 400 naming the field', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({ username: 'admin', password: 'x', isAdmin: true }).expect(400);
    expectEnvelope(res.body, 'VALIDATION_FAILED');
    expect(res.body.error.details.fields).toEqual(['isAdmin']);
    expect(res.body.error.message).toMatch(/isAdmin/);
  });

  it('wrong types -> 400 naming the field', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({ username: 42, password: 'x' }).expect(400);
    expectEnvelope(res.body, 'VALIDATION_FAILED');
    expect(res.body.error.details.fields).toEqual(['username']);
    expect(res.body.error.message).toMatch(/username must be a string/);
  });

  it('missing fields -> 400 naming each', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({}).expect(400);
    expect(res.body.error.details.fields.sort()).toEqual(['password', 'username']);
  });

  it('a JSON array or scalar instead of an object -> 400, not 500', async () => {
    const arr = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('[1,2]');
    expect(arr.status).toBe(400);
    const scalar = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('"admin"');
    expect(scalar.status).toBe(400);
  });

  it('validation on authenticated routes names nested and enum fields', async () => {
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${token}`)
      .send({ username: 'ok-name', password: 'short', role: 'superuser' })
      .expect(400);
    expect(res.body.error.details.fields.sort()).toEqual(['password', 'role']);
  });

  it('query parameters are validated and named', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const limit = await t.http.get('/api/v1/users?limit=5000').set(auth).expect(400);
    expect(limit.body.error.details.fields).toEqual(['limit']);
    const sort = await t.http.get('/api/v1/users?sort=passwordHash').set(auth).expect(400);
    expect(sort.body.error.details.fields).toEqual(['sort']);
    const unknown = await t.http.get('/api/v1/users?colour=red').set(auth).expect(400);
    expect(unknown.body.error.details.fields).toEqual(['colour']);
    const date = await t.http.get('/api/v1/users?createdFrom=yesterday').set(auth).expect(400);
    expect(date.body.error.details.fields).toEqual(['createdFrom']);
    // Out of the database's range: a 400, not "bigint out of range".
    const offset = await t.http.get('/api/v1/users?offset=99999999999999999999').set(auth).expect(400);
    expect(offset.body.error.details.fields).toEqual(['offset']);
    // Outputs have no JSONB properties and are created `at`.
    const prop = await t.http.get('/api/v1/outputs?property.room=B12').set(auth).expect(400);
    expect(prop.body.error.details.fields).toEqual(['property']);
    await t.http.get(`/api/v1/outputs?createdFrom=${encodeURIComponent('2020-01-01T00:00:00Z')}`).set(auth).expect(200);
  });

  it('null for a required field in a partial update -> 400 naming it, not a 500', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const u = await t.http.post('/api/v1/users').set(auth).send({ username: 'nully', password: 'password-1', role: 'viewer' }).expect(201);
    for (const field of ['username', 'role', 'password', 'disabled', 'properties']) {
      const res = await t.http.patch(`/api/v1/users/${u.body.id}`).set(auth).send({ [field]: null }).expect(400);
      expect(res.body.error.details.fields).toEqual([field]);
    }
    // null clears the nullable ones
    const cleared = await t.http.patch(`/api/v1/users/${u.body.id}`).set(auth).send({ displayName: null, email: null }).expect(200);
    expect(cleared.body).toMatchObject({ displayName: null, email: null });
    const wc = await t.http.post('/api/v1/workcells').set(auth).send({ name: 'nully-cell', location: 'x' }).expect(201);
    const bad = await t.http.patch(`/api/v1/workcells/${wc.body.id}`).set(auth).send({ name: null }).expect(400);
    expect(bad.body.error.details.fields).toEqual(['name']);
    await t.http.patch(`/api/v1/workcells/${wc.body.id}`).set(auth).send({ location: null }).expect(200);
  });

  it('malformed ids in the path -> 400 naming the parameter', async () => {
    const res = await t.http.get('/api/v1/users/not-a-uuid').set('Authorization', `Bearer ${token}`).expect(400);
    expect(res.body.error.details.fields).toEqual(['id']);
  });

  it('an unknown id -> 404 in the envelope', async () => {
    const res = await t.http.get('/api/v1/users/01900000-0000-7000-8000-000000000000').set('Authorization', `Bearer ${token}`).expect(404);
    expectEnvelope(res.body, 'NOT_FOUND');
  });

  it('an unknown route -> 404 in the envelope', async () => {
    const res = await t.http.get('/api/v1/no-such-thing').expect(404);
    expectEnvelope(res.body, 'NOT_FOUND');
  });

  it('a wrong content type -> 415, a body over the default 1 MB limit -> 413 (every write route: security.e2e-spec.ts)', async () => {
    const text = await t.http.post('/api/v1/auth/login').set('Content-Type', 'text/plain').send('username=admin');
    expect(text.status).toBe(415);
    expectEnvelope(text.body, 'UNSUPPORTED_MEDIA_TYPE');
    expect(text.body.error.message).toMatch(/application\/json.*text\/plain/);
    const big = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send(JSON.stringify({ username: 'a'.repeat(1_100_000), password: 'x' }));
    expect(big.status).toBe(413);
    expectEnvelope(big.body, 'PAYLOAD_TOO_LARGE');
  });

  it('every error carries the request id: X-Request-Id header equals traceId', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({}).expect(400);
    expect(res.headers['x-request-id']).toBe(res.body.error.traceId);
    const given = await t.http.post('/api/v1/auth/login').set('X-Request-Id', 'client-trace-0001').send({}).expect(400);
    expect(given.headers['x-request-id']).toBe('client-trace-0001');
    expect(given.body.error.traceId).toBe('client-trace-0001');
    const ok = await t.http.get('/api/v1/health').expect(200);
    expect(ok.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('the request id is in the access log line of the request', async () => {
    await t.http.post('/api/v1/auth/login').set('X-Request-Id', 'trace-in-log-42').send({}).expect(400);
    const line = t.logs.lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'trace-in-log-42');
    expect(line).toBeDefined();
    expect(line?.level).toBe(40);
  });

  it('none of it answered 500 or logged at error level', () => {
    expect(t.logs.errors()).toEqual([]);
    expect(t.logs.lines.filter((l) => (l.res as { statusCode?: number } | undefined)?.statusCode === 500)).toEqual([]);
  });
});
