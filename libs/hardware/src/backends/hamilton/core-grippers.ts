import type { Coordinate } from '../../resources/coordinate.js';
import { ResourceNotFoundError } from '../../resources/errors.js';
import { baseOptions, registerResourceType, Resource, type ResourceOptions, type SerializedResource } from '../../resources/resource.js';

export interface HamiltonCoreGrippersOptions extends ResourceOptions {
  /** X of both tools' centers relative to the rack's origin (mm). */
  toolX?: number;
  /** Y of the back and of the front tool's center relative to the rack's origin (mm). */
  backToolY: number;
  frontToolY: number;
}

/** Where the CoRe gripper tools stand, in deck coordinates (mm). */
export interface CoreToolPositions {
  x: number;
  backY: number;
  frontY: number;
  /** The rack's base. */
  z: number;
}

/**
 * The parking rack of the two CoRe gripper tools (on or beside the waste block). The STAR picks
 * the tools up with two adjacent pipetting channels (C0ZT) and puts them back here (C0ZS); the
 * StarBackend finds this rack on the deck of the resource it moves.
 */
export class HamiltonCoreGrippers extends Resource {
  static override readonly type: string = 'HamiltonCoreGrippers';
  readonly toolX: number;
  readonly backToolY: number;
  readonly frontToolY: number;

  constructor(opts: HamiltonCoreGrippersOptions) {
    super({ category: 'core_grippers', ...opts });
    if (!(opts.backToolY > opts.frontToolY)) throw new RangeError(`${opts.name}: the back tool (y ${opts.backToolY}) must be behind the front tool (y ${opts.frontToolY})`);
    this.toolX = opts.toolX ?? 0;
    this.backToolY = opts.backToolY;
    this.frontToolY = opts.frontToolY;
  }

  /** The tools' positions in deck coordinates. */
  toolPositions(): CoreToolPositions {
    const o = this.absoluteOrigin();
    return { x: o.x + this.toolX, backY: o.y + this.backToolY, frontY: o.y + this.frontToolY, z: o.z };
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { toolX: this.toolX, backToolY: this.backToolY, frontToolY: this.frontToolY };
  }
}

registerResourceType(
  HamiltonCoreGrippers.type,
  (d: SerializedResource) =>
    new HamiltonCoreGrippers({ ...baseOptions(d), toolX: d.toolX as number, backToolY: d.backToolY as number, frontToolY: d.frontToolY as number }),
);

/**
 * The two standard racks and where each stands relative to the waste block's origin (mm). The
 * tools' reference point is the rack's origin in x (Hamilton's deck definitions).
 */
const RACKS = {
  /** 1000 µL / 5 mL CoRe gripper rack on the waste block. */
  '1000uL-5mL-on-waste': { sizeX: 39, sizeY: 61, sizeZ: 24, backToolY: 39.5, frontToolY: 21.5, onWasteBlock: { x: 22.5, y: -29.5, z: 105 } },
  /** 1000 µL CoRe gripper rack at the waste block. */
  '1000uL-at-waste': { sizeX: 45, sizeY: 45, sizeZ: 24, backToolY: 35.5, frontToolY: 9.5, onWasteBlock: { x: 23, y: -44.95, z: 105 } },
} as const;

export type CoreGripperRackKind = keyof typeof RACKS;

/** A standard CoRe gripper rack (not placed). */
export function coreGrippersRack(kind: CoreGripperRackKind = '1000uL-5mL-on-waste', name = 'core_grippers'): HamiltonCoreGrippers {
  const r = RACKS[kind];
  return new HamiltonCoreGrippers({ name, sizeX: r.sizeX, sizeY: r.sizeY, sizeZ: r.sizeZ, backToolY: r.backToolY, frontToolY: r.frontToolY, model: `hamilton_core_gripper_${kind}` });
}

/**
 * Puts a standard CoRe gripper rack on a Hamilton deck's waste block (`waste_block`, which
 * `STARDeck()` / `STARletDeck()` add) at its standard place, and returns it.
 */
export function placeCoreGrippers(deck: Resource, kind: CoreGripperRackKind = '1000uL-5mL-on-waste', name = 'core_grippers'): HamiltonCoreGrippers {
  if (!deck.hasResource('waste_block')) throw new ResourceNotFoundError(`${deck.name} has no waste_block to put the CoRe gripper rack on`);
  const rack = coreGrippersRack(kind, name);
  const at: Coordinate = RACKS[kind].onWasteBlock;
  deck.getResource('waste_block').assignChildResource(rack, { ...at });
  return rack;
}
