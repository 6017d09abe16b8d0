import type { LiquidHandlerBackend } from '../../machines/liquid-handler/backend.js';
import { LiquidHandlerError } from '../../machines/liquid-handler/errors.js';
import type {
  Drop,
  DropTipRack,
  GripDirection,
  MultiHeadAspiration,
  Pickup,
  PickupTipRack,
  ResourceDrop,
  ResourceMove,
  ResourcePickup,
  SingleChannelAspiration,
} from '../../machines/liquid-handler/standard.js';
import type { Coordinate } from '../../resources/coordinate.js';
import type { Resource } from '../../resources/resource.js';
import type { Tip } from '../../resources/tip.js';
import { TipRack, TipSpot } from '../../resources/tip-rack.js';
import {
  aspirate96Params,
  aspirateParams,
  coreGetPlateParams,
  coreMovePlateParams,
  corePutPlateParams,
  coreToolsPickUpParams,
  coreToolsReturnParams,
  defineTipParams,
  dispense96Params,
  dispenseParams,
  dropTips96Params,
  dropTipParams,
  GRIP_DIRECTION,
  type Head96LiquidParams,
  initialize96Params,
  initializeChannelsParams,
  iswapGetParams,
  iswapMoveParams,
  iswapParkParams,
  iswapPutParams,
  pickUpTips96Params,
  pickUpTipParams,
} from './commands.js';
import { StarConnection } from './connection.js';
import { HamiltonCoreGrippers } from './core-grippers.js';
import { channelLayout, type ChannelLayout, perChannel } from './firmware.js';
import { dispenseModeNumber, type LiquidClass, liquidClass } from './liquid-class.js';
import type { Transport } from './transport.js';
import { UsbTransport } from './usb-transport.js';

/** The connection config the machine registry declares for `hamilton-star-usb`. */
export interface StarConnectionConfig {
  /** USB serial number; the first STAR found when omitted. */
  serialNumber?: string;
  /** Default reply timeout per command (ms, default 30000). */
  readTimeoutMs?: number;
  /** Pipetting channels (default 8); setup() fails when the machine reports another count. */
  numChannels?: number;
}

/** The STAR's plate grippers: the iSWAP arm, or the two CoRe gripper tools on two pipetting channels. */
export type StarGripper = 'iswap' | 'core';

/** The CoRe gripper: two tools picked up from their rack (a `HamiltonCoreGrippers` on the deck) by two adjacent channels. */
export interface CoreGripperOptions {
  /** The channel that carries the front tool (0-based, default the last channel); the back tool goes on the channel before it. */
  frontChannel?: number;
  /** Grip strength, 0 (weak) to 99 (strong); default 15. */
  gripStrength?: number;
  /** Y speed while gripping (mm/s, default 5) and Z speed (mm/s, default 50). */
  gripSpeed?: number;
  zSpeed?: number;
  /** Put the tools back after each put-down (default true); otherwise they stay on the channels until `returnCoreGripperTools()`. */
  returnTools?: boolean;
}

export interface StarBackendOptions extends StarConnectionConfig {
  /**
   * Whether to offer the 96-head / the plate grippers (default true; setup() turns off the 96-head
   * and the iSWAP when the machine lacks them). `hasGripper: false` turns off the CoRe gripper too.
   */
  has96Head?: boolean;
  hasGripper?: boolean;
  /**
   * The gripper resource moves use (changeable later through `StarBackend.gripper`): by default the
   * iSWAP when the machine has one, else the CoRe gripper when it is configured. `'core'` implies
   * `coreGripper: {}`.
   */
  gripper?: StarGripper;
  /** The CoRe gripper tools are there (their rack must be on the deck): their parameters. */
  coreGripper?: CoreGripperOptions;
  /** Liquid-class parameters (defaults: `DEFAULT_LIQUID_CLASS`). */
  liquidClass?: Partial<LiquidClass>;
  /** Channel traversal height (mm, default 245) and gripper (iSWAP and CoRe gripper) traversal height (mm, default 280). */
  traversalHeight?: number;
  iswapTraversalHeight?: number;
  /** Called with each reply that arrives after its command timed out (or matches nothing). */
  onDroppedReply?: (reply: string) => void;
  /** Called with every command sent and reply received. */
  onTraffic?: (direction: 'out' | 'in', text: string) => void;
}

