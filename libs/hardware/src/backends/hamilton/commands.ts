// Parameter lists of the STAR master (C0) commands this backend sends. Values are in firmware
// units (0.1 mm, 0.1 µL, 0.1 µL/s, 0.1 mm/s, 0.1 s); per-channel lists are already spread over
// the channel layout (see `channelLayout`). Widths follow the firmware.
import { type FwParams, pad } from './firmware.js';

const list = (values: number[], width: number): string[] => values.map((v) => pad(v, width));

/** C0TT: tip/needle definition. */
export interface TipDefinition {
  index: number;
  hasFilter: boolean;
  /** Tip length without the fitting depth (0.1 mm). */
  length: number;
  /** Maximum volume (0.1 µL). */
  maxVolume: number;
  /** Tip collar size: 1 low volume, 2 standard, 3 high volume, 5 XL. */
  size: number;
  /** 0 out of rack, 1 out of wash liquid. */
  pickupMethod: number;
}

export const defineTipParams = (t: TipDefinition): FwParams => [
  ['tt', pad(t.index, 2)],
  ['tf', t.hasFilter],
  ['tl', pad(t.length, 4)],
  ['tv', pad(t.maxVolume, 5)],
  ['tg', t.size],
  ['tu', t.pickupMethod],
];

/** C0TP: tip pick-up. */
export interface TipPickupParams {
  x: number[];
  y: number[];
  pattern: boolean[];
  tipType: number;
  begin: number;
  end: number;
  traverseHeight: number;
  pickupMethod: number;
}

export const pickUpTipParams = (p: TipPickupParams): FwParams => [
  ['xp', list(p.x, 5)],
  ['yp', list(p.y, 4)],
  ['tm', p.pattern],
  ['tt', pad(p.tipType, 2)],
  ['tp', pad(p.begin, 4)],
  ['tz', pad(p.end, 4)],
  ['th', pad(p.traverseHeight, 4)],
  ['td', p.pickupMethod],
];

/** C0TR: tip discard. `method` 0 place & shift (trash), 1 drop (into a rack). */
export interface TipDropParams {
  x: number[];
  y: number[];
  pattern: boolean[];
  begin: number;
  end: number;
  traverseHeight: number;
  endHeight: number;
  method: number;
}

export const dropTipParams = (p: TipDropParams): FwParams => [
  ['xp', list(p.x, 5)],
  ['yp', list(p.y, 4)],
  ['tm', p.pattern],
  ['tp', pad(p.begin, 4)],
  ['tz', pad(p.end, 4)],
  ['th', pad(p.traverseHeight, 4)],
  ['te', pad(p.endHeight, 4)],
  ['ti', p.method],
];

/** C0AS: aspiration with the pipetting channels (one value per channel in each list). */
export interface AspirationParams {
  pattern: boolean[];
  x: number[];
  y: number[];
  traverseHeight: number;
  endHeight: number;
  lldSearchHeight: number[];
  clotDetectionHeight: number[];
  liquidSurface: number[];
  pullOutDistance: number[];
  secondSectionHeight: number[];
  secondSectionRatio: number[];
  minimumHeight: number[];
  immersionDepth: number[];
  surfaceFollowing: number[];
  volume: number[];
  flowRate: number[];
  transportAir: number[];
  blowOutAir: number[];
  preWetting: number[];
  lldMode: number[];
  swapSpeed: number[];
  settlingTime: number[];
  mixVolume: number[];
  mixCycles: number[];
  mixPosition: number[];
  mixFlowRate: number[];
}

