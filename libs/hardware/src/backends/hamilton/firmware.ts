// Hamilton STAR firmware protocol: command assembly, reply parsing and error decoding.
// Facts (formats, widths, units, error codes) follow the STAR firmware as documented by PyLabRobot.
import { ChannelizedError } from '../../machines/liquid-handler/errors.js';
import { HasTipError, NoTipError, TooLittleLiquidError, TooLittleVolumeError } from '../../tracking/errors.js';

/** One value of a firmware parameter: a preformatted string, an integer, a boolean (0/1), or a per-channel list. */
export type FwScalar = string | number | boolean;
export type FwValue = FwScalar | FwScalar[];
/** Parameters in the order they are sent (the firmware is sensitive to it for some commands). */
export type FwParams = ReadonlyArray<readonly [string, FwValue]>;

/** Zero-padded integer of a fixed width (`pad(12, 4)` → `0012`); negative values keep their sign in front. */
export function pad(value: number, width: number): string {
  const v = Math.round(value);
  const s = String(Math.abs(v));
  const digits = v < 0 ? width - 1 : width;
  if (!Number.isFinite(v) || s.length > digits) throw new RangeError(`firmware value ${value} does not fit in ${width} digits`);
  return (v < 0 ? '-' : '') + s.padStart(digits, '0');
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Millimetres → firmware 0.1 mm units, zero-padded. */
export const mm = (value: number, width: number): string => pad(value * 10, width);
/** Microlitres (or µL/s) → firmware 0.1 µL units, zero-padded. */
export const ul = (value: number, width: number): string => pad(value * 10, width);

function scalar(v: FwScalar): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/**
 * Assembles a firmware command: 2-letter module, 2-letter command, `id####` (when `id` is given),
 * then each 2-letter parameter followed by its value. Per-channel lists are joined with spaces and
 * closed with `&` when shorter than the machine's channel count.
 */
export function assembleCommand(module: string, command: string, id: number | null, params: FwParams, numChannels: number): string {
  if (module.length !== 2 || command.length !== 2) throw new Error(`firmware module and command must be 2 characters (got ${module}${command})`);
  let out = module + command;
  if (id !== null) out += `id${pad(id % 10000, 4)}`;
  for (const [key, value] of params) {
    if (key.length !== 2) throw new Error(`firmware parameter names are 2 characters (got "${key}")`);
    if (Array.isArray(value)) {
      if (value.length === 0) throw new Error(`firmware parameter ${key}: empty list`);
      let s = scalar(value[0]);
      for (let i = 1; i < value.length; i++) s += ` ${scalar(value[i])}`;
      out += key + s + (value.length < numChannels ? '&' : '');
    } else {
      out += key + scalar(value);
    }
  }
  return out;
}

/**
 * The per-channel layout of a command on channels `useChannels` (any order): the tip pattern up to
 * the highest channel used, plus one trailing unused entry when that is shorter than the machine
 * (the firmware expects it). `slot[i]` is the list index of op i.
 */
export interface ChannelLayout {
  pattern: boolean[];
  /** Index into each per-channel list for op i. */
  slot: number[];
}

export function channelLayout(useChannels: number[], numChannels: number): ChannelLayout {
  let max = -1;
  for (const c of useChannels) {
    if (!Number.isInteger(c) || c < 0 || c >= numChannels) throw new Error(`channel ${c} does not exist (0-${numChannels - 1})`);
    if (c > max) max = c;
  }
  const len = Math.min(max + 2, numChannels);
  const pattern = new Array<boolean>(len).fill(false);
  for (const c of useChannels) pattern[c] = true;
  return { pattern, slot: useChannels.slice() };
}

/**
 * Spreads one value per op onto the layout: used channels get their op's value, the others
 * `fill` (by default the first op's value, which the firmware ignores but wants valid).
 */
export function perChannel<T extends FwScalar>(layout: ChannelLayout, values: T[], fill?: T): T[] {
  const out = new Array<T>(layout.pattern.length).fill(fill ?? values[0]);
  for (let i = 0; i < layout.slot.length; i++) out[layout.slot[i]] = values[i];
  return out;
}

// ---- replies ------------------------------------------------------------------------------------

/** The id of a reply (`…id0012…` right after module and command), or null when it has none. */
export function replyId(reply: string): number | null {
  if (reply.length >= 10 && reply.charCodeAt(4) === 105 /* i */ && reply.charCodeAt(5) === 100 /* d */) {
    const n = Number(reply.slice(6, 10));
    return Number.isInteger(n) ? n : null;
  }
  const m = /id(\d{4})/.exec(reply.slice(4));
  return m ? Number(m[1]) : null;
}

export type ParsedReply = Record<string, number | string | number[] | string[]>;

/**
 * Parses reply fields by format: each field is a 2-letter name followed by one character per
 * digit, `#` decimal, `*` hex, `&` character; ` (n)` after a field makes it a space-separated list.
 * Example: `parseReply('C0RMid0001er00/00kb0Fkp08', 'kb**kp##')` → `{ id: 1, kb: 15, kp: 8 }`.
 */
export function parseReply(reply: string, fmt: string): ParsedReply {
  const body = reply.slice(4);
  const out: ParsedReply = {};
  const fieldRe = /([a-z]{2})([#*&]+)( \(n\))?/g;
  const fields: Array<[string, string, boolean]> = [];
  for (let m = fieldRe.exec(fmt); m; m = fieldRe.exec(fmt)) fields.push([m[1], m[2], m[3] !== undefined]);
  if (!fields.some((f) => f[0] === 'id')) fields.push(['id', '####', false]);
  for (const [name, spec, isList] of fields) {
    const kind = spec[0];
    const width = spec.length;
    const unit = kind === '#' ? '[-+]?[\\d ]' : kind === '*' ? '[\\da-fA-F ]' : '.';
    const re = isList ? new RegExp(`${name}((?:${unit}{${width}} ?)+)`) : new RegExp(`${name}(${unit}{${width}})`);
    const m = re.exec(body);
    if (!m) {
      if (name === 'id') continue;
      throw new StarReplyFormatError(`reply ${reply} has no field ${name}${spec}`);
    }
    const conv = (s: string): number | string => (kind === '#' ? Number.parseInt(s, 10) : kind === '*' ? Number.parseInt(s, 16) : s);
    if (isList) {
      const parts = m[1].split(' ').filter((p) => p !== '');
      out[name] = kind === '&' ? parts : (parts.map(conv) as number[]);
    } else {
      out[name] = conv(kind === '&' ? m[1] : m[1].trim());
    }
  }
  return out;
}

export class StarReplyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StarReplyFormatError';
  }
}

// ---- errors -------------------------------------------------------------------------------------

/** Master error codes (the first number of `er##/##` and of each module's `XX##/##`). */
export const ERROR_CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'Command syntax error',
  2: 'Hardware error',
  3: 'Command not completed',
  4: 'Clot detected',
  5: 'Barcode unreadable',
  6: 'Too little liquid volume in tip',
  7: 'Tip already fitted',
  8: 'No tip',
  9: 'No carrier',
  10: 'Not completed',
  11: 'Dispense with pressure LLD',
  12: 'No teach-in signal',
  13: 'Loading tray error',
  14: 'Sequenced aspiration with pressure LLD',
  15: 'Parameter combination not allowed',
  16: 'Cover close error',
  17: 'Aspiration error',
  18: 'Wash fluid or waste error',
  19: 'Incubation error',
  20: 'TADM measurement error',
  21: 'No element',
  22: 'Element still holding',
  23: 'Element lost',
  24: 'Illegal target plate position',
  25: 'Illegal user access',
  26: 'TADM measurement error',
  27: 'Position not reachable',
  28: 'Unexpected LLD',
  29: 'Area already occupied',
  30: 'Impossible to occupy area',
  31: 'Anti-drop control error',
  32: 'Decapper error',
  33: 'Decapper handling error',
  99: 'Slave error',
  100: 'Wrong carrier',
  101: 'No carrier barcode',
  102: 'Liquid level error',
  103: 'Not detected',
  104: 'Not aspirated',
  105: 'Improper dispensation',
  106: 'No labware',
  107: 'Unexpected labware',
  108: 'Wrong labware',
  109: 'Barcode mask error',
  110: 'Barcode not unique',
  111: 'Barcode already used',
  112: 'Kit lot expired',
  113: 'Delimiter error',
};

