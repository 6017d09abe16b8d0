import type { Coordinate } from '../../resources/coordinate.js';
import type { Container } from '../../resources/container.js';
import type { Resource } from '../../resources/resource.js';
import type { Tip } from '../../resources/tip.js';
import { TipSpot } from '../../resources/tip-rack.js';
import { HasTipError, NoTipError, TooLittleLiquidError, TooLittleVolumeError } from '../../tracking/errors.js';
import type { LiquidHandlerBackend } from './backend.js';
import { ChannelizedError, LiquidHandlerError } from './errors.js';
import type {
  Drop,
  DropTipRack,
  MultiHeadAspiration,
  MultiHeadDispense,
  Pickup,
  PickupTipRack,
  ResourceDrop,
  ResourceMove,
  ResourcePickup,
  SingleChannelAspiration,
  SingleChannelDispense,
} from './standard.js';

/** Durations the time model uses (seconds, mm/s, µL/s). Defaults are typical of a Hamilton STAR. */
export interface TimeModel {
  travelSpeed: number;
  pickUpTip: number;
  dropTip: number;
  /** Fixed cost of an aspirate or dispense (moves in z, LLD). */
  liquidStep: number;
  defaultFlowRate: number;
  head96Step: number;
  gripStep: number;
}

export const DEFAULT_TIME_MODEL: TimeModel = {
  travelSpeed: 400,
  pickUpTip: 3.5,
  dropTip: 3,
  liquidStep: 1.5,
  defaultFlowRate: 100,
  head96Step: 6,
  gripStep: 5,
};

export interface SimulatorOptions {
  numChannels?: number;
  has96Head?: boolean;
  hasGripper?: boolean;
  /** Channels share one x (one arm) and keep this minimum y spacing, channel 0 at the back. Default 9 mm. */
  minChannelSpacing?: number;
  /** Maximum flow rate (µL/s). */
  maxFlowRate?: number;
  /** Estimate durations (returned by lastEstimateS()); off by default. */
  timeModel?: Partial<TimeModel> | boolean;
  /**
   * Take the time model's durations in real time, this many times faster (10: a tenth of the
   * modelled time), so a demo can be watched and paused; needs `timeModel`. Off by default.
   */
  realTimeSpeed?: number;
}

type Injected = { channels?: number[]; error: Error } | { error: Error; channels?: undefined };

interface SimChannel {
  tip: Tip | null;
  volume: number;
}

/**
 * A liquid handler with no hardware. It enforces the physical rules on its own state, whatever the
 * front end believes: tips on channels, tip capacity, liquid in the containers it has touched,
 * channel geometry (one arm: same x, channels at least 9 mm apart, channel 0 at the back), flow
 * rates, deck bounds. Failures can be injected per command and channel. An optional time model
 * estimates each command's physical duration.
 */
export class LiquidHandlerSimulator implements LiquidHandlerBackend {
  readonly kind = 'simulator';
  readonly numChannels: number;
  readonly has96Head: boolean;
  readonly hasGripper: boolean;
  private readonly minSpacing: number;
  private readonly maxFlowRate: number;
  private readonly time: TimeModel | null;
  private readonly realTimeSpeed: number;
  private channels: SimChannel[];
  private head96: SimChannel[];
  /** What the simulator knows of tip spots and containers, learned on first touch. */
  private readonly spotHasTip = new Map<TipSpot, boolean>();
  private readonly liquid = new Map<Container, number>();
  private gripped: Resource | null = null;
  private position: Coordinate = { x: 0, y: 0, z: 0 };
  private estimate: number | undefined;
  private readonly injected = new Map<string, Injected[]>();
  private running = false;
  /** Every command received, for tests and debugging (name and channel count). */
  readonly log: Array<{ command: string; channels: number[] }> = [];
  logCommands = false;

