import { tracking } from './config.js';
import { TooLittleLiquidError, TooLittleVolumeError } from './errors.js';

export interface VolumeState {
  volume: number;
  pendingVolume: number;
}

const EPS = 1e-6;

/**
 * Liquid volume (µL) of a container or a tip, transactional: operations change the pending volume;
 * `commit()` makes it the volume, `rollback()` returns to it.
 */
export class VolumeTracker {
  private committed = 0;
  private pending = 0;
  private override: boolean | undefined;

  constructor(
    readonly owner: string,
    public maxVolume: number,
    initial = 0,
  ) {
    this.committed = initial;
    this.pending = initial;
  }

  get enabled(): boolean {
    return this.override ?? tracking.volumes;
  }

  enable(): void {
    this.override = true;
  }

  disable(): void {
    this.override = false;
  }

  /** Follow the global default again. */
  followDefault(): void {
    this.override = undefined;
  }

  /** Committed volume. */
  get volume(): number {
    return this.committed;
  }

  get pendingVolume(): number {
    return this.pending;
  }

  get freeVolume(): number {
    return this.maxVolume - this.pending;
  }

  get hasPending(): boolean {
    return this.pending !== this.committed;
  }

  removeLiquid(volume: number): void {
    if (!this.enabled) return;
    if (volume > this.pending + EPS) {
      throw new TooLittleLiquidError(`${this.owner}: cannot remove ${fmt(volume)} µL, only ${fmt(this.pending)} µL there`);
    }
    this.pending = Math.max(0, this.pending - volume);
  }

  addLiquid(volume: number): void {
    if (!this.enabled) return;
    if (this.pending + volume > this.maxVolume + EPS) {
      throw new TooLittleVolumeError(`${this.owner}: cannot add ${fmt(volume)} µL, only ${fmt(this.maxVolume - this.pending)} µL of room (capacity ${fmt(this.maxVolume)} µL)`);
    }
    this.pending = Math.min(this.maxVolume, this.pending + volume);
  }

  /** Sets the volume directly (committed), e.g. when filling a plate by hand. */
  setVolume(volume: number): void {
    if (volume < 0 || volume > this.maxVolume + EPS) throw new TooLittleVolumeError(`${this.owner}: ${fmt(volume)} µL is outside 0..${fmt(this.maxVolume)} µL`);
    this.committed = volume;
    this.pending = volume;
  }

  commit(): void {
    this.committed = this.pending;
  }

  rollback(): void {
    this.pending = this.committed;
  }

  serialize(): VolumeState {
    return { volume: this.committed, pendingVolume: this.pending };
  }

  load(state: VolumeState): void {
    this.committed = state.volume;
    this.pending = state.pendingVolume ?? state.volume;
  }
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
