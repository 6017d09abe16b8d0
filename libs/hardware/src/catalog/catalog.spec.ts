import { describe, expect, it } from '@jest/globals';
// Every module that registers resource types for deserialization (the catalog imports them too).
import '../resources/container.js';
import '../resources/plate.js';
import '../resources/tip-rack.js';
import '../resources/tube-rack.js';
import '../resources/carrier.js';
import '../resources/deck.js';
import { HamiltonSTARDeck, railsToLocation, STARletDeck } from '../decks/hamilton.js';
import { OT2_SLOT_LOCATIONS, OT2Deck } from '../decks/ot2.js';
import { Carrier } from '../resources/carrier.js';
import { Container } from '../resources/container.js';
import { ResourceNotFoundError } from '../resources/errors.js';
import { ItemizedResource } from '../resources/itemized.js';
import { Plate } from '../resources/plate.js';
import { deserializeResource, type Resource } from '../resources/resource.js';
import { TipRack } from '../resources/tip-rack.js';
import {
  cor_96_wellplate_360uL_Fb,
  createLabware,
  getLabware,
  Greiner_384_wellplate_28ul_Fb,
  hamilton_1_trough_200mL_Vb,
  hamilton_96_tiprack_1000uL,
  hamilton_96_tiprack_300uL,
  LABWARE_CATALOG,
  listLabware,
  nest_12_troughplate_15000uL_Vb,
  opentrons_96_tiprack_300ul,
  PLT_CAR_L5AC_A00,
  TIP_CAR_480_A00,
  Trough_CAR_4R200_A00,
} from './index.js';

/** Tip facts from PyLabRobot's tip_creators.py / the Opentrons 300 µL definition, per rack. */
const TIP_FACTS: Record<string, { maximalVolume: number; totalTipLength: number; fittingDepth: number; hasFilter: boolean }> = {
  hamilton_96_tiprack_1000uL: { maximalVolume: 1250, totalTipLength: 95.1, fittingDepth: 8, hasFilter: false },
  hamilton_96_tiprack_1000uL_filter: { maximalVolume: 1065, totalTipLength: 95.1, fittingDepth: 8, hasFilter: true },
  hamilton_96_tiprack_300uL: { maximalVolume: 400, totalTipLength: 59.9, fittingDepth: 8, hasFilter: false },
  hamilton_96_tiprack_300uL_filter: { maximalVolume: 360, totalTipLength: 59.9, fittingDepth: 8, hasFilter: true },
  hamilton_96_tiprack_50uL: { maximalVolume: 65, totalTipLength: 50.4, fittingDepth: 8, hasFilter: false },
  opentrons_96_tiprack_300ul: { maximalVolume: 300, totalTipLength: 59.17, fittingDepth: 7.47, hasFilter: false },
};

/** Centre of an item in its parent's frame (x, y) and its bottom (z). */
function centre(r: Resource, relativeTo: Resource): { x: number; y: number; z: number } {
  const o = r.locationRelativeTo(relativeTo);
  return { x: o.x + r.sizeX / 2, y: o.y + r.sizeY / 2, z: o.z };
}

function expectClose(actual: { x: number; y: number; z?: number }, expected: { x: number; y: number; z?: number }): void {
  expect(actual.x).toBeCloseTo(expected.x, 6);
  expect(actual.y).toBeCloseTo(expected.y, 6);
  if (expected.z !== undefined) expect(actual.z).toBeCloseTo(expected.z, 6);
}