  constructor(opts: SimulatorOptions = {}) {
    this.numChannels = opts.numChannels ?? 8;
    this.has96Head = opts.has96Head ?? true;
    this.hasGripper = opts.hasGripper ?? true;
    this.minSpacing = opts.minChannelSpacing ?? 9;
    this.maxFlowRate = opts.maxFlowRate ?? 1000;
    this.time = opts.timeModel ? { ...DEFAULT_TIME_MODEL, ...(typeof opts.timeModel === 'object' ? opts.timeModel : {}) } : null;
    if (opts.realTimeSpeed !== undefined && !(opts.realTimeSpeed > 0)) throw new Error(`realTimeSpeed must be > 0, got ${opts.realTimeSpeed}`);
    this.realTimeSpeed = opts.realTimeSpeed ?? 0;
    this.channels = Array.from({ length: this.numChannels }, () => ({ tip: null, volume: 0 }));
    this.head96 = Array.from({ length: 96 }, () => ({ tip: null, volume: 0 }));
  }

  /** Makes the next `command` fail: on the given channels (a ChannelizedError) or as a whole. */
  failNext(command: string, failure: Injected): void {
    const q = this.injected.get(command) ?? [];
    q.push(failure);
    this.injected.set(command, q);
  }

  lastEstimateS(): number | undefined {
    return this.estimate;
  }

  liquidChangedByHand(containers: Container[]): void {
    for (const c of containers) this.liquid.delete(c);
  }

  /** With `realTimeSpeed`, waits out the command just simulated (its estimate, sped up). */
  private async takeTime(): Promise<void> {
    if (this.realTimeSpeed && this.estimate) await new Promise((r) => setTimeout(r, (this.estimate! * 1000) / this.realTimeSpeed));
  }

  /** What the simulator believes a channel holds. */
  channelState(channel: number): Readonly<SimChannel> {
    return this.channels[channel];
  }

  async setup(): Promise<void> {
    this.running = true;
    this.estimate = this.time ? 10 : undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.estimate = undefined;
  }

  // ---- rules ----------------------------------------------------------------------------------

  private begin(command: string, channels: number[]): Injected | undefined {
    if (!this.running) throw new LiquidHandlerError(`simulator: ${command} before setup()`);
    if (this.logCommands) this.log.push({ command, channels });
    const q = this.injected.get(command);
    const f = q?.shift();
    if (q && !q.length) this.injected.delete(command);
    if (f && !f.channels) throw f.error;
    return f;
  }

  private checkGeometry(command: string, locations: Coordinate[], channels: number[]): void {
    if (locations.length < 2) return;
    const x0 = locations[0].x;
    for (let i = 1; i < locations.length; i++) {
      if (Math.abs(locations[i].x - x0) > 0.5) {
        throw new LiquidHandlerError(`${command}: channels ${channels[0]} and ${channels[i]} would need different x positions (${x0.toFixed(1)} vs ${locations[i].x.toFixed(1)} mm); the channels share one arm`);
      }
    }
    const order = channels.map((c, i) => ({ c, y: locations[i].y })).sort((a, b) => a.c - b.c);
    for (let i = 1; i < order.length; i++) {
      const needed = (order[i].c - order[i - 1].c) * this.minSpacing;
      if (order[i - 1].y - order[i].y < needed - 1e-6) {
        throw new LiquidHandlerError(
          `${command}: channel ${order[i].c} must be at least ${needed} mm in front of channel ${order[i - 1].c} (y ${order[i].y.toFixed(1)} vs ${order[i - 1].y.toFixed(1)} mm)`,
        );
      }
    }
  }

  private checkFlow(command: string, channel: number, flowRate: number | undefined): void {
    if (flowRate !== undefined && (flowRate <= 0 || flowRate > this.maxFlowRate)) {
      throw new LiquidHandlerError(`${command}: flow rate ${flowRate} µL/s on channel ${channel} is outside 0-${this.maxFlowRate} µL/s`);
    }
  }

