import { describe, expect, it } from '@jest/globals';
import { OT2Deck } from '../decks/ot2.js';
import { railsToLocation, STARDeck, STARletDeck } from '../decks/hamilton.js';
import { plate96, testDeck, tipRack96, trough } from '../fixtures.spec-support.js';
import { ResourceHolder } from './carrier.js';
import { DuplicateResourceNameError, ResourceAssignmentError, ResourceNotFoundError } from './errors.js';
import { Resource } from './resource.js';

const close = (a: { x: number; y: number; z: number }, b: { x: number; y: number; z: number }) => {
  expect(a.x).toBeCloseTo(b.x, 6);
  expect(a.y).toBeCloseTo(b.y, 6);
  expect(a.z).toBeCloseTo(b.z, 6);
};

describe('resource tree', () => {
  it('finds any resource by name from any node (one index at the root)', () => {
    const { deck, source, tips } = testDeck();
    expect(deck.getResource('source_A1')).toBe(source.get('A1'));
    expect(source.get('H12').getResource('tips_B3')).toBe(tips.get('B3'));
    expect(deck.hasResource('nope')).toBe(false);
    expect(() => deck.getResource('nope')).toThrow(ResourceNotFoundError);
  });

  it('keeps the index right when subtrees are assigned, unassigned and moved', () => {
    const { deck, pc, dest, freeSite } = testDeck();
    dest.unassign();
    expect(deck.hasResource('dest_A1')).toBe(false);
    expect(dest.getResource('dest_A1')).toBe(dest.get('A1'));
    freeSite.assign(dest);
    expect(deck.getResource('dest_H12')).toBe(dest.get('H12'));
    expect(pc.site(2).resource).toBe(dest);
  });

  it('refuses duplicate names anywhere in the tree, changing nothing', () => {
    const { deck, freeSite } = testDeck();
    const clash = plate96('other');
    const w = clash.get('A1');
    // rename clash: a plate whose well is named like an existing one
    const dup = plate96('source');
    expect(() => freeSite.assign(dup)).toThrow(DuplicateResourceNameError);
    expect(freeSite.resource).toBeNull();
    expect(deck.getResource('source_A1').parent?.name).toBe('source');
    expect(w.root()).toBe(clash);
  });

  it('refuses cycles and double parents', () => {
    const a = new Resource({ name: 'a', sizeX: 1, sizeY: 1, sizeZ: 1 });
    const b = new Resource({ name: 'b', sizeX: 1, sizeY: 1, sizeZ: 1 });
    a.assignChildResource(b, { x: 0, y: 0, z: 0 });
    expect(() => b.assignChildResource(a, { x: 0, y: 0, z: 0 })).toThrow(ResourceAssignmentError);
    const c = new Resource({ name: 'c', sizeX: 1, sizeY: 1, sizeZ: 1 });
    expect(() => c.assignChildResource(b, { x: 0, y: 0, z: 0 })).toThrow(/already assigned/);
    c.assignChildResource(b, { x: 1, y: 0, z: 0 }, { reassign: true });
    expect(b.parent).toBe(c);
    expect(a.children).toEqual([]);
  });

  it('a holder takes one resource', () => {
    const { source, pc } = testDeck();
    expect(() => pc.site(0).assign(plate96('another'))).toThrow(/already holds source/);
    expect(pc.at(0)).toBe(source);
    expect(() => pc.site(9)).toThrow(/no site 9/);
  });
});

