// Microplates and their lids.
//
// Figures (sizes, well offsets dx/dy/dz, pitches, well sizes, bottom thickness, volumes) are taken
// from PyLabRobot's published definitions (https://github.com/PyLabRobot/pylabrobot):
//   - pylabrobot/resources/corning/plates.py  (cor_96_wellplate_360uL_Fb, cor_96_wellplate_360uL_Fb_lid)
//   - pylabrobot/resources/greiner/plates.py  (Greiner_384_wellplate_28ul_Fb)
// PyLabRobot has no Corning 384-well plate; the Greiner 784075 384-well plate is the catalog's 384.
// dx/dy/dz place the front-left well (H1 / P1) relative to the plate's left-front-bottom corner.
import { type CrossSection, Well, type WellBottomType } from '../resources/container.js';
import { createGrid } from '../resources/itemized.js';
import { Lid, Plate, type PlateType } from '../resources/plate.js';

/** The shape of every well of a plate (all wells of a plate are alike). */
export interface WellSpec {
  sizeX: number;
  sizeY: number;
  sizeZ: number;
  /** Capacity (µL). */
  maxVolume: number;
  materialZThickness: number;
  bottomType: WellBottomType;
  crossSection: CrossSection;
}

/** The layout of a plate: footprint, grid and well shape. */
export interface PlateSpec {
  model: string;
  sizeX: number;
  sizeY: number;
  sizeZ: number;
  numItemsX: number;
  numItemsY: number;
  /** Front-left well's corner relative to the plate's origin. */
  dx: number;
  dy: number;
  dz: number;
  /** Well pitch. */
  itemDx: number;
  itemDy: number;
  well: WellSpec;
  plateType?: PlateType;
}

/** Builds a plate (wells named `<name>_A1`...) from a layout. */
export function buildPlate(name: string, spec: PlateSpec, lid?: Lid | null): Plate {
  return new Plate({
    name,
    sizeX: spec.sizeX,
    sizeY: spec.sizeY,
    sizeZ: spec.sizeZ,
    model: spec.model,
    plateType: spec.plateType ?? 'skirted',
    lid: lid ?? null,
    grid: createGrid({
      prefix: name,
      numItemsX: spec.numItemsX,
      numItemsY: spec.numItemsY,
      dx: spec.dx,
      dy: spec.dy,
      dz: spec.dz,
      itemDx: spec.itemDx,
      itemDy: spec.itemDy,
      make: (wellName) => new Well({ name: wellName, ...spec.well }),
    }),
  });
}

// ---- Corning 96 well plate, 360 µL, flat bottom (Corning cat. no. 3603) -----------------------

/** Layout of `cor_96_wellplate_360uL_Fb` (wells taper from 6.35 mm at the bottom to 6.86 mm at the top). */
export const COR_96_WELLPLATE_360UL_FB: Readonly<PlateSpec> = Object.freeze({
  model: 'cor_96_wellplate_360uL_Fb',
  sizeX: 127.76,
  sizeY: 85.48,
  sizeZ: 14.2,
  numItemsX: 12,
  numItemsY: 8,
  dx: 10.87, // A1 centre 14.3 from the left edge, minus half the 6.86 mm top diameter
  dy: 7.77, // H1 centre 11.2 from the front edge, minus half the top diameter
  dz: 3.03,
  itemDx: 9.0,
  itemDy: 9.0,
  well: Object.freeze({
    sizeX: 6.86,
    sizeY: 6.86,
    sizeZ: 10.67,
    maxVolume: 360,
    materialZThickness: 0.5,
    bottomType: 'flat',
    crossSection: 'circle',
  }),
});

/** The lid of the Corning 3603 plate: 8.9 mm high, sinks 7.6 mm onto the plate. */
export function cor_96_wellplate_360uL_Fb_lid(name: string): Lid {
  return new Lid({ name, sizeX: 127.76, sizeY: 85.48, sizeZ: 8.9, nestingZHeight: 7.6, model: 'cor_96_wellplate_360uL_Fb_lid' });
}

/** Corning 96 well plate, 360 µL, flat bottom (cat. no. 3603); with `withLid`, a lid named `<name>_lid` on top. */
export function cor_96_wellplate_360uL_Fb(name: string, opts: { withLid?: boolean } = {}): Plate {
  return buildPlate(name, COR_96_WELLPLATE_360UL_FB, opts.withLid ? cor_96_wellplate_360uL_Fb_lid(`${name}_lid`) : null);
}

// ---- Greiner 384 well plate, 28 µL, flat bottom (Greiner cat. no. 784075, small-volume HiBase) --

/**
 * Layout of `Greiner_384_wellplate_28ul_Fb`. PyLabRobot leaves `max_volume` unset (it would fall
 * back to the cylinder volume, about 47 µL); the manufacturer's total volume, 28 µL, is used here.
 */
export const GREINER_384_WELLPLATE_28UL_FB: Readonly<PlateSpec> = Object.freeze({
  model: 'Greiner_384_wellplate_28ul_Fb',
  sizeX: 127.76,
  sizeY: 85.48,
  sizeZ: 14.4,
  numItemsX: 24,
  numItemsY: 16,
  dx: 10.28, // 10.48 per the drawing, -0.2 mm found by physical testing
  dy: 7.34,
  dz: 8.9,
  itemDx: 4.5,
  itemDy: 4.5,
  well: Object.freeze({
    sizeX: 3.3,
    sizeY: 3.3,
    sizeZ: 5.5,
    maxVolume: 28,
    materialZThickness: 0.9,
    bottomType: 'flat',
    crossSection: 'circle',
  }),
});

/** Greiner 384 well small-volume HiBase plate, 28 µL, flat bottom (cat. no. 784075). */
export function Greiner_384_wellplate_28ul_Fb(name: string): Plate {
  return buildPlate(name, GREINER_384_WELLPLATE_28UL_FB);
}