  private spotTip(spot: TipSpot): boolean {
    let has = this.spotHasTip.get(spot);
    if (has === undefined) {
      has = spot.tracker.hasTip || !spot.tracker.enabled;
      this.spotHasTip.set(spot, has);
    }
    return has;
  }

  private volumeIn(c: Container): number {
    let v = this.liquid.get(c);
    if (v === undefined) {
      v = c.tracker.enabled ? c.tracker.volume : Infinity;
      this.liquid.set(c, v);
    }
    return v;
  }

  private travel(to: Coordinate): number {
    const d = Math.hypot(to.x - this.position.x, to.y - this.position.y);
    this.position = to;
    return this.time ? d / this.time.travelSpeed : 0;
  }

  /**
   * Applies `fn` per channel; collects per-channel errors (physical rule violations and injected
   * ones) and throws one ChannelizedError after applying the channels that succeeded.
   */
  private perChannel(command: string, channels: number[], injected: Injected | undefined, fn: (i: number) => void): void {
    let errors: Map<number, Error> | undefined;
    for (let i = 0; i < channels.length; i++) {
      const ch = channels[i];
      if (injected?.channels?.includes(ch)) {
        (errors ??= new Map()).set(ch, injected.error);
        continue;
      }
      try {
        fn(i);
      } catch (err) {
        (errors ??= new Map()).set(ch, err as Error);
      }
    }
    if (errors) throw new ChannelizedError(errors, command);
  }

  // ---- channels -------------------------------------------------------------------------------

  async pickUpTips(ops: Pickup[], useChannels: number[]): Promise<void> {
    const f = this.begin('pickUpTips', useChannels);
    this.checkGeometry('pickUpTips', ops.map((o) => o.location), useChannels);
    const t = this.time ? this.travel(ops[0].location) + this.time.pickUpTip : undefined;
    this.perChannel('pickUpTips', useChannels, f, (i) => {
      const ch = this.channels[useChannels[i]];
      if (ch.tip) throw new HasTipError(`channel ${useChannels[i]} already has a tip`);
      if (!this.spotTip(ops[i].resource)) throw new NoTipError(`no tip at ${ops[i].resource.name}`);
      this.spotHasTip.set(ops[i].resource, false);
      ch.tip = ops[i].tip;
      ch.volume = 0;
    });
    this.estimate = t;
    await this.takeTime();
  }

  async dropTips(ops: Drop[], useChannels: number[]): Promise<void> {
    const f = this.begin('dropTips', useChannels);
    this.checkGeometry('dropTips', ops.map((o) => o.location), useChannels);
    const t = this.time ? this.travel(ops[0].location) + this.time.dropTip : undefined;
    this.perChannel('dropTips', useChannels, f, (i) => {
      const ch = this.channels[useChannels[i]];
      if (!ch.tip) throw new NoTipError(`channel ${useChannels[i]} has no tip`);
      const target = ops[i].resource;
      if (target instanceof TipSpot) {
        if (this.spotTip(target)) throw new HasTipError(`${target.name} already holds a tip`);
        this.spotHasTip.set(target, true);
      }
      ch.tip = null;
      ch.volume = 0;
    });
    this.estimate = t;
    await this.takeTime();
  }

