import { add, type Coordinate, ORIGIN } from '../../resources/coordinate.js';
import { Container } from '../../resources/container.js';
import { ResourceHolder, Trash } from '../../resources/carrier.js';
import type { Deck } from '../../resources/deck.js';
import { Lid, Plate } from '../../resources/plate.js';
import type { Resource } from '../../resources/resource.js';
import { TipRack, TipSpot } from '../../resources/tip-rack.js';
import { NoTipError } from '../../tracking/errors.js';
import { TipTracker } from '../../tracking/tip-tracker.js';
import { VolumeTracker } from '../../tracking/volume-tracker.js';
import { Machine } from '../machine.js';
import type { LiquidHandlerBackend } from './backend.js';
import { CapabilityError, ChannelizedError, LiquidHandlerArgumentError, LiquidHandlerError } from './errors.js';
import type { GripDirection, Mix, SingleChannelAspiration } from './standard.js';

/** A channel of the pipetting arm: its tip and the liquid in that tip. */
export class Channel {
  readonly tip: TipTracker;
  readonly volume: VolumeTracker;

  constructor(readonly index: number, label: string) {
    this.tip = new TipTracker(label);
    this.volume = new VolumeTracker(`${label} tip`, Infinity);
  }

  get hasTip(): boolean {
    return this.tip.hasTip;
  }
}

export interface ChannelOptions {
  /** Which channels to use, one per resource (default 0, 1, 2...). */
  useChannels?: number[];
  /** Offsets from each target's default position (mm), one per resource. */
  offsets?: Coordinate[];
}

export interface LiquidOptions extends ChannelOptions {
  /** µL/s per channel. */
  flowRates?: number[];
  /** Liquid surface height above each container's bottom (mm). */
  liquidHeight?: number[];
  /** Air aspirated after the liquid / blown out after dispensing (µL) per channel. */
  blowOutAirVolume?: number[];
  /** Mix before aspirating / after dispensing, per channel. */
  mix?: Mix[];
}

export interface Head96Options {
  offset?: Coordinate;
  flowRate?: number;
  liquidHeight?: number;
  blowOutAirVolume?: number;
  mix?: Mix;
}

export interface TransferOptions {
  /** Volume (µL) per target; or use `ratios` with `sourceVolume`. */
  targetVolumes?: number[];
  sourceVolume?: number;
  ratios?: number[];
  /** The channel to use (default 0). It must hold a tip. */
  channel?: number;
  aspirationFlowRate?: number;
  dispenseFlowRates?: number[];
}

export interface GripOptions {
  offset?: Coordinate;
  pickupDistanceFromTop?: number;
  direction?: GripDirection;
  /** Which gripper to use when the machine has more than one (a STAR: `iswap` or `core`). */
  gripper?: string;
}

/** A place to put a gripped resource: a holder (carrier site, machine position), a plate (for a lid), or a deck position. */
export type DropTarget = ResourceHolder | Plate | { resource: Resource; location: Coordinate };

const argError = (m: string) => new LiquidHandlerArgumentError(m);

type Enlist = <T extends TipTracker | VolumeTracker>(t: T) => T;

/**
 * A liquid handler: the front end every protocol uses. It checks arguments before the backend is
 * called (channel count, positive volumes, capacity, tip present) with errors naming the channel and
 * the resource, keeps the tip and volume trackers transactional around each backend command, and
 * emits a CommandEvent for every command. When a backend fails on some channels only, the channels
 * that succeeded are committed and the others rolled back.
 */
export class LiquidHandler extends Machine<LiquidHandlerBackend> {
  readonly deck: Deck;
  readonly channels: Channel[];
  /** The 96-head's channels in A1..H12 column-major order (empty without a 96-head). */
  readonly head96: Channel[];
  private gripped: { resource: Resource; direction: GripDirection; offset: Coordinate } | null = null;