const MODULE_NAMES: Readonly<Record<string, string>> = {
  C0: 'Master',
  X0: 'X-drives',
  I0: 'Auto Load',
  W1: 'Wash station 1-3',
  W2: 'Wash station 4-6',
  T1: 'Temperature carrier 1',
  T2: 'Temperature carrier 2',
  R0: 'iSWAP',
  H0: 'CoRe 96 Head',
  HW: 'Pump station 1',
  HU: 'Pump station 2',
  HV: 'Pump station 3',
  N0: 'Nano dispenser',
  D0: '384 dispensing head',
  NP: 'Nano dispenser pressure controller',
  M1: 'Reserved module 1',
};

const CHANNEL_MODULES = 'P1 P2 P3 P4 P5 P6 P7 P8 P9 PA PB PC PD PE PF PG'.split(' ');

/** The 0-based channel of a pipetting-channel module (`P1` → 0, `PA` → 9, `PG` → 15), else null. */
export function channelOfModule(module: string): number | null {
  const i = CHANNEL_MODULES.indexOf(module);
  return i >= 0 ? i : null;
}

/** The pipetting-channel module of a 0-based channel (0 → `P1`). */
export function moduleOfChannel(channel: number): string {
  const m = CHANNEL_MODULES[channel];
  if (!m) throw new Error(`no pipetting channel module for channel ${channel}`);
  return m;
}

