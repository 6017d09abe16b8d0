import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DECK_TYPES, LABWARE_CATALOG, MACHINE_KINDS, Role } from '../support/hardware.js';
import { createTestApp, type TestApp } from '../support/app.js';

describe('POST /api/v1/discovery/sync', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  beforeAll(async () => {
    t = await createTestApp();
    auth = { Authorization: `Bearer ${await t.login()}` };
  });
  afterAll(() => t.close());

  it('creates every catalog entry on the first run', async () => {
    const res = await t.http.post('/api/v1/discovery/sync').set(auth).expect(200);
    expect(res.body.resourceDefinitions.created.sort()).toEqual(LABWARE_CATALOG.map((d) => d.name).sort());
    expect(res.body.machineDefinitions.created.sort()).toEqual(MACHINE_KINDS.map((k) => k.name).sort());
    expect(res.body.deckTypes.created.sort()).toEqual(DECK_TYPES.map((d) => d.name).sort());
    const rows = await t.db.query('SELECT name, category, "itemCount", "wellVolumeUl", layout FROM resource_definitions WHERE name = $1', ['cor_96_wellplate_360uL_Fb']);
    expect(rows[0]).toMatchObject({ category: 'plate', itemCount: 96, wellVolumeUl: 360 });
    expect(rows[0].layout).toMatchObject({ type: 'Plate', name: 'cor_96_wellplate_360uL_Fb' });
  });

  it('is idempotent: a second run changes nothing', async () => {
    const res = await t.http.post('/api/v1/discovery/sync').set(auth).expect(200);
    expect(res.body.resourceDefinitions).toMatchObject({ created: [], updated: [] });
    expect(res.body.machineDefinitions).toMatchObject({ created: [], updated: [] });
    expect(res.body.deckTypes).toMatchObject({ created: [], updated: [] });
    expect(res.body.resourceDefinitions.unchanged).toHaveLength(LABWARE_CATALOG.length);
  });

  it('repairs a drifted catalog row and leaves custom definitions alone', async () => {
    await t.db.query(`UPDATE resource_definitions SET vendor = 'Nobody' WHERE name = 'hamilton_96_tiprack_50uL'`);
    await t.db.query(`UPDATE machine_definitions SET source = 'custom', description = 'mine' WHERE name = 'Hamilton STAR'`);
    const res = await t.http.post('/api/v1/discovery/sync').set(auth).expect(200);
    expect(res.body.resourceDefinitions.updated).toEqual(['hamilton_96_tiprack_50uL']);
    expect(res.body.machineDefinitions.skipped).toEqual(['Hamilton STAR']);
    const [row] = await t.db.query(`SELECT description FROM machine_definitions WHERE name = 'Hamilton STAR'`);
    expect(row.description).toBe('mine');
  });

  it('concurrent syncs do not collide', async () => {
    const results = await Promise.all([1, 2, 3].map(() => t.http.post('/api/v1/discovery/sync').set(auth)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('seeds the demo workcell once: simulated STARlet, deck, layout and its labware', async () => {
    const { DemoSeedService } = await import('@praxis/discovery');
    const seeder = t.app.get(DemoSeedService);
    const [first, second] = [await seeder.seed(), await seeder.seed()];
    expect(first).toEqual({ created: true });
    expect(second).toEqual({ created: false });
    const [wc] = await t.db.query(`SELECT id FROM workcells WHERE name = 'demo'`);
    const machines = await t.db.query(`SELECT name, backend, status FROM machines WHERE "workcellId" = $1 ORDER BY name`, [wc.id]);
    expect(machines.map((m: { name: string }) => m.name)).toEqual(['heater_shaker', 'plate_reader', 'starlet']);
    const [deck] = await t.db.query(`SELECT d.name, l.placements FROM decks d JOIN deck_layouts l ON l.id = d."layoutId" WHERE d."workcellId" = $1`, [wc.id]);
    expect(deck.placements).toHaveLength(6);
    const resources = await t.db.query(
      `SELECT r.name, p.name AS parent, r.category, r.status, r.state FROM resources r LEFT JOIN resources p ON p.id = r."parentId" WHERE r."workcellId" = $1 ORDER BY r.name`,
      [wc.id],
    );
    expect(resources.find((r: { name: string }) => r.name === 'source_plate')).toMatchObject({ parent: 'plate_car', category: 'plate', status: 'available_on_deck' });
    const tips = resources.find((r: { name: string }) => r.name === 'tips_1000_1');
    expect(Object.keys(tips.state)).toHaveLength(96);
    expect(tips.state.tips_1000_1_A1.tip).toMatchObject({ maximalVolume: expect.any(Number) });
  });

  it('is admin-only', async () => {
    const { token } = await t.createUser('op-sync', Role.Operator);
    await t.http.post('/api/v1/discovery/sync').set({ Authorization: `Bearer ${token}` }).expect(403);
    await t.http.post('/api/v1/discovery/sync').expect(401);
  });
});
