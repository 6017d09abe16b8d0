// Hamilton tips and 96 tip racks.
//
// Figures come from PyLabRobot's published definitions (https://github.com/PyLabRobot/pylabrobot):
//   - pylabrobot/resources/hamilton/tip_creators.py  (tip lengths, volumes, filters, tip sizes;
//     the fitting depth is 8 mm for the low, standard and high volume tip sizes)
//   - pylabrobot/resources/hamilton/tip_racks.py     (rack sizes, spot offsets and pitches)
// A rack's spot dz is negative: the tips hang below the rack's top plate into the carrier.
import { createGrid } from '../resources/itemized.js';
import type { Tip } from '../resources/tip.js';
import { TipRack, TipSpot } from '../resources/tip-rack.js';

/** A tip type with its nominal (labelled) volume; `tip.maximalVolume` is what it can really hold. */
export interface TipType {
  tip: Readonly<Tip>;
  /** Labelled volume (µL), e.g. 1000 for a tip that holds 1250 µL. */
  nominalVolume: number;
}

const hamiltonTip = (type: string, hasFilter: boolean, totalTipLength: number, nominalVolume: number, maximalVolume: number): TipType =>
  Object.freeze({ tip: Object.freeze({ type, hasFilter, totalTipLength, maximalVolume, fittingDepth: 8 }), nominalVolume });

/** Hamilton CO-RE tips, by PyLabRobot tip type name. */
export const HAMILTON_TIPS = Object.freeze({
  /** High volume, no filter ('HT'). */
  hamilton_tip_1000uL: hamiltonTip('hamilton_tip_1000uL', false, 95.1, 1000, 1250),
  /** High volume with filter ('HTF'). */
  hamilton_tip_1000uL_filter: hamiltonTip('hamilton_tip_1000uL_filter', true, 95.1, 1000, 1065),
  /** Standard volume, no filter ('ST'). */
  hamilton_tip_300uL: hamiltonTip('hamilton_tip_300uL', false, 59.9, 300, 400),
  /** Standard volume with filter ('STF'). */
  hamilton_tip_300uL_filter: hamiltonTip('hamilton_tip_300uL_filter', true, 59.9, 300, 360),
  /** 50 µL, no filter ('TIP_50ul'). */
  hamilton_tip_50uL: hamiltonTip('hamilton_tip_50uL', false, 50.4, 50, 65),
});

/** Footprint shared by Hamilton's framed 96 tip racks (mm). */
const RACK_X = 122.4;
const RACK_Y = 82.6;

/**
 * A Hamilton framed 96 tip rack: 12 x 8 spots of 9 x 9 mm at 9 mm pitch, the front-left spot
 * (H1) at x 7.2, y 5.3; `dz` (negative) and the rack height depend on the tip.
 */
function hamiltonTipRack(name: string, model: string, sizeZ: number, dz: number, tip: Readonly<Tip>, withTips: boolean): TipRack {
  return new TipRack({
    name,
    sizeX: RACK_X,
    sizeY: RACK_Y,
    sizeZ,
    model,
    withTips,
    grid: createGrid({
      prefix: name,
      numItemsX: 12,
      numItemsY: 8,
      dx: 7.2,
      dy: 5.3,
      dz,
      itemDx: 9.0,
      itemDy: 9.0,
      make: (spotName) => new TipSpot({ name: spotName, sizeX: 9.0, sizeY: 9.0, sizeZ: 0, prototypeTip: { ...tip } }),
    }),
  });
}

/** Hamilton 96 x 1000 µL high volume tips, no filter ('HT'; cat. no. 235822, 235904, 235939). */
export function hamilton_96_tiprack_1000uL(name: string, withTips = true): TipRack {
  return hamiltonTipRack(name, 'hamilton_96_tiprack_1000uL', 20.0, -83.5, HAMILTON_TIPS.hamilton_tip_1000uL.tip, withTips);
}

/** Hamilton 96 x 1000 µL high volume tips with filter ('HTF'; cat. no. 235820, 235905, 235940). */
export function hamilton_96_tiprack_1000uL_filter(name: string, withTips = true): TipRack {
  return hamiltonTipRack(name, 'hamilton_96_tiprack_1000uL_filter', 20.0, -83.5, HAMILTON_TIPS.hamilton_tip_1000uL_filter.tip, withTips);
}

/** Hamilton 96 x 300 µL standard volume tips, no filter ('ST'; cat. no. 235834, 235902, 235937). */
export function hamilton_96_tiprack_300uL(name: string, withTips = true): TipRack {
  return hamiltonTipRack(name, 'hamilton_96_tiprack_300uL', 20.0, -50.5, HAMILTON_TIPS.hamilton_tip_300uL.tip, withTips);
}

/** Hamilton 96 x 300 µL standard volume tips with filter ('STF'; cat. no. 235830, 235903, 235938). */
export function hamilton_96_tiprack_300uL_filter(name: string, withTips = true): TipRack {
  return hamiltonTipRack(name, 'hamilton_96_tiprack_300uL_filter', 20.0, -50.5, HAMILTON_TIPS.hamilton_tip_300uL_filter.tip, withTips);
}

/** Hamilton 96 x 50 µL tips, no filter ('TIP_50ul'; cat. no. 235966, 235978). */
export function hamilton_96_tiprack_50uL(name: string, withTips = true): TipRack {
  return hamiltonTipRack(name, 'hamilton_96_tiprack_50uL', 18.0, -40.5, HAMILTON_TIPS.hamilton_tip_50uL.tip, withTips);
}