export function moduleName(module: string): string {
  const ch = channelOfModule(module);
  return ch !== null ? `Pipetting channel ${ch + 1}` : (MODULE_NAMES[module] ?? `Unknown module ${module}`);
}

const PIP_TRACE: Readonly<Record<number, string>> = {
  20: 'No communication to EEPROM',
  30: 'Unknown command',
  31: 'Unknown parameter',
  32: 'Parameter out of range',
  35: 'Voltages outside permitted range',
  36: 'Stop during execution of command',
  37: 'Stop during execution of command',
  40: 'No parallel processes permitted',
  50: 'Dispensing drive init. position not found',
  51: 'Dispensing drive not initialized',
  52: 'Dispensing drive movement error',
  53: 'Maximum volume in tip reached',
  54: 'Position outside of permitted area',
  55: 'Y-drive blocked',
  56: 'Y-drive not initialized',
  57: 'Y-drive movement error',
  60: 'Z-drive blocked',
  61: 'Z-drive not initialized',
  62: 'Z-drive movement error',
  63: 'Z-drive limit stop not found',
  65: 'Squeezer drive blocked',
  66: 'Squeezer drive not initialized',
  67: 'Squeezer drive movement error: step loss',
  68: 'Init position adjustment error',
  70: 'No liquid level found',
  71: 'Not enough liquid present',
  72: 'Auto calibration at pressure (sensor) not possible',
  73: 'No liquid level found with dual LLD',
  74: 'Liquid at a not allowed position detected',
  75: 'No tip picked up',
  76: 'Tip already picked up',
  77: 'Tip not dropped',
  78: 'Wrong tip picked up',
  80: 'Liquid not correctly aspirated',
  81: 'Clot detected',
  82: 'TADM measurement out of lower limit curve',
  83: 'TADM measurement out of upper limit curve',
  84: 'Not enough memory for TADM measurement',
  88: 'Not enough liquid present',
};

const TRACE: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  C0: {
    10: 'CAN error',
    11: 'Slave command time out',
    20: 'E2PROM error',
    30: 'Unknown command',
    31: 'Unknown parameter',
    32: 'Parameter out of range',
    33: 'Parameter does not belong to command, or not all parameters were sent',
    34: 'Node name unknown',
    35: 'id parameter error',
    37: 'Node name defined twice',
    40: 'PIP task busy',
    41: 'Auto load task busy',
    42: 'Miscellaneous task busy',
    45: 'iSWAP task busy',
    46: 'CoRe 96 head task busy',
  },
  H0: {
    20: 'No communication to EEPROM',
    30: 'Unknown command',
    31: 'Unknown parameter',
    32: 'Parameter out of range',
    36: 'Stop during execution of command',
    40: 'No parallel processes permitted',
    51: 'Dispensing drive not initialized',
    53: 'Maximum volume in tip reached',
    54: 'Position out of permitted area',
    56: 'Y drive not initialized',
    61: 'Z drive not initialized',
    70: 'No liquid level found',
    71: 'Not enough liquid present',
    75: 'No tip picked up',
    76: 'Tip already picked up',
    81: 'Clot detected',
  },
  R0: {
    20: 'No communication to EEPROM',
    30: 'Unknown command',
    31: 'Unknown parameter',
    32: 'Parameter out of range',
    36: 'Stop during execution of command',
    40: 'No parallel processes permitted',
    51: 'Y-drive not initialized',
    61: 'Z-drive not initialized',
    71: 'Rotation-drive not initialized',
    81: 'Wrist twist drive not initialized',
    91: 'iSWAP not initialized',
    94: 'Plate not found',
    96: 'Plate not available',
    97: 'Unexpected object found',
  },
  X0: {
    30: 'Unknown command',
    31: 'Unknown parameter',
    32: 'Parameter out of range',
    36: 'Stop during execution of command',
    51: 'X drive 1: drive not initialized',
    52: 'X drive 1: movement error',
  },
  I0: {
    30: 'Unknown command',
    31: 'Unknown parameter',
    32: 'Parameter out of range',
    36: 'Hamilton will not run while the hood is open',
    81: 'No carrier present',
  },
};

export function traceDescription(module: string, trace: number): string {
  const table = channelOfModule(module) !== null ? PIP_TRACE : TRACE[module];
  return table?.[trace] ?? `Unknown trace information code ${two(trace)}`;
}