  constructor(opts: { name?: string; backend: LiquidHandlerBackend; deck: Deck }) {
    super(opts.name ?? 'liquid_handler', opts.backend);
    this.deck = opts.deck;
    this.channels = Array.from({ length: opts.backend.numChannels }, (_, i) => new Channel(i, `channel ${i}`));
    this.head96 = opts.backend.has96Head ? Array.from({ length: 96 }, (_, i) => new Channel(i, `96-head channel ${i}`)) : [];
  }

  get numChannels(): number {
    return this.channels.length;
  }

  /** The resource the gripper holds, if any. */
  get grippedResource(): Resource | null {
    return this.gripped?.resource ?? null;
  }

  /** Tips and tip volumes of every channel, for snapshots. */
  serializeHeadState(): Record<string, unknown> {
    // JSON has no Infinity: an unknown capacity (no tip) is null.
    const ser = (chs: Channel[]) =>
      chs.map((c) => ({ tip: c.tip.serialize(), volume: c.volume.serialize(), maxVolume: Number.isFinite(c.volume.maxVolume) ? c.volume.maxVolume : null }));
    return { channels: ser(this.channels), head96: ser(this.head96) };
  }

  loadHeadState(state: Record<string, unknown>): void {
    const load = (chs: Channel[], raw: unknown) =>
      ((raw as Array<{ tip: never; volume: never; maxVolume: number | null }>) ?? []).forEach((s, i) => {
        if (!chs[i]) return;
        chs[i].tip.load(s.tip);
        chs[i].volume.maxVolume = s.maxVolume ?? Infinity;
        chs[i].volume.load(s.volume);
      });
    load(this.channels, state.channels);
    load(this.head96, state.head96);
  }

  // ---- argument checks ----------------------------------------------------------------------

  private resolveChannels(n: number, op: string, useChannels?: number[]): number[] {
    if (n === 0) throw argError(`${op}: no resources given`);
    const chans = useChannels ?? Array.from({ length: n }, (_, i) => i);
    if (chans.length !== n) throw argError(`${op}: ${n} resources but ${chans.length} channels in useChannels`);
    const seen = new Set<number>();
    for (const c of chans) {
      if (!Number.isInteger(c) || c < 0 || c >= this.channels.length) {
        throw argError(`${op}: channel ${c} does not exist (this machine has channels 0-${this.channels.length - 1})`);
      }
      if (seen.has(c)) throw argError(`${op}: channel ${c} is used twice`);
      seen.add(c);
    }
    return chans;
  }

  private perChannel<T>(values: T[] | undefined, n: number, what: string, op: string): (T | undefined)[] {
    if (values === undefined) return Array(n).fill(undefined);
    if (values.length !== n) throw argError(`${op}: ${what} has ${values.length} entries for ${n} channels`);
    return values;
  }

