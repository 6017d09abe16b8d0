// The labware catalog: every definition by catalog name, with what a protocol editor or a deck
// planner needs to know without building it (vendor, kind, item count, volumes, footprint), and a
// factory. Figures come from PyLabRobot's published definitions; each module names its sources.
import { HamiltonSTARDeck, STARDeck, STARletDeck } from '../decks/hamilton.js';
import { OT2Deck } from '../decks/ot2.js';
import { ResourceNotFoundError } from '../resources/errors.js';
import type { PlateType } from '../resources/plate.js';
import type { Resource } from '../resources/resource.js';
import { PLT_CAR_L5AC_A00, TIP_CAR_480_A00, Trough_CAR_4R200_A00 } from './carriers.js';
import { nest_12_troughplate_15000uL_Vb, opentrons_96_tiprack_300ul } from './opentrons.js';
import { cor_96_wellplate_360uL_Fb, cor_96_wellplate_360uL_Fb_lid, Greiner_384_wellplate_28ul_Fb } from './plates.js';
import {
  hamilton_96_tiprack_1000uL,
  hamilton_96_tiprack_1000uL_filter,
  hamilton_96_tiprack_300uL,
  hamilton_96_tiprack_300uL_filter,
  hamilton_96_tiprack_50uL,
} from './tip-racks.js';
import { hamilton_1_trough_200mL_Vb } from './troughs.js';
import { alpaqua_12_tuberack_5mL_eppis, eppendorf_tube_5mL_Vb_snapcap } from './tube-racks.js';

export * from './carriers.js';
export * from './opentrons.js';
export * from './plates.js';
export * from './tip-racks.js';
export * from './troughs.js';
export * from './tube-racks.js';

export type LabwareCategory =
  | 'plate'
  | 'tip_rack'
  | 'tip_carrier'
  | 'plate_carrier'
  | 'trough'
  | 'trough_carrier'
  | 'tube_rack'
  | 'tube'
  | 'lid'
  | 'trash'
  | 'deck';

export interface LabwareDefinition {
  /** Catalog name, e.g. 'cor_96_wellplate_360uL_Fb'; also the `model` of what `create` builds. */
  name: string;
  category: LabwareCategory;
  /** 'Corning', 'Hamilton', 'Opentrons', 'NEST', ... */
  vendor: string;
  description: string;
  /** Wells, tips, tubes, carrier sites, deck rails or slots; 1 for a single trough, tube or lid. */
  itemCount: number;
  /** Capacity (µL) of each well, channel, trough or tube. */
  wellVolumeUl?: number;
  /** Nominal (labelled) tip volume (µL) of a tip rack. */
  tipVolumeUl?: number;
  plateType?: PlateType;
  /** Used up by runs (tips, plates, troughs, tubes); carriers, racks and decks are not. */
  consumable: boolean;
  /** Outer size (mm). */
  dimensions: { x: number; y: number; z: number };
  /** Builds a fresh resource named `name`. */
  create: (name: string) => Resource;
}

type Definition = Omit<LabwareDefinition, 'dimensions'> & { dimensions: readonly [number, number, number] };

function define(d: Definition): LabwareDefinition {
  const [x, y, z] = d.dimensions;
  return Object.freeze({ ...d, dimensions: Object.freeze({ x, y, z }) });
}

/** A deck definition whose size is read from the deck factory itself. */
function defineDeck(d: Omit<Definition, 'dimensions' | 'itemCount' | 'category' | 'consumable'>, itemCount: (deck: Resource) => number): LabwareDefinition {
  const sample = d.create('deck');
  return define({ ...d, category: 'deck', consumable: false, itemCount: itemCount(sample), dimensions: [sample.sizeX, sample.sizeY, sample.sizeZ] });
}

const numRails = (deck: Resource): number => (deck instanceof HamiltonSTARDeck ? deck.numRails : 0);