/** One module's entry of an error reply. `code` is null for slave replies (`er##` only). */
export interface StarErrorEntry {
  module: string;
  code: number | null;
  trace: number;
  description: string;
}

/**
 * Decodes the error entries of a reply: the master's `er##/##` and each module's `XX##/##`
 * (C0 replies), or a slave module's `er##`. Zero entries (`00/00`, `00`) and the master's
 * "slave error" (99, which only says the details are in the module entries) are left out.
 */
export function decodeErrors(reply: string): StarErrorEntry[] {
  const module = reply.slice(0, 2);
  const entries: StarErrorEntry[] = [];
  if (module === 'C0') {
    const m = /er(\d{2})\/(\d{2})/.exec(reply);
    if (!m) return entries;
    const code = Number(m[1]);
    const trace = Number(m[2]);
    const rest = reply.slice(m.index + m[0].length);
    const re = /([A-Z][0-9A-Z])(\d{2})\/(\d{2})/g;
    for (let e = re.exec(rest); e; e = re.exec(rest)) {
      const c = Number(e[2]);
      const t = Number(e[3]);
      if (c === 0 && t === 0) continue;
      entries.push({ module: e[1], code: c, trace: t, description: describeEntry(e[1], c, t) });
    }
    if ((code !== 0 || trace !== 0) && !(code === 99 && entries.length > 0)) {
      entries.unshift({ module: 'C0', code, trace, description: describeEntry('C0', code, trace) });
    }
    return entries;
  }
  const m = /er(\d{2})(?!\/)/.exec(reply.slice(4));
  if (m && m[1] !== '00') {
    const trace = Number(m[1]);
    entries.push({ module, code: null, trace, description: traceDescription(module, trace) });
  }
  return entries;
}

function describeEntry(module: string, code: number, trace: number): string {
  const what = ERROR_CODE_NAMES[code] ?? `Unknown error code ${two(code)}`;
  return trace === 0 ? what : `${what}: ${traceDescription(module, trace)}`;
}

/** A firmware error that is not (only) a per-channel error: module, code, trace and description of each entry. */
export class StarFirmwareError extends Error {
  /** The first entry's module (`C0`, `H0`, `R0`, `P3`, ...). */
  readonly module: string;
  /** The first entry's error code (null for a slave reply's `er##`). */
  readonly code: number | null;
  readonly trace: number;
  readonly description: string;

  constructor(
    readonly entries: StarErrorEntry[],
    readonly reply: string,
  ) {
    const first = entries[0] ?? { module: reply.slice(0, 2), code: null, trace: 0, description: 'Unknown error' };
    super(`${entries.map((e) => `${moduleName(e.module)} (${e.module}${e.code !== null ? ` ${two(e.code)}` : ''}/${two(e.trace)}): ${e.description}`).join('; ')} [${reply}]`);
    this.name = 'StarFirmwareError';
    this.module = first.module;
    this.code = first.code;
    this.trace = first.trace;
    this.description = first.description;
  }
}

/** No reply within the command's timeout. */
export class StarTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to ${command} within ${timeoutMs} ms`);
    this.name = 'StarTimeoutError';
  }
}

/**
 * The tracker error a module entry stands for, when it has one: tip already fitted → HasTipError,
 * no tip → NoTipError, too little liquid → TooLittleLiquidError, tip volume exceeded → TooLittleVolumeError.
 */
export function trackerErrorFor(entry: StarErrorEntry, context: string): Error | null {
  const msg = `${context}: ${moduleName(entry.module)}: ${entry.description}`;
  if (entry.code === 7 || entry.trace === 76) return new HasTipError(msg);
  if (entry.code === 8 || entry.trace === 75) return new NoTipError(msg);
  if (entry.trace === 70 || entry.trace === 71 || entry.trace === 88) return new TooLittleLiquidError(msg);
  if (entry.code === 6 || entry.trace === 53) return new TooLittleVolumeError(msg);
  return null;
}

/**
 * The error to throw for a reply's entries: when every entry is a pipetting channel's, a
 * ChannelizedError mapping each channel to its tracker error (or a StarFirmwareError for that
 * channel); otherwise a StarFirmwareError. Null when the reply carries no error.
 */
export function errorForReply(reply: string, entries = decodeErrors(reply)): Error | null {
  if (entries.length === 0) return null;
  const command = reply.slice(0, 4);
  if (entries.every((e) => channelOfModule(e.module) !== null)) {
    const errors = new Map<number, Error>();
    for (const e of entries) errors.set(channelOfModule(e.module)!, trackerErrorFor(e, command) ?? new StarFirmwareError([e], reply));
    return new ChannelizedError(errors, command);
  }
  return new StarFirmwareError(entries, reply);
}
