import { requireBoolean, requireNumber } from '../shared/machine-errors.js';
import { SeededRandom, SimulatorBackend } from '../shared/simulation.js';
import type { ReadWeightParams, ScaleBackend, ScaleCommand } from './backend.js';
import { OverloadError, TareRangeError, ZeroRangeError } from './errors.js';

export interface ScaleTimeModel {
  zeroS: number;
  tareS: number;
  /** A settled reading (s). Default 1.5. */
  stableReadS: number;
  /** An immediate reading (s). Default 0.1. */
  immediateReadS: number;
  setupS: number;
}

export interface ScaleSimulatorOptions {
  /** Name in error messages. Default `scale simulator`. */
  label?: string;
  /** Largest load on the pan (g). Default 220. */
  capacityG?: number;
  /** Readability (g): readings are multiples of it. Default 0.001. */
  resolutionG?: number;
  /** Standard deviation (g) of the noise of immediate (non-stable) readings. Default 0.002. */
  noiseG?: number;
  /** Seed of the noise. Default 1. */
  seed?: number;
  /** How far from the factory zero (empty pan, 0 g) `zero()` may set the zero point (g). Default 2 % of the capacity. */
  zeroRangeG?: number;
  /** Load on the pan (g) when the simulator is created. Default 0. */
  initialLoadG?: number;
  time?: Partial<ScaleTimeModel>;
}

const TIME: ScaleTimeModel = { zeroS: 1, tareS: 1, stableReadS: 1.5, immediateReadS: 0.1, setupS: 2 };

/**
 * Simulated scale. The load on the pan is set by `placeLoad(grams)` (the total on the pan, not an
 * increment); readings are `load - zero point - tare`, quantized to the resolution, with seeded
 * Gaussian noise on immediate reads and none on stable reads. Loads above the capacity raise
 * `OverloadError` on every command; `zero()` outside the zero range raises `ZeroRangeError`;
 * `tare()` below zero raises `TareRangeError`. Nothing sleeps for real.
 */
export class ScaleSimulator extends SimulatorBackend<ScaleCommand> implements ScaleBackend {
  readonly capacityG: number;
  readonly resolutionG: number;
  readonly noiseG: number;
  readonly zeroRangeG: number;
  readonly time: ScaleTimeModel;
  private readonly decimals: number;
  private readonly random: SeededRandom;
  private loadG: number;
  private zeroPointG = 0;
  private tareG = 0;

  constructor(opts: ScaleSimulatorOptions = {}) {
    super(opts.label ?? 'scale simulator');
    this.capacityG = requireNumber(this.label, 'capacityG', opts.capacityG ?? 220, { min: 0, minExclusive: true, unit: 'g' });
    this.resolutionG = requireNumber(this.label, 'resolutionG', opts.resolutionG ?? 0.001, { min: 0, minExclusive: true, max: this.capacityG, unit: 'g' });
    this.noiseG = requireNumber(this.label, 'noiseG', opts.noiseG ?? 0.002, { min: 0, unit: 'g' });
    this.zeroRangeG = requireNumber(this.label, 'zeroRangeG', opts.zeroRangeG ?? this.capacityG * 0.02, { min: 0, max: this.capacityG, unit: 'g' });
    this.loadG = requireNumber(this.label, 'initialLoadG', opts.initialLoadG ?? 0, { min: 0, unit: 'g' });
    this.random = new SeededRandom(requireNumber(this.label, 'seed', opts.seed ?? 1));
    this.decimals = Math.max(0, Math.ceil(-Math.log10(this.resolutionG) - 1e-9));
    this.time = { ...TIME, ...opts.time };
  }

  /** Total load on the pan (g). */
  get load(): number {
    return this.loadG;
  }

  /** Zero point (g of load that reads as 0 before taring). */
  get zeroPoint(): number {
    return this.zeroPointG;
  }

  /** Stored tare (g). */
  get tareWeight(): number {
    return this.tareG;
  }

  /** Sets the total load on the pan (g); it may exceed the capacity (commands then fail with OverloadError). */
  placeLoad(grams: number): void {
    this.loadG = requireNumber(this.label, 'grams', grams, { min: 0, unit: 'g' });
  }

  /** Empties the pan. */
  removeLoad(): void {
    this.loadG = 0;
  }

  protected override setupTimeS(): number {
    return this.time.setupS;
  }

  async zero(): Promise<void> {
    this.begin('zero');
    this.checkOverload();
    if (Math.abs(this.loadG) > this.zeroRangeG) {
      throw new ZeroRangeError(
        this.label,
        `cannot zero with ${this.format(this.loadG)} g on the pan (zero range ±${this.zeroRangeG} g); empty the pan, or tare() to subtract a container`,
      );
    }
    this.zeroPointG = this.loadG;
    this.tareG = 0;
    this.done(this.time.zeroS);
  }

  async tare(): Promise<void> {
    this.begin('tare');
    this.checkOverload();
    const gross = this.loadG - this.zeroPointG;
    if (gross < -this.resolutionG / 2) throw new TareRangeError(this.label, `cannot tare a negative weight (${this.format(gross)} g); zero() the empty pan first`);
    this.tareG = gross;
    this.done(this.time.tareS);
  }

  async readWeight(params: ReadWeightParams): Promise<number> {
    this.begin('readWeight');
    const stable = requireBoolean(this.label, 'stable', params?.stable);
    this.checkOverload();
    const net = this.loadG - this.zeroPointG - this.tareG;
    const value = stable || this.noiseG === 0 ? net : net + this.noiseG * this.random.normal();
    this.done(stable ? this.time.stableReadS : this.time.immediateReadS);
    return this.quantize(value);
  }

  private checkOverload(): void {
    if (this.loadG > this.capacityG) throw new OverloadError(this.label, `overloaded: ${this.format(this.loadG)} g on the pan exceeds the capacity of ${this.capacityG} g`);
  }

  private quantize(v: number): number {
    const q = Number((Math.round(v / this.resolutionG) * this.resolutionG).toFixed(this.decimals));
    return q === 0 ? 0 : q; // no -0
  }

  private format(v: number): string {
    return this.quantize(v).toFixed(this.decimals);
  }
}
