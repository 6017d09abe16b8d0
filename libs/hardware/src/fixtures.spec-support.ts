// Small, self-contained labware for the hardware library's own tests (the catalog has the real ones).
import { PlateCarrier, ResourceHolder, TipCarrier } from './resources/carrier.js';
import { Trough, Well } from './resources/container.js';
import { createGrid } from './resources/itemized.js';
import { Lid, Plate } from './resources/plate.js';
import type { Tip } from './resources/tip.js';
import { TipRack, TipSpot } from './resources/tip-rack.js';
import { STARletDeck } from './decks/hamilton.js';

export const TIP_300: Tip = { type: 'test_tip_300', hasFilter: false, totalTipLength: 59.9, maximalVolume: 300, fittingDepth: 8 };

export function plate96(name: string, opts: { lid?: boolean; wellVolume?: number } = {}): Plate {
  return new Plate({
    name,
    sizeX: 127.76,
    sizeY: 85.48,
    sizeZ: 14.2,
    model: 'test_plate_96',
    lid: opts.lid ? new Lid({ name: `${name}_lid`, sizeX: 127.76, sizeY: 85.48, sizeZ: 8, nestingZHeight: 3 }) : null,
    grid: createGrid({
      prefix: name,
      numItemsX: 12,
      numItemsY: 8,
      dx: 10.87,
      dy: 7.76,
      dz: 1,
      itemDx: 9,
      itemDy: 9,
      make: (n) => new Well({ name: n, sizeX: 6.86, sizeY: 6.86, sizeZ: 10.67, maxVolume: opts.wellVolume ?? 360, bottomType: 'flat' }),
    }),
  });
}

export function tipRack96(name: string, withTips = true): TipRack {
  return new TipRack({
    name,
    sizeX: 122.4,
    sizeY: 82.6,
    sizeZ: 20,
    model: 'test_tiprack_300',
    withTips,
    grid: createGrid({
      prefix: name,
      numItemsX: 12,
      numItemsY: 8,
      dx: 7.2,
      dy: 5.3,
      dz: -5,
      itemDx: 9,
      itemDy: 9,
      make: (n) => new TipSpot({ name: n, sizeX: 9, sizeY: 9, sizeZ: 0, prototypeTip: TIP_300 }),
    }),
  });
}

function sites(prefix: string, n: number, dy: number): Array<{ site: ResourceHolder; location: { x: number; y: number; z: number } }> {
  return Array.from({ length: n }, (_, i) => ({
    site: new ResourceHolder({ name: `${prefix}_site${i}`, sizeX: 127, sizeY: 86, sizeZ: 0 }),
    location: { x: 4, y: 8.5 + i * dy, z: 83 },
  }));
}

export function tipCarrier(name: string): TipCarrier {
  return new TipCarrier({ name, sizeX: 135, sizeY: 497, sizeZ: 130, sites: sites(name, 5, 96) });
}

export function plateCarrier(name: string): PlateCarrier {
  return new PlateCarrier({ name, sizeX: 135, sizeY: 497, sizeZ: 130, sites: sites(name, 5, 96) });
}

export function trough(name: string, maxVolume = 100_000): Trough {
  return new Trough({ name, sizeX: 37, sizeY: 118, sizeZ: 95, maxVolume });
}

/** A STARlet with a tip carrier (rail 1: two full racks) and a plate carrier (rail 8: source, destination, trough site). */
export function testDeck() {
  const deck = STARletDeck();
  const tc = tipCarrier('tip_car');
  deck.assignOnRails(tc, 1);
  const tips = tipRack96('tips');
  const tips2 = tipRack96('tips2');
  tc.assign(tips, 0);
  tc.assign(tips2, 1);
  const pc = plateCarrier('plate_car');
  deck.assignOnRails(pc, 8);
  const source = plate96('source', { lid: true });
  const dest = plate96('dest');
  pc.assign(source, 0);
  pc.assign(dest, 1);
  const res = trough('reservoir');
  pc.assign(res, 3);
  return { deck, tc, pc, tips, tips2, source, dest, res, freeSite: pc.site(2), lastSite: pc.site(4) };
}
