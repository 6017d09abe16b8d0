import type { MachineBackend } from '../machine.js';

export interface ReadWeightParams {
  /** Wait for a settled reading (true), or return the current, possibly noisy value at once (false). */
  stable: boolean;
}

/**
 * A scale's driver (grams). A backend checks the physical rules itself (overload, zero and tare
 * ranges) and must not rely on its front end having done so.
 */
export interface ScaleBackend extends MachineBackend {
  /** Sets the zero point to the current load (clears the tare). */
  zero(): Promise<void>;
  /** Stores the current weight as the tare: later readings are net of it. */
  tare(): Promise<void>;
  /** Net weight (g): load minus zero point minus tare. */
  readWeight(params: ReadWeightParams): Promise<number>;
}

export type ScaleCommand = 'zero' | 'tare' | 'readWeight';