const r10 = (mm: number): number => Math.round(mm * 10);

/** Tip collar size number of the firmware, from the tip's volume. */
function tipSize(tip: Tip): number {
  if (tip.maximalVolume <= 10) return 1;
  if (tip.maximalVolume <= 300) return 2;
  if (tip.maximalVolume <= 1000) return 3;
  return 5;
}

const DEFAULT_TIP: Tip = { type: 'unknown', hasFilter: false, totalTipLength: 59.9, maximalVolume: 300, fittingDepth: 8 };

/** The head's A1 position when the 96-head works in a single container centered on `center`. */
const A1_FROM_CENTER = { x: -49.5, y: 31.5 };

interface Held {
  gripper: StarGripper;
  resource: Resource;
  direction: GripDirection;
  /** Gripping height below the resource's top (mm). */
  depth: number;
  /** Plate width across the gripper (mm). */
  width: number;
}

/**
 * The Hamilton STAR / STARlet backend: firmware commands over a Transport (USB for the machine,
 * in-memory for the StarFirmwareSimulator). Positions come from the ops' absolute locations.
 */
export class StarBackend implements LiquidHandlerBackend {
  readonly kind = 'hamilton-star';
  readonly numChannels: number;
  readonly connection: StarConnection;
  readonly liquidClass: LiquidClass;
  private _has96Head: boolean;
  private _hasIswap: boolean;
  /** Whether the CoRe gripper tools are configured. */
  readonly hasCoreGripper: boolean;
  private readonly core: Required<CoreGripperOptions>;
  private selectedGripper: StarGripper | undefined;
  /** The CoRe gripper tools on the channels (null: in their rack). */
  private coreTools: { rack: HamiltonCoreGrippers; back: number; front: number } | null = null;
  /** Why the tools are still on the channels after a put-down, when returning them failed. */
  private coreToolsReturnError: Error | null = null;
  /** Whether the iSWAP is known to be parked (it must be before the CoRe gripper works). */
  private iswapParked = false;
  private readonly traversal: number;
  private readonly iswapTraversal: number;
  private readonly tipTypes = new Map<string, number>();
  private tip96: Tip | null = null;
  private held: Held | null = null;

  constructor(
    readonly transport: Transport,
    readonly options: StarBackendOptions = {},
  ) {
    this.numChannels = options.numChannels ?? 8;
    if (!Number.isInteger(this.numChannels) || this.numChannels < 1 || this.numChannels > 16) throw new Error(`numChannels must be 1-16 (got ${this.numChannels})`);
    this._has96Head = options.has96Head ?? true;
    this._hasIswap = options.hasGripper ?? true;
    this.hasCoreGripper = (options.hasGripper ?? true) && (options.coreGripper !== undefined || options.gripper === 'core');
    this.core = {
      frontChannel: options.coreGripper?.frontChannel ?? this.numChannels - 1,
      gripStrength: options.coreGripper?.gripStrength ?? 15,
      gripSpeed: options.coreGripper?.gripSpeed ?? 5,
      zSpeed: options.coreGripper?.zSpeed ?? 50,
      returnTools: options.coreGripper?.returnTools ?? true,
    };
    if (this.hasCoreGripper) {
      const { frontChannel, gripStrength, gripSpeed, zSpeed } = this.core;
      if (this.numChannels < 2) throw new Error('the CoRe gripper needs two channels; this STAR has one');
      if (!Number.isInteger(frontChannel) || frontChannel < 1 || frontChannel >= this.numChannels) {
        throw new Error(`coreGripper.frontChannel must be 1-${this.numChannels - 1}: the back tool goes on the channel before it (got ${frontChannel})`);
      }
      if (!Number.isInteger(gripStrength) || gripStrength < 0 || gripStrength > 99) throw new Error(`coreGripper.gripStrength must be 0-99 (got ${gripStrength})`);
      if (!(gripSpeed > 0) || !(zSpeed > 0)) throw new Error(`coreGripper speeds must be > 0 (got gripSpeed ${gripSpeed}, zSpeed ${zSpeed})`);
    }
    if (options.gripper !== undefined && options.gripper !== 'iswap' && options.gripper !== 'core') throw new Error(`gripper must be 'iswap' or 'core' (got ${String(options.gripper)})`);
    this.selectedGripper = options.gripper;
    this.traversal = options.traversalHeight ?? 245;
    this.iswapTraversal = options.iswapTraversalHeight ?? 280;
    this.liquidClass = liquidClass(options.liquidClass);
    this.connection = new StarConnection(transport, {
      readTimeoutMs: options.readTimeoutMs,
      numChannels: this.numChannels,
      onDroppedReply: options.onDroppedReply ? (reply) => options.onDroppedReply!(reply) : undefined,
      onTraffic: options.onTraffic,
    });
  }

