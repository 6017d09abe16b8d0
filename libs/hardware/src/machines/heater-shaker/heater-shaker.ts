import type { Resource } from '../../resources/resource.js';
import { Machine, MachineNotSetUpError } from '../machine.js';
import { requireNumber, requireOptions, requireRange } from '../shared/machine-errors.js';
import { makePlateHolder, type MachinePlateHolder, type PlateHolderChange, type MachinePlateHolderOptions } from '../shared/plate-holder.js';
import type { HeaterShakerBackend, ShakeParams, WaitForTemperatureParams } from './backend.js';
import { NoTargetTemperatureError, PlateLockedError, PlateNotLockedError, ShakingError } from './errors.js';

/** Limits shared by the front end and the simulator (defaults: a Hamilton / Inheco-like heater-shaker). */
export interface HeaterShakerLimits {
  /** °C, default 4. */
  minTemperatureC?: number;
  /** °C, default 105. */
  maxTemperatureC?: number;
  /** rpm, default 200. */
  minSpeedRpm?: number;
  /** rpm, default 3000. */
  maxSpeedRpm?: number;
}

export const HEATER_SHAKER_DEFAULT_LIMITS: Required<HeaterShakerLimits> = { minTemperatureC: 4, maxTemperatureC: 105, minSpeedRpm: 200, maxSpeedRpm: 3000 };

export interface HeaterShakerOptions extends HeaterShakerLimits, MachinePlateHolderOptions {}

export interface WaitForTemperatureOptions {
  /** °C, default 0.5. */
  tolerance?: number;
  /** s, default 300. */
  timeoutS?: number;
}

export interface ShakeOptions {
  /** rpm, within the machine's range (default 200-3000). */
  speedRpm: number;
  /** Shake this long (s) and stop; omit to start shaking and return at once. */
  durationS?: number;
}

export function resolveHeaterShakerLimits(machine: string, opts: HeaterShakerLimits): Required<HeaterShakerLimits> {
  const l = { ...HEATER_SHAKER_DEFAULT_LIMITS };
  for (const k of Object.keys(l) as Array<keyof HeaterShakerLimits>) if (opts[k] !== undefined) l[k] = opts[k];
  requireRange(machine, 'temperature', l.minTemperatureC, l.maxTemperatureC, { unit: '°C' });
  requireRange(machine, 'speed', l.minSpeedRpm, l.maxSpeedRpm, { min: 0, minExclusive: true, unit: 'rpm' });
  return l;
}

/** Argument checks shared by the front end and the simulator. */
export function checkTemperatureArg(machine: string, limits: Required<HeaterShakerLimits>, celsius: unknown): number {
  return requireNumber(machine, 'celsius', celsius, { min: limits.minTemperatureC, max: limits.maxTemperatureC, unit: '°C' });
}

export function checkWaitArgs(machine: string, a: { tolerance?: unknown; timeoutS?: unknown }): WaitForTemperatureParams {
  return {
    tolerance: requireNumber(machine, 'tolerance', a.tolerance ?? 0.5, { min: 0, minExclusive: true, unit: '°C' }),
    timeoutS: requireNumber(machine, 'timeoutS', a.timeoutS ?? 300, { min: 0, unit: 's' }),
  };
}

export function checkShakeArgs(machine: string, limits: Required<HeaterShakerLimits>, a: { speedRpm?: unknown; durationS?: unknown }): ShakeParams {
  const speedRpm = requireNumber(machine, 'speedRpm', a.speedRpm, { min: limits.minSpeedRpm, max: limits.maxSpeedRpm, unit: 'rpm' });
  if (a.durationS === undefined) return { speedRpm };
  return { speedRpm, durationS: requireNumber(machine, 'durationS', a.durationS, { min: 0, minExclusive: true, unit: 's' }) };
}

/**
 * Front end of a heater-shaker. The plate sits on `plateHolder` (`<name>_plate_holder`).
 *
 * Physical rules checked before the backend is called: temperature and speed within the limits;
 * no shaking with the plate unlocked; no unlocking while shaking; no waiting for a temperature
 * with the heater off; no plate put on or taken off the holder while locked (once set up).
 */
export class HeaterShaker extends Machine<HeaterShakerBackend> {
  readonly plateHolder: MachinePlateHolder;
  readonly limits: Required<HeaterShakerLimits>;
  private target: number | null = null;
  private locked = false;
  private speed = 0;