export function aspirateParams(p: AspirationParams): FwParams {
  const n = p.pattern.length;
  const same = (v: string) => new Array<string>(n).fill(v);
  return [
    ['at', same('0')],
    ['tm', p.pattern],
    ['xp', list(p.x, 5)],
    ['yp', list(p.y, 4)],
    ['th', pad(p.traverseHeight, 4)],
    ['te', pad(p.endHeight, 4)],
    ['lp', list(p.lldSearchHeight, 4)],
    ['ch', list(p.clotDetectionHeight, 3)],
    ['zl', list(p.liquidSurface, 4)],
    ['po', list(p.pullOutDistance, 4)],
    ['zu', list(p.secondSectionHeight, 4)],
    ['zr', list(p.secondSectionRatio, 5)],
    ['zx', list(p.minimumHeight, 4)],
    ['ip', list(p.immersionDepth, 4)],
    ['it', same('0')],
    ['fp', list(p.surfaceFollowing, 4)],
    ['av', list(p.volume, 5)],
    ['as', list(p.flowRate, 4)],
    ['ta', list(p.transportAir, 3)],
    ['ba', list(p.blowOutAir, 4)],
    ['oa', list(p.preWetting, 3)],
    ['lm', list(p.lldMode, 1)],
    ['ll', same('1')],
    ['lv', same('1')],
    ['zo', same('000')],
    ['ld', same('00')],
    ['de', list(p.swapSpeed, 4)],
    ['wt', list(p.settlingTime, 2)],
    ['mv', list(p.mixVolume, 5)],
    ['mc', list(p.mixCycles, 2)],
    ['mp', list(p.mixPosition, 3)],
    ['ms', list(p.mixFlowRate, 4)],
    ['mh', same('0000')],
    ['gi', same('000')],
    ['gj', 0],
    ['gk', 0],
    ['lk', same('0')],
    ['ik', same('0000')],
    ['sd', same('0500')],
    ['se', same('0500')],
    ['sz', same('0300')],
    ['io', same('0000')],
  ];
}

/** C0DS: dispense with the pipetting channels. `mode`: 0 jet partial, 1 jet empty, 2 surface partial, 3 surface empty, 4 empty tip. */
export interface DispenseParams {
  mode: number[];
  pattern: boolean[];
  x: number[];
  y: number[];
  minimumHeight: number[];
  lldSearchHeight: number[];
  liquidSurface: number[];
  pullOutDistance: number[];
  immersionDepth: number[];
  surfaceFollowing: number[];
  secondSectionHeight: number[];
  secondSectionRatio: number[];
  traverseHeight: number;
  endHeight: number;
  volume: number[];
  flowRate: number[];
  cutOffSpeed: number[];
  stopBackVolume: number[];
  transportAir: number[];
  blowOutAir: number[];
  lldMode: number[];
  swapSpeed: number[];
  settlingTime: number[];
  mixVolume: number[];
  mixCycles: number[];
  mixPosition: number[];
  mixFlowRate: number[];
}

export function dispenseParams(p: DispenseParams): FwParams {
  const n = p.pattern.length;
  const same = (v: string) => new Array<string>(n).fill(v);
  return [
    ['dm', list(p.mode, 1)],
    ['tm', p.pattern],
    ['xp', list(p.x, 5)],
    ['yp', list(p.y, 4)],
    ['zx', list(p.minimumHeight, 4)],
    ['lp', list(p.lldSearchHeight, 4)],
    ['zl', list(p.liquidSurface, 4)],
    ['po', list(p.pullOutDistance, 4)],
    ['ip', list(p.immersionDepth, 4)],
    ['it', same('0')],
    ['fp', list(p.surfaceFollowing, 4)],
    ['zu', list(p.secondSectionHeight, 4)],
    ['zr', list(p.secondSectionRatio, 5)],
    ['th', pad(p.traverseHeight, 4)],
    ['te', pad(p.endHeight, 4)],
    ['dv', list(p.volume, 5)],
    ['ds', list(p.flowRate, 4)],
    ['ss', list(p.cutOffSpeed, 4)],
    ['rv', list(p.stopBackVolume, 3)],
    ['ta', list(p.transportAir, 3)],
    ['ba', list(p.blowOutAir, 4)],
    ['lm', list(p.lldMode, 1)],
    ['dj', '00'],
    ['zo', same('000')],
    ['ll', same('1')],
    ['lv', same('1')],
    ['de', list(p.swapSpeed, 4)],
    ['wt', list(p.settlingTime, 2)],
    ['mv', list(p.mixVolume, 5)],
    ['mc', list(p.mixCycles, 2)],
    ['mp', list(p.mixPosition, 3)],
    ['ms', list(p.mixFlowRate, 4)],
    ['mh', same('0000')],
    ['gi', same('000')],
    ['gj', 0],
    ['gk', 0],
  ];
}

// ---- CoRe 96 head ---------------------------------------------------------------------------------

/** C0EP / C0ER: 96-head tip pick-up (with tip type) and discard; x/y of A1. */
export interface Head96TipParams {
  x: number;
  y: number;
  tipType?: number;
  pickupMethod?: number;
  z: number;
  traverseHeight: number;
  endHeight: number;
}

const xDir = (x: number): [string, number] => ['xd', x < 0 ? 1 : 0];

