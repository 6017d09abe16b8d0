import { VolumeTracker, type VolumeState } from '../tracking/volume-tracker.js';
import { baseOptions, registerResourceType, Resource, type ResourceOptions, type SerializedResource } from './resource.js';

export interface ContainerOptions extends ResourceOptions {
  /** Capacity (µL). */
  maxVolume: number;
  /** Thickness of the bottom (mm): liquid starts this far above the resource's bottom. */
  materialZThickness?: number;
}

/** Anything that holds liquid, with a transactional volume tracker. */
export class Container extends Resource {
  static override readonly type: string = 'Container';
  readonly maxVolume: number;
  readonly materialZThickness: number;
  readonly tracker: VolumeTracker;

  constructor(opts: ContainerOptions) {
    super({ category: 'container', ...opts });
    if (!(opts.maxVolume >= 0)) throw new Error(`${opts.name}: maxVolume must be >= 0`);
    this.maxVolume = opts.maxVolume;
    this.materialZThickness = opts.materialZThickness ?? 0;
    this.tracker = new VolumeTracker(opts.name, opts.maxVolume);
  }

  /** Committed liquid volume (µL). */
  get volume(): number {
    return this.tracker.volume;
  }

  /** Sets the liquid volume (µL) directly, e.g. after filling by hand. */
  setVolume(volume: number): void {
    this.tracker.setVolume(volume);
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { maxVolume: this.maxVolume, materialZThickness: this.materialZThickness };
  }

  override serializeState(): VolumeState {
    return this.tracker.serialize();
  }

  override loadState(state: unknown): void {
    this.tracker.load(state as VolumeState);
  }
}

export type WellBottomType = 'flat' | 'v' | 'u' | 'unknown';
export type CrossSection = 'circle' | 'rectangle';

export interface WellOptions extends ContainerOptions {
  bottomType?: WellBottomType;
  crossSection?: CrossSection;
}

export class Well extends Container {
  static override readonly type: string = 'Well';
  readonly bottomType: WellBottomType;
  readonly crossSection: CrossSection;

  constructor(opts: WellOptions) {
    super({ category: 'well', ...opts });
    this.bottomType = opts.bottomType ?? 'unknown';
    this.crossSection = opts.crossSection ?? 'circle';
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { ...super.serializeExtra(), bottomType: this.bottomType, crossSection: this.crossSection };
  }
}

/** A reservoir: one large container (the 96-head can aspirate from it with every channel). */
export class Trough extends Container {
  static override readonly type: string = 'Trough';
  constructor(opts: ContainerOptions) {
    super({ category: 'trough', ...opts });
  }
}

export class Tube extends Container {
  static override readonly type: string = 'Tube';
  constructor(opts: ContainerOptions) {
    super({ category: 'tube', ...opts });
  }
}

type ContainerCtor = new (o: ContainerOptions & WellOptions) => Container;
const containerFactory = (C: ContainerCtor) => (d: SerializedResource) =>
  new C({
    ...baseOptions(d),
    maxVolume: d.maxVolume as number,
    materialZThickness: d.materialZThickness as number,
    bottomType: d.bottomType as WellBottomType,
    crossSection: d.crossSection as CrossSection,
  });
registerResourceType(Container.type, containerFactory(Container));
registerResourceType(Well.type, containerFactory(Well));
registerResourceType(Trough.type, containerFactory(Trough));
registerResourceType(Tube.type, containerFactory(Tube));