  constructor(name: string, backend: HeaterShakerBackend, opts: HeaterShakerOptions = {}) {
    super(name, backend);
    this.limits = resolveHeaterShakerLimits(name, opts);
    this.plateHolder = makePlateHolder(name, opts, (change, resource) => this.guardHolder(change, resource));
  }

  /** Target temperature (°C), null with the heater off. */
  get targetTemperature(): number | null {
    return this.target;
  }

  get isLocked(): boolean {
    return this.locked;
  }

  /** Whether the shaker runs (as far as this front end knows). */
  get isShaking(): boolean {
    return this.speed > 0;
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.reset();
  }

  /** Stops the machine; the backend stops shaking and switches the heater off. */
  override async stop(): Promise<void> {
    try {
      await super.stop();
    } finally {
      this.reset();
    }
  }

  /** Starts heating (or cooling) to `celsius`; returns at once (see `waitForTemperature`). */
  async setTemperature(celsius: number): Promise<void> {
    const c = checkTemperatureArg(this.name, this.limits, celsius);
    this.requireSetUp();
    await this.command('setTemperature', { celsius: c }, () => this.backend.setTemperature(c));
    this.target = c;
  }

  /** Current temperature (°C). */
  async getTemperature(): Promise<number> {
    this.requireSetUp();
    return this.command('getTemperature', {}, () => this.backend.getTemperature());
  }

  /** Waits until the temperature is within `tolerance` (°C, default 0.5) of the target; at most `timeoutS` (default 300). Returns the temperature. */
  async waitForTemperature(opts: WaitForTemperatureOptions = {}): Promise<number> {
    const params = checkWaitArgs(this.name, requireOptions(this.name, 'waitForTemperature', opts, true));
    this.requireSetUp();
    if (this.target === null) throw new NoTargetTemperatureError(this.name, 'the heater is off; call setTemperature() before waitForTemperature()');
    return this.command('waitForTemperature', { ...params, target: this.target }, () => this.backend.waitForTemperature(params));
  }

  /** Switches temperature control off. */
  async deactivateHeater(): Promise<void> {
    this.requireSetUp();
    await this.command('deactivateHeater', {}, () => this.backend.deactivateHeater());
    this.target = null;
  }

  async lockPlate(): Promise<void> {
    this.requireSetUp();
    await this.command('lockPlate', { plate: this.plateHolder.resource?.name ?? null }, () => this.backend.lockPlate());
    this.locked = true;
  }

  async unlockPlate(): Promise<void> {
    this.requireSetUp();
    if (this.speed > 0) throw new ShakingError(this.name, `cannot unlock the plate while shaking at ${this.speed} rpm; call stopShaking() first`);
    await this.command('unlockPlate', { plate: this.plateHolder.resource?.name ?? null }, () => this.backend.unlockPlate());
    this.locked = false;
  }

  /** Shakes at `speedRpm`; for `durationS` seconds then stops, or until `stopShaking()` when no duration is given. */
  async shake(opts: ShakeOptions): Promise<void> {
    const params = checkShakeArgs(this.name, this.limits, requireOptions(this.name, 'shake', opts));
    this.requireSetUp();
    if (!this.locked) throw new PlateNotLockedError(this.name, 'cannot shake with the plate unlocked; call lockPlate() first');
    await this.command('shake', { ...params, plate: this.plateHolder.resource?.name ?? null }, () => this.backend.shake(params));
    this.speed = params.durationS === undefined ? params.speedRpm : 0;
  }

  async stopShaking(): Promise<void> {
    this.requireSetUp();
    await this.command('stopShaking', {}, () => this.backend.stopShaking());
    this.speed = 0;
  }

  /** Current shaking speed (rpm), 0 when not shaking. */
  async getShakingSpeed(): Promise<number> {
    this.requireSetUp();
    const rpm = await this.command('getShakingSpeed', {}, () => this.backend.getShakingSpeed());
    this.speed = rpm;
    return rpm;
  }

  private reset(): void {
    this.target = null;
    this.locked = false;
    this.speed = 0;
  }

  private requireSetUp(): void {
    if (!this.isSetUp) throw new MachineNotSetUpError(this.name);
  }

  private guardHolder(change: PlateHolderChange, resource: Resource): void {
    if (this.isSetUp && this.locked) {
      throw new PlateLockedError(this.name, `cannot ${change === 'place' ? 'put' : 'take'} ${resource.name} ${change === 'place' ? 'on' : 'off'} with the plate lock closed; call unlockPlate() first`);
    }
  }
}
