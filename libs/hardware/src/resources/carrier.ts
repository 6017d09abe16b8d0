import type { Coordinate } from './coordinate.js';
import { ResourceAssignmentError, ResourceNotFoundError } from './errors.js';
import { Plate } from './plate.js';
import { baseOptions, registerResourceType, Resource, type ResourceOptions, type SerializedResource } from './resource.js';

export interface ResourceHolderOptions extends ResourceOptions {
  /** Where the held resource's origin goes, relative to the holder's origin. */
  childLocation?: Coordinate;
}

/** A place that holds one resource: a carrier site, a plate adapter, a machine's plate position. */
export class ResourceHolder extends Resource {
  static override readonly type: string = 'ResourceHolder';
  readonly childLocation: Coordinate;

  constructor(opts: ResourceHolderOptions) {
    super({ category: 'resource_holder', ...opts });
    this.childLocation = opts.childLocation ?? { x: 0, y: 0, z: 0 };
  }

  get resource(): Resource | null {
    return this.children[0] ?? null;
  }

  /** Where `resource`'s origin goes on this holder. */
  locationFor(_resource: Resource): Coordinate {
    return this.childLocation;
  }

  /** Puts `resource` on this holder. */
  assign(resource: Resource): void {
    this.assignChildResource(resource, this.locationFor(resource));
  }

  protected override checkAssignment(child: Resource): void {
    if (this.children.length) throw new ResourceAssignmentError(`${this.name} already holds ${this.children[0].name}; cannot also hold ${child.name}`);
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { childLocation: this.childLocation };
  }
}

export interface PlateHolderOptions extends ResourceHolderOptions {
  /** Height of the site's pedestal (mm): a skirted plate sinks onto it by up to this much. */
  pedestalSizeZ: number;
}

/**
 * A plate site with a pedestal: a plate's skirt goes around the pedestal, so the plate sits lower
 * by min(pedestal height, height of its wells' bottom above the plate's bottom).
 */
export class PlateHolder extends ResourceHolder {
  static override readonly type: string = 'PlateHolder';
  readonly pedestalSizeZ: number;

  constructor(opts: PlateHolderOptions) {
    super({ category: 'plate_holder', ...opts });
    this.pedestalSizeZ = opts.pedestalSizeZ;
  }

  override locationFor(resource: Resource): Coordinate {
    if (!(resource instanceof Plate) || resource.numItems === 0) return this.childLocation;
    const wellZ = resource.get(0).location?.z ?? 0;
    const sink = Math.max(0, Math.min(this.pedestalSizeZ, wellZ));
    return { x: this.childLocation.x, y: this.childLocation.y, z: this.childLocation.z - sink };
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { ...super.serializeExtra(), pedestalSizeZ: this.pedestalSizeZ };
  }
}

export interface CarrierOptions extends ResourceOptions {
  /** The sites, each with its location on the carrier. */
  sites: Array<{ site: ResourceHolder; location: Coordinate }>;
}

/** A deck carrier with numbered sites (0 = front). */
export class Carrier extends Resource {
  static override readonly type: string = 'Carrier';

  constructor(opts: CarrierOptions) {
    super({ category: 'carrier', ...opts });
    for (const { site, location } of opts.sites) this.assignChildResource(site, location);
  }

  get sites(): ResourceHolder[] {
    return this.children.filter((c): c is ResourceHolder => c instanceof ResourceHolder);
  }

  get capacity(): number {
    return this.sites.length;
  }

  site(index: number): ResourceHolder {
    const s = this.sites[index];
    if (!s) throw new ResourceNotFoundError(`${this.name} has no site ${index} (0-${this.capacity - 1})`);
    return s;
  }

  /** Puts `resource` on site `index`. */
  assign(resource: Resource, index: number): void {
    this.site(index).assign(resource);
  }

  /** What is on site `index` (null when empty). */
  at(index: number): Resource | null {
    return this.site(index).resource;
  }
}

export class TipCarrier extends Carrier {
  static override readonly type: string = 'TipCarrier';
  constructor(opts: CarrierOptions) {
    super({ category: 'tip_carrier', ...opts });
  }
}

export class PlateCarrier extends Carrier {
  static override readonly type: string = 'PlateCarrier';
  constructor(opts: CarrierOptions) {
    super({ category: 'plate_carrier', ...opts });
  }
}

export class TroughCarrier extends Carrier {
  static override readonly type: string = 'TroughCarrier';
  constructor(opts: CarrierOptions) {
    super({ category: 'trough_carrier', ...opts });
  }
}

/** Where tips are discarded. */
export class Trash extends Resource {
  static override readonly type: string = 'Trash';
  constructor(opts: ResourceOptions) {
    super({ category: 'trash', ...opts });
  }
}

registerResourceType(
  ResourceHolder.type,
  (d: SerializedResource) => new ResourceHolder({ ...baseOptions(d), childLocation: d.childLocation as Coordinate }),
);
registerResourceType(
  PlateHolder.type,
  (d: SerializedResource) => new PlateHolder({ ...baseOptions(d), childLocation: d.childLocation as Coordinate, pedestalSizeZ: d.pedestalSizeZ as number }),
);
for (const C of [Carrier, TipCarrier, PlateCarrier, TroughCarrier]) {
  registerResourceType(C.type, (d: SerializedResource) => new C({ ...baseOptions(d), sites: [] }));
}
registerResourceType(Trash.type, (d: SerializedResource) => new Trash(baseOptions(d)));
