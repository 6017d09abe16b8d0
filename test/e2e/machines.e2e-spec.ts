import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MachinesService } from '@praxis/machines';
import { createTestApp, type TestApp } from '../support/app.js';
import { MACHINE_KINDS, Role } from '../support/hardware.js';

type Auth = { Authorization: string };

describe('machines: definitions, machines, status', () => {
  let t: TestApp;
  let admin: Auth;
  let operator: Auth;
  let viewer: Auth;
  let wc1: string;
  let wc2: string;
  const defs: Record<string, string> = {};

  const newWorkcell = async (name: string): Promise<string> =>
    (await t.db.query(`INSERT INTO workcells (id, name, properties, "createdAt", "updatedAt") VALUES (gen_random_uuid(), $1, '{}', now(), now()) RETURNING id`, [name]))[0].id;

  const createMachine = (body: Record<string, unknown>) => t.http.post('/api/v1/machines').set(admin).send(body);

  /** A simulated STARlet in wc-1 named `name`, created or failed loudly. */
  const starlet = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await createMachine({ name, workcellId: wc1, definitionId: defs['Hamilton STARlet'], backend: 'simulator', ...extra });
    if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; name: string; status: string; connectionConfig: Record<string, unknown> };
  };

  const fields = (res: { body: { error: { details: { fields: string[] } } } }) => res.body.error.details.fields;

  beforeAll(async () => {
    t = await createTestApp();
    admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('olga', Role.Operator)).token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('vince', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    const all = await t.http.get('/api/v1/machines/definitions?limit=1000').set(admin).expect(200);
    for (const d of all.body.items) defs[d.name] = d.id;
    wc1 = await newWorkcell('wc-1');
    wc2 = await newWorkcell('wc-2');
  });
  afterAll(() => t.close());

  describe('definitions', () => {
    it('lists the synced catalog (not taken for /machines/:id), with filters and the list conventions', async () => {
      const all = await t.http.get('/api/v1/machines/definitions').set(viewer).expect(200);
      expect(all.body).toMatchObject({ total: MACHINE_KINDS.length, limit: 50, offset: 0 });
      expect(all.body.items.map((d: { name: string }) => d.name)).toEqual(MACHINE_KINDS.map((k) => k.name).sort());
      const lh = await t.http.get('/api/v1/machines/definitions?category=LiquidHandler&sort=-name').set(viewer).expect(200);
      expect(lh.body.items.map((d: { name: string }) => d.name)).toEqual(['Opentrons OT-2', 'Hamilton STARlet', 'Hamilton STAR']);
      const hamilton = await t.http.get('/api/v1/machines/definitions?manufacturer=hamilton&limit=1&offset=1&sort=name').set(viewer).expect(200);
      expect(hamilton.body).toMatchObject({ total: 2, limit: 1, offset: 1, items: [{ name: 'Hamilton STARlet', manufacturer: 'Hamilton', source: 'catalog' }] });
      const bad = await t.http.get('/api/v1/machines/definitions?category=Toaster').set(viewer).expect(400);
      expect(fields(bad)).toEqual(['category']);
      const badSort = await t.http.get('/api/v1/machines/definitions?sort=backends').set(viewer).expect(400);
      expect(fields(badSort)).toEqual(['sort']);
    });

    it('gets one with its backends and their config schemas; unknown → 404, malformed → 400', async () => {
      const one = await t.http.get(`/api/v1/machines/definitions/${defs['Inheco ThermoShake']}`).set(viewer).expect(200);
      expect(one.body).toMatchObject({ category: 'HeaterShaker', manufacturer: 'Inheco', model: 'ThermoShake', deckType: null, source: 'catalog' });
      expect(one.body.backends.map((b: { name: string }) => b.name)).toEqual(['simulator', 'inheco-serial']);
      expect(one.body.backends[1]).toMatchObject({ transport: 'serial', configSchema: { type: 'object', required: ['port'] } });
      await t.http.get(`/api/v1/machines/definitions/${randomUUID()}`).set(viewer).expect(404);
      const bad = await t.http.get('/api/v1/machines/definitions/not-a-uuid').set(viewer).expect(400);
      expect(fields(bad)).toEqual(['id']);
    });

    it('admins add custom definitions; config schemas must compile; names are unique', async () => {
      const body = {
        name: 'Acme Shaker 3000',
        category: 'Shaker',
        manufacturer: 'Acme',
        model: 'S3000',
        backends: [
          { name: 'simulator', description: 'sim', transport: 'none', configSchema: { type: 'object', properties: { seed: { type: 'integer' } } } },
          {
            name: 'acme-tcp',
            description: 'TCP',
            transport: 'tcp',
            configSchema: { type: 'object', additionalProperties: false, properties: { host: { type: 'string', format: 'hostname' }, port: { type: 'integer', default: 4000 } }, required: ['host'] },
          },
        ],
      };
      const created = await t.http.post('/api/v1/machines/definitions').set(admin).send(body).expect(201);
      expect(created.body).toMatchObject({ name: 'Acme Shaker 3000', category: 'Shaker', source: 'custom', description: '', deckType: null });
      expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
      defs['Acme Shaker 3000'] = created.body.id;
      const dup = await t.http.post('/api/v1/machines/definitions').set(admin).send(body).expect(409);
      expect(dup.body.error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });
      const custom = await t.http.get('/api/v1/machines/definitions?source=custom').set(viewer).expect(200);
      expect(custom.body.items.map((d: { name: string }) => d.name)).toEqual(['Acme Shaker 3000']);

      // A machine of it: the format keyword works (ajv-formats) and defaults are applied.
      const m = await createMachine({ name: 'acme', workcellId: wc2, definitionId: created.body.id, backend: 'acme-tcp', connectionConfig: { host: 'shaker.lab' } }).expect(201);
      expect(m.body).toMatchObject({ category: 'Shaker', connectionConfig: { host: 'shaker.lab', port: 4000 } });
      const badHost = await createMachine({ name: 'acme2', workcellId: wc2, definitionId: created.body.id, backend: 'acme-tcp', connectionConfig: { host: 'not a host!' } }).expect(400);
      expect(fields(badHost)).toEqual(['connectionConfig.host']);
    });

    it('refuses bad definitions naming the field', async () => {
      const base = { name: 'Broken', category: 'Other', manufacturer: 'X', model: 'Y' };
      const backend = (configSchema: unknown, name = 'b') => ({ name, description: '', transport: 'none', configSchema });
      const notCompiling = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, backends: [backend({ type: 'object', properties: { a: { type: 'bogus' } } })] }).expect(400);
      expect(fields(notCompiling)).toEqual(['backends.0.configSchema']);
      expect(notCompiling.body.error.message).toMatch(/does not compile/);
      const badRef = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, backends: [backend({ type: 'object' }), backend({ $ref: '#/nowhere' }, 'c')] }).expect(400);
      expect(fields(badRef)).toEqual(['backends.1.configSchema']);
      const notObject = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, backends: [backend({ type: 'string' })] }).expect(400);
      expect(fields(notObject)).toEqual(['backends.0.configSchema']);
      const twice = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, backends: [backend({}), backend({})] }).expect(400);
      expect(fields(twice)).toEqual(['backends.1.name']);
      const none = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, backends: [] }).expect(400);
      expect(fields(none)).toEqual(['backends']);
      const badTransport = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, backends: [{ ...backend({}), transport: 'pigeon' }] }).expect(400);
      expect(fields(badTransport)).toEqual(['backends.0.transport']);
      const badCategory = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, category: 'Toaster', backends: [backend({})] }).expect(400);
      expect(fields(badCategory)).toEqual(['category']);
      const badDeck = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, deckType: 'NoSuchDeck', backends: [backend({})] }).expect(400);
      expect(fields(badDeck)).toEqual(['deckType']);
      const withDeck = await t.http.post('/api/v1/machines/definitions').set(admin).send({ ...base, name: 'My STARlet clone', deckType: 'STARletDeck', backends: [backend({})] }).expect(201);
      expect(withDeck.body.deckType).toBe('STARletDeck');
    });

    it('only admins write definitions', async () => {
      const body = { name: 'Nope', category: 'Other', manufacturer: 'X', model: 'Y', backends: [{ name: 'b', description: '', transport: 'none', configSchema: {} }] };
      await t.http.post('/api/v1/machines/definitions').set(operator).send(body).expect(403);
      await t.http.post('/api/v1/machines/definitions').set(viewer).send(body).expect(403);
      await t.http.get('/api/v1/machines/definitions').expect(401);
    });
  });

  describe('machines CRUD', () => {
    it('creates with defaults applied and the category copied, reads, updates and deletes', async () => {
      const created = await createMachine({ name: 'lh-1', workcellId: wc1, definitionId: defs['Hamilton STARlet'], backend: 'simulator', connectionConfig: { numChannels: 4 }, properties: { room: 'B12' } }).expect(201);
      expect(created.body).toMatchObject({
        name: 'lh-1',
        workcellId: wc1,
        definitionId: defs['Hamilton STARlet'],
        definition: { id: defs['Hamilton STARlet'], name: 'Hamilton STARlet', category: 'LiquidHandler' },
        category: 'LiquidHandler',
        backend: 'simulator',
        connectionConfig: { numChannels: 4, has96Head: true, hasGripper: true, timeModel: false },
        status: 'available',
        statusReason: null,
        currentRunId: null,
        properties: { room: 'B12' },
      });
      expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
      const [row] = await t.db.query(`SELECT "connectionConfig", category FROM machines WHERE id = $1`, [created.body.id]);
      expect(row).toEqual({ connectionConfig: { numChannels: 4, has96Head: true, hasGripper: true, timeModel: false }, category: 'LiquidHandler' });

      const got = await t.http.get(`/api/v1/machines/${created.body.id}`).set(viewer).expect(200);
      expect(got.body).toEqual(created.body);

      const renamed = await t.http.patch(`/api/v1/machines/${created.body.id}`).set(admin).send({ name: 'lh-renamed', properties: { room: 'C01' } }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'lh-renamed', properties: { room: 'C01' }, connectionConfig: created.body.connectionConfig });
      expect(new Date(renamed.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.body.updatedAt).getTime());

      const usb = await t.http
        .patch(`/api/v1/machines/${created.body.id}`)
        .set(admin)
        .send({ backend: 'hamilton-star-usb', connectionConfig: { serialNumber: 'S123' } })
        .expect(200);
      expect(usb.body).toMatchObject({ backend: 'hamilton-star-usb', connectionConfig: { serialNumber: 'S123', readTimeoutMs: 30000, numChannels: 8 } });

      const config = await t.http.patch(`/api/v1/machines/${created.body.id}`).set(admin).send({ connectionConfig: { readTimeoutMs: 1000 } }).expect(200);
      expect(config.body.connectionConfig).toEqual({ readTimeoutMs: 1000, numChannels: 8 });

      await t.http.delete(`/api/v1/machines/${created.body.id}`).set(admin).expect(204);
      await t.http.get(`/api/v1/machines/${created.body.id}`).set(viewer).expect(404);
      await t.http.delete(`/api/v1/machines/${created.body.id}`).set(admin).expect(404);
    });

    it('admins write; operators and viewers read', async () => {
      const body = { name: 'nope', workcellId: wc1, definitionId: defs['Hamilton STARlet'], backend: 'simulator' };
      await t.http.post('/api/v1/machines').set(operator).send(body).expect(403);
      await t.http.post('/api/v1/machines').set(viewer).send(body).expect(403);
      const m = await starlet('roles-1');
      await t.http.get(`/api/v1/machines/${m.id}`).set(operator).expect(200);
      await t.http.patch(`/api/v1/machines/${m.id}`).set(operator).send({ name: 'x' }).expect(403);
      await t.http.delete(`/api/v1/machines/${m.id}`).set(viewer).expect(403);
      await t.http.get('/api/v1/machines').expect(401);
    });
  });

  describe('bad input', () => {
    it('unknown workcell or definition → 400 naming the field', async () => {
      const noWc = await createMachine({ name: 'x', workcellId: randomUUID(), definitionId: defs['Hamilton STARlet'], backend: 'simulator' }).expect(400);
      expect(noWc.body.error.code).toBe('VALIDATION_FAILED');
      expect(fields(noWc)).toEqual(['workcellId']);
      const noDef = await createMachine({ name: 'x', workcellId: wc1, definitionId: randomUUID(), backend: 'simulator' }).expect(400);
      expect(fields(noDef)).toEqual(['definitionId']);
      const neither = await createMachine({ name: 'x', workcellId: randomUUID(), definitionId: randomUUID(), backend: 'simulator' }).expect(400);
      expect(fields(neither).sort()).toEqual(['definitionId', 'workcellId']);
      const malformed = await createMachine({ name: 'x', workcellId: 'nope', definitionId: defs['Hamilton STARlet'], backend: 'simulator' }).expect(400);
      expect(fields(malformed)).toEqual(['workcellId']);
      const unknownField = await createMachine({ name: 'x', workcellId: wc1, definitionId: defs['Hamilton STARlet'], backend: 'simulator', status: 'in_use' }).expect(400);
      expect(fields(unknownField)).toEqual(['status']);
      const badName = await createMachine({ name: 'has space', workcellId: wc1, definitionId: defs['Hamilton STARlet'], backend: 'simulator' }).expect(400);
      expect(fields(badName)).toEqual(['name']);
    });

    it('a backend the definition does not support → 400 listing the supported ones', async () => {
      const res = await createMachine({ name: 'x', workcellId: wc1, definitionId: defs['Hamilton STARlet'], backend: 'opentrons-http' }).expect(400);
      expect(fields(res)).toEqual(['backend']);
      expect(res.body.error.message).toMatch(/simulator, hamilton-star-usb/);
    });

    it('a connection config that does not fit the schema → 400 naming connectionConfig.<path>', async () => {
      const base = { name: 'cfg', workcellId: wc1 };
      const missingPort = await createMachine({ ...base, definitionId: defs['Inheco ThermoShake'], backend: 'inheco-serial' }).expect(400);
      expect(fields(missingPort)).toEqual(['connectionConfig.port']);
      expect(missingPort.body.error.message).toMatch(/connectionConfig\.port is required/);
      const badBaud = await createMachine({ ...base, definitionId: defs['Mettler Toledo WXS205SDU'], backend: 'mettler-sics-serial', connectionConfig: { port: '/dev/ttyUSB0', baudRate: 1234 } }).expect(400);
      expect(fields(badBaud)).toEqual(['connectionConfig.baudRate']);
      expect(badBaud.body.error.message).toMatch(/1200, 2400, 4800, 9600, 19200, 38400/);
      const several = await createMachine({ ...base, definitionId: defs['Hamilton STARlet'], backend: 'simulator', connectionConfig: { numChannels: 'eight', bogus: 1, has96Head: 'yes' } }).expect(400);
      expect(fields(several).sort()).toEqual(['connectionConfig.bogus', 'connectionConfig.has96Head', 'connectionConfig.numChannels']);
      const range = await createMachine({ ...base, definitionId: defs['Hamilton STARlet'], backend: 'simulator', connectionConfig: { numChannels: 17 } }).expect(400);
      expect(fields(range)).toEqual(['connectionConfig.numChannels']);
      const notObject = await createMachine({ ...base, definitionId: defs['Hamilton STARlet'], backend: 'simulator', connectionConfig: [1] }).expect(400);
      expect(fields(notObject)).toEqual(['connectionConfig']);

      const ok = await createMachine({ ...base, definitionId: defs['Mettler Toledo WXS205SDU'], backend: 'mettler-sics-serial', connectionConfig: { port: '/dev/ttyUSB0' } }).expect(201);
      expect(ok.body.connectionConfig).toEqual({ port: '/dev/ttyUSB0', baudRate: 9600, timeoutMs: 2000, stableTimeoutMs: 10000 });
    });

    it('PATCH re-validates the config against the (new) backend', async () => {
      const m = await starlet('patch-cfg');
      // The simulator's config does not fit the USB backend: the stored config is named.
      const kept = await t.http.patch(`/api/v1/machines/${m.id}`).set(admin).send({ backend: 'hamilton-star-usb' }).expect(400);
      expect(fields(kept).sort()).toEqual(['connectionConfig.has96Head', 'connectionConfig.hasGripper', 'connectionConfig.timeModel']);
      const unsupported = await t.http.patch(`/api/v1/machines/${m.id}`).set(admin).send({ backend: 'inheco-serial', connectionConfig: {} }).expect(400);
      expect(fields(unsupported)).toEqual(['backend']);
      const badValue = await t.http.patch(`/api/v1/machines/${m.id}`).set(admin).send({ connectionConfig: { numChannels: 0 } }).expect(400);
      expect(fields(badValue)).toEqual(['connectionConfig.numChannels']);
      const unchanged = await t.http.get(`/api/v1/machines/${m.id}`).set(admin).expect(200);
      expect(unchanged.body).toMatchObject({ backend: 'simulator', connectionConfig: m.connectionConfig });
      const badId = await t.http.patch('/api/v1/machines/definitions').set(admin).send({ name: 'x' }).expect(400);
      expect(fields(badId)).toEqual(['id']);
    });

    it('duplicate names in one workcell → 409 ALREADY_EXISTS; the same name elsewhere is fine', async () => {
      await starlet('dup');
      const res = await createMachine({ name: 'dup', workcellId: wc1, definitionId: defs['BMG CLARIOstar'], backend: 'simulator' }).expect(409);
      expect(res.body.error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name', constraint: 'UQ_machines_workcell_name' } });
      await createMachine({ name: 'dup', workcellId: wc2, definitionId: defs['BMG CLARIOstar'], backend: 'simulator' }).expect(201);
      const other = await starlet('dup-2');
      const rename = await t.http.patch(`/api/v1/machines/${other.id}`).set(admin).send({ name: 'dup' }).expect(409);
      expect(rename.body.error.code).toBe('ALREADY_EXISTS');
    });

    it('a machine a deck refers to cannot be deleted (409)', async () => {
      const m = await starlet('decked');
      await t.db.query(
        `INSERT INTO decks (id, name, "workcellId", "machineId", "deckTypeId", properties, "createdAt", "updatedAt")
         VALUES (gen_random_uuid(), 'decked_deck', $1, $2, (SELECT id FROM deck_types WHERE name = 'STARletDeck'), '{}', now(), now())`,
        [wc1, m.id],
      );
      const res = await t.http.delete(`/api/v1/machines/${m.id}`).set(admin).expect(409);
      expect(res.body.error).toMatchObject({ code: 'CONFLICT' });
      expect(res.body.error.message).toMatch(/referenced by decks/);
      await t.http.get(`/api/v1/machines/${m.id}`).set(admin).expect(200);
    });
  });

  describe('lists', () => {
    let wc: string;
    beforeAll(async () => {
      wc = await newWorkcell('list-cell');
      const mk = (name: string, def: string, backend: string, room: string, connectionConfig: Record<string, unknown> = {}) =>
        createMachine({ name, workcellId: wc, definitionId: defs[def], backend, connectionConfig, properties: { site: { room } } }).expect(201);
      await mk('a-starlet', 'Hamilton STARlet', 'simulator', 'B12');
      await mk('b-reader', 'BMG CLARIOstar', 'simulator', 'B12');
      await mk('c-reader', 'BMG CLARIOstar', 'bmg-clariostar-usb', 'C01', { port: '/dev/ttyUSB1' });
      await mk('d-shaker', 'Inheco ThermoShake', 'simulator', 'C01');
    });
    const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((m) => m.name);

    it('filters by workcell, category, status, backend and definition', async () => {
      const all = await t.http.get(`/api/v1/machines?workcellId=${wc}`).set(viewer).expect(200);
      expect(all.body).toMatchObject({ total: 4, limit: 50, offset: 0 });
      expect(names(all)).toEqual(['a-starlet', 'b-reader', 'c-reader', 'd-shaker']);
      expect(all.body.items[1].definition).toEqual({ id: defs['BMG CLARIOstar'], name: 'BMG CLARIOstar', category: 'PlateReader' });
      const readers = await t.http.get(`/api/v1/machines?workcellId=${wc}&category=PlateReader`).set(viewer).expect(200);
      expect(names(readers)).toEqual(['b-reader', 'c-reader']);
      const usb = await t.http.get(`/api/v1/machines?workcellId=${wc}&backend=bmg-clariostar-usb`).set(viewer).expect(200);
      expect(names(usb)).toEqual(['c-reader']);
      const byDef = await t.http.get(`/api/v1/machines?workcellId=${wc}&definitionId=${defs['Inheco ThermoShake']}`).set(viewer).expect(200);
      expect(names(byDef)).toEqual(['d-shaker']);
      await t.http.patch(`/api/v1/machines/${all.body.items[3].id}/status`).set(operator).send({ status: 'offline' }).expect(200);
      const offline = await t.http.get(`/api/v1/machines?workcellId=${wc}&status=offline`).set(viewer).expect(200);
      expect(names(offline)).toEqual(['d-shaker']);
      const search = await t.http.get(`/api/v1/machines?workcellId=${wc}&search=READER`).set(viewer).expect(200);
      expect(search.body.total).toBe(2);
      const future = new Date(Date.now() + 3600_000).toISOString();
      const none = await t.http.get(`/api/v1/machines?workcellId=${wc}&createdFrom=${encodeURIComponent(future)}`).set(viewer).expect(200);
      expect(none.body).toMatchObject({ items: [], total: 0 });
      for (const q of ['status=broken', 'category=Toaster', 'workcellId=nope', 'definitionId=1', 'limit=0', 'limit=1001', 'offset=-1']) {
        const res = await t.http.get(`/api/v1/machines?${q}`).set(viewer).expect(400);
        expect(fields(res)).toEqual([q.split('=')[0]]);
      }
    });

    it('paginates and sorts; an unknown sort field → 400 naming sort', async () => {
      const p1 = await t.http.get(`/api/v1/machines?workcellId=${wc}&sort=-name&limit=3`).set(viewer).expect(200);
      expect(p1.body).toMatchObject({ total: 4, limit: 3, offset: 0 });
      expect(names(p1)).toEqual(['d-shaker', 'c-reader', 'b-reader']);
      const p2 = await t.http.get(`/api/v1/machines?workcellId=${wc}&sort=-name&limit=3&offset=3`).set(viewer).expect(200);
      expect(names(p2)).toEqual(['a-starlet']);
      const byCategory = await t.http.get(`/api/v1/machines?workcellId=${wc}&sort=category`).set(viewer).expect(200);
      expect(byCategory.body.items.map((m: { category: string }) => m.category)).toEqual(['HeaterShaker', 'LiquidHandler', 'PlateReader', 'PlateReader']);
      const byCreated = await t.http.get(`/api/v1/machines?workcellId=${wc}&sort=-createdAt`).set(viewer).expect(200);
      expect(names(byCreated)).toEqual(['d-shaker', 'c-reader', 'b-reader', 'a-starlet']);
      await t.http.get(`/api/v1/machines?workcellId=${wc}&sort=status`).set(viewer).expect(200);
      await t.http.get(`/api/v1/machines?workcellId=${wc}&sort=-updatedAt`).set(viewer).expect(200);
      const bad = await t.http.get('/api/v1/machines?sort=connectionConfig').set(viewer).expect(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
      expect(fields(bad)).toEqual(['sort']);
      const injected = await t.http.get('/api/v1/machines?sort=name%3B%20DROP%20TABLE%20machines').set(viewer).expect(400);
      expect(fields(injected)).toEqual(['sort']);
    });

    it('filters on properties; a property key with SQL in it is only a key', async () => {
      const b12 = await t.http.get(`/api/v1/machines?workcellId=${wc}&property.site.room=B12`).set(viewer).expect(200);
      expect(names(b12)).toEqual(['a-starlet', 'b-reader']);
      const both = await t.http.get(`/api/v1/machines?workcellId=${wc}&property.site.room=C01&category=PlateReader`).set(viewer).expect(200);
      expect(names(both)).toEqual(['c-reader']);
      const evil = await t.http.get('/api/v1/machines?property.x%27%3B%20DROP%20TABLE%20machines%3B--=1').set(viewer);
      expect([200, 400]).toContain(evil.status);
      if (evil.status === 200) expect(evil.body).toMatchObject({ items: [], total: 0 });
      else expect(evil.body.error.code).toBe('VALIDATION_FAILED');
      const evilValue = await t.http.get(`/api/v1/machines?property.site.room=${encodeURIComponent("B12' OR '1'='1")}`).set(viewer).expect(200);
      expect(evilValue.body.total).toBe(0);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM machines WHERE "workcellId" = $1`, [wc]);
      expect(n).toBe(4);
      await t.http.get(`/api/v1/machines?workcellId=${wc}`).set(viewer).expect(200);
    });
  });

  describe('status', () => {
    const setStatus = (id: string, body: Record<string, unknown>, who: Auth = operator) => t.http.patch(`/api/v1/machines/${id}/status`).set(who).send(body);
    const forceStatus = (id: string, status: string) => t.db.query(`UPDATE machines SET status = $2 WHERE id = $1`, [id, status]);

    it('follows the transition table (operators and admins; viewers 403)', async () => {
      const m = await starlet('status-1');
      const maint = await setStatus(m.id, { status: 'maintenance', reason: 'calibration due' }).expect(200);
      expect(maint.body).toMatchObject({ status: 'maintenance', statusReason: 'calibration due' });
      await setStatus(m.id, { status: 'offline' }, admin).expect(200);
      const back = await setStatus(m.id, { status: 'available' }).expect(200);
      expect(back.body).toMatchObject({ status: 'available', statusReason: null });
      await setStatus(m.id, { status: 'offline' }).expect(200);
      await setStatus(m.id, { status: 'maintenance' }).expect(200);
      await setStatus(m.id, { status: 'available' }).expect(200);
      await setStatus(m.id, { status: 'maintenance' }, viewer).expect(403);

      // error → available | maintenance | offline
      for (const to of ['available', 'maintenance', 'offline']) {
        await forceStatus(m.id, 'error');
        await setStatus(m.id, { status: to }).expect(200);
      }
      // initializing → offline only
      await forceStatus(m.id, 'initializing');
      const illegal = await setStatus(m.id, { status: 'available' }).expect(409);
      expect(illegal.body.error).toMatchObject({ code: 'CONFLICT', details: { from: 'initializing', to: 'available' } });
      expect(illegal.body.error.message).toMatch(/initializing.*available/);
      await setStatus(m.id, { status: 'maintenance' }).expect(409);
      await setStatus(m.id, { status: 'offline' }).expect(200);
    });

    it('only operator statuses can be set; in_use is the execution engine’s', async () => {
      const m = await starlet('status-2');
      const inUse = await setStatus(m.id, { status: 'in_use' }).expect(409);
      expect(inUse.body.error.message).toMatch(/set by the execution engine/);
      const error = await setStatus(m.id, { status: 'error' }).expect(409);
      expect(error.body.error.details).toMatchObject({ from: 'available', to: 'error' });
      await setStatus(m.id, { status: 'initializing' }).expect(409);
      const bad = await setStatus(m.id, { status: 'broken' }).expect(400);
      expect(fields(bad)).toEqual(['status']);
      const missing = await setStatus(m.id, {}).expect(400);
      expect(fields(missing)).toEqual(['status']);
      await setStatus(randomUUID(), { status: 'offline' }).expect(404);

      const svc = t.app.get(MachinesService);
      const run = randomUUID();
      expect(await svc.markInUse(m.id, run)).toBe(true);
      const leave = await setStatus(m.id, { status: 'available' }).expect(409);
      expect(leave.body.error.message).toMatch(/execution engine/);
      await setStatus(m.id, { status: 'offline' }, admin).expect(409);
      expect(await svc.release(m.id, run)).toBe(true);
      await setStatus(m.id, { status: 'offline' }).expect(200);
      // An offline machine cannot be taken by a run.
      expect(await svc.markInUse(m.id, randomUUID())).toBe(false);
    });
  });

  describe('in use (execution engine)', () => {
    it('markInUse / release through the service; a machine in use cannot be reconfigured or deleted', async () => {
      const svc = t.app.get(MachinesService);
      const m = await starlet('busy');
      const run = randomUUID();
      expect(await svc.markInUse(m.id, run)).toBe(true);
      expect(await svc.markInUse(m.id, randomUUID())).toBe(false);
      const got = await t.http.get(`/api/v1/machines/${m.id}`).set(viewer).expect(200);
      expect(got.body).toMatchObject({ status: 'in_use', currentRunId: run });

      const backend = await t.http.patch(`/api/v1/machines/${m.id}`).set(admin).send({ backend: 'hamilton-star-usb', connectionConfig: {} }).expect(409);
      expect(backend.body.error).toMatchObject({ code: 'CONFLICT', details: { currentRunId: run } });
      await t.http.patch(`/api/v1/machines/${m.id}`).set(admin).send({ connectionConfig: { numChannels: 2 } }).expect(409);
      const del = await t.http.delete(`/api/v1/machines/${m.id}`).set(admin).expect(409);
      expect(del.body.error.message).toMatch(/in use/);
      // Renaming is harmless.
      await t.http.patch(`/api/v1/machines/${m.id}`).set(admin).send({ name: 'busy-renamed' }).expect(200);

      expect(await svc.release(m.id, randomUUID())).toBe(false);
      expect(await svc.release(m.id, run)).toBe(true);
      expect(await svc.release(m.id, run)).toBe(false);
      const after = await t.http.get(`/api/v1/machines/${m.id}`).set(viewer).expect(200);
      expect(after.body).toMatchObject({ status: 'available', currentRunId: null });
      await t.http.patch(`/api/v1/machines/${m.id}`).set(admin).send({ connectionConfig: { numChannels: 2 } }).expect(200);
      await t.http.delete(`/api/v1/machines/${m.id}`).set(admin).expect(204);
    });

    it('a machine that failed during a run keeps its error status on release', async () => {
      const svc = t.app.get(MachinesService);
      const m = await starlet('fails');
      const run = randomUUID();
      expect(await svc.markInUse(m.id, run)).toBe(true);
      await t.db.query(`UPDATE machines SET status = 'error' WHERE id = $1`, [m.id]);
      // Still held by the run: not deletable.
      await t.http.delete(`/api/v1/machines/${m.id}`).set(admin).expect(409);
      expect(await svc.release(m.id, run)).toBe(true);
      const after = await t.http.get(`/api/v1/machines/${m.id}`).set(viewer).expect(200);
      expect(after.body).toMatchObject({ status: 'error', currentRunId: null });
    });

    it('of runs taking one machine at once, exactly one wins', async () => {
      const svc = t.app.get(MachinesService);
      const m = await starlet('contended');
      const runs = Array.from({ length: 6 }, () => randomUUID());
      const results = await Promise.all(runs.map((r) => svc.markInUse(m.id, r)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = runs[results.indexOf(true)];
      const [row] = await t.db.query(`SELECT status, "currentRunId" FROM machines WHERE id = $1`, [m.id]);
      expect(row).toEqual({ status: 'in_use', currentRunId: winner });
    });
  });

  it('answered nothing above with a 500: no error was logged', () => {
    expect(t.logs.errors()).toEqual([]);
  });
});