  private checkPositive(v: number | undefined, what: string, allowZero = false): void {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      throw argError(`${what} must be a ${allowZero ? 'non-negative' : 'positive'} number (got ${v})`);
    }
  }

  private checkMix(mix: Mix | undefined, what: string): void {
    if (!mix) return;
    this.checkPositive(mix.volume, `${what}.volume`);
    if (!Number.isInteger(mix.repetitions) || mix.repetitions < 1) throw argError(`${what}.repetitions must be a positive integer`);
    this.checkPositive(mix.flowRate, `${what}.flowRate`);
  }

  // ---- transactions ---------------------------------------------------------------------------

  /**
   * Runs a channelized command: `stage(i, enlist)` applies entry i's pending tracker changes,
   * enlisting each tracker before changing it. On success everything commits; on a ChannelizedError the failed
   * entries are rolled back and the successful ones replayed and committed; on any other error
   * everything is rolled back.
   */
  private async transact(
    command: string,
    args: Record<string, unknown>,
    channels: number[],
    stage: (i: number, enlist: Enlist) => void,
    call: () => Promise<void>,
    afterCommit?: (i: number) => void,
  ): Promise<void> {
    const touched = new Set<TipTracker | VolumeTracker>();
    // Trackers are enlisted before they change, so a check failing halfway still rolls back.
    const enlist: Enlist = (t) => {
      touched.add(t);
      return t;
    };
    const stageAll = (which: number[]) => {
      for (const i of which) stage(i, enlist);
    };
    const all = channels.map((_, i) => i);
    try {
      stageAll(all);
    } catch (err) {
      for (const t of touched) t.rollback();
      throw err;
    }
    try {
      await this.command(command, args, call);
    } catch (err) {
      for (const t of touched) t.rollback();
      if (err instanceof ChannelizedError) {
        const ok = all.filter((i) => !err.errors.has(channels[i]));
        try {
          stageAll(ok);
        } catch {
          for (const t of touched) t.rollback();
          throw err;
        }
        for (const t of touched) t.commit();
        if (afterCommit) ok.forEach(afterCommit);
      }
      throw err;
    }
    for (const t of touched) t.commit();
    if (afterCommit) all.forEach(afterCommit);
  }

  // ---- tips -----------------------------------------------------------------------------------

  /** Picks up one tip per channel from the given spots. */
  async pickUpTips(spots: TipSpot[], opts: ChannelOptions = {}): Promise<void> {
    const chans = this.resolveChannels(spots.length, 'pickUpTips', opts.useChannels);
    const offsets = this.perChannel(opts.offsets, spots.length, 'offsets', 'pickUpTips');
    spots.forEach((s, i) => {
      if (!(s instanceof TipSpot)) throw argError(`pickUpTips: ${describe(s)} (for channel ${chans[i]}) is not a tip spot`);
    });
    const tips = spots.map((s) => s.tracker.pendingTip ?? s.makeTip());
    const ops = spots.map((s, i) => {
      const offset = offsets[i] ?? ORIGIN;
      return { resource: s, tip: tips[i], offset, location: add(s.getAbsoluteLocation('c', 'c', 'b'), offset) };
    });
    await this.transact(
      'pickUpTips',
      { channels: chans, resources: spots.map((s) => s.name) },
      chans,
      (i, enlist) => {
        const s = spots[i];
        enlist(s.tracker).removeTip();
        enlist(this.channels[chans[i]].tip).addTip(tips[i], s.name);
      },
      () => this.backend.pickUpTips(ops, chans),
      (i) => {
        const ch = this.channels[chans[i]];
        ch.volume.maxVolume = tips[i].maximalVolume;
        ch.volume.setVolume(0);
      },
    );
  }

  /** Drops each channel's tip into a spot (returning it) or a trash. */
  async dropTips(targets: Array<TipSpot | Trash>, opts: ChannelOptions = {}): Promise<void> {
    const chans = this.resolveChannels(targets.length, 'dropTips', opts.useChannels);
    const offsets = this.perChannel(opts.offsets, targets.length, 'offsets', 'dropTips');
    const trashCount = targets.filter((t) => t instanceof Trash).length;
    let trashIndex = 0;
    const ops = targets.map((t, i) => {
      if (!(t instanceof TipSpot) && !(t instanceof Trash)) throw argError(`dropTips: ${describe(t)} (for channel ${chans[i]}) is neither a tip spot nor a trash`);
      const ch = this.channels[chans[i]];
      const tip = ch.tip.pendingTip;
      if (!tip && ch.tip.enabled) throw new NoTipError(`dropTips: channel ${chans[i]} has no tip to drop into ${t.name}`);
      // Several channels into one trash: spread them 9 mm apart, back to front.
      const spread = t instanceof Trash ? { x: 0, y: (trashCount - 1) * 4.5 - 9 * trashIndex++, z: 0 } : ORIGIN;
      const offset = add(offsets[i] ?? ORIGIN, spread);
      return { resource: t, tip: tip ?? (t instanceof TipSpot ? t.makeTip() : null), offset, location: add(t.getAbsoluteLocation('c', 'c', t instanceof Trash ? 't' : 'b'), offset) };
    });
    await this.transact(
      'dropTips',
      { channels: chans, resources: targets.map((t) => t.name) },
      chans,
      (i, enlist) => {
        const t = targets[i];
        const tip = enlist(this.channels[chans[i]].tip).removeTip();
        if (t instanceof TipSpot) enlist(t.tracker).addTip(tip ?? t.makeTip());
      },
      () => this.backend.dropTips(ops, chans),
      (i) => {
        const ch = this.channels[chans[i]];
        ch.volume.maxVolume = Infinity;
        ch.volume.setVolume(0);
      },
    );
  }

  /** Puts every held tip back where it was picked up from. */
  async returnTips(): Promise<void> {
    const held = this.channels.filter((c) => c.tip.hasTip);
    if (!held.length) throw new NoTipError('returnTips: no channel holds a tip');
    const targets = held.map((c) => {
      if (!c.tip.origin) throw new LiquidHandlerError(`returnTips: channel ${c.index} does not know where its tip came from`);
      const spot = this.deck.getResource(c.tip.origin);
      if (!(spot instanceof TipSpot)) throw new LiquidHandlerError(`returnTips: ${c.tip.origin} is not a tip spot`);
      return spot;
    });
    await this.dropTips(targets, { useChannels: held.map((c) => c.index) });
  }

  /** Drops every held tip into the deck's trash. */
  async discardTips(trash: Trash = this.deck.trash): Promise<void> {
    const held = this.channels.filter((c) => c.tip.hasTip);
    if (!held.length) return;
    await this.dropTips(held.map(() => trash), { useChannels: held.map((c) => c.index) });
  }

  // ---- liquids --------------------------------------------------------------------------------

  private liquidOps(op: 'aspirate' | 'dispense', resources: Container[], volumes: number[], opts: LiquidOptions) {
    const chans = this.resolveChannels(resources.length, op, opts.useChannels);
    if (volumes.length !== resources.length) throw argError(`${op}: ${resources.length} resources but ${volumes.length} volumes`);
    const offsets = this.perChannel(opts.offsets, resources.length, 'offsets', op);
    const flowRates = this.perChannel(opts.flowRates, resources.length, 'flowRates', op);
    const heights = this.perChannel(opts.liquidHeight, resources.length, 'liquidHeight', op);
    const blowOut = this.perChannel(opts.blowOutAirVolume, resources.length, 'blowOutAirVolume', op);
    const mix = this.perChannel(opts.mix, resources.length, 'mix', op);
    const ops: SingleChannelAspiration[] = new Array(resources.length);
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i];
      const c = chans[i];
      if (!(r instanceof Container)) throw argError(`${op}: ${describe(r)} (for channel ${c}) is not a container`);
      this.checkPositive(volumes[i], `${op}: volume for channel ${c} (${r.name})`);
      this.checkPositive(flowRates[i], `${op}: flow rate for channel ${c}`);
      this.checkPositive(heights[i], `${op}: liquid height for channel ${c}`, true);
      this.checkPositive(blowOut[i], `${op}: blow-out air volume for channel ${c}`, true);
      this.checkMix(mix[i], `${op}: mix for channel ${c}`);
      const ch = this.channels[c];
      if (ch.tip.enabled && !ch.tip.hasTip) throw new NoTipError(`${op}: channel ${c} has no tip (${r.name})`);
      const offset = offsets[i] ?? ORIGIN;
      ops[i] = {
        resource: r,
        volume: volumes[i],
        tip: ch.tip.tip,
        offset,
        location: add(r.getAbsoluteLocation('c', 'c', 'b'), offset),
        flowRate: flowRates[i],
        liquidHeight: heights[i],
        blowOutAirVolume: blowOut[i],
        mix: mix[i],
      };
    }
    return { chans, ops };
  }

  /** Aspirates `volumes[i]` µL from `resources[i]` with channel `useChannels[i]`. */
  async aspirate(resources: Container[], volumes: number[], opts: LiquidOptions = {}): Promise<void> {
    const { chans, ops } = this.liquidOps('aspirate', resources, volumes, opts);
    await this.transact(
      'aspirate',
      { channels: chans, resources: resources.map((r) => r.name), volumes },
      chans,
      (i, enlist) => {
        enlist(resources[i].tracker).removeLiquid(volumes[i]);
        enlist(this.channels[chans[i]].volume).addLiquid(volumes[i]);
      },
      () => this.backend.aspirate(ops, chans),
    );
  }

  /** Dispenses `volumes[i]` µL into `resources[i]` with channel `useChannels[i]`. */
  async dispense(resources: Container[], volumes: number[], opts: LiquidOptions = {}): Promise<void> {
    const { chans, ops } = this.liquidOps('dispense', resources, volumes, opts);
    await this.transact(
      'dispense',
      { channels: chans, resources: resources.map((r) => r.name), volumes },
      chans,
      (i, enlist) => {
        enlist(this.channels[chans[i]].volume).removeLiquid(volumes[i]);
        enlist(resources[i].tracker).addLiquid(volumes[i]);
      },
      () => this.backend.dispense(ops, chans),
    );
  }

  /**
   * Records liquid put in by hand (an operator loading a plate): container `i` now holds
   * `volumes[i]` µL. Nothing moves. It is a command like the others so that, in a run, it reaches
   * the worker's live deck (and its log and `deck.state` events), not only the protocol's copy.
   */
  async recordLiquids(containers: Container[], volumes: number[]): Promise<void> {
    if (containers.length !== volumes.length) throw argError(`recordLiquids: ${containers.length} containers but ${volumes.length} volumes`);
    containers.forEach((c, i) => {
      if (!(c instanceof Container)) throw argError(`recordLiquids: item ${i} is not a container`);
      this.checkPositive(volumes[i], `recordLiquids: volume for ${c.name}`, true);
      if (volumes[i] > c.maxVolume) throw argError(`recordLiquids: ${c.name} holds at most ${c.maxVolume} µL, not ${volumes[i]} µL`);
    });
    await this.command('recordLiquids', { resources: containers.map((c) => c.name), volumes }, async () => {
      containers.forEach((c, i) => c.setVolume(volumes[i]));
      this.backend.liquidChangedByHand?.(containers);
    });
  }

  /**
   * Aspirates once from `source` and dispenses into each target, on one channel that holds a tip.
   * Volumes per target, or `sourceVolume` split by `ratios` (equal parts by default).
   */
  async transfer(source: Container, targets: Container[], opts: TransferOptions = {}): Promise<void> {
    if (!targets.length) throw argError('transfer: no targets given');
    let volumes: number[];
    if (opts.targetVolumes) {
      if (opts.targetVolumes.length !== targets.length) throw argError(`transfer: ${targets.length} targets but ${opts.targetVolumes.length} targetVolumes`);
      volumes = opts.targetVolumes;
    } else if (opts.sourceVolume !== undefined) {
      const ratios = opts.ratios ?? targets.map(() => 1);
      if (ratios.length !== targets.length) throw argError(`transfer: ${targets.length} targets but ${ratios.length} ratios`);
      ratios.forEach((r, i) => this.checkPositive(r, `transfer: ratio ${i}`));
      const sum = ratios.reduce((a, b) => a + b, 0);
      volumes = ratios.map((r) => (opts.sourceVolume! * r) / sum);
    } else {
      throw argError('transfer: give targetVolumes, or sourceVolume (with optional ratios)');
    }
    volumes.forEach((v, i) => this.checkPositive(v, `transfer: volume for ${targets[i]?.name}`));
    const channel = opts.channel ?? 0;
    const total = volumes.reduce((a, b) => a + b, 0);
    await this.aspirate([source], [total], { useChannels: [channel], flowRates: opts.aspirationFlowRate ? [opts.aspirationFlowRate] : undefined });
    for (let i = 0; i < targets.length; i++) {
      await this.dispense([targets[i]], [volumes[i]], { useChannels: [channel], flowRates: opts.dispenseFlowRates ? [opts.dispenseFlowRates[i]] : undefined });
    }
  }

  // ---- 96-head --------------------------------------------------------------------------------

  private require96(op: string): void {
    if (!this.backend.has96Head) throw new CapabilityError(`${op}: ${this.name} has no 96-head`);
  }

  /** Picks up a full rack of 96 tips with the 96-head. */
  async pickUpTips96(rack: TipRack, opts: { offset?: Coordinate } = {}): Promise<void> {
    this.require96('pickUpTips96');
    if (!(rack instanceof TipRack) || rack.numItems !== 96) throw argError(`pickUpTips96: ${describe(rack)} is not a 96-spot tip rack`);
    const spots = rack.items();
    const tips = spots.map((s) => s.tracker.pendingTip ?? s.makeTip());
    const offset = opts.offset ?? ORIGIN;
    await this.transact(
      'pickUpTips96',
      { resource: rack.name },
      [0],
      (_, enlist) =>
        spots.forEach((s, i) => {
          enlist(s.tracker).removeTip();
          enlist(this.head96[i].tip).addTip(tips[i], s.name);
        }),
      () => this.backend.pickUpTips96({ resource: rack, offset, location: add(spots[0].getAbsoluteLocation('c', 'c', 'b'), offset) }),
      () =>
        this.head96.forEach((c, i) => {
          c.volume.maxVolume = tips[i].maximalVolume;
          c.volume.setVolume(0);
        }),
    );
  }

  /** Drops the 96-head's tips into a 96-spot rack or a trash. */
  async dropTips96(target: TipRack | Trash, opts: { offset?: Coordinate } = {}): Promise<void> {
    this.require96('dropTips96');
    const spots = target instanceof TipRack ? target.items() : null;
    if (spots && spots.length !== 96) throw argError(`dropTips96: ${target.name} has ${spots.length} spots, not 96`);
    if (!spots && !(target instanceof Trash)) throw argError(`dropTips96: ${describe(target)} is neither a tip rack nor a trash`);
    const offset = opts.offset ?? ORIGIN;
    const anchor = spots ? spots[0].getAbsoluteLocation('c', 'c', 'b') : target.getAbsoluteLocation('c', 'c', 't');
    await this.transact(
      'dropTips96',
      { resource: target.name },
      [0],
      (_, enlist) =>
        this.head96.forEach((c, i) => {
          const tip = enlist(c.tip).removeTip();
          if (spots) enlist(spots[i].tracker).addTip(tip ?? spots[i].makeTip());
        }),
      () => this.backend.dropTips96({ resource: target, offset, location: add(anchor, offset) }),
      () =>
        this.head96.forEach((c) => {
          c.volume.maxVolume = Infinity;
          c.volume.setVolume(0);
        }),
    );
  }

  private head96Target(op: string, target: Plate | Container): { wells: Container[] | null; container: Container | null; anchor: Coordinate } {
    if (target instanceof Plate) {
      if (target.numItems !== 96) throw argError(`${op}: ${target.name} has ${target.numItems} wells; the 96-head needs a 96-well plate`);
      const wells = target.items();
      return { wells, container: null, anchor: wells[0].getAbsoluteLocation('c', 'c', 'b') };
    }
    if (target instanceof Container) return { wells: null, container: target, anchor: target.getAbsoluteLocation('c', 'c', 'b') };
    throw argError(`${op}: ${describe(target)} is neither a 96-well plate nor a container`);
  }

  private async liquid96(op: 'aspirate96' | 'dispense96', target: Plate | Container, volume: number, opts: Head96Options): Promise<void> {
    this.require96(op);
    this.checkPositive(volume, `${op}: volume`);
    this.checkPositive(opts.flowRate, `${op}: flowRate`);
    this.checkPositive(opts.liquidHeight, `${op}: liquidHeight`, true);
    this.checkPositive(opts.blowOutAirVolume, `${op}: blowOutAirVolume`, true);
    this.checkMix(opts.mix, `${op}: mix`);
    const missing = this.head96.findIndex((c) => c.tip.enabled && !c.tip.hasTip);
    if (missing >= 0) throw new NoTipError(`${op}: 96-head channel ${missing} has no tip`);
    const { wells, container, anchor } = this.head96Target(op, target);
    const offset = opts.offset ?? ORIGIN;
    const aspirating = op === 'aspirate96';
    await this.transact(
      op,
      { resource: target.name, volume },
      [0],
      (_, enlist) => {
        if (container && aspirating) enlist(container.tracker).removeLiquid(volume * 96);
        this.head96.forEach((c, i) => {
          const well = wells?.[i];
          if (aspirating) {
            if (well) enlist(well.tracker).removeLiquid(volume);
            enlist(c.volume).addLiquid(volume);
          } else {
            enlist(c.volume).removeLiquid(volume);
            if (well) enlist(well.tracker).addLiquid(volume);
          }
        });
        if (container && !aspirating) enlist(container.tracker).addLiquid(volume * 96);
      },
      () => {
        const payload = { wells, container, volume, offset, location: add(anchor, offset), flowRate: opts.flowRate, liquidHeight: opts.liquidHeight, blowOutAirVolume: opts.blowOutAirVolume, mix: opts.mix };
        return aspirating ? this.backend.aspirate96(payload) : this.backend.dispense96(payload);
      },
    );
  }

  /** Aspirates `volume` µL per channel with the 96-head from a 96-well plate or one container. */
  aspirate96(target: Plate | Container, volume: number, opts: Head96Options = {}): Promise<void> {
    return this.liquid96('aspirate96', target, volume, opts);
  }

  /** Dispenses `volume` µL per channel with the 96-head into a 96-well plate or one container. */
  dispense96(target: Plate | Container, volume: number, opts: Head96Options = {}): Promise<void> {
    return this.liquid96('dispense96', target, volume, opts);
  }

  /** Copies `volume` µL from every well of `source` to the same well of `target` with the 96-head. */
  async stamp(source: Plate, target: Plate, volume: number, opts: { aspiration?: Head96Options; dispense?: Head96Options } = {}): Promise<void> {
    await this.aspirate96(source, volume, opts.aspiration);
    await this.dispense96(target, volume, opts.dispense);
  }

  // ---- gripper --------------------------------------------------------------------------------

  private requireGripper(op: string): void {
    if (!this.backend.hasGripper) throw new CapabilityError(`${op}: ${this.name} has no gripper`);
  }

  /** Grips a resource (a plate, a lid). */
  async pickUpResource(resource: Resource, opts: GripOptions = {}): Promise<void> {
    this.requireGripper('pickUpResource');
    if (this.gripped) throw new LiquidHandlerError(`pickUpResource: the gripper already holds ${this.gripped.resource.name}`);
    if (!resource.parent) throw argError(`pickUpResource: ${resource.name} is not on the deck`);
    const onTop = resource.children.filter((c) => !(c instanceof Lid) && !(c instanceof Container) && !(c instanceof TipSpot));
    if (onTop.length) throw new LiquidHandlerError(`pickUpResource: ${onTop[0].name} sits on ${resource.name}`);
    const pickupDistanceFromTop = opts.pickupDistanceFromTop ?? Math.min(5, resource.sizeZ / 2);
    this.checkPositive(pickupDistanceFromTop, 'pickUpResource: pickupDistanceFromTop', true);
    if (pickupDistanceFromTop > resource.sizeZ) throw argError(`pickUpResource: pickupDistanceFromTop ${pickupDistanceFromTop} mm exceeds ${resource.name}'s height ${resource.sizeZ} mm`);
    const offset = opts.offset ?? ORIGIN;
    const direction = opts.direction ?? 'front';
    const gripper = opts.gripper;
    await this.command('pickUpResource', { resource: resource.name, pickupDistanceFromTop, direction, ...(gripper ? { gripper } : {}) }, () =>
      this.backend.pickUpResource({ resource, offset, pickupDistanceFromTop, direction, location: add(resource.getAbsoluteLocation('c', 'c', 't'), offset), ...(gripper ? { gripper } : {}) }),
    );
    this.gripped = { resource, direction, offset };
  }

  /** Moves the gripped resource so its origin is at `location` (absolute), without letting go. */
  async moveResource(resource: Resource, location: Coordinate, opts: { gripperVelocity?: number } = {}): Promise<void> {
    this.requireGripper('moveResource');
    if (this.gripped?.resource !== resource) throw new LiquidHandlerError(`moveResource: the gripper does not hold ${resource.name}`);
    await this.command('moveResource', { resource: resource.name, location }, () => this.backend.moveResource({ resource, location, gripperVelocity: opts.gripperVelocity }));
  }

  /** Puts the gripped resource down on a holder, on a plate (a lid), or at a deck position. */
  async dropResource(target: DropTarget): Promise<void> {
    this.requireGripper('dropResource');
    if (!this.gripped) throw new LiquidHandlerError('dropResource: the gripper holds nothing');
    const { resource, direction, offset } = this.gripped;
    const place = this.placement(resource, target);
    await this.command('dropResource', { resource: resource.name, destination: place.parent.name }, () =>
      this.backend.dropResource({ resource, destination: place.absolute, destinationResource: place.parent, offset, direction }),
    );
    // The physical move happened: the layout follows.
    resource.unassign();
    place.assign();
    this.gripped = null;
  }

  private placement(resource: Resource, target: DropTarget): { parent: Resource; absolute: Coordinate; assign: () => void } {
    if (target instanceof ResourceHolder) {
      if (target.resource && target.resource !== resource) throw new LiquidHandlerError(`dropResource: ${target.name} already holds ${target.resource.name}`);
      return { parent: target, absolute: add(target.absoluteOrigin(), target.locationFor(resource)), assign: () => target.assign(resource) };
    }
    if (target instanceof Plate) {
      if (!(resource instanceof Lid)) throw argError(`dropResource: only a lid can go onto plate ${target.name}`);
      if (target.lid && target.lid !== resource) throw new LiquidHandlerError(`dropResource: ${target.name} already has lid ${target.lid.name}`);
      return { parent: target, absolute: add(target.absoluteOrigin(), target.lidLocation(resource)), assign: () => target.assignLid(resource) };
    }
    const { resource: parent, location } = target;
    return { parent, absolute: add(parent.absoluteOrigin(), location), assign: () => parent.assignChildResource(resource, location) };
  }

  /** Moves a lid onto a plate or a holder: pick up, move, drop. */
  async moveLid(lid: Lid, to: Plate | ResourceHolder | { resource: Resource; location: Coordinate }, opts: GripOptions = {}): Promise<void> {
    if (!(lid instanceof Lid)) throw argError(`moveLid: ${describe(lid)} is not a lid`);
    await this.moveWithGripper(lid, to, opts);
  }

  /** Moves a plate to a holder (carrier site, machine position) or a deck position. */
  async movePlate(plate: Plate, to: ResourceHolder | { resource: Resource; location: Coordinate }, opts: GripOptions = {}): Promise<void> {
    if (!(plate instanceof Plate)) throw argError(`movePlate: ${describe(plate)} is not a plate`);
    await this.moveWithGripper(plate, to, opts);
  }

  private async moveWithGripper(resource: Resource, to: DropTarget, opts: GripOptions): Promise<void> {
    this.requireGripper('move');
    const place = this.placement(resource, to); // check the destination before touching anything
    await this.pickUpResource(resource, opts);
    try {
      await this.moveResource(resource, place.absolute);
    } catch (err) {
      // The resource is still in the gripper: say so, do not pretend it is back in place.
      throw new LiquidHandlerError(`move of ${resource.name} failed while it is held by the gripper: ${(err as Error).message}`);
    }
    await this.dropResource(to);
  }
}

function describe(x: unknown): string {
  if (x && typeof x === 'object' && 'name' in x) return `${(x as { constructor: { name: string } }).constructor.name} ${(x as { name: string }).name}`;
  return String(x);
}
