import { tracking } from './config.js';
import { HasTipError, NoTipError } from './errors.js';
import type { Tip } from '../resources/tip.js';

export interface TipState {
  tip: Tip | null;
  pendingTip: Tip | null;
}

/**
 * Whether a tip spot or a channel holds a tip, transactional like the volume tracker. A channel's
 * tracker also remembers where its tip came from (for `returnTips`).
 */
export class TipTracker {
  private committed: Tip | null = null;
  private pending: Tip | null = null;
  private override: boolean | undefined;
  /** Name of the spot the current tip was picked up from (channels only). */
  origin: string | null = null;
  private pendingOrigin: string | null = null;

  constructor(readonly owner: string) {}

  get enabled(): boolean {
    return this.override ?? tracking.tips;
  }

  enable(): void {
    this.override = true;
  }

  disable(): void {
    this.override = false;
  }

  followDefault(): void {
    this.override = undefined;
  }

  get hasTip(): boolean {
    return this.committed !== null;
  }

  get pendingHasTip(): boolean {
    return this.pending !== null;
  }

  /** The committed tip (throws NoTipError when there is none). */
  getTip(): Tip {
    if (!this.committed) throw new NoTipError(`${this.owner} has no tip`);
    return this.committed;
  }

  get tip(): Tip | null {
    return this.committed;
  }

  get pendingTip(): Tip | null {
    return this.pending;
  }

  addTip(tip: Tip, origin: string | null = null): void {
    if (this.enabled && this.pending) throw new HasTipError(`${this.owner} already has a tip`);
    this.pending = tip;
    this.pendingOrigin = origin;
  }

  removeTip(): Tip | null {
    if (this.enabled && !this.pending) throw new NoTipError(`${this.owner} has no tip`);
    const t = this.pending;
    this.pending = null;
    this.pendingOrigin = null;
    return t;
  }

  commit(): void {
    this.committed = this.pending;
    this.origin = this.pendingOrigin;
  }

  rollback(): void {
    this.pending = this.committed;
    this.pendingOrigin = this.origin;
  }

  /** Sets the state directly (committed). */
  set(tip: Tip | null, origin: string | null = null): void {
    this.committed = tip;
    this.pending = tip;
    this.origin = origin;
    this.pendingOrigin = origin;
  }

  serialize(): TipState & { origin: string | null } {
    return { tip: this.committed, pendingTip: this.pending, origin: this.origin };
  }

  load(state: TipState & { origin?: string | null }): void {
    this.committed = state.tip;
    this.pending = state.pendingTip ?? state.tip;
    this.origin = state.origin ?? null;
    this.pendingOrigin = this.origin;
  }
}
