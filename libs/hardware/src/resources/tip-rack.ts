import { TipTracker, type TipState } from '../tracking/tip-tracker.js';
import { ItemizedResource, type ItemizedOptions } from './itemized.js';
import { baseOptions, registerResourceType, Resource, type ResourceOptions, type SerializedResource } from './resource.js';
import type { Tip } from './tip.js';

export interface TipSpotOptions extends ResourceOptions {
  /** The kind of tip this spot holds when full. */
  prototypeTip: Tip;
}

/** One position of a tip rack, with a transactional tip tracker. */
export class TipSpot extends Resource {
  static override readonly type: string = 'TipSpot';
  readonly prototypeTip: Tip;
  readonly tracker: TipTracker;

  constructor(opts: TipSpotOptions) {
    super({ category: 'tip_spot', ...opts });
    this.prototypeTip = opts.prototypeTip;
    this.tracker = new TipTracker(opts.name);
  }

  /** A fresh tip of this spot's kind. */
  makeTip(): Tip {
    return { ...this.prototypeTip };
  }

  get hasTip(): boolean {
    return this.tracker.hasTip;
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { prototypeTip: this.prototypeTip };
  }

  override serializeState(): unknown {
    return this.tracker.serialize();
  }

  override loadState(state: unknown): void {
    this.tracker.load(state as TipState);
  }
}

export interface TipRackOptions extends ItemizedOptions<TipSpot> {
  /** Start with every spot holding a tip (default true). */
  withTips?: boolean;
}

export class TipRack extends ItemizedResource<TipSpot> {
  static override readonly type: string = 'TipRack';

  constructor(opts: TipRackOptions) {
    super({ category: 'tip_rack', ...opts });
    if (opts.withTips ?? true) this.fill();
  }

  /** Same as `items()`. */
  spots(range?: string | Array<string | number>): TipSpot[] {
    return this.items(range);
  }

  /** Puts a tip in every spot (committed). */
  fill(): void {
    for (const s of this.orderedItems) s.tracker.set(s.makeTip());
  }

  /** Removes every tip (committed). */
  empty(): void {
    for (const s of this.orderedItems) s.tracker.set(null);
  }

  /** Sets which spots hold tips, from a predicate or a list of identifiers. */
  setTips(present: ((spot: TipSpot, index: number) => boolean) | string[]): void {
    const wanted = Array.isArray(present) ? new Set(present.map((id) => this.get(id))) : undefined;
    this.orderedItems.forEach((s, i) => s.tracker.set((wanted ? wanted.has(s) : (present as (s: TipSpot, i: number) => boolean)(s, i)) ? s.makeTip() : null));
  }

  get tipCount(): number {
    return this.orderedItems.reduce((n, s) => n + (s.tracker.hasTip ? 1 : 0), 0);
  }
}

registerResourceType(TipSpot.type, (d: SerializedResource) => new TipSpot({ ...baseOptions(d), prototypeTip: d.prototypeTip as Tip }));
registerResourceType(
  TipRack.type,
  (d: SerializedResource) =>
    new TipRack({ ...baseOptions(d), numItemsX: d.numItemsX as number, numItemsY: d.numItemsY as number, ordering: d.ordering as string[], withTips: false }),
);
