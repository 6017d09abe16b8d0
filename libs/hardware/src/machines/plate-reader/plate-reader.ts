import { Plate } from '../../resources/plate.js';
import type { Resource } from '../../resources/resource.js';
import { Machine, MachineNotSetUpError } from '../machine.js';
import type { PlateReaderBackend } from './backend.js';
import { DoorClosedError, DoorOpenError, LidOnPlateError, MachineArgumentError, NoPlateError, requireNumber, requireOptions, requireRange } from '../shared/machine-errors.js';
import { makePlateHolder, type MachinePlateHolder, type PlateHolderChange, type MachinePlateHolderOptions } from '../shared/plate-holder.js';

/** Limits shared by the front end and the simulator (defaults: a monochromator reader). */
export interface PlateReaderLimits {
  /** Wavelength range of the optics (nm), for absorbance and fluorescence. Default 200-1000. */
  minWavelengthNm?: number;
  maxWavelengthNm?: number;
  /** Highest focal height (mm). Default 25. */
  maxFocalHeightMm?: number;
  /** Longest luminescence integration time per well (s). Default 60. */
  maxIntegrationTimeS?: number;
}

export const PLATE_READER_DEFAULT_LIMITS: Required<PlateReaderLimits> = {
  minWavelengthNm: 200,
  maxWavelengthNm: 1000,
  maxFocalHeightMm: 25,
  maxIntegrationTimeS: 60,
};

export interface PlateReaderOptions extends PlateReaderLimits, MachinePlateHolderOptions {}

export interface ReadAbsorbanceOptions {
  /** nm, within the reader's range (default 200-1000). */
  wavelength: number;
}

export interface ReadFluorescenceOptions {
  /** Excitation wavelength (nm). */
  excitation: number;
  /** Emission wavelength (nm); longer than the excitation. */
  emission: number;
  /** mm above the plate's bottom (0 to the reader's maximum, default 25). */
  focalHeight: number;
}

export interface ReadLuminescenceOptions {
  /** mm above the plate's bottom. */
  focalHeight: number;
  /** Light collection time per well (s), default 1. */
  integrationTimeS?: number;
}

/** Checks the limits given as options (a configuration error names the option). */
export function resolvePlateReaderLimits(machine: string, opts: PlateReaderLimits): Required<PlateReaderLimits> {
  const l = { ...PLATE_READER_DEFAULT_LIMITS };
  for (const k of Object.keys(l) as Array<keyof PlateReaderLimits>) if (opts[k] !== undefined) l[k] = opts[k];
  requireRange(machine, 'wavelength', l.minWavelengthNm, l.maxWavelengthNm, { min: 0, minExclusive: true, unit: 'nm' });
  requireNumber(machine, 'maxFocalHeightMm', l.maxFocalHeightMm, { min: 0, minExclusive: true, unit: 'mm' });
  requireNumber(machine, 'maxIntegrationTimeS', l.maxIntegrationTimeS, { min: 0, minExclusive: true, unit: 's' });
  return l;
}

/** Argument checks shared by the front end and the simulator. */
export function checkAbsorbanceArgs(machine: string, limits: Required<PlateReaderLimits>, wavelength: unknown): number {
  return requireNumber(machine, 'wavelength', wavelength, { min: limits.minWavelengthNm, max: limits.maxWavelengthNm, unit: 'nm' });
}

export function checkFluorescenceArgs(
  machine: string,
  limits: Required<PlateReaderLimits>,
  a: { excitation?: unknown; emission?: unknown; focalHeight?: unknown },
): { excitation: number; emission: number; focalHeight: number } {
  const wl = { min: limits.minWavelengthNm, max: limits.maxWavelengthNm, unit: 'nm' };
  const excitation = requireNumber(machine, 'excitation', a.excitation, wl);
  const emission = requireNumber(machine, 'emission', a.emission, wl);
  if (emission <= excitation) {
    throw new MachineArgumentError(machine, 'emission', `(${emission} nm) must be longer than the excitation (${excitation} nm)`);
  }
  const focalHeight = requireNumber(machine, 'focalHeight', a.focalHeight, { min: 0, max: limits.maxFocalHeightMm, unit: 'mm' });
  return { excitation, emission, focalHeight };
}

export function checkLuminescenceArgs(
  machine: string,
  limits: Required<PlateReaderLimits>,
  a: { focalHeight?: unknown; integrationTimeS?: unknown },
): { focalHeight: number; integrationTimeS: number } {
  const focalHeight = requireNumber(machine, 'focalHeight', a.focalHeight, { min: 0, max: limits.maxFocalHeightMm, unit: 'mm' });
  const integrationTimeS = requireNumber(machine, 'integrationTimeS', a.integrationTimeS ?? 1, { min: 0, minExclusive: true, max: limits.maxIntegrationTimeS, unit: 's' });
  return { focalHeight, integrationTimeS };
}

