import { requireNumber } from '../shared/machine-errors.js';
import { SimulatorBackend } from '../shared/simulation.js';
import type { HeaterShakerBackend, HeaterShakerCommand, ShakeParams, WaitForTemperatureParams } from './backend.js';
import { NoTargetTemperatureError, PlateNotLockedError, ShakingError, TemperatureTimeoutError } from './errors.js';
import { checkShakeArgs, checkTemperatureArg, checkWaitArgs, type HeaterShakerLimits, resolveHeaterShakerLimits } from './heater-shaker.js';

export interface HeaterShakerThermalModel {
  /** Room temperature (°C), where the plate drifts with the heater off. Default 22. */
  ambientC: number;
  /** Time constant (s) of the first-order approach to the target with the heater on. Default 120. */
  timeConstantS: number;
  /** Time constant (s) of the drift to ambient with the heater off. Default 600. */
  passiveTimeConstantS: number;
}

export interface HeaterShakerTimeModel {
  /** A plain command (set temperature, read temperature or speed) (s). Default 0.2. */
  commandS: number;
  /** Plate lock travel (s). Default 1.5. */
  lockS: number;
  /** Speed ramp up at the start of shaking (s). Default 2. */
  rampUpS: number;
  /** Speed ramp down when shaking stops (s). Default 2. */
  rampDownS: number;
  setupS: number;
}

export interface HeaterShakerSimulatorOptions extends HeaterShakerLimits {
  /** Name in error messages. Default `heater-shaker simulator`. */
  label?: string;
  /** Plate temperature (°C) when the simulator is created. Default ambient. */
  initialTemperatureC?: number;
  thermal?: Partial<HeaterShakerThermalModel>;
  time?: Partial<HeaterShakerTimeModel>;
}

const THERMAL: HeaterShakerThermalModel = { ambientC: 22, timeConstantS: 120, passiveTimeConstantS: 600 };
const TIME: HeaterShakerTimeModel = { commandS: 0.2, lockS: 1.5, rampUpS: 2, rampDownS: 2, setupS: 5 };

const round2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * Simulated heater-shaker in simulated time: the plate temperature follows a first-order model
 * towards the target (or ambient with the heater off) as the simulated clock advances. Commands
 * advance the clock by their time estimate; `waitForTemperature` advances it by the computed time
 * to come within tolerance (or by the timeout, then fails); a timed `shake` advances it by the
 * duration plus the speed ramps. Nothing sleeps for real. Enforces the limits, the lock rules and
 * the setup state itself.
 */
export class HeaterShakerSimulator extends SimulatorBackend<HeaterShakerCommand> implements HeaterShakerBackend {
  readonly limits: Required<HeaterShakerLimits>;
  readonly thermal: HeaterShakerThermalModel;
  readonly time: HeaterShakerTimeModel;
  private target: number | null = null;
  /** Temperature at `anchorS` (the last change of target). */
  private anchorC: number;
  private anchorS = 0;
  private locked = false;
  private speed = 0;

  constructor(opts: HeaterShakerSimulatorOptions = {}) {
    super(opts.label ?? 'heater-shaker simulator');
    this.limits = resolveHeaterShakerLimits(this.label, opts);
    this.thermal = { ...THERMAL, ...opts.thermal };
    this.time = { ...TIME, ...opts.time };
    requireNumber(this.label, 'timeConstantS', this.thermal.timeConstantS, { min: 0, minExclusive: true, unit: 's' });
    requireNumber(this.label, 'passiveTimeConstantS', this.thermal.passiveTimeConstantS, { min: 0, minExclusive: true, unit: 's' });
    this.anchorC = requireNumber(this.label, 'initialTemperatureC', opts.initialTemperatureC ?? this.thermal.ambientC);
  }

  /** Exact model temperature now (°C); `getTemperature()` reports it rounded to 0.01. */
  get temperatureC(): number {
    return this.temperatureAt(this.now());
  }

  get targetC(): number | null {
    return this.target;
  }