export const pickUpTips96Params = (p: Head96TipParams): FwParams => [
  ['xs', pad(Math.abs(p.x), 5)],
  xDir(p.x),
  ['yh', pad(p.y, 4)],
  ['tt', pad(p.tipType ?? 1, 2)],
  ['wu', p.pickupMethod ?? 0],
  ['za', pad(p.z, 4)],
  ['zh', pad(p.traverseHeight, 4)],
  ['ze', pad(p.endHeight, 4)],
];

export const dropTips96Params = (p: Head96TipParams): FwParams => [
  ['xs', pad(Math.abs(p.x), 5)],
  xDir(p.x),
  ['yh', pad(p.y, 4)],
  ['za', pad(p.z, 4)],
  ['zh', pad(p.traverseHeight, 4)],
  ['ze', pad(p.endHeight, 4)],
];

/** C0EA / C0ED: 96-head aspiration and dispense; x/y of A1; `channels` the 96-bit pattern (A1..H12). */
export interface Head96LiquidParams {
  mode: number;
  x: number;
  y: number;
  traverseHeight: number;
  endHeight: number;
  lldSearchHeight: number;
  liquidSurface: number;
  pullOutDistance: number;
  minimumHeight: number;
  secondSectionHeight: number;
  secondSectionRatio: number;
  immersionDepth: number;
  surfaceFollowing: number;
  volume: number;
  flowRate: number;
  transportAir: number;
  blowOutAir: number;
  preWetting: number;
  cutOffSpeed: number;
  stopBackVolume: number;
  lldMode: number;
  swapSpeed: number;
  settlingTime: number;
  mixVolume: number;
  mixCycles: number;
  mixPosition: number;
  mixFlowRate: number;
  channels: boolean[];
}

/** The 96-channel pattern as 24 hex digits. */
export function channelPatternHex(channels: boolean[]): string {
  if (channels.length !== 96) throw new Error(`the 96-head pattern needs 96 entries (got ${channels.length})`);
  let out = '';
  for (let i = 0; i < 96; i += 4) {
    const nib = (channels[i] ? 8 : 0) | (channels[i + 1] ? 4 : 0) | (channels[i + 2] ? 2 : 0) | (channels[i + 3] ? 1 : 0);
    out += nib.toString(16).toUpperCase();
  }
  return out;
}

export const aspirate96Params = (p: Head96LiquidParams): FwParams => [
  ['aa', p.mode],
  ['xs', pad(Math.abs(p.x), 5)],
  xDir(p.x),
  ['yh', pad(p.y, 4)],
  ['zh', pad(p.traverseHeight, 4)],
  ['ze', pad(p.endHeight, 4)],
  ['lz', pad(p.lldSearchHeight, 4)],
  ['zt', pad(p.liquidSurface, 4)],
  ['pp', pad(p.pullOutDistance, 4)],
  ['zm', pad(p.minimumHeight, 4)],
  ['zv', pad(p.secondSectionHeight, 4)],
  ['zq', pad(p.secondSectionRatio, 5)],
  ['iw', pad(p.immersionDepth, 3)],
  ['ix', 0],
  ['fh', pad(p.surfaceFollowing, 3)],
  ['af', pad(p.volume, 5)],
  ['ag', pad(p.flowRate, 4)],
  ['vt', pad(p.transportAir, 3)],
  ['bv', pad(p.blowOutAir, 5)],
  ['wv', pad(p.preWetting, 5)],
  ['cm', p.lldMode],
  ['cs', 1],
  ['bs', pad(p.swapSpeed, 4)],
  ['wh', pad(p.settlingTime, 2)],
  ['hv', pad(p.mixVolume, 5)],
  ['hc', pad(p.mixCycles, 2)],
  ['hp', pad(p.mixPosition, 3)],
  ['mj', '000'],
  ['hs', pad(p.mixFlowRate, 4)],
  ['cw', channelPatternHex(p.channels)],
  ['cr', '000'],
  ['cj', 0],
  ['cx', 0],
];

