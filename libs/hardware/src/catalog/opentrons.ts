// Opentrons OT-2 labware.
//
// Figures come from PyLabRobot (https://github.com/PyLabRobot/pylabrobot):
//   - pylabrobot/resources/opentrons/tip_racks.py + load.py (opentrons_96_tiprack_300ul): PyLabRobot
//     loads Opentrons' labware definition shared-data/labware/definitions/2/opentrons_96_tiprack_300ul/1.json
//     (github.com/Opentrons/opentrons) and converts it: rack = the definition's dimensions, each
//     circular tip hole becomes a square spot of side diameter/sqrt(2) centred on the hole, the tip's
//     length = tipLength, fitting depth = tipOverlap, maximal volume = the wells' totalLiquidVolume.
//     The figures below are that definition's (dimensions 127.76 x 85.48 x 64.48, hole diameter 5,
//     H1 centre x 14.33 / y 11.2 / z 10.48, 9 mm pitch, tipLength 59.17, tipOverlap 7.47, 300 µL).
//   - pylabrobot/resources/nest/plates.py (nest_12_troughplate_15000uL_Vb): NEST 12-channel
//     reservoir 15 mL, cat. no. 360102 (Opentrons load name `nest_12_reservoir_15ml`).
import { createGrid } from '../resources/itemized.js';
import type { Plate } from '../resources/plate.js';
import type { Tip } from '../resources/tip.js';
import { TipRack, TipSpot } from '../resources/tip-rack.js';
import { buildPlate, type PlateSpec } from './plates.js';

/** The Opentrons 300 µL tip (no filter). */
export const OPENTRONS_TIP_300UL: Readonly<Tip> = Object.freeze({
  type: 'opentrons_tip_300uL',
  hasFilter: false,
  totalTipLength: 59.17,
  maximalVolume: 300,
  fittingDepth: 7.47,
});

/** Side of the square spot PyLabRobot inscribes in a 5 mm tip hole (mm, rounded to 3 decimals). */
const OT_300_SPOT = Math.round((5 / Math.SQRT2) * 1000) / 1000;

/** Opentrons 96 Tip Rack 300 µL. */
export function opentrons_96_tiprack_300ul(name: string, withTips = true): TipRack {
  return new TipRack({
    name,
    sizeX: 127.76,
    sizeY: 85.48,
    sizeZ: 64.48,
    model: 'opentrons_96_tiprack_300ul',
    withTips,
    grid: createGrid({
      prefix: name,
      numItemsX: 12,
      numItemsY: 8,
      dx: 14.33 - OT_300_SPOT / 2,
      dy: 11.2 - OT_300_SPOT / 2,
      dz: 10.48,
      itemDx: 9.0,
      itemDy: 9.0,
      make: (spotName) => new TipSpot({ name: spotName, sizeX: OT_300_SPOT, sizeY: OT_300_SPOT, sizeZ: 0, prototypeTip: { ...OPENTRONS_TIP_300UL } }),
    }),
  });
}

/**
 * Layout of `nest_12_troughplate_15000uL_Vb`: 12 channels of 8.2 x 71.2 x 26.85 mm, V-bottom. The
 * capacity is the labelled 15 mL (PyLabRobot computes the channel's box volume, about 15.7 mL).
 */
export const NEST_12_TROUGHPLATE_15000UL_VB: Readonly<PlateSpec> = Object.freeze({
  model: 'nest_12_troughplate_15000uL_Vb',
  sizeX: 127.76,
  sizeY: 85.48,
  sizeZ: 31.4,
  numItemsX: 12,
  numItemsY: 1,
  dx: 14.38 - 8.2 / 2, // first channel centre 14.38 from the left edge
  dy: (85.48 - 71.2) / 2, // channels centred front to back
  dz: 3.55,
  itemDx: 9.0,
  itemDy: 9.0,
  well: Object.freeze({
    sizeX: 8.2,
    sizeY: 71.2,
    sizeZ: 26.85,
    maxVolume: 15_000,
    materialZThickness: 1.0, // 31.4 - 26.85 - 3.55
    bottomType: 'v',
    crossSection: 'rectangle',
  }),
});

/** NEST 12-channel reservoir, 15 mL per channel, V-bottom (cat. no. 360102); channels `<name>_A1`..`<name>_A12`. */
export function nest_12_troughplate_15000uL_Vb(name: string): Plate {
  return buildPlate(name, NEST_12_TROUGHPLATE_15000UL_VB);
}
