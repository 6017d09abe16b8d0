import { ResourceHolder, type ResourceHolderOptions } from '../../resources/carrier.js';
import type { Coordinate } from '../../resources/coordinate.js';
import type { Resource } from '../../resources/resource.js';

/** A change of what a machine's plate position holds. */
export type PlateHolderChange = 'place' | 'remove';

/** Throws when the machine's physical state forbids putting a resource on or taking it off. */
export type PlateHolderGuard = (change: PlateHolderChange, resource: Resource) => void;

/** ANSI/SLAS footprint of a microplate (mm): the default size of a machine's plate position. */
export const SBS_FOOTPRINT = { x: 127.76, y: 85.48 } as const;

/**
 * The plate position of a machine (`<machine name>_plate_holder`): a ResourceHolder that asks its
 * machine before a plate goes on or comes off (a closed reader door, a locked heater-shaker plate
 * lock). Serializes as a plain ResourceHolder.
 */
export class MachinePlateHolder extends ResourceHolder {
  private readonly guard: PlateHolderGuard;

  constructor(opts: ResourceHolderOptions, guard: PlateHolderGuard) {
    super(opts);
    this.guard = guard;
  }

  protected override checkAssignment(child: Resource): void {
    super.checkAssignment(child);
    this.guard('place', child);
  }

  protected override willUnassignChild(child: Resource): void {
    this.guard('remove', child);
    super.willUnassignChild(child);
  }
}

export interface MachinePlateHolderOptions {
  /** Where a plate's origin sits relative to the holder's origin (default 0,0,0). */
  childLocation?: Coordinate;
  /** Size of the plate position (mm); default the SBS footprint, 0 high. */
  size?: { x: number; y: number; z: number };
}

export function makePlateHolder(machine: string, opts: MachinePlateHolderOptions, guard: PlateHolderGuard): MachinePlateHolder {
  const size = opts.size ?? { ...SBS_FOOTPRINT, z: 0 };
  return new MachinePlateHolder(
    { name: `${machine}_plate_holder`, sizeX: size.x, sizeY: size.y, sizeZ: size.z, ...(opts.childLocation ? { childLocation: opts.childLocation } : {}) },
    guard,
  );
}