export const dispense96Params = (p: Head96LiquidParams): FwParams => [
  ['da', p.mode],
  ['xs', pad(Math.abs(p.x), 5)],
  xDir(p.x),
  ['yh', pad(p.y, 4)],
  ['zm', pad(p.minimumHeight, 4)],
  ['zv', pad(p.secondSectionHeight, 4)],
  ['zq', pad(p.secondSectionRatio, 5)],
  ['lz', pad(p.lldSearchHeight, 4)],
  ['zt', pad(p.liquidSurface, 4)],
  ['pp', pad(p.pullOutDistance, 4)],
  ['iw', pad(p.immersionDepth, 3)],
  ['ix', 0],
  ['fh', pad(p.surfaceFollowing, 3)],
  ['zh', pad(p.traverseHeight, 4)],
  ['ze', pad(p.endHeight, 4)],
  ['df', pad(p.volume, 5)],
  ['dg', pad(p.flowRate, 4)],
  ['es', pad(p.cutOffSpeed, 4)],
  ['ev', pad(p.stopBackVolume, 3)],
  ['vt', pad(p.transportAir, 3)],
  ['bv', pad(p.blowOutAir, 5)],
  ['cm', p.lldMode],
  ['cs', 1],
  ['ej', '00'],
  ['bs', pad(p.swapSpeed, 4)],
  ['wh', pad(p.settlingTime, 2)],
  ['hv', pad(p.mixVolume, 5)],
  ['hc', pad(p.mixCycles, 2)],
  ['hp', pad(p.mixPosition, 3)],
  ['mj', '000'],
  ['hs', pad(p.mixFlowRate, 4)],
  ['cw', channelPatternHex(p.channels)],
  ['cr', '000'],
  ['cj', 0],
  ['cx', 0],
];

// ---- iSWAP ------------------------------------------------------------------------------------------

/** Grip directions as the iSWAP numbers them. */
export const GRIP_DIRECTION = { front: 1, right: 2, back: 3, left: 4 } as const;

/** C0PP / C0PR / C0PM: iSWAP get, put and move plate; x/y/z of the plate center at gripping height. */
export interface IswapParams {
  x: number;
  y: number;
  z: number;
  direction: number;
  traverseHeight: number;
  endHeight: number;
  gripStrength?: number;
  openWidth: number;
  plateWidth: number;
  plateWidthTolerance?: number;
  collisionControl?: number;
  foldUp?: boolean;
}

const xyz = (p: { x: number; y: number; z: number }): FwParams => [
  ['xs', pad(Math.abs(p.x), 5)],
  ['xd', p.x < 0 ? 1 : 0],
  ['yj', pad(Math.abs(p.y), 4)],
  ['yd', p.y < 0 ? 1 : 0],
  ['zj', pad(Math.abs(p.z), 4)],
  ['zd', p.z < 0 ? 1 : 0],
];

export const iswapGetParams = (p: IswapParams): FwParams => [
  ...xyz(p),
  ['gr', p.direction],
  ['th', pad(p.traverseHeight, 4)],
  ['te', pad(p.endHeight, 4)],
  ['gw', p.gripStrength ?? 4],
  ['go', pad(p.openWidth, 4)],
  ['gb', pad(p.plateWidth, 4)],
  ['gt', pad(p.plateWidthTolerance ?? 20, 2)],
  ['ga', p.collisionControl ?? 0],
  ['gc', p.foldUp ?? false],
];

export const iswapPutParams = (p: Omit<IswapParams, 'plateWidth'>): FwParams => [
  ...xyz(p),
  ['th', pad(p.traverseHeight, 4)],
  ['te', pad(p.endHeight, 4)],
  ['gr', p.direction],
  ['go', pad(p.openWidth, 4)],
  ['ga', p.collisionControl ?? 0],
  ['gc', p.foldUp ?? false],
];

export const iswapMoveParams = (p: Omit<IswapParams, 'endHeight' | 'openWidth' | 'plateWidth'> & { accelerationHigh?: number; accelerationLow?: number }): FwParams => [
  ...xyz(p),
  ['gr', p.direction],
  ['th', pad(p.traverseHeight, 4)],
  ['ga', p.collisionControl ?? 1],
  ['xe', `${p.accelerationHigh ?? 4} ${p.accelerationLow ?? 1}`],
];

/** C0PG: park the iSWAP (before the CoRe gripper works under it). */
export const iswapParkParams = (p: { traverseHeight: number }): FwParams => [['th', pad(p.traverseHeight, 4)]];

// ---- CoRe gripper -----------------------------------------------------------------------------------

/** Tool type number the firmware uses for the CoRe gripper tools (C0ZT `tt`). */
export const CORE_GRIPPER_TOOL_TYPE = 14;

/**
 * C0ZT / C0ZS: pick up the two CoRe gripper tools from their rack with two channels, and put them
 * back. x of both tools, y of the back and of the front tool; z from `begin` down to `end`.
 */
export interface CoreToolsParams {
  x: number;
  backY: number;
  frontY: number;
  begin: number;
  end: number;
  traverseHeight: number;
}