/** Every catalog definition, by kind. */
export const LABWARE_CATALOG: readonly LabwareDefinition[] = Object.freeze([
  // ---- plates and lids
  define({
    name: 'cor_96_wellplate_360uL_Fb',
    category: 'plate',
    vendor: 'Corning',
    description: 'Corning 96 well plate, 360 µL, flat bottom (cat. no. 3603)',
    itemCount: 96,
    wellVolumeUl: 360,
    plateType: 'skirted',
    consumable: true,
    dimensions: [127.76, 85.48, 14.2],
    create: (name) => cor_96_wellplate_360uL_Fb(name),
  }),
  define({
    name: 'cor_96_wellplate_360uL_Fb_lid',
    category: 'lid',
    vendor: 'Corning',
    description: 'Lid for the Corning 96 well plate 3603',
    itemCount: 1,
    consumable: true,
    dimensions: [127.76, 85.48, 8.9],
    create: cor_96_wellplate_360uL_Fb_lid,
  }),
  define({
    name: 'Greiner_384_wellplate_28ul_Fb',
    category: 'plate',
    vendor: 'Greiner',
    description: 'Greiner 384 well small-volume HiBase plate, 28 µL, flat bottom (cat. no. 784075)',
    itemCount: 384,
    wellVolumeUl: 28,
    plateType: 'skirted',
    consumable: true,
    dimensions: [127.76, 85.48, 14.4],
    create: Greiner_384_wellplate_28ul_Fb,
  }),
  // ---- Hamilton tip racks
  define({
    name: 'hamilton_96_tiprack_1000uL',
    category: 'tip_rack',
    vendor: 'Hamilton',
    description: 'Hamilton rack of 96 high volume 1000 µL tips, no filter (HT)',
    itemCount: 96,
    tipVolumeUl: 1000,
    consumable: true,
    dimensions: [122.4, 82.6, 20.0],
    create: (name) => hamilton_96_tiprack_1000uL(name),
  }),
  define({
    name: 'hamilton_96_tiprack_1000uL_filter',
    category: 'tip_rack',
    vendor: 'Hamilton',
    description: 'Hamilton rack of 96 high volume 1000 µL tips with filter (HTF)',
    itemCount: 96,
    tipVolumeUl: 1000,
    consumable: true,
    dimensions: [122.4, 82.6, 20.0],
    create: (name) => hamilton_96_tiprack_1000uL_filter(name),
  }),
  define({
    name: 'hamilton_96_tiprack_300uL',
    category: 'tip_rack',
    vendor: 'Hamilton',
    description: 'Hamilton rack of 96 standard volume 300 µL tips, no filter (ST)',
    itemCount: 96,
    tipVolumeUl: 300,
    consumable: true,
    dimensions: [122.4, 82.6, 20.0],
    create: (name) => hamilton_96_tiprack_300uL(name),
  }),
  define({
    name: 'hamilton_96_tiprack_300uL_filter',
    category: 'tip_rack',
    vendor: 'Hamilton',
    description: 'Hamilton rack of 96 standard volume 300 µL tips with filter (STF)',
    itemCount: 96,
    tipVolumeUl: 300,
    consumable: true,
    dimensions: [122.4, 82.6, 20.0],
    create: (name) => hamilton_96_tiprack_300uL_filter(name),
  }),
  define({
    name: 'hamilton_96_tiprack_50uL',
    category: 'tip_rack',
    vendor: 'Hamilton',
    description: 'Hamilton rack of 96 50 µL tips, no filter (TIP_50ul)',
    itemCount: 96,
    tipVolumeUl: 50,
    consumable: true,
    dimensions: [122.4, 82.6, 18.0],
    create: (name) => hamilton_96_tiprack_50uL(name),
  }),
  // ---- Hamilton carriers
  define({
    name: 'TIP_CAR_480_A00',
    category: 'tip_carrier',
    vendor: 'Hamilton',
    description: 'Hamilton tip carrier for 5 racks of 96 tips, landscape (6 rails)',
    itemCount: 5,
    consumable: false,
    dimensions: [135.0, 497.0, 130.0],
    create: TIP_CAR_480_A00,
  }),
  define({
    name: 'PLT_CAR_L5AC_A00',
    category: 'plate_carrier',
    vendor: 'Hamilton',
    description: 'Hamilton plate carrier for 5 deep well / PCR plates, landscape (cat. no. 182090, 6 rails)',
    itemCount: 5,
    consumable: false,
    dimensions: [135.0, 497.0, 130.0],
    create: PLT_CAR_L5AC_A00,
  }),
  define({
    name: 'Trough_CAR_4R200_A00',
    category: 'trough_carrier',
    vendor: 'Hamilton',
    description: 'Hamilton trough carrier for 4 x 200 mL troughs (cat. no. 185436, 2 rails)',
    itemCount: 4,
    consumable: false,
    dimensions: [45.0, 497.0, 71.5],
    create: Trough_CAR_4R200_A00,
  }),
  // ---- troughs, tubes and tube racks
  define({
    name: 'hamilton_1_trough_200mL_Vb',
    category: 'trough',
    vendor: 'Hamilton',
    description: 'Hamilton reagent trough 200 mL, V-bottom, self standing (cat. no. 56695-01/-02)',
    itemCount: 1,
    wellVolumeUl: 200_000,
    consumable: true,
    dimensions: [37.0, 118.0, 95.0],
    create: hamilton_1_trough_200mL_Vb,
  }),
  define({
    name: 'eppendorf_tube_5mL_Vb_snapcap',
    category: 'tube',
    vendor: 'Eppendorf',
    description: 'Eppendorf Tubes 5.0 mL, snap cap, V-bottom (cat. no. 0030119401)',
    itemCount: 1,
    wellVolumeUl: 5_000,
    consumable: true,
    dimensions: [16.7, 16.7, 56.7],
    create: eppendorf_tube_5mL_Vb_snapcap,
  }),
  define({
    name: 'alpaqua_12_tuberack_5mL_eppis',
    category: 'tube_rack',
    vendor: 'Alpaqua',
    description: 'Alpaqua 12 position rack (cat. no. A000080) holding 12 Eppendorf 5 mL snap cap tubes',
    itemCount: 12,
    wellVolumeUl: 5_000,
    consumable: false,
    dimensions: [127.76, 85.48, 51.5],
    create: alpaqua_12_tuberack_5mL_eppis,
  }),
  // ---- Opentrons OT-2 labware
  define({
    name: 'opentrons_96_tiprack_300ul',
    category: 'tip_rack',
    vendor: 'Opentrons',
    description: 'Opentrons 96 Tip Rack 300 µL',
    itemCount: 96,
    tipVolumeUl: 300,
    consumable: true,
    dimensions: [127.76, 85.48, 64.48],
    create: (name) => opentrons_96_tiprack_300ul(name),
  }),
  define({
    name: 'nest_12_troughplate_15000uL_Vb',
    category: 'plate',
    vendor: 'NEST',
    description: 'NEST 12-channel reservoir, 15 mL per channel, V-bottom (cat. no. 360102; Opentrons nest_12_reservoir_15ml)',
    itemCount: 12,
    wellVolumeUl: 15_000,
    plateType: 'skirted',
    consumable: true,
    dimensions: [127.76, 85.48, 31.4],
    create: nest_12_troughplate_15000uL_Vb,
  }),
  // ---- decks (sizes as the deck factories build them; itemCount = rails or slots)
  defineDeck({ name: 'STARletDeck', vendor: 'Hamilton', description: 'Hamilton Microlab STARlet deck, 32 rails', create: (name) => STARletDeck(name) }, numRails),
  defineDeck({ name: 'STARDeck', vendor: 'Hamilton', description: 'Hamilton Microlab STAR deck, 56 rails', create: (name) => STARDeck(name) }, numRails),
  defineDeck({ name: 'OT2Deck', vendor: 'Opentrons', description: 'Opentrons OT-2 deck, 12 slots, fixed trash in slot 12', create: (name) => new OT2Deck({ name }) }, () => 12),
]);

