import type { Well } from '../../resources/container.js';
import type { Plate } from '../../resources/plate.js';
import type { AbsorbanceParams, FluorescenceParams, LuminescenceParams, PlateReaderBackend, PlateReaderCommand } from './backend.js';
import { DoorOpenError, LidOnPlateError, NoPlateError, requireNumber } from '../shared/machine-errors.js';
import { checkAbsorbanceArgs, checkFluorescenceArgs, checkLuminescenceArgs, type PlateReaderLimits, resolvePlateReaderLimits } from './plate-reader.js';
import { seededUnit, SimulatorBackend } from '../shared/simulation.js';

/** How simulated signals follow well volumes, and the time model. */
export interface PlateReaderSignalModel {
  /** OD of an empty well (plate and air). Default 0.04. */
  blankOd: number;
  /** OD added per µL of liquid (longer light path). Default 0.004. */
  odPerMicroliter: number;
  /** RFU of an empty well. Default 50. */
  rfuBackground: number;
  /** RFU added per µL. Default 100. */
  rfuPerMicroliter: number;
  /** RLU per second of integration of an empty well. Default 10. */
  rluBackground: number;
  /** RLU per second of integration added per µL. Default 20. */
  rluPerMicroliter: number;
}

export interface PlateReaderTimeModel {
  /** Door / drawer travel (s). Default 3. */
  doorS: number;
  /** Fixed part of a read: plate positioning, optics set-up (s). Default 5. */
  absorbanceBaseS: number;
  /** Default 0.05. */
  absorbancePerWellS: number;
  /** Default 5. */
  fluorescenceBaseS: number;
  /** Default 0.1. */
  fluorescencePerWellS: number;
  /** Default 2. */
  luminescenceBaseS: number;
  /** Per well on top of the integration time (s). Default 0.05. */
  luminescencePerWellS: number;
  /** Default 10. */
  setupS: number;
}

export interface PlateReaderSimulatorOptions extends PlateReaderLimits {
  /** Name in error messages. Default `plate reader simulator`. */
  label?: string;
  /** Seed of the pseudo-random baseline used when wells have no volume tracking. Default 1. */
  seed?: number;
  signal?: Partial<PlateReaderSignalModel>;
  time?: Partial<PlateReaderTimeModel>;
}

const SIGNAL: PlateReaderSignalModel = { blankOd: 0.04, odPerMicroliter: 0.004, rfuBackground: 50, rfuPerMicroliter: 100, rluBackground: 10, rluPerMicroliter: 20 };
const TIME: PlateReaderTimeModel = {
  doorS: 3,
  absorbanceBaseS: 5,
  absorbancePerWellS: 0.05,
  fluorescenceBaseS: 5,
  fluorescencePerWellS: 0.1,
  luminescenceBaseS: 2,
  luminescencePerWellS: 0.05,
  setupS: 10,
};

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

/**
 * Simulated plate reader. Values are deterministic: from the wells' committed volumes when volume
 * tracking is on for them (OD = blankOd + odPerMicroliter × volume, and likewise for RFU and RLU),
 * else a seeded pseudo-random baseline near the blank (the same seed, plate, well and parameters
 * always give the same value). Enforces the door, plate and lid rules itself. Time model: see
 * `PlateReaderTimeModel`; `lastEstimateS()` reports it and `clockS` accumulates it.
 */
export class PlateReaderSimulator extends SimulatorBackend<PlateReaderCommand> implements PlateReaderBackend {
  readonly limits: Required<PlateReaderLimits>;
  readonly seed: number;
  readonly signal: PlateReaderSignalModel;
  readonly time: PlateReaderTimeModel;
  private doorOpen = false;
  private loaded: Plate | null = null;

  constructor(opts: PlateReaderSimulatorOptions = {}) {
    super(opts.label ?? 'plate reader simulator');
    this.limits = resolvePlateReaderLimits(this.label, opts);
    this.seed = requireNumber(this.label, 'seed', opts.seed ?? 1);
    this.signal = { ...SIGNAL, ...opts.signal };
    this.time = { ...TIME, ...opts.time };
  }

  get isOpen(): boolean {
    return this.doorOpen;
  }