describe('labware catalog', () => {
  it('has unique names and the categories and vendors it promises', () => {
    const names = LABWARE_CATALOG.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of [
      'cor_96_wellplate_360uL_Fb',
      'Greiner_384_wellplate_28ul_Fb',
      'hamilton_96_tiprack_1000uL',
      'hamilton_96_tiprack_300uL',
      'hamilton_96_tiprack_50uL',
      'TIP_CAR_480_A00',
      'PLT_CAR_L5AC_A00',
      'hamilton_1_trough_200mL_Vb',
      'Trough_CAR_4R200_A00',
      'alpaqua_12_tuberack_5mL_eppis',
      'opentrons_96_tiprack_300ul',
      'nest_12_troughplate_15000uL_Vb',
      'STARletDeck',
      'STARDeck',
      'OT2Deck',
    ]) {
      expect(names).toContain(n);
    }
    expect(Object.isFrozen(LABWARE_CATALOG)).toBe(true);
    expect(Object.isFrozen(getLabware('TIP_CAR_480_A00'))).toBe(true);
  });

  describe.each(LABWARE_CATALOG.map((d) => [d.name, d] as const))('%s', (name, def) => {
    it('builds a resource of the listed size, kind and model', () => {
      const r = def.create('x');
      expect(r.name).toBe('x');
      expect({ x: r.sizeX, y: r.sizeY, z: r.sizeZ }).toEqual(def.dimensions);
      expect(r.category).toBe(def.category);
      if (def.category === 'deck') {
        // Deck models are set by the deck classes ('STARlet', 'STAR', 'OT-2').
        expect(r.model).toBeTruthy();
      } else {
        expect(r.model).toBe(name);
      }
      expect(def.consumable).toBe(['plate', 'tip_rack', 'trough', 'tube', 'lid'].includes(def.category));
    });

    it('has the listed number of items and volumes', () => {
      const r = def.create('x');
      if (r instanceof ItemizedResource) {
        expect(r.numItems).toBe(def.itemCount);
        expect(r.numItemsX * r.numItemsY).toBe(def.itemCount);
        expect(r.items().every((i) => i.parent === r && i.name.startsWith('x_'))).toBe(true);
      } else if (r instanceof Carrier) {
        expect(r.capacity).toBe(def.itemCount);
        expect(r.sites.map((s) => s.name)).toEqual(Array.from({ length: def.itemCount }, (_, i) => `x-${i}`));
      } else if (r instanceof HamiltonSTARDeck) {
        expect(r.numRails).toBe(def.itemCount);
      } else if (r instanceof OT2Deck) {
        expect(OT2_SLOT_LOCATIONS).toHaveLength(def.itemCount);
      } else {
        expect(def.itemCount).toBe(1);
      }

      if (r instanceof TipRack) {
        const facts = TIP_FACTS[name];
        expect(facts).toBeDefined();
        expect(def.tipVolumeUl).toBeDefined();
        expect(r.tipCount).toBe(def.itemCount);
        for (const spot of r.spots()) expect(spot.prototypeTip).toMatchObject(facts);
        expect(facts.maximalVolume).toBeGreaterThanOrEqual(def.tipVolumeUl!);
      } else {
        expect(def.tipVolumeUl).toBeUndefined();
      }

      const containers = r instanceof Container ? [r] : r instanceof ItemizedResource ? r.items().filter((i): i is Container => i instanceof Container) : [];
      if (def.wellVolumeUl === undefined) {
        expect(containers).toHaveLength(0);
      } else {
        expect(containers).toHaveLength(def.itemCount);
        for (const c of containers) expect(c.maxVolume).toBe(def.wellVolumeUl);
      }

      if (r instanceof Plate) expect(r.plateType).toBe(def.plateType);
      else expect(def.plateType).toBeUndefined();
    });

    it('survives a serialization round trip', () => {
      const data = def.create('x').serialize();
      expect(deserializeResource(data).serialize()).toStrictEqual(data);
    });
  });

  it('round-trips a plate with its lid', () => {
    const plate = cor_96_wellplate_360uL_Fb('p', { withLid: true });
    expect(plate.lid?.name).toBe('p_lid');
    expect(plate.lid?.location?.z).toBeCloseTo(14.2 - 7.6, 9);
    const data = plate.serialize();
    const back = deserializeResource(data) as Plate;
    expect(back.serialize()).toStrictEqual(data);
    expect(back.lid?.name).toBe('p_lid');
    expect(back.get('H12').name).toBe('p_H12');
  });

  it('getLabware names unknown labware and lists known names', () => {
    expect(() => getLabware('cor_96_wellplate_999uL')).toThrow(ResourceNotFoundError);
    expect(() => getLabware('cor_96_wellplate_999uL')).toThrow(/Unknown labware "cor_96_wellplate_999uL".*cor_96_wellplate_360uL_Fb/);
    expect(() => getLabware('tip_car_480_a00')).toThrow(/Did you mean "TIP_CAR_480_A00"/);
    expect(getLabware('PLT_CAR_L5AC_A00').category).toBe('plate_carrier');
  });

  it('createLabware builds by catalog name', () => {
    const r = createLabware('hamilton_96_tiprack_50uL', 'tips50');
    expect(r).toBeInstanceOf(TipRack);
    expect(r.name).toBe('tips50');
    expect(r.model).toBe('hamilton_96_tiprack_50uL');
    expect(() => createLabware('nope', 'x')).toThrow(/Unknown labware "nope"/);
  });

  it('listLabware filters by category and vendor', () => {
    expect(listLabware()).toHaveLength(LABWARE_CATALOG.length);
    const racks = listLabware({ category: 'tip_rack' });
    expect(racks.length).toBeGreaterThanOrEqual(4);
    expect(racks.every((d) => d.category === 'tip_rack')).toBe(true);
    const hamiltonRacks = listLabware({ category: 'tip_rack', vendor: 'hamilton' }).map((d) => d.name);
    expect(hamiltonRacks).toContain('hamilton_96_tiprack_1000uL');
    expect(hamiltonRacks).not.toContain('opentrons_96_tiprack_300ul');
    expect(listLabware({ vendor: 'Opentrons' }).map((d) => d.name)).toEqual(expect.arrayContaining(['opentrons_96_tiprack_300ul', 'OT2Deck']));
    expect(listLabware({ category: 'deck' }).map((d) => d.name).sort()).toEqual(['OT2Deck', 'STARDeck', 'STARletDeck']);
  });
});