  private liquidStep(command: 'aspirate' | 'dispense', ops: SingleChannelAspiration[] | SingleChannelDispense[], useChannels: number[]): void {
    const f = this.begin(command, useChannels);
    this.checkGeometry(command, ops.map((o) => o.location), useChannels);
    const travelS = this.time ? this.travel(ops[0].location) : 0;
    let liquidS = 0;
    this.estimate = undefined;
    this.perChannel(command, useChannels, f, (i) => {
      const op = ops[i];
      const c = useChannels[i];
      const ch = this.channels[c];
      this.checkFlow(command, c, op.flowRate);
      if (!ch.tip) throw new NoTipError(`channel ${c} has no tip`);
      const inContainer = this.volumeIn(op.resource);
      if (command === 'aspirate') {
        if (ch.volume + op.volume > ch.tip.maximalVolume + 1e-6) {
          throw new TooLittleVolumeError(`channel ${c}: ${op.volume} µL does not fit in its ${ch.tip.maximalVolume} µL tip holding ${ch.volume} µL`);
        }
        if (op.volume > inContainer + 1e-6) throw new TooLittleLiquidError(`${op.resource.name} holds ${inContainer} µL; channel ${c} cannot aspirate ${op.volume} µL`);
        this.liquid.set(op.resource, inContainer - op.volume);
        ch.volume += op.volume;
      } else {
        if (op.volume > ch.volume + 1e-6) throw new TooLittleLiquidError(`channel ${c} holds ${ch.volume} µL; cannot dispense ${op.volume} µL`);
        if (inContainer + op.volume > op.resource.maxVolume + 1e-6) {
          throw new TooLittleVolumeError(`${op.resource.name} (${op.resource.maxVolume} µL) cannot take ${op.volume} µL more (holds ${inContainer} µL)`);
        }
        this.liquid.set(op.resource, inContainer + op.volume);
        ch.volume -= op.volume;
      }
      if (this.time) {
        // Channels move together: the slowest one sets the pace.
        const flow = op.flowRate ?? this.time.defaultFlowRate;
        const mixS = op.mix ? (2 * op.mix.repetitions * op.mix.volume) / (op.mix.flowRate ?? flow) : 0;
        liquidS = Math.max(liquidS, op.volume / flow + mixS);
      }
    });
    this.estimate = this.time ? travelS + this.time.liquidStep + liquidS : undefined;
  }

  async aspirate(ops: SingleChannelAspiration[], useChannels: number[]): Promise<void> {
    this.liquidStep('aspirate', ops, useChannels);
    await this.takeTime();
  }

  async dispense(ops: SingleChannelDispense[], useChannels: number[]): Promise<void> {
    this.liquidStep('dispense', ops, useChannels);
    await this.takeTime();
  }

  // ---- 96-head --------------------------------------------------------------------------------

  private require96(command: string): void {
    if (!this.has96Head) throw new LiquidHandlerError(`${command}: no 96-head installed`);
  }

  async pickUpTips96(op: PickupTipRack): Promise<void> {
    this.require96('pickUpTips96');
    this.begin('pickUpTips96', [0]);
    if (this.head96.some((c) => c.tip)) throw new HasTipError('the 96-head already has tips');
    const spots = op.resource.items();
    const missing = spots.find((s) => !this.spotTip(s));
    if (missing) throw new NoTipError(`no tip at ${missing.name}: the 96-head picks up a full rack`);
    spots.forEach((s, i) => {
      this.spotHasTip.set(s, false);
      this.head96[i] = { tip: s.makeTip(), volume: 0 };
    });
    this.estimate = this.time ? this.travel(op.location) + this.time.head96Step : undefined;
    await this.takeTime();
  }

  async dropTips96(op: DropTipRack): Promise<void> {
    this.require96('dropTips96');
    this.begin('dropTips96', [0]);
    if (this.head96.some((c) => !c.tip)) throw new NoTipError('the 96-head does not hold 96 tips');
    if ('items' in op.resource) {
      const spots = (op.resource as { items(): TipSpot[] }).items();
      const taken = spots.find((s) => this.spotTip(s));
      if (taken) throw new HasTipError(`${taken.name} already holds a tip`);
      spots.forEach((s) => this.spotHasTip.set(s, true));
    }
    this.head96 = this.head96.map(() => ({ tip: null, volume: 0 }));
    this.estimate = this.time ? this.travel(op.location) + this.time.head96Step : undefined;
    await this.takeTime();
  }

