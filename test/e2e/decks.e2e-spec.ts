import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeckLayoutsService } from '@praxis/decks';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';

interface Node {
  type: string;
  name: string;
  location: { x: number; y: number; z: number } | null;
  children: Node[];
  [k: string]: unknown;
}

/** Names from the root down to `name` (empty when absent). */
function pathTo(node: Node, name: string): string[] {
  if (node.name === name) return [node.name];
  for (const c of node.children) {
    const p = pathTo(c, name);
    if (p.length) return [node.name, ...p];
  }
  return [];
}

function find(node: Node, name: string): Node | undefined {
  if (node.name === name) return node;
  for (const c of node.children) {
    const f = find(c, name);
    if (f) return f;
  }
  return undefined;
}

const STARLET_PLACEMENTS = [
  { name: 'tip_car', definition: 'TIP_CAR_480_A00', rails: 1 },
  { name: 'tips_1', definition: 'hamilton_96_tiprack_1000uL', parent: 'tip_car', site: 0 },
  { name: 'tips_2', definition: 'hamilton_96_tiprack_1000uL', parent: 'tip_car', site: 1 },
  { name: 'plate_car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
  { name: 'plate_1', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 0 },
  { name: 'plate_2', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 1 },
];

const OT2_PLACEMENTS = [
  { name: 'tips', definition: 'opentrons_96_tiprack_300ul', slot: 1 },
  { name: 'reservoir', definition: 'nest_12_troughplate_15000uL_Vb', slot: 2 },
  { name: 'plate', definition: 'cor_96_wellplate_360uL_Fb', slot: 3 },
];

describe('decks: deck types, decks, deck layouts', () => {
  let t: TestApp;
  let admin: { Authorization: string };
  let viewer: { Authorization: string };
  let operator: { Authorization: string };
  const types: Record<string, string> = {};
  let wc1: string;
  let wc2: string;
  const machines: Record<string, string> = {};
  let starletLayout: { id: string };
  let ot2Layout: { id: string };

  const postLayout = (body: Record<string, unknown>) => t.http.post('/api/v1/deck-layouts').set(admin).send(body);
  const starletBad = async (placements: unknown[]) => {
    const res = await postLayout({ name: `bad-${Math.random().toString(36).slice(2)}`, deckTypeId: types.STARletDeck, placements });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    return res.body.error as { message: string; details: { fields: string[]; placement?: string; other?: string | null } };
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = { Authorization: `Bearer ${await t.login()}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('deck-viewer', Role.Viewer)).token}` };
    operator = { Authorization: `Bearer ${(await t.createUser('deck-operator', Role.Operator)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    const list = await t.http.get('/api/v1/decks/types').set(admin).expect(200);
    for (const d of list.body.items) types[d.name] = d.id;
    const wc = async (name: string) =>
      (await t.db.query(`INSERT INTO workcells (id, name, properties, "createdAt", "updatedAt") VALUES (gen_random_uuid(), $1, '{}', now(), now()) RETURNING id`, [name]))[0]
        .id as string;
    wc1 = await wc('wc-1');
    wc2 = await wc('wc-2');
    const machine = async (name: string, workcellId: string, definition: string, category: string) => {
      const [def] = await t.db.query('SELECT id FROM machine_definitions WHERE name = $1', [definition]);
      const [row] = await t.db.query(
        `INSERT INTO machines (id, name, "workcellId", "definitionId", category, backend, "connectionConfig", status, properties, "createdAt", "updatedAt")
         VALUES (gen_random_uuid(), $1, $2, $3, $4, 'simulator', '{}', 'available', '{}', now(), now()) RETURNING id`,
        [name, workcellId, def.id, category],
      );
      machines[name] = row.id as string;
    };
    await machine('starlet-1', wc1, 'Hamilton STARlet', 'LiquidHandler');
    await machine('starlet-2', wc1, 'Hamilton STARlet', 'LiquidHandler');
    await machine('starlet-far', wc2, 'Hamilton STARlet', 'LiquidHandler');
    await machine('reader', wc1, 'BMG CLARIOstar', 'PlateReader');
  });
  afterAll(() => t.close());

  describe('deck types', () => {
    it('lists the synced catalog with filters; gets one', async () => {
      const all = await t.http.get('/api/v1/decks/types').set(viewer).expect(200);
      expect(all.body).toMatchObject({ total: 3, limit: 50, offset: 0 });
      expect(all.body.items.map((d: { name: string }) => d.name)).toEqual(['OT2Deck', 'STARDeck', 'STARletDeck']);
      const hamilton = await t.http.get('/api/v1/decks/types?manufacturer=Hamilton').set(viewer).expect(200);
      expect(hamilton.body.total).toBe(2);
      const slots = await t.http.get('/api/v1/decks/types?positionKind=slot').set(viewer).expect(200);
      expect(slots.body.items.map((d: { name: string }) => d.name)).toEqual(['OT2Deck']);
      await t.http.get('/api/v1/decks/types?positionKind=grid').set(viewer).expect(400);
      const one = await t.http.get(`/api/v1/decks/types/${types.STARletDeck}`).set(operator).expect(200);
      expect(one.body).toMatchObject({ name: 'STARletDeck', manufacturer: 'Hamilton', positionKind: 'rail', source: 'catalog', basedOn: 'STARletDeck' });
      expect(one.body.positions).toHaveLength(32);
      expect(one.body.positions[0]).toMatchObject({ name: 'rail 1', kind: 'rail', index: 1 });
      expect(one.body.layout).toMatchObject({ type: 'HamiltonSTARDeck' });
      const bad = await t.http.get('/api/v1/decks/types/not-a-uuid').set(viewer).expect(400);
      expect(bad.body.error.details.fields).toEqual(['id']);
      await t.http.get('/api/v1/decks/types/01900000-0000-7000-8000-000000000000').set(viewer).expect(404);
    });

    it('a custom deck type copies the geometry of an existing one', async () => {
      const res = await t.http.post('/api/v1/decks/types').set(admin).send({ name: 'STARlet_autoload', basedOn: 'STARletDeck', model: 'STARlet with autoload' }).expect(201);
      expect(res.body).toMatchObject({ name: 'STARlet_autoload', source: 'custom', basedOn: 'STARletDeck', manufacturer: 'Hamilton', model: 'STARlet with autoload', positionKind: 'rail' });
      expect(res.body.positions).toHaveLength(32);
      types.STARlet_autoload = res.body.id;
      await t.http.post('/api/v1/decks/types').set(admin).send({ name: 'STARlet_autoload', basedOn: 'STARletDeck' }).expect(409);
      const unknown = await t.http.post('/api/v1/decks/types').set(admin).send({ name: 'Mine', basedOn: 'TecanDeck' }).expect(400);
      expect(unknown.body.error.details.fields).toEqual(['basedOn']);
      expect(unknown.body.error.message).toMatch(/TecanDeck/);
      const reserved = await t.http.post('/api/v1/decks/types').set(admin).send({ name: 'OT2Deck', basedOn: 'STARletDeck' }).expect(400);
      expect(reserved.body.error.details.fields).toEqual(['name']);
      const raw = await t.http.post('/api/v1/decks/types').set(admin).send({ name: 'Raw', positions: [] }).expect(400);
      expect(raw.body.error.details.fields.sort()).toEqual(['basedOn', 'positions']);
      // Layouts on it build with the base geometry.
      const layout = await postLayout({ name: 'autoload-layout', deckTypeId: types.STARlet_autoload, placements: STARLET_PLACEMENTS }).expect(201);
      const render = await t.http.get(`/api/v1/deck-layouts/${layout.body.id}/render`).set(viewer).expect(200);
      expect(render.body).toMatchObject({ type: 'HamiltonSTARDeck', numRails: 32 });
    });
  });

  describe('deck layouts', () => {
    it('a STARlet layout with tips and plates on carriers builds and renders', async () => {
      const res = await postLayout({ name: 'starlet-standard', deckTypeId: types.STARletDeck, description: 'tips on 1, plates on 9', placements: STARLET_PLACEMENTS }).expect(201);
      expect(res.body).toMatchObject({ name: 'starlet-standard', deckTypeId: types.STARletDeck, workcellId: null, description: 'tips on 1, plates on 9' });
      expect(res.body.placements).toEqual(STARLET_PLACEMENTS);
      starletLayout = res.body;

      const got = await t.http.get(`/api/v1/deck-layouts/${res.body.id}`).set(viewer).expect(200);
      expect(got.body.placements).toEqual(STARLET_PLACEMENTS);

      const render = await t.http.get(`/api/v1/deck-layouts/${res.body.id}/render`).set(viewer).expect(200);
      const deck = render.body as Node;
      expect(deck).toMatchObject({ type: 'HamiltonSTARDeck', name: 'deck', numRails: 32 });
      expect(pathTo(deck, 'plate_1_A1')).toEqual(['deck', 'plate_car', 'plate_car-0', 'plate_1', 'plate_1_A1']);
      expect(pathTo(deck, 'plate_2')).toEqual(['deck', 'plate_car', 'plate_car-1', 'plate_2']);
      expect(pathTo(deck, 'tips_2_H12')).toEqual(['deck', 'tip_car', 'tip_car-1', 'tips_2', 'tips_2_H12']);
      expect(find(deck, 'tip_car')).toMatchObject({ type: 'TipCarrier', location: { x: 100 } });
      expect(find(deck, 'plate_car')).toMatchObject({ type: 'PlateCarrier', location: { x: 100 + 8 * 22.5 } });
      expect(find(deck, 'plate_1')).toMatchObject({ type: 'Plate', model: 'cor_96_wellplate_360uL_Fb' });
      expect(find(deck, 'trash')).toBeDefined();
    });

    it('DeckLayoutsService.build gives the live hardware deck', async () => {
      const deck = await t.app.get(DeckLayoutsService).build(starletLayout.id);
      expect(deck.type).toBe('HamiltonSTARDeck');
      expect(deck.getResource('plate_1_A1').parent?.name).toBe('plate_1');
      expect(deck.getResource('tips_1').parent?.parent?.name).toBe('tip_car');
    });

    it('an OT-2 layout with slots builds and renders', async () => {
      const res = await postLayout({ name: 'ot2-standard', deckTypeId: types.OT2Deck, workcellId: wc1, placements: OT2_PLACEMENTS }).expect(201);
      expect(res.body.workcellId).toBe(wc1);
      ot2Layout = res.body;
      const render = await t.http.get(`/api/v1/deck-layouts/${res.body.id}/render`).set(viewer).expect(200);
      expect(render.body.type).toBe('OT2Deck');
      expect(pathTo(render.body, 'plate_A1')).toEqual(['deck', 'plate', 'plate_A1']);
      expect(find(render.body, 'tips')).toMatchObject({ location: { x: 115.65, y: 68.03 } });
      // Slot 12 holds the fixed trash; rails mean nothing on an OT-2; one slot, one labware.
      const trash = await postLayout({ name: 'ot2-bad', deckTypeId: types.OT2Deck, placements: [{ name: 'p', definition: 'cor_96_wellplate_360uL_Fb', slot: 12 }] }).expect(400);
      expect(trash.body.error.details.fields).toEqual(['placements.0.slot']);
      expect(trash.body.error.message).toMatch(/trash/);
      const rails = await postLayout({ name: 'ot2-bad', deckTypeId: types.OT2Deck, placements: [{ name: 'p', definition: 'cor_96_wellplate_360uL_Fb', rails: 1 }] }).expect(400);
      expect(rails.body.error.details.fields).toEqual(['placements.0.rails']);
      const twice = await postLayout({
        name: 'ot2-bad',
        deckTypeId: types.OT2Deck,
        placements: [OT2_PLACEMENTS[0], { name: 'p2', definition: 'cor_96_wellplate_360uL_Fb', slot: 1 }],
      }).expect(400);
      expect(twice.body.error.details.fields).toEqual(['placements.1.slot']);
      expect(twice.body.error.message).toMatch(/p2/);
      expect(twice.body.error.message).toMatch(/tips/);
    });

    it('overlapping carriers -> 400 naming the placement field and both carriers', async () => {
      const e = await starletBad([
        { name: 'car_a', definition: 'TIP_CAR_480_A00', rails: 1 },
        { name: 'car_b', definition: 'PLT_CAR_L5AC_A00', rails: 3 },
      ]);
      expect(e.details.fields).toEqual(['placements.1.rails']);
      expect(e.message).toMatch(/car_b would overlap car_a/);
      expect(e.details).toMatchObject({ placement: 'car_b', other: 'car_a' });
    });

    it('two plates on one site -> 400 naming the site and both plates', async () => {
      const e = await starletBad([
        { name: 'plate_car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
        { name: 'plate_1', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 0 },
        { name: 'plate_2', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 0 },
      ]);
      expect(e.details.fields).toEqual(['placements.2.site']);
      expect(e.message).toMatch(/plate_2 and plate_1 are both placed on site 0 of plate_car/);
    });

    it('a plate on a tip carrier site -> 400 naming the parent', async () => {
      const e = await starletBad([
        { name: 'tip_car', definition: 'TIP_CAR_480_A00', rails: 1 },
        { name: 'plate_x', definition: 'cor_96_wellplate_360uL_Fb', parent: 'tip_car', site: 0 },
      ]);
      expect(e.details.fields).toEqual(['placements.1.parent']);
      expect(e.message).toMatch(/plate_x.*tip_car/);
      expect(e.message).toMatch(/tip racks/);
    });

    it('a plate directly on the rails -> 400 naming rails', async () => {
      const e = await starletBad([{ name: 'plate_x', definition: 'cor_96_wellplate_360uL_Fb', rails: 5 }]);
      expect(e.details.fields).toEqual(['placements.0.rails']);
      expect(e.message).toMatch(/plate_x.*carrier/);
    });

    it('an unknown definition -> 400 naming it', async () => {
      const e = await starletBad([
        { name: 'plate_car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
        { name: 'plate_x', definition: 'no_such_plate', parent: 'plate_car', site: 0 },
      ]);
      expect(e.details.fields).toEqual(['placements.1.definition']);
      expect(e.message).toMatch(/no_such_plate/);
    });

    it('an unknown parent -> 400 naming the parent and both resources', async () => {
      const e = await starletBad([{ name: 'plate_x', definition: 'cor_96_wellplate_360uL_Fb', parent: 'ghost_car', site: 0 }]);
      expect(e.details.fields).toEqual(['placements.0.parent']);
      expect(e.message).toMatch(/plate_x/);
      expect(e.message).toMatch(/ghost_car/);
    });

    it('rails out of range -> 400 naming rails', async () => {
      const far = await starletBad([{ name: 'car', definition: 'TIP_CAR_480_A00', rails: 40 }]);
      expect(far.details.fields).toEqual(['placements.0.rails']);
      expect(far.message).toMatch(/1 to 32/);
      const edge = await starletBad([{ name: 'car', definition: 'TIP_CAR_480_A00', rails: 30 }]);
      expect(edge.details.fields).toEqual(['placements.0.rails']);
      expect(edge.message).toMatch(/does not fit/);
      const zero = await starletBad([{ name: 'car', definition: 'TIP_CAR_480_A00', rails: 0 }]);
      expect(zero.details.fields).toEqual(['placements.0.rails']);
    });

    it('a slot on a STARlet -> 400 naming slot', async () => {
      const e = await starletBad([{ name: 'car', definition: 'TIP_CAR_480_A00', slot: 1 }]);
      expect(e.details.fields).toEqual(['placements.0.slot']);
      expect(e.message).toMatch(/rails, not slots/);
    });

    it('other placement mistakes: site out of range, duplicate names, a deck as labware, no position', async () => {
      const site = await starletBad([
        { name: 'car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
        { name: 'p', definition: 'cor_96_wellplate_360uL_Fb', parent: 'car', site: 5 },
      ]);
      expect(site.details.fields).toEqual(['placements.1.site']);
      const dup = await starletBad([
        { name: 'car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
        { name: 'car', definition: 'TIP_CAR_480_A00', rails: 1 },
      ]);
      expect(dup.details.fields).toEqual(['placements.1.name']);
      const trashName = await starletBad([{ name: 'trash', definition: 'TIP_CAR_480_A00', rails: 1 }]);
      expect(trashName.details.fields).toEqual(['placements.0.name']);
      const deck = await starletBad([{ name: 'd', definition: 'OT2Deck', rails: 1 }]);
      expect(deck.details.fields).toEqual(['placements.0.definition']);
      const nowhere = await starletBad([{ name: 'car', definition: 'TIP_CAR_480_A00' }]);
      expect(nowhere.details.fields).toEqual(['placements.0.rails']);
      const both = await starletBad([
        { name: 'car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
        { name: 'p', definition: 'cor_96_wellplate_360uL_Fb', rails: 1, parent: 'car', site: 0 },
      ]);
      expect(both.details.fields).toEqual(['placements.1.parent']);
    });

    it('placements are validated field by field (types, unknown keys, at most 200)', async () => {
      const types1 = await starletBad([{ name: 'car', definition: 'TIP_CAR_480_A00', rails: 1.5 }, { name: 42, definition: 'x', site: 'front' }]);
      expect(types1.details.fields.sort()).toEqual(['placements.0.rails', 'placements.1.name', 'placements.1.site']);
      const unknown = await starletBad([{ name: 'car', definition: 'TIP_CAR_480_A00', rails: 1, colour: 'red' }]);
      expect(unknown.details.fields).toEqual(['placements.0.colour']);
      const missing = await starletBad([{ name: 'car', rails: 1 }]);
      expect(missing.details.fields).toEqual(['placements.0.definition']);
      const nul = await starletBad([{ name: 'car', definition: 'TIP_CAR_480_A00', rails: null }]);
      expect(nul.details.fields).toEqual(['placements.0.rails']);
      const many = Array.from({ length: 201 }, (_, i) => ({ name: `p${i}`, definition: 'cor_96_wellplate_360uL_Fb', rails: 1 }));
      const tooMany = await starletBad(many);
      expect(tooMany.details.fields).toEqual(['placements']);
      const notArray = await postLayout({ name: 'x', deckTypeId: types.STARletDeck, placements: { name: 'car' } }).expect(400);
      expect(notArray.body.error.details.fields).toContain('placements');
      const noType = await postLayout({ name: 'x', placements: [] }).expect(400);
      expect(noType.body.error.details.fields).toEqual(['deckTypeId']);
      const unknownType = await postLayout({ name: 'x', deckTypeId: '01900000-0000-7000-8000-000000000000', workcellId: '01900000-0000-7000-8000-000000000001', placements: [] }).expect(400);
      expect(unknownType.body.error.details.fields.sort()).toEqual(['deckTypeId', 'workcellId']);
    });

    it('custom definitions are built from their stored layout, renamed to the placement', async () => {
      await t.db.query(
        `INSERT INTO resource_definitions (id, name, category, vendor, model, description, "itemCount", dimensions, consumable, layout, source, properties, "createdAt", "updatedAt")
         SELECT gen_random_uuid(), 'my_plate', category, 'Me', model, 'custom copy', "itemCount", dimensions, consumable, layout, 'custom', '{}', now(), now()
           FROM resource_definitions WHERE name = 'cor_96_wellplate_360uL_Fb'`,
      );
      const res = await postLayout({
        name: 'custom-plates',
        deckTypeId: types.STARletDeck,
        placements: [
          { name: 'car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
          { name: 'mine_1', definition: 'my_plate', parent: 'car', site: 0 },
          { name: 'mine_2', definition: 'my_plate', parent: 'car', site: 1 },
        ],
      }).expect(201);
      const render = await t.http.get(`/api/v1/deck-layouts/${res.body.id}/render`).set(viewer).expect(200);
      expect(pathTo(render.body, 'mine_2_H12')).toEqual(['deck', 'car', 'car-1', 'mine_2', 'mine_2_H12']);
      expect(find(render.body, 'mine_1')).toMatchObject({ type: 'Plate' });
      expect(JSON.stringify(render.body)).not.toMatch(/cor_96_wellplate_360uL_Fb_A1/);
    });

    it('duplicate names -> 409 (per workcell, and among layouts of no workcell)', async () => {
      const dup = await postLayout({ name: 'starlet-standard', deckTypeId: types.STARletDeck, placements: [] }).expect(409);
      expect(dup.body.error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });
      // The same name in a workcell is another layout.
      const scoped = await postLayout({ name: 'starlet-standard', deckTypeId: types.STARletDeck, workcellId: wc1, placements: [] }).expect(201);
      await postLayout({ name: 'starlet-standard', deckTypeId: types.STARletDeck, workcellId: wc1, placements: [] }).expect(409);
      // Concurrent creates of one name: exactly one wins.
      const racers = await Promise.all([1, 2, 3].map(() => postLayout({ name: 'racer', deckTypeId: types.STARletDeck, placements: [] })));
      expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      // Renaming onto a taken name too.
      await t.http.patch(`/api/v1/deck-layouts/${scoped.body.id}`).set(admin).send({ name: 'ot2-standard' }).expect(409);
      await t.http.delete(`/api/v1/deck-layouts/${scoped.body.id}`).set(admin).expect(204);
    });

    it('lists with filters; updates re-check placements', async () => {
      const byType = await t.http.get(`/api/v1/deck-layouts?deckTypeId=${types.OT2Deck}`).set(viewer).expect(200);
      expect(byType.body.items.map((l: { name: string }) => l.name)).toEqual(['ot2-standard']);
      const byCell = await t.http.get(`/api/v1/deck-layouts?workcellId=${wc1}`).set(viewer).expect(200);
      expect(byCell.body.total).toBe(1);
      await t.http.get('/api/v1/deck-layouts?workcellId=nope').set(viewer).expect(400);
      const page = await t.http.get('/api/v1/deck-layouts?limit=2&sort=-name').set(viewer).expect(200);
      expect(page.body.items).toHaveLength(2);
      expect(page.body.total).toBeGreaterThanOrEqual(4);

      const bad = await t.http
        .patch(`/api/v1/deck-layouts/${starletLayout.id}`)
        .set(admin)
        .send({ placements: [...STARLET_PLACEMENTS, { name: 'plate_3', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 1 }] })
        .expect(400);
      expect(bad.body.error.details.fields).toEqual(['placements.6.site']);
      expect(bad.body.error.message).toMatch(/plate_3 and plate_2/);
      const more = [...STARLET_PLACEMENTS, { name: 'plate_3', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 2 }];
      const ok = await t.http.patch(`/api/v1/deck-layouts/${starletLayout.id}`).set(admin).send({ placements: more, description: null }).expect(200);
      expect(ok.body).toMatchObject({ placements: more, description: null });
      const render = await t.http.get(`/api/v1/deck-layouts/${starletLayout.id}/render`).set(viewer).expect(200);
      expect(pathTo(render.body, 'plate_3')).toEqual(['deck', 'plate_car', 'plate_car-2', 'plate_3']);
      const fixed = await t.http.patch(`/api/v1/deck-layouts/${starletLayout.id}`).set(admin).send({ deckTypeId: types.OT2Deck }).expect(400);
      expect(fixed.body.error.details.fields).toEqual(['deckTypeId']);
      const nullName = await t.http.patch(`/api/v1/deck-layouts/${starletLayout.id}`).set(admin).send({ name: null }).expect(400);
      expect(nullName.body.error.details.fields).toEqual(['name']);
      await t.http.get('/api/v1/deck-layouts/01900000-0000-7000-8000-000000000000/render').set(viewer).expect(404);
    });
  });

  describe('decks', () => {
    let deck: { id: string };

    it('creates a machine deck with a layout; gets and lists it', async () => {
      const res = await t.http
        .post('/api/v1/decks')
        .set(admin)
        .send({ name: 'starlet-1 deck', workcellId: wc1, deckTypeId: types.STARletDeck, machineId: machines['starlet-1'], layoutId: starletLayout.id, properties: { bench: 'B' } })
        .expect(201);
      expect(res.body).toMatchObject({ name: 'starlet-1 deck', workcellId: wc1, deckTypeId: types.STARletDeck, machineId: machines['starlet-1'], layoutId: starletLayout.id, properties: { bench: 'B' } });
      deck = res.body;
      await t.http.get(`/api/v1/decks/${deck.id}`).set(viewer).expect(200);
      const spare = await t.http.post('/api/v1/decks').set(admin).send({ name: 'spare', workcellId: wc1, deckTypeId: types.OT2Deck }).expect(201);
      expect(spare.body).toMatchObject({ machineId: null, layoutId: null });
      const byMachine = await t.http.get(`/api/v1/decks?machineId=${machines['starlet-1']}`).set(operator).expect(200);
      expect(byMachine.body).toMatchObject({ total: 1, items: [{ id: deck.id }] });
      const byCell = await t.http.get(`/api/v1/decks?workcellId=${wc1}&deckTypeId=${types.OT2Deck}`).set(viewer).expect(200);
      expect(byCell.body.items.map((d: { name: string }) => d.name)).toEqual(['spare']);
      const byProp = await t.http.get('/api/v1/decks?property.bench=B').set(viewer).expect(200);
      expect(byProp.body.total).toBe(1);
    });

    it("GET /decks/{id}/state: the layout's own state until one is saved, then the saved tips and volumes", async () => {
      const fresh = await t.http.get(`/api/v1/decks/${deck.id}/state`).set(viewer).expect(200);
      expect(fresh.body).toMatchObject({ deckId: deck.id, layoutId: starletLayout.id, savedAt: null });
      expect(fresh.body.resources).toMatchObject({ tips_1_A1: { hasTip: true }, tips_2_H12: { hasTip: true }, plate_1_A1: { volume: 0 } });
      // What the worker saves after a run: one tip taken, liquid in a well.
      const built = await t.app.get(DeckLayoutsService).build(starletLayout.id);
      const state = built.serializeAllState() as Record<string, any>;
      state.tips_1_A1 = { ...state.tips_1_A1, tip: null, pendingTip: null };
      state.plate_1_B2 = { volume: 120, pendingVolume: 120 };
      await t.db.query('UPDATE decks SET state = $2 WHERE id = $1', [deck.id, JSON.stringify(state)]);
      const saved = await t.http.get(`/api/v1/decks/${deck.id}/state`).set(viewer).expect(200);
      expect(saved.body.savedAt).toEqual(expect.any(String));
      expect(saved.body.resources).toMatchObject({ tips_1_A1: { hasTip: false }, tips_1_B1: { hasTip: true }, plate_1_B2: { volume: 120 }, plate_1_A1: { volume: 0 } });
      await t.http.get('/api/v1/decks/01900000-0000-7000-8000-0000000000aa/state').set(viewer).expect(404);
    });

    it('unknown references -> 400 naming each field', async () => {
      const none = '01900000-0000-7000-8000-000000000000';
      const both = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: none, deckTypeId: none }).expect(400);
      expect(both.body.error.details.fields.sort()).toEqual(['deckTypeId', 'workcellId']);
      const machine = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: wc1, deckTypeId: types.STARletDeck, machineId: none }).expect(400);
      expect(machine.body.error.details.fields).toEqual(['machineId']);
      const layout = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: wc1, deckTypeId: types.STARletDeck, layoutId: none }).expect(400);
      expect(layout.body.error.details.fields).toEqual(['layoutId']);
      const malformed = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: 'wc-1', deckTypeId: types.STARletDeck }).expect(400);
      expect(malformed.body.error.details.fields).toEqual(['workcellId']);
      const extra = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: wc1, deckTypeId: types.STARletDeck, numRails: 40 }).expect(400);
      expect(extra.body.error.details.fields).toEqual(['numRails']);
    });

    it('the machine must be in the workcell, with a deck of this type', async () => {
      const far = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: wc1, deckTypeId: types.STARletDeck, machineId: machines['starlet-far'] }).expect(400);
      expect(far.body.error.details.fields).toEqual(['machineId']);
      expect(far.body.error.message).toMatch(/another workcell/);
      const reader = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: wc1, deckTypeId: types.STARletDeck, machineId: machines.reader }).expect(400);
      expect(reader.body.error.details.fields).toEqual(['machineId']);
      expect(reader.body.error.message).toMatch(/no deck/);
      const wrongType = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: wc1, deckTypeId: types.OT2Deck, machineId: machines['starlet-2'] }).expect(400);
      expect(wrongType.body.error.details.fields).toEqual(['machineId']);
      expect(wrongType.body.error.message).toMatch(/STARletDeck.*OT2Deck/);
      const custom = await t.http.post('/api/v1/decks').set(admin).send({ name: 'x', workcellId: wc1, deckTypeId: types.STARlet_autoload, machineId: machines['starlet-2'] }).expect(400);
      expect(custom.body.error.details.fields).toEqual(['machineId']);
    });

    it('one deck per machine (409), names unique per workcell (409)', async () => {
      const second = await t.http.post('/api/v1/decks').set(admin).send({ name: 'other', workcellId: wc1, deckTypeId: types.STARletDeck, machineId: machines['starlet-1'] }).expect(409);
      expect(second.body.error.message).toMatch(/already has a deck/);
      expect(second.body.error.details.field).toBe('machineId');
      const name = await t.http.post('/api/v1/decks').set(admin).send({ name: 'starlet-1 deck', workcellId: wc1, deckTypeId: types.STARletDeck }).expect(409);
      expect(name.body.error.code).toBe('ALREADY_EXISTS');
      // Another workcell may use the name.
      const there = await t.http.post('/api/v1/decks').set(admin).send({ name: 'starlet-1 deck', workcellId: wc2, deckTypeId: types.STARletDeck, machineId: machines['starlet-far'] }).expect(201);
      await t.http.delete(`/api/v1/decks/${there.body.id}`).set(admin).expect(204);
    });

    it('PATCH: rename, move to another machine, change the layout; the layout must fit', async () => {
      const wrongLayout = await t.http.patch(`/api/v1/decks/${deck.id}`).set(admin).send({ layoutId: ot2Layout.id }).expect(400);
      expect(wrongLayout.body.error.details.fields).toEqual(['layoutId']);
      expect(wrongLayout.body.error.message).toMatch(/OT2Deck/);
      const wrongMachine = await t.http.patch(`/api/v1/decks/${deck.id}`).set(admin).send({ machineId: machines.reader }).expect(400);
      expect(wrongMachine.body.error.details.fields).toEqual(['machineId']);
      const moved = await t.http.patch(`/api/v1/decks/${deck.id}`).set(admin).send({ name: 'main deck', machineId: machines['starlet-2'] }).expect(200);
      expect(moved.body).toMatchObject({ name: 'main deck', machineId: machines['starlet-2'], layoutId: starletLayout.id });
      const other = await t.http.post('/api/v1/decks').set(admin).send({ name: 'second', workcellId: wc1, deckTypeId: types.STARletDeck, machineId: machines['starlet-1'] }).expect(201);
      await t.http.patch(`/api/v1/decks/${other.body.id}`).set(admin).send({ machineId: machines['starlet-2'] }).expect(409);
      await t.http.patch(`/api/v1/decks/${other.body.id}`).set(admin).send({ name: 'main deck' }).expect(409);
      const detached = await t.http.patch(`/api/v1/decks/${other.body.id}`).set(admin).send({ machineId: null, layoutId: null }).expect(200);
      expect(detached.body).toMatchObject({ machineId: null, layoutId: null });
      const fixed = await t.http.patch(`/api/v1/decks/${other.body.id}`).set(admin).send({ workcellId: wc2 }).expect(400);
      expect(fixed.body.error.details.fields).toEqual(['workcellId']);
      const nullName = await t.http.patch(`/api/v1/decks/${other.body.id}`).set(admin).send({ name: null }).expect(400);
      expect(nullName.body.error.details.fields).toEqual(['name']);
      await t.http.delete(`/api/v1/decks/${other.body.id}`).set(admin).expect(204);
      await t.http.get(`/api/v1/decks/${other.body.id}`).set(admin).expect(404);
    });

    it('a layout used by a deck cannot be deleted (409) until the deck lets go', async () => {
      const res = await t.http.delete(`/api/v1/deck-layouts/${starletLayout.id}`).set(admin).expect(409);
      expect(res.body.error.message).toMatch(/main deck/);
      await t.http.patch(`/api/v1/decks/${deck.id}`).set(admin).send({ layoutId: null }).expect(200);
      await t.http.delete(`/api/v1/deck-layouts/${starletLayout.id}`).set(admin).expect(204);
      await t.http.get(`/api/v1/deck-layouts/${starletLayout.id}`).set(admin).expect(404);
    });
  });

  it('viewers and operators read but do not write (403)', async () => {
    for (const who of [viewer, operator]) {
      await t.http.get('/api/v1/decks').set(who).expect(200);
      await t.http.get('/api/v1/deck-layouts').set(who).expect(200);
      await t.http.get(`/api/v1/deck-layouts/${ot2Layout.id}/render`).set(who).expect(200);
      await t.http.post('/api/v1/decks/types').set(who).send({ name: 'Nope', basedOn: 'OT2Deck' }).expect(403);
      await t.http.post('/api/v1/decks').set(who).send({ name: 'nope', workcellId: wc1, deckTypeId: types.OT2Deck }).expect(403);
      await t.http.post('/api/v1/deck-layouts').set(who).send({ name: 'nope', deckTypeId: types.OT2Deck, placements: [] }).expect(403);
      await t.http.patch(`/api/v1/deck-layouts/${ot2Layout.id}`).set(who).send({ name: 'nope' }).expect(403);
      await t.http.delete(`/api/v1/deck-layouts/${ot2Layout.id}`).set(who).expect(403);
    }
    const [spare] = await t.db.query(`SELECT id FROM decks WHERE name = 'spare'`);
    await t.http.patch(`/api/v1/decks/${spare.id}`).set(viewer).send({ name: 'nope' }).expect(403);
    await t.http.delete(`/api/v1/decks/${spare.id}`).set(viewer).expect(403);
    await t.http.get('/api/v1/decks').expect(401);
  });

  it('a property key with SQL in it is just a key (no injection)', async () => {
    for (const path of ['/api/v1/decks', '/api/v1/deck-layouts', '/api/v1/decks/types']) {
      const evil = encodeURIComponent(`x') = '1' OR 1=1; DROP TABLE decks; --`);
      const res = await t.http.get(`${path}?property.${evil}=1`).set(viewer);
      expect([200, 400]).toContain(res.status);
      if (res.status === 200) expect(res.body.total).toBe(0);
      const quote = await t.http.get(`${path}?property.bench=${encodeURIComponent("B' OR '1'='1")}`).set(viewer).expect(200);
      expect(quote.body.total).toBe(0);
    }
    const still = await t.db.query('SELECT count(*)::int AS n FROM decks');
    expect(still[0].n).toBeGreaterThan(0);
  });

  it('no request answered 500 or logged at error level', () => {
    expect(t.logs.errors()).toEqual([]);
  });
});
