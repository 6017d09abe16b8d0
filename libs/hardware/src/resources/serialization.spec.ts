import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import '../index.js';
import { HamiltonSTARDeck } from '../decks/hamilton.js';
import { OT2Deck } from '../decks/ot2.js';
import { plate96, testDeck, TIP_300, tipRack96 } from '../fixtures.spec-support.js';
import { Well } from './container.js';
import { SerializationError } from './errors.js';
import { createGrid } from './itemized.js';
import { Plate } from './plate.js';
import { deserializeResource, registeredResourceTypes } from './resource.js';
import { TipRack, TipSpot } from './tip-rack.js';

const randomPlate = fc
  .record({
    nx: fc.integer({ min: 1, max: 24 }),
    ny: fc.integer({ min: 1, max: 16 }),
    dx: fc.double({ min: 0, max: 20, noNaN: true }),
    dy: fc.double({ min: 0, max: 20, noNaN: true }),
    pitch: fc.double({ min: 2, max: 9, noNaN: true }),
    vol: fc.integer({ min: 1, max: 2000 }),
    rot: fc.constantFrom(0, 90, 180, 270),
  })
  .map(
    (p) =>
      new Plate({
        name: 'rp',
        sizeX: p.nx * p.pitch + 2 * p.dx,
        sizeY: p.ny * p.pitch + 2 * p.dy,
        sizeZ: 14,
        model: 'random',
        rotation: { x: 0, y: 0, z: p.rot },
        grid: createGrid({
          prefix: 'rp',
          numItemsX: p.nx,
          numItemsY: p.ny,
          dx: p.dx,
          dy: p.dy,
          dz: 1,
          itemDx: p.pitch,
          itemDy: p.pitch,
          make: (n) => new Well({ name: n, sizeX: p.pitch - 0.5, sizeY: p.pitch - 0.5, sizeZ: 10, maxVolume: p.vol }),
        }),
      }),
  );

describe('layout serialization', () => {
  it('round-trips random plates exactly, with addressing intact', () => {
    fc.assert(
      fc.property(randomPlate, (plate) => {
        const json = plate.serialize();
        const back = deserializeResource(JSON.parse(JSON.stringify(json))) as Plate;
        expect(back).toBeInstanceOf(Plate);
        expect(back.serialize()).toEqual(json);
        expect(back.wells().map((w) => w.name)).toEqual(plate.wells().map((w) => w.name));
        const last = plate.identifierOf(plate.numItems - 1);
        expect(back.get(last).getAbsoluteLocation()).toEqual(plate.get(last).getAbsoluteLocation());
      }),
      { numRuns: 60 },
    );
  });

  it('round-trips a whole deck (carriers, racks, plates, lids, trough, trash)', () => {
    const { deck } = testDeck();
    const json = deck.serialize();
    const back = deserializeResource(JSON.parse(JSON.stringify(json)));
    expect(back).toBeInstanceOf(HamiltonSTARDeck);
    expect(back.serialize()).toEqual(json);
    expect(back.getResource('source_lid').type).toBe('Lid');
    expect((back.getResource('tips') as TipRack).get('H12').prototypeTip).toEqual(TIP_300);
    const ot = new OT2Deck();
    ot.assignToSlot(plate96('p'), 3);
    const otBack = deserializeResource(ot.serialize()) as OT2Deck;
    expect(otBack.slot(3)?.name).toBe('p');
    expect(otBack.serialize()).toEqual(ot.serialize());
  });

  it('every registered type is reachable and unknown types fail by name', () => {
    expect(registeredResourceTypes()).toEqual(expect.arrayContaining(['Plate', 'Well', 'TipRack', 'TipSpot', 'Lid', 'Trough', 'HamiltonSTARDeck', 'OT2Deck', 'PlateCarrier', 'TipCarrier', 'Trash']));
    expect(() => deserializeResource({ ...plate96('x').serialize(), type: 'Spaceship' })).toThrow(SerializationError);
    expect(() => deserializeResource({ ...plate96('x').serialize(), type: 'Spaceship' })).toThrow(/Spaceship/);
  });
});

describe('state serialization, separate from layout', () => {
  it('layout JSON holds no state', () => {
    const { deck, source } = testDeck();
    source.fill(123);
    expect(JSON.stringify(deck.serialize())).not.toContain('123');
  });

  it('round-trips random tip and volume states through a fresh copy of the layout', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 96, maxLength: 96 }), fc.array(fc.integer({ min: 0, max: 360 }), { minLength: 96, maxLength: 96 }), (tips, vols) => {
        const { deck, tips: rack, source } = testDeck();
        rack.setTips((_, i) => tips[i]);
        source.fill((w) => vols[source.wells().indexOf(w)]);
        const state = deck.serializeAllState();
        const copy = deserializeResource(deck.serialize());
        copy.loadAllState(JSON.parse(JSON.stringify(state)));
        expect(copy.serializeAllState()).toEqual(state);
        expect((copy.getResource('tips') as TipRack).tipCount).toBe(tips.filter(Boolean).length);
        expect((copy.getResource('source_H12') as Well).volume).toBe(vols[95]);
      }),
      { numRuns: 25 },
    );
  });

  it('keys state by resource name (flat map) and refuses unknown names before changing anything', () => {
    const { deck, source } = testDeck();
    source.get('A1').setVolume(10);
    const state = deck.serializeAllState();
    expect(state['source_A1']).toEqual({ volume: 10, pendingVolume: 10 });
    expect(state['tips_A1']).toMatchObject({ tip: TIP_300 });
    expect(() => deck.loadAllState({ source_A1: { volume: 99, pendingVolume: 99 }, ghost: {} })).toThrow(/ghost/);
    expect(source.get('A1').volume).toBe(10);
    expect(new TipSpot({ name: 's', sizeX: 1, sizeY: 1, sizeZ: 0, prototypeTip: TIP_300 }).serializeState()).toEqual({ tip: null, pendingTip: null, origin: null });
    expect(tipRack96('e', false).tipCount).toBe(0);
  });
});
