import { Machine } from '../machine.js';
import { requireBoolean, requireOptions } from '../shared/machine-errors.js';
import type { ScaleBackend } from './backend.js';

export interface ReadWeightOptions {
  /** Wait for a settled reading (default true); false returns the current value at once, noise included. */
  stable?: boolean;
}

/**
 * Front end of a scale (balance): `zero()`, `tare()`, `readWeight()` in grams. The physical limits
 * (capacity, zero range) belong to the scale and are enforced by its backend, which raises
 * `OverloadError`, `ZeroRangeError` or `TareRangeError`.
 */
export class Scale extends Machine<ScaleBackend> {
  // A scale has a pan rather than a plate position; what is on it is the backend's business
  // (the simulator's `placeLoad`), so this front end exposes no ResourceHolder.

  /** Sets the zero point to the current load (an empty pan), clearing the tare. */
  async zero(): Promise<void> {
    await this.command('zero', {}, () => this.backend.zero());
  }

  /** Stores the current weight (e.g. an empty container) as the tare: later readings are net of it. */
  async tare(): Promise<void> {
    await this.command('tare', {}, () => this.backend.tare());
  }

  /** Net weight (g). */
  async readWeight(opts: ReadWeightOptions = {}): Promise<number> {
    const o = requireOptions(this.name, 'readWeight', opts, true);
    const stable = o.stable === undefined ? true : requireBoolean(this.name, 'stable', o.stable);
    return this.command('readWeight', { stable }, () => this.backend.readWeight({ stable }));
  }
}
