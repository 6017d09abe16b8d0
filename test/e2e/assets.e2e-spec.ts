import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/app.js';
import { LABWARE_CATALOG, Role } from '../support/hardware.js';

describe('assets: workcells, resource definitions, resources', () => {
  let t: TestApp;
  let admin: { Authorization: string };
  let viewer: { Authorization: string };
  let wc: { id: string };
  const defs: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = { Authorization: `Bearer ${await t.login()}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('vic', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    const all = await t.http.get('/api/v1/resources/definitions?limit=1000').set(admin).expect(200);
    for (const d of all.body.items) defs[d.name] = d.id;
    wc = (await t.http.post('/api/v1/workcells').set(admin).send({ name: 'bench-1', location: 'Lab B12' }).expect(201)).body;
  });
  afterAll(() => t.close());

  describe('workcells', () => {
    it('CRUD, unique names, viewers read only', async () => {
      const created = await t.http.post('/api/v1/workcells').set(admin).send({ name: 'temp-cell', description: 'x', properties: { floor: 2 } }).expect(201);
      expect(created.body).toMatchObject({ name: 'temp-cell', description: 'x', properties: { floor: 2 } });
      await t.http.post('/api/v1/workcells').set(admin).send({ name: 'temp-cell' }).expect(409);
      await t.http.get(`/api/v1/workcells/${created.body.id}`).set(viewer).expect(200);
      await t.http.post('/api/v1/workcells').set(viewer).send({ name: 'nope' }).expect(403);
      const list = await t.http.get('/api/v1/workcells?search=temp').set(viewer).expect(200);
      expect(list.body).toMatchObject({ total: 1, limit: 50, offset: 0 });
      await t.http.patch(`/api/v1/workcells/${created.body.id}`).set(admin).send({ location: 'Room 7' }).expect(200);
      await t.http.delete(`/api/v1/workcells/${created.body.id}`).set(admin).expect(204);
      await t.http.get(`/api/v1/workcells/${created.body.id}`).set(admin).expect(404);
    });

    it('a workcell with resources cannot be deleted (409)', async () => {
      const cell = (await t.http.post('/api/v1/workcells').set(admin).send({ name: 'busy-cell' }).expect(201)).body;
      await t.http.post('/api/v1/resources').set(admin).send({ name: 'p', definitionId: defs.cor_96_wellplate_360uL_Fb, workcellId: cell.id }).expect(201);
      const res = await t.http.delete(`/api/v1/workcells/${cell.id}`).set(admin).expect(409);
      expect(res.body.error.message).toMatch(/referenced by resources/);
    });
  });

  describe('resource definitions', () => {
    it('lists the synced catalog with filters; layouts only on request', async () => {
      const plates = await t.http.get('/api/v1/resources/definitions?category=plate').set(viewer).expect(200);
      expect(plates.body.total).toBe(LABWARE_CATALOG.filter((d) => d.category === 'plate').length);
      expect(plates.body.items[0]).not.toHaveProperty('layout');
      const one = await t.http.get(`/api/v1/resources/definitions/${defs.hamilton_96_tiprack_1000uL}?includeLayout=true`).set(viewer).expect(200);
      expect(one.body).toMatchObject({ category: 'tip_rack', vendor: 'Hamilton', itemCount: 96, tipVolumeUl: 1000, consumable: true });
      expect(one.body.layout).toMatchObject({ type: 'TipRack' });
      const hamilton300 = await t.http.get('/api/v1/resources/definitions?vendor=Hamilton&tipVolumeUl=300').set(viewer).expect(200);
      expect(hamilton300.body.items.every((d: { tipVolumeUl: number }) => d.tipVolumeUl === 300)).toBe(true);
      expect(hamilton300.body.total).toBeGreaterThan(0);
    });

    it('facets count values; each facet ignores its own filter', async () => {
      const all = await t.http.get('/api/v1/resources/definitions/facets').set(viewer).expect(200);
      const count = (facet: Array<{ value: unknown; count: number }>, v: unknown) => facet.find((f) => f.value === v)?.count ?? 0;
      expect(count(all.body.category, 'plate')).toBe(LABWARE_CATALOG.filter((d) => d.category === 'plate').length);
      expect(all.body.category.reduce((s: number, f: { count: number }) => s + f.count, 0)).toBe(LABWARE_CATALOG.length);
      const filtered = await t.http.get('/api/v1/resources/definitions/facets?category=tip_rack').set(viewer).expect(200);
      // category facet ignores category=tip_rack: it still shows every category
      expect(filtered.body.category).toEqual(all.body.category);
      // vendor facet applies it: only tip rack vendors
      const tipVendors = new Set(LABWARE_CATALOG.filter((d) => d.category === 'tip_rack').map((d) => d.vendor));
      expect(filtered.body.vendor.map((f: { value: string }) => f.value).sort()).toEqual([...tipVendors].sort());
      expect(count(filtered.body.itemCount, 96)).toBe(LABWARE_CATALOG.filter((d) => d.category === 'tip_rack' && d.itemCount === 96).length);
      expect(Object.keys(all.body).sort()).toEqual(['category', 'itemCount', 'plateType', 'tipVolumeUl', 'vendor', 'wellVolumeUl']);
    });

    it('admins add custom definitions from a hardware-library layout; bad layouts are named', async () => {
      const layout = (await t.http.get(`/api/v1/resources/definitions/${defs.cor_96_wellplate_360uL_Fb}?includeLayout=true`).set(admin)).body.layout;
      const res = await t.http
        .post('/api/v1/resources/definitions')
        .set(admin)
        .send({ name: 'my_plate_96', category: 'plate', vendor: 'In-house', wellVolumeUl: 350, layout })
        .expect(201);
      expect(res.body).toMatchObject({ source: 'custom', itemCount: 96, dimensions: { x: layout.sizeX, y: layout.sizeY, z: layout.sizeZ } });
      await t.http.post('/api/v1/resources/definitions').set(admin).send({ name: 'my_plate_96', category: 'plate', vendor: 'x', layout }).expect(409);
      const bad = await t.http.post('/api/v1/resources/definitions').set(admin).send({ name: 'broken', category: 'plate', vendor: 'x', layout: { type: 'Spaceship' } }).expect(400);
      expect(bad.body.error.details.fields).toEqual(['layout']);
      const cat = await t.http.post('/api/v1/resources/definitions').set(admin).send({ name: 'c', category: 'spoon', vendor: 'x', layout }).expect(400);
      expect(cat.body.error.details.fields).toEqual(['category']);
      await t.http.post('/api/v1/resources/definitions').set(viewer).send({ name: 'v', category: 'plate', vendor: 'x', layout }).expect(403);
    });
  });

  describe('resources', () => {
    it('creates a hierarchy (plate on a carrier), reads, lists, updates and deletes', async () => {
      const car = await t.http
        .post('/api/v1/resources')
        .set(admin)
        .send({ name: 'plate_car_1', definitionId: defs.PLT_CAR_L5AC_A00, workcellId: wc.id, location: { rails: 9 } })
        .expect(201);
      expect(car.body).toMatchObject({ category: 'plate_carrier', status: 'available_in_storage', currentRunId: null });
      const plate = await t.http
        .post('/api/v1/resources')
        .set(admin)
        .send({ name: 'src_plate', definitionId: defs.cor_96_wellplate_360uL_Fb, workcellId: wc.id, parentId: car.body.id, location: { site: 0 }, properties: { project: 'p-7' } })
        .expect(201);
      expect(plate.body).toMatchObject({ parentId: car.body.id, status: 'available_on_deck', category: 'plate' });
      const got = await t.http.get(`/api/v1/resources/${plate.body.id}`).set(viewer).expect(200);
      expect(got.body).toEqual(plate.body);
      const children = await t.http.get(`/api/v1/resources?parentId=${car.body.id}`).set(viewer).expect(200);
      expect(children.body.items.map((r: { name: string }) => r.name)).toEqual(['src_plate']);
      const byProp = await t.http.get('/api/v1/resources?property.project=p-7').set(viewer).expect(200);
      expect(byProp.body.total).toBe(1);
      const upd = await t.http
        .patch(`/api/v1/resources/${plate.body.id}`)
        .set(admin)
        .send({ status: 'partially_filled', state: { src_plate_A1: { volume: 200, pendingVolume: 200 } } })
        .expect(200);
      expect(upd.body.state).toEqual({ src_plate_A1: { volume: 200, pendingVolume: 200 } });
      // the carrier has a plate on it: deleting it is refused
      const del = await t.http.delete(`/api/v1/resources/${car.body.id}`).set(admin).expect(409);
      expect(del.body.error.message).toMatch(/referenced by resources/);
      await t.http.delete(`/api/v1/resources/${plate.body.id}`).set(admin).expect(204);
      await t.http.delete(`/api/v1/resources/${car.body.id}`).set(admin).expect(204);
    });

    it('bad input: unknown definition, parent or workcell -> 400 naming it; duplicate -> 409', async () => {
      const unknown = '01900000-0000-7000-8000-000000000000';
      const d = await t.http.post('/api/v1/resources').set(admin).send({ name: 'x1', definitionId: unknown, workcellId: wc.id }).expect(400);
      expect(d.body.error.details.fields).toEqual(['definitionId']);
      expect(d.body.error.message).toContain(unknown);
      const p = await t.http.post('/api/v1/resources').set(admin).send({ name: 'x2', definitionId: defs.cor_96_wellplate_360uL_Fb, workcellId: wc.id, parentId: unknown }).expect(400);
      expect(p.body.error.details.fields).toEqual(['parentId']);
      const w = await t.http.post('/api/v1/resources').set(admin).send({ name: 'x3', definitionId: defs.cor_96_wellplate_360uL_Fb, workcellId: unknown }).expect(400);
      expect(w.body.error.details.fields).toEqual(['workcellId']);
      const notUuid = await t.http.post('/api/v1/resources').set(admin).send({ name: 'x4', definitionId: 'plate' }).expect(400);
      expect(notUuid.body.error.details.fields).toEqual(['definitionId']);
      await t.http.post('/api/v1/resources').set(admin).send({ name: 'dup', definitionId: defs.cor_96_wellplate_360uL_Fb, workcellId: wc.id }).expect(201);
      const dup = await t.http.post('/api/v1/resources').set(admin).send({ name: 'dup', definitionId: defs.cor_96_wellplate_360uL_Fb, workcellId: wc.id }).expect(409);
      expect(dup.body.error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });
      // the same name in another workcell is fine
      const other = (await t.http.post('/api/v1/workcells').set(admin).send({ name: 'bench-2' }).expect(201)).body;
      await t.http.post('/api/v1/resources').set(admin).send({ name: 'dup', definitionId: defs.cor_96_wellplate_360uL_Fb, workcellId: other.id }).expect(201);
    });

    it('re-parenting: no cycles, same workcell, nothing in use', async () => {
      const mk = async (name: string, parentId?: string) =>
        (await t.http.post('/api/v1/resources').set(admin).send({ name, definitionId: defs.PLT_CAR_L5AC_A00, workcellId: wc.id, parentId }).expect(201)).body;
      const a = await mk('rp_a');
      const b = await mk('rp_b', a.id);
      const c = await mk('rp_c', b.id);
      const cycle = await t.http.patch(`/api/v1/resources/${a.id}`).set(admin).send({ parentId: c.id }).expect(400);
      expect(cycle.body.error.details.fields).toEqual(['parentId']);
      await t.http.patch(`/api/v1/resources/${a.id}`).set(admin).send({ parentId: a.id }).expect(400);
      // a resource a run uses cannot be moved, changed or deleted
      await t.db.query(`UPDATE resources SET status = 'in_use', "currentRunId" = gen_random_uuid() WHERE id = $1`, [c.id]);
      const moved = await t.http.patch(`/api/v1/resources/${c.id}`).set(admin).send({ parentId: a.id }).expect(409);
      expect(moved.body.error.message).toMatch(/in use/);
      await t.http.delete(`/api/v1/resources/${c.id}`).set(admin).expect(409);
      await t.http.patch(`/api/v1/resources/${b.id}`).set(admin).send({ status: 'in_use' }).expect(409);
      // renaming or annotating is still fine
      await t.http.patch(`/api/v1/resources/${c.id}`).set(admin).send({ properties: { note: 'busy' } }).expect(200);
    });

    it('lists with filters, sort and pagination; unknown sort fields are refused', async () => {
      const list = await t.http.get(`/api/v1/resources?workcellId=${wc.id}&category=plate_carrier&sort=name&limit=2`).set(viewer).expect(200);
      expect(list.body.limit).toBe(2);
      expect(list.body.items.map((r: { name: string }) => r.name)).toEqual(['rp_a', 'rp_b']);
      expect(list.body.total).toBe(3);
      const bad = await t.http.get('/api/v1/resources?sort=-passwordHash').set(viewer).expect(400);
      expect(bad.body.error.details.fields).toEqual(['sort']);
      const status = await t.http.get('/api/v1/resources?status=flying').set(viewer).expect(400);
      expect(status.body.error.details.fields).toEqual(['status']);
    });

    it('a property key with SQL in it is just a key (no injection)', async () => {
      const evil = encodeURIComponent(`x') = '1' OR 1=1; DROP TABLE resources; --`);
      const res = await t.http.get(`/api/v1/resources?property.${evil}=1`).set(viewer);
      expect([200, 400]).toContain(res.status);
      if (res.status === 200) expect(res.body.total).toBe(0);
      const quote = await t.http.get(`/api/v1/resources?property.note=${encodeURIComponent("busy' OR '1'='1")}`).set(viewer).expect(200);
      expect(quote.body.total).toBe(0);
      const still = await t.db.query('SELECT count(*)::int AS n FROM resources');
      expect(still[0].n).toBeGreaterThan(0);
      const busy = await t.http.get('/api/v1/resources?property.note=busy').set(viewer).expect(200);
      expect(busy.body.total).toBe(1);
    });
  });

  it('no request answered 500 or logged at error level', () => {
    expect(t.logs.errors()).toEqual([]);
  });
});