describe('geometry', () => {
  it('computes absolute locations through the tree, with anchors', () => {
    const { source, pc } = testDeck();
    const carrier = railsToLocation(8);
    close(pc.getAbsoluteLocation(), carrier);
    // site 0 at (4, 8.5, 83) on the carrier; A1 at dx=10.87, dy=7.76+7*9, dz=1 on the plate
    const a1 = source.get('A1');
    close(a1.getAbsoluteLocation(), { x: carrier.x + 4 + 10.87, y: carrier.y + 8.5 + 7.76 + 63, z: carrier.z + 83 + 1 });
    close(a1.getAbsoluteLocation('c', 'c', 't'), { x: carrier.x + 4 + 10.87 + 3.43, y: carrier.y + 8.5 + 70.76 + 3.43, z: carrier.z + 84 + 10.67 });
    close(source.get('H12').getAbsoluteLocation(), { x: carrier.x + 4 + 10.87 + 99, y: carrier.y + 8.5 + 7.76, z: carrier.z + 84 });
  });

  it('applies rotation about z to children', () => {
    const holder = new Resource({ name: 'h', sizeX: 100, sizeY: 100, sizeZ: 0, rotation: { x: 0, y: 0, z: 90 } });
    const child = new Resource({ name: 'c', sizeX: 10, sizeY: 20, sizeZ: 5 });
    holder.assignChildResource(child, { x: 10, y: 0, z: 0 });
    close(child.absoluteOrigin(), { x: 0, y: 10, z: 0 });
    // the child's right-back corner: (10,20) rotated by 90 -> (-20,10)
    close(child.getAbsoluteLocation('r', 'b', 'b'), { x: -20, y: 20, z: 0 });
    close(child.locationRelativeTo(holder), { x: 10, y: 0, z: 0 });
  });

  it('Hamilton decks: 22.5 mm rails, bounds and overlap checks', () => {
    const starlet = STARletDeck();
    const star = STARDeck();
    expect(starlet.numRails).toBe(32);
    expect(star.numRails).toBe(56);
    expect(railsToLocation(1)).toEqual({ x: 100, y: 63, z: 100 });
    expect(railsToLocation(11).x - railsToLocation(10).x).toBeCloseTo(22.5);
    const { deck, tc } = testDeck();
    expect(deck.railsOf(tc)).toBe(1);
    const wide = new Resource({ name: 'wide', sizeX: 135, sizeY: 497, sizeZ: 10 });
    expect(() => deck.assignOnRails(wide, 3)).toThrow(/overlap tip_car/);
    expect(() => deck.assignOnRails(wide, 30)).toThrow(/does not fit/);
    expect(() => deck.assignOnRails(wide, 26)).toThrow(/overlap waste_block/);
    expect(() => deck.assignOnRails(wide, 0)).toThrow(/rails must be/);
    deck.assignOnRails(wide, 20);
    expect(deck.railsOf(wide)).toBe(20);
    expect(deck.trash.category).toBe('trash');
  });

  it('OT-2 deck: 12 slots, trash in 12, one labware per slot', () => {
    const deck = new OT2Deck();
    expect(deck.slot(12)?.name).toBe('trash');
    const p = plate96('p1');
    deck.assignToSlot(p, 1);
    expect(p.getAbsoluteLocation()).toEqual({ x: 115.65, y: 68.03, z: 0 });
    const r = tipRack96('r5');
    deck.assignToSlot(r, 5);
    close(r.getAbsoluteLocation(), { x: 115.65 + 132.5, y: 68.03 + 90.5, z: 0 });
    expect(() => deck.assignToSlot(plate96('p2'), 1)).toThrow(/Slot 1 already holds p1/);
    expect(() => deck.assignToSlot(plate96('p3'), 13)).toThrow(/1-12/);
    p.unassign();
    expect(deck.slot(1)).toBeNull();
    deck.assignToSlot(trough('t1'), 1);
  });
});

describe('addressing', () => {
  const p = plate96('p');
  it('get, ranges, columns, rows, all (column-major)', () => {
    expect(p.get('A1').name).toBe('p_A1');
    expect(p.get('h12').name).toBe('p_H12');
    expect(p.get(1).name).toBe('p_B1');
    expect(p.wells('A1:H1').map((w) => w.name)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((r) => `p_${r}1`));
    expect(p.wells('A1:B2').map((w) => w.name)).toEqual(['p_A1', 'p_B1', 'p_A2', 'p_B2']);
    expect(p.wells('B2:A1').map((w) => w.name)).toEqual(['p_A1', 'p_B1', 'p_A2', 'p_B2']);
    expect(p.wells('A1,C3').map((w) => w.name)).toEqual(['p_A1', 'p_C3']);
    expect(p.column(1).map((w) => w.name)).toEqual(p.wells('A1:H1').map((w) => w.name));
    expect(p.row('A').map((w) => w.name)).toEqual(Array.from({ length: 12 }, (_, i) => `p_A${i + 1}`));
    const all = p.wells();
    expect(all).toHaveLength(96);
    expect(all[8].name).toBe('p_A2');
    expect(p.identifierOf(95)).toBe('H12');
  });

  it('names what is wrong', () => {
    expect(() => p.get('I1')).toThrow(/p has no I1/);
    expect(() => p.get('A13')).toThrow(/A1 to H12/);
    expect(() => p.get('zz')).toThrow(/not a well identifier/);
    expect(() => p.column(0)).toThrow(/no column 0/);
    expect(() => p.row('J')).toThrow(/no row J/);
  });

  it('tip racks address the same way', () => {
    const r = tipRack96('r');
    expect(r.get('A1').name).toBe('r_A1');
    expect(r.spots('A1:H1')).toHaveLength(8);
    expect(r.wells('A12:H12').every((s) => s.hasTip)).toBe(true);
    expect(r.column(12)).toHaveLength(8);
    expect(r.row('H')).toHaveLength(12);
    expect(r.tipCount).toBe(96);
    r.setTips(['A1', 'B1']);
    expect(r.tipCount).toBe(2);
  });

  it('a holder places its resource at its child location', () => {
    const h = new ResourceHolder({ name: 'h', sizeX: 130, sizeY: 90, sizeZ: 5, childLocation: { x: 1, y: 2, z: 5 } });
    const pl = plate96('q');
    h.assign(pl);
    expect(pl.location).toEqual({ x: 1, y: 2, z: 5 });
  });
});