const xs = (x: number): FwParams => [
  ['xs', pad(Math.abs(x), 5)],
  ['xd', x < 0 ? 1 : 0],
];

export const coreToolsPickUpParams = (p: CoreToolsParams & { backChannel: number; frontChannel: number }): FwParams => [
  ...xs(p.x),
  ['ya', pad(p.backY, 4)],
  ['yb', pad(p.frontY, 4)],
  // 1-based channel numbers
  ['pa', pad(p.backChannel + 1, 2)],
  ['pb', pad(p.frontChannel + 1, 2)],
  ['tp', pad(p.begin, 4)],
  ['tz', pad(p.end, 4)],
  ['th', pad(p.traverseHeight, 4)],
  ['tt', pad(CORE_GRIPPER_TOOL_TYPE, 2)],
];

export const coreToolsReturnParams = (p: CoreToolsParams & { endHeight: number }): FwParams => [
  ...xs(p.x),
  ['ya', pad(p.backY, 4)],
  ['yb', pad(p.frontY, 4)],
  ['tp', pad(p.begin, 4)],
  ['tz', pad(p.end, 4)],
  ['th', pad(p.traverseHeight, 4)],
  ['te', pad(p.endHeight, 4)],
];

/** C0ZP / C0ZR / C0ZM: CoRe gripper get, put and move plate; x/y/z of the plate center at gripping height. */
export interface CorePlateParams {
  x: number;
  y: number;
  z: number;
  traverseHeight: number;
  /** Z at the end of the command (get, put). */
  endHeight: number;
  /** Z speed (0.1 mm/s). */
  zSpeed: number;
  /** Gripper opening before gripping / when letting go. */
  openWidth: number;
}

export const coreGetPlateParams = (p: CorePlateParams & { plateWidth: number; gripSpeed: number; gripStrength: number }): FwParams => [
  ...xs(p.x),
  ['yj', pad(p.y, 4)],
  ['yv', pad(p.gripSpeed, 4)],
  ['zj', pad(p.z, 4)],
  ['zy', pad(p.zSpeed, 4)],
  ['yo', pad(p.openWidth, 4)],
  ['yg', pad(p.plateWidth, 4)],
  ['yw', pad(p.gripStrength, 2)],
  ['th', pad(p.traverseHeight, 4)],
  ['te', pad(p.endHeight, 4)],
];

export const corePutPlateParams = (p: CorePlateParams & { pressOnDistance?: number }): FwParams => [
  ...xs(p.x),
  ['yj', pad(p.y, 4)],
  ['zj', pad(p.z, 4)],
  ['zi', pad(p.pressOnDistance ?? 0, 3)],
  ['zy', pad(p.zSpeed, 4)],
  ['yo', pad(p.openWidth, 4)],
  ['th', pad(p.traverseHeight, 4)],
  ['te', pad(p.endHeight, 4)],
];

export const coreMovePlateParams = (p: Omit<CorePlateParams, 'endHeight' | 'openWidth'> & { accelerationIndex?: number }): FwParams => [
  ...xs(p.x),
  ['xg', p.accelerationIndex ?? 4],
  ['yj', pad(p.y, 4)],
  ['zj', pad(p.z, 4)],
  ['zy', pad(p.zSpeed, 4)],
  ['th', pad(p.traverseHeight, 4)],
];

/** C0DI: initialize the pipetting channels (tips are discarded at x/y). */
export interface InitChannelsParams {
  x: number[];
  y: number[];
  begin: number;
  end: number;
  endHeight: number;
  pattern: boolean[];
  tipType: number;
  method: number;
}

export const initializeChannelsParams = (p: InitChannelsParams): FwParams => [
  ['xp', list(p.x, 5)],
  ['yp', list(p.y, 4)],
  ['tp', pad(p.begin, 4)],
  ['tz', pad(p.end, 4)],
  ['te', pad(p.endHeight, 4)],
  ['tm', p.pattern.map((b) => (b ? '1' : '0'))],
  ['tt', pad(p.tipType, 2)],
  ['ti', p.method],
];

/** C0EI: initialize the CoRe 96 head (tips are discarded at x/y/z). */
export const initialize96Params = (p: { x: number; y: number; z: number; endHeight: number }): FwParams => [
  ['xs', pad(Math.abs(p.x), 5)],
  ['xd', p.x < 0 ? 1 : 0],
  ['yh', pad(p.y, 4)],
  ['za', pad(p.z, 4)],
  ['ze', pad(p.endHeight, 4)],
];
