import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN, createTestApp, type TestApp } from '../support/app.js';

describe('admin CRUD on /api/v1/users', () => {
  let t: TestApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    t = await createTestApp();
    auth = { Authorization: `Bearer ${await t.login()}` };
  });
  afterAll(() => t.close());

  it('creates, reads, updates and deletes a user; the password never comes back', async () => {
    const created = await t.http
      .post('/api/v1/users')
      .set(auth)
      .send({ username: 'Alice.Lab', password: 'alice-password', role: 'operator', email: 'alice@lab.example', properties: { site: { room: 'B12' } } })
      .expect(201);
    expect(created.body).toMatchObject({ username: 'alice.lab', role: 'operator', disabled: false, email: 'alice@lab.example' });
    expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/); // UUIDv7
    expect(created.body).not.toHaveProperty('passwordHash');
    expect(created.body).not.toHaveProperty('password');

    const got = await t.http.get(`/api/v1/users/${created.body.id}`).set(auth).expect(200);
    expect(got.body).toEqual(created.body);

    // Logging in is case-insensitive on the username.
    await t.login('ALICE.LAB', 'alice-password');

    const updated = await t.http.patch(`/api/v1/users/${created.body.id}`).set(auth).send({ role: 'viewer', displayName: 'Alice' }).expect(200);
    expect(updated.body).toMatchObject({ role: 'viewer', displayName: 'Alice' });
    expect(new Date(updated.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.body.updatedAt).getTime());

    await t.http.delete(`/api/v1/users/${created.body.id}`).set(auth).expect(204);
    await t.http.get(`/api/v1/users/${created.body.id}`).set(auth).expect(404);
  });

  it('refuses a duplicate username with 409 naming the field', async () => {
    await t.http.post('/api/v1/users').set(auth).send({ username: 'dup', password: 'password-1', role: 'viewer' }).expect(201);
    const res = await t.http.post('/api/v1/users').set(auth).send({ username: 'DUP', password: 'password-2', role: 'viewer' }).expect(409);
    expect(res.body.error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'username' } });
  });

  it('lists with total, limit, offset, sort, filters and property.<key> filters', async () => {
    for (const [name, role, room] of [
      ['list-a', 'viewer', 'B12'],
      ['list-b', 'operator', 'B12'],
      ['list-c', 'operator', 'C01'],
    ]) {
      await t.http.post('/api/v1/users').set(auth).send({ username: name, password: 'password-1', role, properties: { room } }).expect(201);
    }
    const page = await t.http.get('/api/v1/users?search=list-&sort=-username&limit=2&offset=0').set(auth).expect(200);
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(page.body.items.map((u: { username: string }) => u.username)).toEqual(['list-c', 'list-b']);
    const next = await t.http.get('/api/v1/users?search=list-&sort=-username&limit=2&offset=2').set(auth).expect(200);
    expect(next.body.items.map((u: { username: string }) => u.username)).toEqual(['list-a']);

    const ops = await t.http.get('/api/v1/users?search=list-&role=operator').set(auth).expect(200);
    expect(ops.body.total).toBe(2);
    const room = await t.http.get('/api/v1/users?property.room=B12').set(auth).expect(200);
    expect(room.body.items.map((u: { username: string }) => u.username).sort()).toEqual(['list-a', 'list-b']);
    const both = await t.http.get('/api/v1/users?property.room=B12&role=operator').set(auth).expect(200);
    expect(both.body.items.map((u: { username: string }) => u.username)).toEqual(['list-b']);

    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await t.http.get(`/api/v1/users?createdFrom=${encodeURIComponent(future)}`).set(auth).expect(200);
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it('keeps at least one enabled admin, and an admin cannot delete or demote themselves', async () => {
    const me = await t.http.get('/api/v1/auth/me').set(auth).expect(200);
    const self = await t.http.delete(`/api/v1/users/${me.body.userId}`).set(auth).expect(409);
    expect(self.body.error.code).toBe('CONFLICT');
    await t.http.patch(`/api/v1/users/${me.body.userId}`).set(auth).send({ role: 'viewer' }).expect(409);

    // With a second admin, the first one may be demoted by the second.
    const second = await t.createUser('second-admin', 'admin' as never);
    await t.http.patch(`/api/v1/users/${me.body.userId}`).set({ Authorization: `Bearer ${second.token}` }).send({ role: 'operator' }).expect(200);
    // ...but now the second is the last admin: not even another (e.g. OIDC) admin may disable or delete it.
    const { UsersService, Role } = await import('@praxis/auth');
    const oidcAdmin = { subject: 'kc-1', username: 'kc-admin', roles: [Role.Admin], issuer: 'https://idp.example' };
    await expect(t.app.get(UsersService).update(second.id, { disabled: true }, oidcAdmin)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/at least one enabled admin/),
    });
    await expect(t.app.get(UsersService).remove(second.id, oidcAdmin)).rejects.toMatchObject({ code: 'CONFLICT' });
    // Restore (role change revoked the first admin's token: log in again).
    await t.http.patch(`/api/v1/users/${me.body.userId}`).set({ Authorization: `Bearer ${second.token}` }).send({ role: 'admin' }).expect(200);
    auth = { Authorization: `Bearer ${await t.login(ADMIN.username, ADMIN.password)}` };
  });

  it('seeding the admin is idempotent and a given password resets it', async () => {
    const { UsersService } = await import('@praxis/auth');
    const users = t.app.get(UsersService);
    expect(await users.ensureAdmin('admin', undefined, () => 'unused-password')).toEqual({ created: false });
    expect(await users.ensureAdmin('admin', 'reset-password-1', () => 'unused')).toEqual({ created: false });
    await t.login('admin', 'reset-password-1');
    const created = await users.ensureAdmin('root2', undefined, () => 'generated-pass-1');
    expect(created).toEqual({ created: true, password: 'generated-pass-1' });
    await t.login('root2', 'generated-pass-1');
  });
});
