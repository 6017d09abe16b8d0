import type { MachineBackend } from '../machine.js';

export interface WaitForTemperatureParams {
  /** Done when |temperature - target| <= tolerance (°C). */
  tolerance: number;
  /** Longest wait (s); then a TemperatureTimeoutError. */
  timeoutS: number;
}

export interface ShakeParams {
  speedRpm: number;
  /** Shake this long (s), then stop; without it, start shaking and return. */
  durationS?: number;
}

/**
 * A heater-shaker's driver: temperature control plus an orbital shaker with a plate lock. A
 * backend checks the physical rules itself (ranges, no shaking unlocked, no unlocking while
 * shaking) and must not rely on its front end having done so.
 */
export interface HeaterShakerBackend extends MachineBackend {
  /** Starts heating (or cooling) towards `celsius`. */
  setTemperature(celsius: number): Promise<void>;
  /** Current plate temperature (°C). */
  getTemperature(): Promise<number>;
  /** Waits until the temperature is within tolerance of the target; returns it. */
  waitForTemperature(params: WaitForTemperatureParams): Promise<number>;
  /** Switches temperature control off (the plate drifts back to ambient). */
  deactivateHeater(): Promise<void>;
  lockPlate(): Promise<void>;
  unlockPlate(): Promise<void>;
  shake(params: ShakeParams): Promise<void>;
  stopShaking(): Promise<void>;
  /** Current shaking speed (rpm), 0 when not shaking. */
  getShakingSpeed(): Promise<number>;
}

export type HeaterShakerCommand =
  | 'setTemperature'
  | 'getTemperature'
  | 'waitForTemperature'
  | 'deactivateHeater'
  | 'lockPlate'
  | 'unlockPlate'
  | 'shake'
  | 'stopShaking'
  | 'getShakingSpeed';