  get has96Head(): boolean {
    return this._has96Head;
  }

  get hasGripper(): boolean {
    return this._hasIswap || this.hasCoreGripper;
  }

  /** Whether the iSWAP is there (and offered). */
  get hasIswap(): boolean {
    return this._hasIswap;
  }

  /**
   * The gripper the next resource pick-up uses (null: none). Set it to `'iswap'` or `'core'`
   * between moves; the front end's `movePlate` / `pickUpResource` then use that gripper.
   */
  get gripper(): StarGripper | null {
    return this.selectedGripper ?? (this._hasIswap ? 'iswap' : this.hasCoreGripper ? 'core' : null);
  }

  set gripper(gripper: StarGripper) {
    if (gripper !== 'iswap' && gripper !== 'core') throw new LiquidHandlerError(`gripper must be 'iswap' or 'core' (got ${String(gripper)})`);
    if (gripper === 'core' && !this.hasCoreGripper) throw new LiquidHandlerError('the CoRe gripper is not configured (StarBackendOptions.coreGripper)');
    if (this.held && this.held.gripper !== gripper) throw new LiquidHandlerError(`cannot change the gripper while the ${gripperName(this.held.gripper)} holds ${this.held.resource.name}`);
    this.selectedGripper = gripper;
  }

  /** The channels carrying the CoRe gripper tools (back, front), or null when the tools are in their rack. */
  get coreToolChannels(): [number, number] | null {
    return this.coreTools ? [this.coreTools.back, this.coreTools.front] : null;
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  async setup(): Promise<void> {
    await this.connection.open();
    try {
      const rm = await this.connection.query('C0', 'RM', 'kb**kp##');
      if (rm.kp !== this.numChannels) {
        throw new LiquidHandlerError(`the STAR reports ${rm.kp} pipetting channels but the configuration says ${this.numChannels}`);
      }
      const qm = await this.connection.query('C0', 'QM', 'ka******xl**');
      const xl = qm.xl as number;
      this._has96Head = (this.options.has96Head ?? true) && (xl & 0b100) !== 0;
      this._hasIswap = (this.options.hasGripper ?? true) && ((xl & 0b10) !== 0 || ((rm.kb as number) & 0b10) !== 0);
      const qw = await this.connection.query('C0', 'QW', 'qw#');
      const initialized = qw.qw === 1;
      if (!initialized) await this.connection.send('C0', 'VI');
      const rt = await this.connection.query('C0', 'RT', 'rt# (n)');
      const tips = rt.rt as number[];
      if (!initialized || tips.some((t) => t !== 0)) {
        const n = this.numChannels;
        const dy = n > 1 ? Math.floor((4050 - 2175) / (n - 1)) : 0;
        await this.connection.send(
          'C0',
          'DI',
          initializeChannelsParams({
            x: new Array<number>(n).fill(8000),
            y: Array.from({ length: n }, (_, i) => 4050 - i * dy),
            begin: r10(this.traversal),
            end: 1220,
            endHeight: 3600,
            pattern: new Array<boolean>(n).fill(true),
            tipType: 4,
            method: 0,
          }),
        );
      }
      if (this._hasIswap) {
        const r = await this.connection.query('R0', 'QW', 'qw#');
        if (r.qw !== 1) await this.connection.send('C0', 'FI');
      }
      if (this._has96Head) {
        const h = await this.connection.query('H0', 'QW', 'qw#');
        if (h.qw !== 1) await this.connection.send('C0', 'EI', initialize96Params({ x: 7000, y: 3000, z: 1800, endHeight: r10(this.traversal) }));
      }
      this.tipTypes.clear();
      this.held = null;
      // Forget the CoRe gripper tools: C0DI, sent when the channels report anything fitted, throws them off.
      this.coreTools = null;
      this.coreToolsReturnError = null;
      this.iswapParked = false;
    } catch (err) {
      await this.connection.close();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.connection.close();
  }

  // ---- tips -------------------------------------------------------------------------------------

  /** The firmware tip-type index of a tip, defining it (C0TT) the first time. */
  private async tipTypeIndex(tip: Tip): Promise<number> {
    const key = `${tip.type}|${tip.hasFilter}|${tip.totalTipLength}|${tip.fittingDepth}|${tip.maximalVolume}`;
    const known = this.tipTypes.get(key);
    if (known !== undefined) return known;
    const index = this.tipTypes.size + 1;
    if (index > 99) throw new LiquidHandlerError('too many tip types defined (99 at most)');
    await this.connection.send(
      'C0',
      'TT',
      defineTipParams({
        index,
        hasFilter: tip.hasFilter,
        length: r10(tip.totalTipLength - tip.fittingDepth),
        maxVolume: Math.max(10, r10(tip.maximalVolume)),
        size: tipSize(tip),
        pickupMethod: 0,
      }),
    );
    this.tipTypes.set(key, index);
    return index;
  }

  private positions(layout: ChannelLayout, locations: Coordinate[]): { x: number[]; y: number[] } {
    return {
      x: perChannel(layout, locations.map((l) => r10(l.x)), 0),
      y: perChannel(layout, locations.map((l) => r10(l.y)), 0),
    };
  }

  async pickUpTips(ops: Pickup[], useChannels: number[]): Promise<void> {
    this.checkToolChannels('pickUpTips', useChannels);
    const layout = channelLayout(useChannels, this.numChannels);
    const tip = ops[0].tip;
    for (const op of ops) {
      if (op.tip.type !== tip.type || op.tip.totalTipLength !== tip.totalTipLength || op.tip.maximalVolume !== tip.maximalVolume) {
        throw new LiquidHandlerError(`pickUpTips: cannot mix tip types (${tip.type} and ${op.tip.type}) in one command`);
      }
    }
    const tipType = await this.tipTypeIndex(tip);
    const maxZ = Math.max(...ops.map((o) => o.location.z));
    await this.connection.send(
      'C0',
      'TP',
      pickUpTipParams({
        ...this.positions(layout, ops.map((o) => o.location)),
        pattern: layout.pattern,
        tipType,
        begin: r10(maxZ + tip.totalTipLength),
        end: r10(maxZ + tip.totalTipLength - tip.fittingDepth),
        traverseHeight: r10(this.traversal),
        pickupMethod: 0,
      }),
    );
  }

  async dropTips(ops: Drop[], useChannels: number[]): Promise<void> {
    this.checkToolChannels('dropTips', useChannels);
    const layout = channelLayout(useChannels, this.numChannels);
    const intoRack = ops.every((o) => o.resource instanceof TipSpot);
    const maxZ = Math.max(...ops.map((o) => o.location.z));
    const tips = ops.map((o) => o.tip ?? DEFAULT_TIP);
    const total = Math.max(...tips.map((t) => t.totalTipLength));
    const length = Math.max(...tips.map((t) => t.totalTipLength - t.fittingDepth));
    await this.connection.send(
      'C0',
      'TR',
      dropTipParams({
        ...this.positions(layout, ops.map((o) => o.location)),
        pattern: layout.pattern,
        // Into a rack: drop from the tip's own height; elsewhere (trash): place and shift.
        begin: intoRack ? r10(maxZ + total) : r10(maxZ + 59.9),
        end: intoRack ? r10(maxZ + length) : r10(maxZ + 49.9),
        traverseHeight: r10(this.traversal),
        endHeight: r10(this.traversal),
        method: intoRack ? 1 : 0,
      }),
    );
  }

  // ---- liquids ----------------------------------------------------------------------------------

  private liquidGeometry(layout: ChannelLayout, ops: SingleChannelAspiration[]) {
    const bottom = ops.map((o) => r10(o.location.z));
    return {
      ...this.positions(layout, ops.map((o) => o.location)),
      minimumHeight: perChannel(layout, bottom),
      liquidSurface: perChannel(layout, ops.map((o) => r10(o.location.z + (o.liquidHeight ?? 0)))),
      lldSearchHeight: perChannel(layout, ops.map((o) => r10(o.location.z - o.offset.z + o.resource.sizeZ + 2))),
      pullOutDistance: perChannel(layout, ops.map(() => r10(this.liquidClass.pullOutDistance))),
      secondSectionHeight: perChannel(layout, ops.map(() => 0)),
      secondSectionRatio: perChannel(layout, ops.map(() => 0)),
      immersionDepth: perChannel(layout, ops.map(() => 0)),
      surfaceFollowing: perChannel(layout, ops.map(() => 0)),
      mixVolume: perChannel(layout, ops.map((o) => r10(o.mix?.volume ?? 0))),
      mixCycles: perChannel(layout, ops.map((o) => o.mix?.repetitions ?? 0)),
      mixPosition: perChannel(layout, ops.map(() => 0)),
      mixFlowRate: perChannel(layout, ops.map((o) => r10(o.mix?.flowRate ?? this.liquidClass.mixFlowRate))),
      lldMode: perChannel(layout, ops.map(() => this.liquidClass.lldMode as number)),
    };
  }

  async aspirate(ops: SingleChannelAspiration[], useChannels: number[]): Promise<void> {
    this.checkToolChannels('aspirate', useChannels);
    const lc = this.liquidClass;
    const layout = channelLayout(useChannels, this.numChannels);
    await this.connection.send(
      'C0',
      'AS',
      aspirateParams({
        ...this.liquidGeometry(layout, ops),
        pattern: layout.pattern,
        traverseHeight: r10(this.traversal),
        endHeight: r10(this.traversal),
        clotDetectionHeight: perChannel(layout, ops.map(() => 0)),
        volume: perChannel(layout, ops.map((o) => r10(o.volume))),
        flowRate: perChannel(layout, ops.map((o) => r10(o.flowRate ?? lc.aspirationFlowRate))),
        transportAir: perChannel(layout, ops.map(() => r10(lc.transportAirVolume))),
        blowOutAir: perChannel(layout, ops.map((o) => r10(o.blowOutAirVolume ?? lc.blowOutAirVolume))),
        preWetting: perChannel(layout, ops.map(() => r10(lc.preWettingVolume))),
        swapSpeed: perChannel(layout, ops.map(() => r10(lc.aspirationSwapSpeed))),
        settlingTime: perChannel(layout, ops.map(() => r10(lc.aspirationSettlingTime))),
      }),
    );
  }

  async dispense(ops: SingleChannelAspiration[], useChannels: number[]): Promise<void> {
    this.checkToolChannels('dispense', useChannels);
    const lc = this.liquidClass;
    const layout = channelLayout(useChannels, this.numChannels);
    await this.connection.send(
      'C0',
      'DS',
      dispenseParams({
        ...this.liquidGeometry(layout, ops),
        mode: perChannel(layout, ops.map((o) => dispenseModeNumber(lc.dispenseMode, (o.blowOutAirVolume ?? lc.blowOutAirVolume) > 0))),
        pattern: layout.pattern,
        traverseHeight: r10(this.traversal),
        endHeight: r10(this.traversal),
        volume: perChannel(layout, ops.map((o) => r10(o.volume))),
        flowRate: perChannel(layout, ops.map((o) => r10(o.flowRate ?? lc.dispenseFlowRate))),
        cutOffSpeed: perChannel(layout, ops.map(() => r10(lc.cutOffSpeed))),
        stopBackVolume: perChannel(layout, ops.map(() => r10(lc.stopBackVolume))),
        transportAir: perChannel(layout, ops.map(() => r10(lc.transportAirVolume))),
        blowOutAir: perChannel(layout, ops.map((o) => r10(o.blowOutAirVolume ?? lc.blowOutAirVolume))),
        swapSpeed: perChannel(layout, ops.map(() => r10(lc.dispenseSwapSpeed))),
        settlingTime: perChannel(layout, ops.map(() => r10(lc.dispenseSettlingTime))),
      }),
    );
  }

  // ---- 96-head ----------------------------------------------------------------------------------

  async pickUpTips96(op: PickupTipRack): Promise<void> {
    const spot = op.resource.items()[0];
    const tip = spot ? spot.makeTip() : DEFAULT_TIP;
    const tipType = await this.tipTypeIndex(tip);
    await this.connection.send(
      'C0',
      'EP',
      pickUpTips96Params({
        x: r10(op.location.x),
        y: r10(op.location.y),
        tipType,
        pickupMethod: 0,
        z: r10(op.location.z + tip.totalTipLength - tip.fittingDepth),
        traverseHeight: r10(this.traversal),
        endHeight: r10(this.traversal),
      }),
    );
    this.tip96 = tip;
  }

  async dropTips96(op: DropTipRack): Promise<void> {
    const tip = this.tip96 ?? (op.resource instanceof TipRack ? op.resource.items()[0].makeTip() : DEFAULT_TIP);
    const intoRack = op.resource instanceof TipRack;
    await this.connection.send(
      'C0',
      'ER',
      dropTips96Params({
        x: r10(op.location.x),
        y: r10(op.location.y),
        z: r10(op.location.z + (intoRack ? tip.totalTipLength - tip.fittingDepth : 0)),
        traverseHeight: r10(this.traversal),
        endHeight: r10(this.traversal),
      }),
    );
    this.tip96 = null;
  }

  private liquid96(op: MultiHeadAspiration, aspirating: boolean): Head96LiquidParams {
    const lc = this.liquidClass;
    const a1 = op.container ? { x: op.location.x + A1_FROM_CENTER.x, y: op.location.y + A1_FROM_CENTER.y } : op.location;
    const target = op.container ?? op.wells?.[0];
    const top = target ? op.location.z - op.offset.z + target.sizeZ + 2 : op.location.z + 2;
    const blowOut = op.blowOutAirVolume ?? lc.blowOutAirVolume;
    return {
      mode: aspirating ? 0 : dispenseModeNumber(lc.dispenseMode, blowOut > 0),
      x: r10(a1.x),
      y: r10(a1.y),
      traverseHeight: r10(this.traversal),
      endHeight: r10(this.traversal),
      lldSearchHeight: r10(top),
      liquidSurface: r10(op.location.z + (op.liquidHeight ?? 0)),
      pullOutDistance: r10(lc.pullOutDistance),
      minimumHeight: r10(op.location.z),
      secondSectionHeight: 0,
      secondSectionRatio: 0,
      immersionDepth: 0,
      surfaceFollowing: 0,
      volume: r10(op.volume),
      flowRate: r10(op.flowRate ?? (aspirating ? lc.aspirationFlowRate : lc.dispenseFlowRate)),
      transportAir: r10(lc.transportAirVolume),
      blowOutAir: r10(blowOut),
      preWetting: r10(lc.preWettingVolume),
      cutOffSpeed: r10(lc.cutOffSpeed),
      stopBackVolume: r10(lc.stopBackVolume),
      lldMode: lc.lldMode,
      swapSpeed: r10(aspirating ? lc.aspirationSwapSpeed : lc.dispenseSwapSpeed),
      settlingTime: r10(aspirating ? lc.aspirationSettlingTime : lc.dispenseSettlingTime),
      mixVolume: r10(op.mix?.volume ?? 0),
      mixCycles: op.mix?.repetitions ?? 0,
      mixPosition: 0,
      mixFlowRate: r10(op.mix?.flowRate ?? lc.mixFlowRate),
      channels: new Array<boolean>(96).fill(true),
    };
  }

  async aspirate96(op: MultiHeadAspiration): Promise<void> {
    await this.connection.send('C0', 'EA', aspirate96Params(this.liquid96(op, true)));
  }

  async dispense96(op: MultiHeadAspiration): Promise<void> {
    await this.connection.send('C0', 'ED', dispense96Params(this.liquid96(op, false)));
  }

  // ---- plate grippers ---------------------------------------------------------------------------

  async pickUpResource(op: ResourcePickup): Promise<void> {
    if (op.gripper !== undefined) this.gripper = op.gripper as StarGripper; // checked by the setter
    const gripper = this.gripper;
    if (gripper === 'core') return this.corePickUp(op);
    if (gripper !== 'iswap' || !this._hasIswap) throw new LiquidHandlerError('pickUpResource: this STAR has no iSWAP');
    const width = op.direction === 'front' || op.direction === 'back' ? op.resource.sizeX : op.resource.sizeY;
    this.iswapParked = false;
    await this.connection.send(
      'C0',
      'PP',
      iswapGetParams({
        x: r10(op.location.x),
        y: r10(op.location.y),
        z: r10(op.location.z - op.pickupDistanceFromTop),
        direction: GRIP_DIRECTION[op.direction],
        traverseHeight: r10(this.iswapTraversal),
        endHeight: r10(this.iswapTraversal),
        openWidth: r10(width + 3),
        plateWidth: r10(width - 3),
      }),
    );
    this.held = { gripper: 'iswap', resource: op.resource, direction: op.direction, depth: op.pickupDistanceFromTop, width };
  }

  /** Center of the held resource at gripping height when its origin is at `origin`. */
  private gripPoint(held: Held, origin: Coordinate): Coordinate {
    const r = held.resource;
    return { x: origin.x + r.sizeX / 2, y: origin.y + r.sizeY / 2, z: origin.z + r.sizeZ - held.depth };
  }

  private requireHeld(op: string, resource: Resource): Held {
    if (!this.held || this.held.resource !== resource) throw new LiquidHandlerError(`${op}: the gripper does not hold ${resource.name}`);
    return this.held;
  }

  async moveResource(op: ResourceMove): Promise<void> {
    const held = this.requireHeld('moveResource', op.resource);
    const p = this.gripPoint(held, op.location);
    if (held.gripper === 'core') {
      await this.connection.send(
        'C0',
        'ZM',
        coreMovePlateParams({ x: r10(p.x), y: r10(p.y), z: r10(p.z), zSpeed: r10(this.core.zSpeed), traverseHeight: r10(this.iswapTraversal) }),
      );
      return;
    }
    await this.connection.send(
      'C0',
      'PM',
      iswapMoveParams({ x: r10(p.x), y: r10(p.y), z: r10(p.z), direction: GRIP_DIRECTION[held.direction], traverseHeight: r10(this.iswapTraversal) }),
    );
  }

  async dropResource(op: ResourceDrop): Promise<void> {
    const held = this.requireHeld('dropResource', op.resource);
    const p = this.gripPoint(held, op.destination);
    if (held.gripper === 'core') return this.corePutDown(held, op, p);
    await this.connection.send(
      'C0',
      'PR',
      iswapPutParams({
        x: r10(p.x + op.offset.x),
        y: r10(p.y + op.offset.y),
        z: r10(p.z + op.offset.z),
        direction: GRIP_DIRECTION[op.direction],
        traverseHeight: r10(this.iswapTraversal),
        endHeight: r10(this.iswapTraversal),
        openWidth: r10(held.width + 3),
      }),
    );
    this.held = null;
  }

  // ---- CoRe gripper -------------------------------------------------------------------------------

  /** Refuses pipetting on a channel that carries a CoRe gripper tool, before anything is sent. */
  private checkToolChannels(op: string, useChannels: number[]): void {
    const tools = this.coreTools;
    if (!tools) return;
    const c = useChannels.find((ch) => ch === tools.back || ch === tools.front);
    if (c === undefined) return;
    const why = this.coreToolsReturnError ? ` (putting them back after the last plate move failed: ${this.coreToolsReturnError.message})` : '';
    throw new LiquidHandlerError(`${op}: channel ${c} carries a CoRe gripper tool${why}; put the tools back first (returnCoreGripperTools())`);
  }

  /** The CoRe gripper rack on the deck `resource` is on. */
  private coreRack(resource: Resource): HamiltonCoreGrippers {
    const deck = resource.root();
    const racks = deck.findAll(HamiltonCoreGrippers);
    if (racks.length === 0) throw new LiquidHandlerError(`no CoRe gripper tools on ${deck.name}: put their rack on the deck (placeCoreGrippers(deck))`);
    if (racks.length > 1) throw new LiquidHandlerError(`${deck.name} has ${racks.length} CoRe gripper racks (${racks.map((r) => r.name).join(', ')}); keep one`);
    return racks[0];
  }

  /** Picks up the CoRe gripper tools unless they are on the channels already (parking the iSWAP first). */
  private async fitCoreTools(resource: Resource): Promise<void> {
    if (this.coreTools) return;
    const rack = this.coreRack(resource);
    const t = rack.toolPositions();
    if (this._hasIswap && !this.iswapParked) {
      await this.connection.send('C0', 'PG', iswapParkParams({ traverseHeight: r10(this.iswapTraversal) }));
      this.iswapParked = true;
    }
    const front = this.core.frontChannel;
    await this.connection.send(
      'C0',
      'ZT',
      coreToolsPickUpParams({
        x: r10(t.x),
        backY: r10(t.backY),
        frontY: r10(t.frontY),
        backChannel: front - 1,
        frontChannel: front,
        // The channels go down onto the tools from 30 mm above the rack's base to 20 mm.
        begin: r10(t.z + 30),
        end: r10(t.z + 20),
        traverseHeight: r10(this.iswapTraversal),
      }),
    );
    this.coreTools = { rack, back: front - 1, front };
  }

  /**
   * Puts the CoRe gripper tools back into their rack (after a put-down with `returnTools: false`,
   * or when putting them back failed). Nothing is sent when they are in the rack.
   */
  async returnCoreGripperTools(): Promise<void> {
    const tools = this.coreTools;
    if (!tools) return;
    if (this.held?.gripper === 'core') throw new LiquidHandlerError(`returnCoreGripperTools: the CoRe gripper still holds ${this.held.resource.name}`);
    const t = tools.rack.toolPositions();
    await this.connection.send(
      'C0',
      'ZS',
      coreToolsReturnParams({
        x: r10(t.x),
        backY: r10(t.backY),
        frontY: r10(t.frontY),
        // The tools are let go from 10 mm above the rack's base down to the base.
        begin: r10(t.z + 10),
        end: r10(t.z),
        traverseHeight: r10(this.iswapTraversal),
        endHeight: r10(this.iswapTraversal),
      }),
    );
    this.coreTools = null;
    this.coreToolsReturnError = null;
  }

  /** CoRe gripper pick-up: tools (when not on the channels), then C0ZP at the plate's center, gripping across Y. */
  private async corePickUp(op: ResourcePickup): Promise<void> {
    if (!this.hasCoreGripper) throw new LiquidHandlerError('pickUpResource: the CoRe gripper is not configured (StarBackendOptions.coreGripper)');
    // The two tools close along Y: they grip the resource's front and back sides.
    if (op.direction !== 'front') throw new LiquidHandlerError(`pickUpResource: the CoRe gripper grips from the front only (direction 'front', got '${op.direction}')`);
    const width = op.resource.sizeY;
    await this.fitCoreTools(op.resource);
    await this.connection.send(
      'C0',
      'ZP',
      coreGetPlateParams({
        x: r10(op.location.x),
        y: r10(op.location.y),
        z: r10(op.location.z - op.pickupDistanceFromTop),
        gripSpeed: r10(this.core.gripSpeed),
        zSpeed: r10(this.core.zSpeed),
        openWidth: r10(width + 3),
        plateWidth: r10(width - 3),
        gripStrength: this.core.gripStrength,
        traverseHeight: r10(this.iswapTraversal),
        endHeight: r10(this.iswapTraversal),
      }),
    );
    this.held = { gripper: 'core', resource: op.resource, direction: op.direction, depth: op.pickupDistanceFromTop, width };
  }

  /**
   * CoRe gripper put-down (C0ZR), then the tools go back (C0ZS) unless `returnTools` is off. The
   * resource is down once C0ZR succeeded: a failure to put the tools back does not fail the
   * put-down (the layout must follow the plate); the tools stay on their channels, pipetting on
   * those channels is refused with the reason, and `returnCoreGripperTools()` tries again.
   */
  private async corePutDown(held: Held, op: ResourceDrop, p: Coordinate): Promise<void> {
    await this.connection.send(
      'C0',
      'ZR',
      corePutPlateParams({
        x: r10(p.x + op.offset.x),
        y: r10(p.y + op.offset.y),
        z: r10(p.z + op.offset.z),
        zSpeed: r10(this.core.zSpeed),
        openWidth: r10(held.width + 3),
        traverseHeight: r10(this.iswapTraversal),
        endHeight: r10(this.iswapTraversal),
      }),
    );
    this.held = null;
    if (!this.core.returnTools) return;
    try {
      await this.returnCoreGripperTools();
    } catch (err) {
      this.coreToolsReturnError = err instanceof Error ? err : new Error(String(err));
    }
  }
}

const gripperName = (g: StarGripper): string => (g === 'core' ? 'CoRe gripper' : 'iSWAP');

/**
 * Builds a StarBackend from the registry's connection config. Without a transport, the machine is
 * reached over USB (`UsbTransport`, vendor 0x08AF, product 0x8000).
 */
export function createStarBackend(config: StarBackendOptions = {}, transport?: Transport): StarBackend {
  return new StarBackend(transport ?? new UsbTransport({ serialNumber: config.serialNumber }), config);
}
