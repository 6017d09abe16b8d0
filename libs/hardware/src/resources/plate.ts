import { Well } from './container.js';
import { ResourceAssignmentError } from './errors.js';
import { ItemizedResource, type ItemizedOptions } from './itemized.js';
import { baseOptions, registerResourceType, Resource, type ResourceOptions, type SerializedResource } from './resource.js';
import type { Coordinate } from './coordinate.js';

export type PlateType = 'skirted' | 'semi-skirted' | 'non-skirted';

export interface LidOptions extends ResourceOptions {
  /** How far the lid sinks onto the plate (mm). */
  nestingZHeight: number;
}

export class Lid extends Resource {
  static override readonly type: string = 'Lid';
  readonly nestingZHeight: number;

  constructor(opts: LidOptions) {
    super({ category: 'lid', ...opts });
    this.nestingZHeight = opts.nestingZHeight;
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { nestingZHeight: this.nestingZHeight };
  }
}

export interface PlateOptions extends ItemizedOptions<Well> {
  plateType?: PlateType;
  lid?: Lid | null;
}

/** A microplate: wells in a grid, optionally a lid on top. */
export class Plate extends ItemizedResource<Well> {
  static override readonly type: string = 'Plate';
  readonly plateType: PlateType;

  constructor(opts: PlateOptions) {
    super({ category: 'plate', ...opts });
    this.plateType = opts.plateType ?? 'skirted';
    if (opts.lid) this.assignLid(opts.lid);
  }

  get lid(): Lid | null {
    return (this.children.find((c) => c instanceof Lid) as Lid | undefined) ?? null;
  }

  /** Where a lid sits on this plate. */
  lidLocation(lid: Lid): Coordinate {
    return { x: 0, y: 0, z: this.sizeZ - lid.nestingZHeight };
  }

  assignLid(lid: Lid): void {
    this.assignChildResource(lid, this.lidLocation(lid));
  }

  protected override checkAssignment(child: Resource): void {
    if (child instanceof Lid && this.lid) throw new ResourceAssignmentError(`${this.name} already has a lid (${this.lid.name})`);
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { ...super.serializeExtra(), plateType: this.plateType };
  }

  /** Sets the same volume (µL) in every well, or per well from a function of the well. */
  fill(volume: number | ((w: Well) => number)): void {
    for (const w of this.orderedItems) w.setVolume(typeof volume === 'number' ? volume : volume(w));
  }
}

registerResourceType(Lid.type, (d: SerializedResource) => new Lid({ ...baseOptions(d), nestingZHeight: d.nestingZHeight as number }));
registerResourceType(
  Plate.type,
  (d: SerializedResource) =>
    new Plate({
      ...baseOptions(d),
      numItemsX: d.numItemsX as number,
      numItemsY: d.numItemsY as number,
      ordering: d.ordering as string[],
      plateType: d.plateType as PlateType,
    }),
);