  /** The plate the door last closed on. */
  get loadedPlate(): Plate | null {
    return this.loaded;
  }

  protected override onSetup(): void {
    this.doorOpen = false;
    this.loaded = null;
  }

  protected override setupTimeS(): number {
    return this.time.setupS;
  }

  async open(): Promise<void> {
    this.begin('open');
    this.doorOpen = true;
    this.loaded = null;
    this.done(this.time.doorS);
  }

  async close(plate: Plate | null): Promise<void> {
    this.begin('close');
    this.doorOpen = false;
    this.loaded = plate;
    this.done(this.time.doorS);
  }

  async readAbsorbance(plate: Plate, params: AbsorbanceParams): Promise<number[][]> {
    this.begin('readAbsorbance');
    const wavelength = checkAbsorbanceArgs(this.label, this.limits, params?.wavelength);
    this.checkReadable(plate, 'absorbance', false);
    const { blankOd, odPerMicroliter } = this.signal;
    const data = this.matrix(plate, (w) => {
      if (w.tracker.enabled) return round(blankOd + odPerMicroliter * w.volume, 4);
      return round(blankOd + 0.02 * seededUnit(this.seed, 'abs', plate.name, w.name, wavelength), 4);
    });
    this.done(this.time.absorbanceBaseS + this.time.absorbancePerWellS * plate.numItems);
    return data;
  }

  async readFluorescence(plate: Plate, params: FluorescenceParams): Promise<number[][]> {
    this.begin('readFluorescence');
    const { excitation, emission, focalHeight } = checkFluorescenceArgs(this.label, this.limits, params ?? {});
    this.checkReadable(plate, 'fluorescence', true);
    const { rfuBackground, rfuPerMicroliter } = this.signal;
    const data = this.matrix(plate, (w) => {
      if (w.tracker.enabled) return Math.round(rfuBackground + rfuPerMicroliter * w.volume);
      return Math.round(rfuBackground * (0.8 + 0.4 * seededUnit(this.seed, 'fl', plate.name, w.name, excitation, emission, focalHeight)));
    });
    this.done(this.time.fluorescenceBaseS + this.time.fluorescencePerWellS * plate.numItems);
    return data;
  }

  async readLuminescence(plate: Plate, params: LuminescenceParams): Promise<number[][]> {
    this.begin('readLuminescence');
    const { focalHeight, integrationTimeS } = checkLuminescenceArgs(this.label, this.limits, params ?? {});
    this.checkReadable(plate, 'luminescence', true);
    const { rluBackground, rluPerMicroliter } = this.signal;
    const data = this.matrix(plate, (w) => {
      if (w.tracker.enabled) return Math.round((rluBackground + rluPerMicroliter * w.volume) * integrationTimeS);
      return Math.round(rluBackground * integrationTimeS * (0.8 + 0.4 * seededUnit(this.seed, 'lum', plate.name, w.name, focalHeight, integrationTimeS)));
    });
    this.done(this.time.luminescenceBaseS + (integrationTimeS + this.time.luminescencePerWellS) * plate.numItems);
    return data;
  }

  private checkReadable(plate: Plate, mode: string, topRead: boolean): void {
    if (this.doorOpen) throw new DoorOpenError(this.label, `cannot read ${mode} with the door open`);
    if (!this.loaded) throw new NoPlateError(this.label, `has no plate inside to read ${mode} from`);
    if (plate !== this.loaded) throw new NoPlateError(this.label, `was asked to read ${plate?.name ?? 'no plate'} but holds ${this.loaded.name}`);
    if (topRead && plate.lid) throw new LidOnPlateError(this.label, `cannot read ${mode} from the top through the lid of ${plate.name}`);
  }

  /** `[row][column]` of `value(well)`. */
  private matrix(plate: Plate, value: (w: Well) => number): number[][] {
    const rows: number[][] = [];
    for (let r = 0; r < plate.numItemsY; r++) {
      const row: number[] = [];
      for (let c = 0; c < plate.numItemsX; c++) row.push(value(plate.get(c * plate.numItemsY + r)));
      rows.push(row);
    }
    return rows;
  }
}