  private liquid96(command: 'aspirate96' | 'dispense96', op: MultiHeadAspiration | MultiHeadDispense): void {
    this.require96(command);
    this.begin(command, [0]);
    if (this.head96.some((c) => !c.tip)) throw new NoTipError(`${command}: the 96-head does not hold 96 tips`);
    this.checkFlow(command, 0, op.flowRate);
    const aspirating = command === 'aspirate96';
    // Check everything first: the 96-head moves all channels together, so it fails as a whole.
    this.head96.forEach((c, i) => {
      const src = op.wells ? op.wells[i] : null;
      if (aspirating) {
        if (c.volume + op.volume > c.tip!.maximalVolume + 1e-6) throw new TooLittleVolumeError(`96-head channel ${i}: ${op.volume} µL does not fit in its tip`);
        if (src && this.volumeIn(src) < op.volume - 1e-6) throw new TooLittleLiquidError(`${src.name} holds ${this.volumeIn(src)} µL; cannot aspirate ${op.volume} µL`);
      } else {
        if (c.volume < op.volume - 1e-6) throw new TooLittleLiquidError(`96-head channel ${i} holds ${c.volume} µL; cannot dispense ${op.volume} µL`);
        if (src && this.volumeIn(src) + op.volume > src.maxVolume + 1e-6) throw new TooLittleVolumeError(`${src.name} cannot take ${op.volume} µL more`);
      }
    });
    if (op.container) {
      const v = this.volumeIn(op.container);
      if (aspirating && v < op.volume * 96 - 1e-6) throw new TooLittleLiquidError(`${op.container.name} holds ${v} µL; cannot aspirate 96 x ${op.volume} µL`);
      if (!aspirating && v + op.volume * 96 > op.container.maxVolume + 1e-6) throw new TooLittleVolumeError(`${op.container.name} cannot take 96 x ${op.volume} µL more`);
      this.liquid.set(op.container, v + (aspirating ? -1 : 1) * op.volume * 96);
    }
    this.head96.forEach((c, i) => {
      const w = op.wells?.[i];
      if (w) this.liquid.set(w, this.volumeIn(w) + (aspirating ? -1 : 1) * op.volume);
      c.volume += (aspirating ? 1 : -1) * op.volume;
    });
    this.estimate = this.time ? this.travel(op.location) + this.time.head96Step + op.volume / (op.flowRate ?? this.time.defaultFlowRate) : undefined;
  }

  async aspirate96(op: MultiHeadAspiration): Promise<void> {
    this.liquid96('aspirate96', op);
    await this.takeTime();
  }

  async dispense96(op: MultiHeadDispense): Promise<void> {
    this.liquid96('dispense96', op);
    await this.takeTime();
  }

  // ---- gripper --------------------------------------------------------------------------------

  private requireGripper(command: string): void {
    if (!this.hasGripper) throw new LiquidHandlerError(`${command}: no gripper installed`);
  }

  async pickUpResource(op: ResourcePickup): Promise<void> {
    this.requireGripper('pickUpResource');
    this.begin('pickUpResource', []);
    if (this.gripped) throw new LiquidHandlerError(`the gripper already holds ${this.gripped.name}`);
    this.gripped = op.resource;
    this.estimate = this.time ? this.travel(op.location) + this.time.gripStep : undefined;
    await this.takeTime();
  }

  async moveResource(op: ResourceMove): Promise<void> {
    this.requireGripper('moveResource');
    this.begin('moveResource', []);
    if (this.gripped !== op.resource) throw new LiquidHandlerError(`the gripper does not hold ${op.resource.name}`);
    this.estimate = this.time ? this.travel(op.location) : undefined;
    await this.takeTime();
  }

  async dropResource(op: ResourceDrop): Promise<void> {
    this.requireGripper('dropResource');
    this.begin('dropResource', []);
    if (this.gripped !== op.resource) throw new LiquidHandlerError(`the gripper does not hold ${op.resource.name}`);
    this.gripped = null;
    this.estimate = this.time ? this.travel(op.destination) + this.time.gripStep : undefined;
    await this.takeTime();
  }
}