describe('well and tip positions', () => {
  it('cor_96_wellplate_360uL_Fb: A1 and H12 centres from dx/dy/pitch (PyLabRobot figures)', () => {
    const plate = cor_96_wellplate_360uL_Fb('p');
    const [dx, dy, dz, pitch, well] = [10.87, 7.77, 3.03, 9.0, 6.86];
    const a1 = plate.get('A1');
    const h12 = plate.get('H12');
    expect(a1.name).toBe('p_A1');
    expect([a1.sizeX, a1.sizeY, a1.sizeZ]).toEqual([6.86, 6.86, 10.67]);
    // A1 is the back-left well: 7 pitches behind the front row.
    expectClose(centre(a1, plate), { x: dx + well / 2, y: dy + 7 * pitch + well / 2, z: dz });
    expectClose(centre(h12, plate), { x: dx + 11 * pitch + well / 2, y: dy + well / 2, z: dz });
    // Which are the SLAS positions the offsets were derived from: A1 at (14.3, 74.2), H12 at (113.3, 11.2).
    expectClose(centre(a1, plate), { x: 14.3, y: 74.2 });
    expectClose(centre(h12, plate), { x: 113.3, y: 11.2 });
    expect(a1.getAbsoluteLocation('c', 'c', 't').z).toBeCloseTo(3.03 + 10.67, 9);
    expect(plate.column(1).map((w) => w.name)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((r) => `p_${r}1`));
  });

  it('Greiner_384_wellplate_28ul_Fb: A1 and P24 centres', () => {
    const plate = Greiner_384_wellplate_28ul_Fb('g');
    expectClose(centre(plate.get('A1'), plate), { x: 10.28 + 1.65, y: 7.34 + 15 * 4.5 + 1.65, z: 8.9 });
    expectClose(centre(plate.get('P24'), plate), { x: 10.28 + 23 * 4.5 + 1.65, y: 7.34 + 1.65, z: 8.9 });
  });

  it('opentrons_96_tiprack_300ul: spot centres are the Opentrons definition hole centres', () => {
    const rack = opentrons_96_tiprack_300ul('ot');
    expectClose(centre(rack.get('A1'), rack), { x: 14.33, y: 74.2, z: 10.48 });
    expectClose(centre(rack.get('H12'), rack), { x: 113.33, y: 11.2, z: 10.48 });
    expect(rack.get('A1').sizeX).toBe(3.536);
  });

  it('nest_12_troughplate_15000uL_Vb: channel centres 9 mm apart from x 14.38', () => {
    const res = nest_12_troughplate_15000uL_Vb('n');
    expect(res.numItemsX).toBe(12);
    expect(res.numItemsY).toBe(1);
    expectClose(centre(res.get('A1'), res), { x: 14.38, y: 85.48 / 2, z: 3.55 });
    expectClose(centre(res.get('A12'), res), { x: 14.38 + 99, y: 85.48 / 2, z: 3.55 });
  });

  it('hamilton_96_tiprack_1000uL: tips hang 83.5 mm below the rack', () => {
    const rack = hamilton_96_tiprack_1000uL('t');
    expectClose(centre(rack.get('H1'), rack), { x: 7.2 + 4.5, y: 5.3 + 4.5, z: -83.5 });
    expectClose(centre(rack.get('A12'), rack), { x: 7.2 + 99 + 4.5, y: 5.3 + 63 + 4.5, z: -83.5 });
  });
});