const BY_NAME = new Map(LABWARE_CATALOG.map((d) => [d.name, d]));

/** The definition of a catalog name; unknown names fail, listing some known ones. */
export function getLabware(catalogName: string): LabwareDefinition {
  const d = BY_NAME.get(catalogName);
  if (d) return d;
  const folded = catalogName.toLowerCase();
  const near = LABWARE_CATALOG.filter((x) => x.name.toLowerCase() === folded || x.name.toLowerCase().includes(folded) || folded.includes(x.name.toLowerCase()));
  const hint = near.length ? `Did you mean ${near.map((x) => `"${x.name}"`).join(' or ')}? ` : '';
  const known = LABWARE_CATALOG.slice(0, 6).map((x) => x.name);
  throw new ResourceNotFoundError(
    `Unknown labware "${catalogName}". ${hint}Known labware (${LABWARE_CATALOG.length}) includes ${known.join(', ')}, ...; see listLabware()`,
  );
}

/** Builds catalog item `catalogName` as a resource named `resourceName`. */
export function createLabware(catalogName: string, resourceName: string): Resource {
  return getLabware(catalogName).create(resourceName);
}

/** Catalog definitions, optionally of one category and/or vendor (vendor case-insensitive). */
export function listLabware(filter: { category?: LabwareCategory; vendor?: string } = {}): LabwareDefinition[] {
  const vendor = filter.vendor?.toLowerCase();
  return LABWARE_CATALOG.filter((d) => (!filter.category || d.category === filter.category) && (!vendor || d.vendor.toLowerCase() === vendor));
}