  get isLocked(): boolean {
    return this.locked;
  }

  /** rpm, 0 when not shaking. */
  get speedRpm(): number {
    return this.speed;
  }

  protected override onSetup(): void {
    this.changeTarget(null);
    this.speed = 0;
    this.locked = false;
  }

  protected override onStop(): void {
    this.changeTarget(null);
    this.speed = 0;
  }

  protected override setupTimeS(): number {
    return this.time.setupS;
  }

  async setTemperature(celsius: number): Promise<void> {
    this.begin('setTemperature');
    const c = checkTemperatureArg(this.label, this.limits, celsius);
    this.changeTarget(c);
    this.done(this.time.commandS);
  }

  async getTemperature(): Promise<number> {
    this.begin('getTemperature');
    const t = round2(this.temperatureC);
    this.done(this.time.commandS);
    return t;
  }

  async waitForTemperature(params: WaitForTemperatureParams): Promise<number> {
    this.begin('waitForTemperature');
    const { tolerance, timeoutS } = checkWaitArgs(this.label, params ?? {});
    if (this.target === null) throw new NoTargetTemperatureError(this.label, 'the heater is off: no target temperature to wait for');
    const gap = Math.abs(this.temperatureC - this.target);
    const needS = gap <= tolerance ? 0 : this.thermal.timeConstantS * Math.log(gap / tolerance);
    if (needS > timeoutS) {
      this.done(timeoutS);
      throw new TemperatureTimeoutError(
        this.label,
        `temperature ${round2(this.temperatureC)} °C not within ${tolerance} °C of ${this.target} °C after ${timeoutS} s (needs about ${Math.ceil(needS)} s)`,
      );
    }
    this.done(needS);
    return round2(this.temperatureC);
  }

  async deactivateHeater(): Promise<void> {
    this.begin('deactivateHeater');
    this.changeTarget(null);
    this.done(this.time.commandS);
  }

  async lockPlate(): Promise<void> {
    this.begin('lockPlate');
    const moves = !this.locked;
    this.locked = true;
    this.done(moves ? this.time.lockS : this.time.commandS);
  }

  async unlockPlate(): Promise<void> {
    this.begin('unlockPlate');
    if (this.speed > 0) throw new ShakingError(this.label, `cannot unlock the plate while shaking at ${this.speed} rpm`);
    const moves = this.locked;
    this.locked = false;
    this.done(moves ? this.time.lockS : this.time.commandS);
  }

  async shake(params: ShakeParams): Promise<void> {
    this.begin('shake');
    const { speedRpm, durationS } = checkShakeArgs(this.label, this.limits, params ?? {});
    if (!this.locked) throw new PlateNotLockedError(this.label, 'cannot shake with the plate unlocked');
    if (durationS === undefined) {
      this.speed = speedRpm;
      this.done(this.time.rampUpS);
      return;
    }
    // Timed: ramp up, shake, ramp down; the clock (and the temperature) move on by all of it.
    this.speed = 0;
    this.done(this.time.rampUpS + durationS + this.time.rampDownS);
  }

  async stopShaking(): Promise<void> {
    this.begin('stopShaking');
    const was = this.speed;
    this.speed = 0;
    this.done(was > 0 ? this.time.rampDownS : this.time.commandS);
  }

  async getShakingSpeed(): Promise<number> {
    this.begin('getShakingSpeed');
    this.done(this.time.commandS);
    return this.speed;
  }

  private temperatureAt(t: number): number {
    const goal = this.target ?? this.thermal.ambientC;
    const tau = this.target === null ? this.thermal.passiveTimeConstantS : this.thermal.timeConstantS;
    return goal + (this.anchorC - goal) * Math.exp(-(t - this.anchorS) / tau);
  }

  /** A new target starts a new segment of the first-order model from the temperature now. */
  private changeTarget(target: number | null): void {
    this.anchorC = this.temperatureC;
    this.anchorS = this.now();
    this.target = target;
  }
}