describe('decks assembled from the catalog', () => {
  it('a STARlet with tip, plate and trough carriers', () => {
    const deck = STARletDeck();
    const tipCar = TIP_CAR_480_A00('tip_car');
    const tips1000 = hamilton_96_tiprack_1000uL('tips_1000');
    const tips300 = hamilton_96_tiprack_300uL('tips_300');
    tipCar.assign(tips1000, 0);
    tipCar.assign(tips300, 1);
    const plateCar = PLT_CAR_L5AC_A00('plate_car');
    const plate1 = cor_96_wellplate_360uL_Fb('plate_1');
    const plate2 = cor_96_wellplate_360uL_Fb('plate_2', { withLid: true });
    plateCar.assign(plate1, 0);
    plateCar.assign(plate2, 1);
    const troughCar = Trough_CAR_4R200_A00('trough_car');
    const trough = hamilton_1_trough_200mL_Vb('buffer');
    troughCar.assign(trough, 0);

    deck.assignOnRails(tipCar, 1);
    deck.assignOnRails(plateCar, 10);
    deck.assignOnRails(troughCar, 20);

    expect(deck.railsOf(tipCar)).toBe(1);
    expect(deck.railsOf(plateCar)).toBe(10);
    for (const carrier of [tipCar, plateCar, troughCar]) {
      for (const r of carrier.descendantsAndSelf()) expect(deck.getResource(r.name)).toBe(r);
    }
    expect(deck.getResource('plate_2_lid')).toBe(plate2.lid);
    expect(deck.getResource('plate_1_H12')).toBe(plate1.get('H12'));

    // Site 0 of the tip carrier is at (6.2, 10, 114.95) on the carrier.
    const rail1 = railsToLocation(1);
    expectClose(tips1000.getAbsoluteLocation(), { x: rail1.x + 6.2, y: rail1.y + 10.0, z: rail1.z + 114.95 });
    expectClose(tips300.getAbsoluteLocation(), { x: rail1.x + 6.2, y: rail1.y + 106.0, z: rail1.z + 114.95 });
    // Plate site 0 is at (4, 8.5, 86.15); the plate's A1 centre is (14.3, 74.2) on the plate.
    const rail10 = railsToLocation(10);
    expectClose(plate1.get('A1').getAbsoluteLocation('c', 'c'), { x: rail10.x + 4.0 + 14.3, y: rail10.y + 8.5 + 74.2 });
    expectClose(plate2.get('A1').getAbsoluteLocation('c', 'c'), { x: rail10.x + 4.0 + 14.3, y: rail10.y + 104.5 + 74.2 });
    const rail20 = railsToLocation(20);
    expectClose(trough.getAbsoluteLocation(), { x: rail20.x + 4.0, y: rail20.y + 2.0, z: rail20.z + 35.5 });

    // Carriers may not overlap: the tip carrier is 6 rails wide.
    expect(() => deck.assignOnRails(PLT_CAR_L5AC_A00('overlapping'), 5)).toThrow(/overlap/);

    const data = deck.serialize();
    expect(deserializeResource(data).serialize()).toStrictEqual(data);
  });

  it('an OT-2 with a tip rack, a reservoir and a plate', () => {
    const deck = new OT2Deck();
    const tips = opentrons_96_tiprack_300ul('tips');
    const reservoir = nest_12_troughplate_15000uL_Vb('reservoir');
    const plate = cor_96_wellplate_360uL_Fb('plate');
    deck.assignToSlot(tips, 1);
    deck.assignToSlot(reservoir, 2);
    deck.assignToSlot(plate, 3);
    for (const lw of [tips, reservoir, plate]) {
      for (const r of lw.descendantsAndSelf()) expect(deck.getResource(r.name)).toBe(r);
    }
    expect(deck.slot(2)).toBe(reservoir);
    const data = deck.serialize();
    expect(deserializeResource(data).serialize()).toStrictEqual(data);
  });
});