/**
 * Front end of a plate reader (absorbance, fluorescence, luminescence). The plate goes on
 * `plateHolder` (`<name>_plate_holder`) while the door is open; `close()` takes it in; readings
 * return `[row][column]` matrices of the whole plate (row A first).
 *
 * Physical rules checked before the backend is called: no reading with the door open or without a
 * plate taken in by `close()`; no fluorescence or luminescence (top reads) through a lid; no plate
 * put on or taken off the holder while the door is closed (once set up).
 */
export class PlateReader extends Machine<PlateReaderBackend> {
  readonly plateHolder: MachinePlateHolder;
  readonly limits: Required<PlateReaderLimits>;
  private doorOpen = false;
  /** The plate the door last closed on. */
  private loaded: Plate | null = null;

  constructor(name: string, backend: PlateReaderBackend, opts: PlateReaderOptions = {}) {
    super(name, backend);
    this.limits = resolvePlateReaderLimits(name, opts);
    this.plateHolder = makePlateHolder(name, opts, (change, resource) => this.guardHolder(change, resource));
  }

  /** Whether the door is open (as far as this front end knows). */
  get isOpen(): boolean {
    return this.doorOpen;
  }

  /** The plate on the plate position, if any. */
  get plate(): Plate | null {
    const r = this.plateHolder.resource;
    return r instanceof Plate ? r : null;
  }

  override async setup(): Promise<void> {
    await super.setup();
    // A reader initializes with its door closed and knows of no plate until close() takes one in.
    this.doorOpen = false;
    this.loaded = null;
  }

  /** Opens the door (drawer out) so a plate can be put on or taken off. */
  async open(): Promise<void> {
    this.requireSetUp();
    await this.command('open', {}, () => this.backend.open());
    this.doorOpen = true;
    this.loaded = null;
  }

  /** Closes the door (drawer in), taking in the plate on the plate position, if any. */
  async close(): Promise<void> {
    this.requireSetUp();
    const plate = this.plate;
    await this.command('close', { plate: plate?.name ?? null }, () => this.backend.close(plate));
    this.doorOpen = false;
    this.loaded = plate;
  }

  /** Optical density of every well at `wavelength` (nm): `[row][column]`. */
  async readAbsorbance(opts: ReadAbsorbanceOptions): Promise<number[][]> {
    const o = requireOptions(this.name, 'readAbsorbance', opts);
    const wavelength = checkAbsorbanceArgs(this.name, this.limits, o.wavelength);
    const plate = this.plateForReading('absorbance', false);
    return this.command('readAbsorbance', { plate: plate.name, wavelength }, () => this.backend.readAbsorbance(plate, { wavelength }));
  }

  /** Relative fluorescence units of every well (top read, no lid): `[row][column]`. */
  async readFluorescence(opts: ReadFluorescenceOptions): Promise<number[][]> {
    const o = requireOptions(this.name, 'readFluorescence', opts);
    const params = checkFluorescenceArgs(this.name, this.limits, o);
    const plate = this.plateForReading('fluorescence', true);
    return this.command('readFluorescence', { plate: plate.name, ...params }, () => this.backend.readFluorescence(plate, params));
  }

  /** Relative light units of every well (top read, no lid): `[row][column]`. */
  async readLuminescence(opts: ReadLuminescenceOptions): Promise<number[][]> {
    const o = requireOptions(this.name, 'readLuminescence', opts);
    const params = checkLuminescenceArgs(this.name, this.limits, o);
    const plate = this.plateForReading('luminescence', true);
    return this.command('readLuminescence', { plate: plate.name, ...params }, () => this.backend.readLuminescence(plate, params));
  }

  private requireSetUp(): void {
    // The base class's command() checks this too, but state checks must not run before setup.
    if (!this.isSetUp) throw new MachineNotSetUpError(this.name);
  }

  private plateForReading(mode: string, topRead: boolean): Plate {
    this.requireSetUp();
    if (this.doorOpen) throw new DoorOpenError(this.name, `cannot read ${mode} with the door open; call close() first`);
    const plate = this.plate;
    if (!plate) {
      const other = this.plateHolder.resource;
      throw new NoPlateError(this.name, other ? `holds ${other.name}, which is not a plate` : `has no plate to read ${mode} from`);
    }
    if (plate !== this.loaded) {
      throw new NoPlateError(this.name, `${plate.name} was not taken in by close(); call open() and close() so the reader loads it`);
    }
    if (topRead && plate.lid) {
      throw new LidOnPlateError(this.name, `cannot read ${mode} from the top through the lid of ${plate.name} (${plate.lid.name}); remove the lid first`);
    }
    return plate;
  }

  private guardHolder(change: PlateHolderChange, resource: Resource): void {
    if (this.isSetUp && !this.doorOpen) {
      throw new DoorClosedError(this.name, `cannot ${change === 'place' ? 'put' : 'take'} ${resource.name} ${change === 'place' ? 'in' : 'out'} with the door closed; call open() first`);
    }
  }
}
