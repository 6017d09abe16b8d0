import { moduleOfChannel, pad } from './firmware.js';
import { toText, type Transport } from './transport.js';

/** A command as the firmware receives it: module, command, id and raw parameter values. */
export interface ReceivedCommand {
  module: string;
  command: string;
  id: number | null;
  params: Map<string, string>;
  text: string;
}

/** Splits a firmware command into module, command, id and parameters (values as sent). */
export function parseCommand(text: string): ReceivedCommand {
  const module = text.slice(0, 2);
  const command = text.slice(2, 4);
  const params = new Map<string, string>();
  const re = /([a-z]{2})([^a-z]*)/g;
  const body = text.slice(4);
  for (let m = re.exec(body); m; m = re.exec(body)) params.set(m[1], m[2]);
  const id = params.get('id');
  params.delete('id');
  return { module, command, id: id !== undefined ? Number(id) : null, params, text };
}

/** A fault to inject into the next matching command (matched by 2-letter command, e.g. `TP`). */
export interface StarFault {
  /** Per-channel errors `[code, trace]` (0-based channel): those channels do nothing, the others run. */
  channels?: Record<number, [number, number]>;
  /** A master error `[code, trace]`: nothing runs. */
  master?: [number, number];
  /** A module error (`H0`, `R0`, `X0`, ...) `[code, trace]` reported under a master slave error: nothing runs. */
  module?: { module: string; code: number; trace: number };
  /** No reply at all (the command does not run). */
  silent?: boolean;
  /** Reply this much later (ms); the command runs. */
  delayMs?: number;
}

export interface StarFirmwareSimulatorOptions {
  numChannels?: number;
  has96Head?: boolean;
  hasIswap?: boolean;
  /** Whether the instrument starts initialized (default false: setup sends VI and DI). */
  initialized?: boolean;
  /** Keep every received command in `history` (default true). */
  record?: boolean;
}

interface ChannelState {
  tipType: number | null;
  /** Tip capacity and liquid in the tip (0.1 µL). */
  maxVolume: number;
  volume: number;
}

interface ParamSpec {
  width: number;
  list?: boolean;
  min?: number;
  max?: number;
  optional?: boolean;
}

const s = (width: number, min?: number, max?: number): ParamSpec => ({ width, min, max });
const l = (width: number, min?: number, max?: number): ParamSpec => ({ width, list: true, min, max });

const SPECS: Record<string, Record<string, ParamSpec>> = {
  TT: { tt: s(2, 0, 99), tf: s(1, 0, 1), tl: s(4, 1, 1999), tv: s(5, 1, 56000), tg: s(1, 0, 5), tu: s(1, 0, 1) },
  TP: { xp: l(5, 0, 25000), yp: l(4, 0, 6500), tm: l(1, 0, 1), tt: s(2, 0, 99), tp: s(4, 0, 3600), tz: s(4, 0, 3600), th: s(4, 0, 3600), td: s(1, 0, 2) },
  TR: { xp: l(5, 0, 25000), yp: l(4, 0, 6500), tm: l(1, 0, 1), tp: s(4, 0, 3600), tz: s(4, 0, 3600), th: s(4, 0, 3600), te: s(4, 0, 3600), ti: s(1, 0, 1) },
  AS: {
    at: l(1, 0, 2), tm: l(1, 0, 1), xp: l(5, 0, 25000), yp: l(4, 0, 6500), th: s(4, 0, 3600), te: s(4, 0, 3600), lp: l(4, 0, 3600), ch: l(3, 0, 500),
    zl: l(4, 0, 3600), po: l(4, 0, 3600), zx: l(4, 0, 3600), av: l(5, 0, 12500), as: l(4, 4, 5000), ta: l(3, 0, 500), ba: l(4, 0, 9999),
    oa: l(3, 0, 999), lm: l(1, 0, 4), de: l(4, 3, 1600), wt: l(2, 0, 99), mv: l(5, 0, 12500), mc: l(2, 0, 99), mp: l(3, 0, 900), ms: l(4, 4, 5000),
  },
  DS: {
    dm: l(1, 0, 4), tm: l(1, 0, 1), xp: l(5, 0, 25000), yp: l(4, 0, 6500), zx: l(4, 0, 3600), lp: l(4, 0, 3600), zl: l(4, 0, 3600), po: l(4, 0, 3600),
    th: s(4, 0, 3600), te: s(4, 0, 3600), dv: l(5, 0, 12500), ds: l(4, 4, 5000), ss: l(4, 4, 5000), rv: l(3, 0, 999), ta: l(3, 0, 500), ba: l(4, 0, 9999),
    lm: l(1, 0, 4), de: l(4, 3, 1600), wt: l(2, 0, 99), mv: l(5, 0, 12500), mc: l(2, 0, 99), mp: l(3, 0, 900), ms: l(4, 4, 5000),
  },
  EP: { xs: s(5, 0, 30000), xd: s(1, 0, 1), yh: s(4, 1080, 5600), tt: s(2, 0, 99), wu: s(1, 0, 1), za: s(4, 0, 3425), zh: s(4, 0, 3425), ze: s(4, 0, 3425) },
  ER: { xs: s(5, 0, 30000), xd: s(1, 0, 1), yh: s(4, 1080, 5600), za: s(4, 0, 3425), zh: s(4, 0, 3425), ze: s(4, 0, 3425) },
  EA: { aa: s(1, 0, 2), xs: s(5, 0, 30000), xd: s(1, 0, 1), yh: s(4, 1080, 5600), zh: s(4, 0, 3425), ze: s(4, 0, 3425), af: s(5, 0, 11500), ag: s(4, 3, 5000), bv: s(5, 0, 11500), cw: { width: 24 } },
  ED: { da: s(1, 0, 4), xs: s(5, 0, 30000), xd: s(1, 0, 1), yh: s(4, 1080, 5600), zh: s(4, 0, 3425), ze: s(4, 0, 3425), df: s(5, 0, 11500), dg: s(4, 3, 5000), bv: s(5, 0, 11500), cw: { width: 24 } },
  PP: { xs: s(5, 0, 30000), xd: s(1, 0, 1), yj: s(4, 0, 6500), yd: s(1, 0, 1), zj: s(4, 0, 3600), zd: s(1, 0, 1), gr: s(1, 1, 4), th: s(4, 0, 3600), te: s(4, 0, 3600), gw: s(1, 1, 9), go: s(4, 0, 9999), gb: s(4, 0, 9999), gt: s(2, 0, 99) },
  PR: { xs: s(5, 0, 30000), xd: s(1, 0, 1), yj: s(4, 0, 6500), yd: s(1, 0, 1), zj: s(4, 0, 3600), zd: s(1, 0, 1), th: s(4, 0, 3600), te: s(4, 0, 3600), gr: s(1, 1, 4), go: s(4, 0, 9999) },
  PM: { xs: s(5, 0, 30000), xd: s(1, 0, 1), yj: s(4, 0, 6500), yd: s(1, 0, 1), zj: s(4, 0, 3600), zd: s(1, 0, 1), gr: s(1, 1, 4), th: s(4, 0, 3600) },
  DI: { xp: l(5, 0, 25000), yp: l(4, 0, 6500), tp: s(4, 0, 3600), tz: s(4, 0, 3600), te: s(4, 0, 3600), tm: l(1, 0, 1), tt: s(2, 0, 99), ti: s(1, 0, 1) },
  EI: { xs: s(5, 0, 30000), xd: s(1, 0, 1), yh: s(4, 0, 6500), za: s(4, 0, 3600), ze: s(4, 0, 3600) },
  PG: { th: s(4, 0, 3600) },
  ZT: { xs: s(5, 0, 30000), xd: s(1, 0, 1), ya: s(4, 0, 6500), yb: s(4, 0, 6500), pa: s(2, 1, 16), pb: s(2, 1, 16), tp: s(4, 0, 3600), tz: s(4, 0, 3600), th: s(4, 0, 3600), tt: s(2, 0, 99) },
  ZS: { xs: s(5, 0, 30000), xd: s(1, 0, 1), ya: s(4, 0, 6500), yb: s(4, 0, 6500), tp: s(4, 0, 3600), tz: s(4, 0, 3600), th: s(4, 0, 3600), te: s(4, 0, 3600) },
  ZP: {
    xs: s(5, 0, 30000), xd: s(1, 0, 1), yj: s(4, 0, 6500), yv: s(4, 0, 3700), zj: s(4, 0, 3600), zy: s(4, 0, 1287), yo: s(4, 0, 9999), yg: s(4, 0, 9999),
    yw: s(2, 0, 99), th: s(4, 0, 3600), te: s(4, 0, 3600),
  },
  ZR: { xs: s(5, 0, 30000), xd: s(1, 0, 1), yj: s(4, 0, 6500), zj: s(4, 0, 3600), zi: s(3, 0, 50), zy: s(4, 0, 1600), yo: s(4, 0, 9999), th: s(4, 0, 3600), te: s(4, 0, 3600) },
  ZM: { xs: s(5, 0, 30000), xd: s(1, 0, 1), xg: s(1, 0, 7), yj: s(4, 0, 6500), zj: s(4, 0, 3600), zy: s(4, 3, 1600), th: s(4, 0, 3600) },
};

class ParamError extends Error {
  constructor(readonly trace: number, message: string) {
    super(message);
  }
}

/**
 * A STAR firmware simulator on the device end of a transport: it answers the firmware strings the
 * StarBackend sends, keeps its own per-channel tip and volume state, the 96-head's tips, the
 * iSWAP's grip and parking, the CoRe gripper tools (which channels carry them) and their grip,
 * validates parameters (names, widths, ranges, list lengths and `&`), and injects
 * faults on demand: per-channel and master errors, silence (the caller times out) and late replies.
 */
export class StarFirmwareSimulator {
  readonly numChannels: number;
  readonly has96Head: boolean;
  readonly hasIswap: boolean;
  initialized: boolean;
  iswapInitialized = false;
  head96Initialized = false;
  readonly channels: ChannelState[];
  readonly head96: ChannelState = { tipType: null, maxVolume: 0, volume: 0 };
  /** Whether the iSWAP holds a plate. */
  gripping = false;
  /** Whether the iSWAP is parked (after C0FI and C0PG; not after C0PP / C0PM / C0PR). */
  iswapParked = false;
  /** The channels carrying the CoRe gripper tools (0-based), null when the tools are in their rack. */
  coreTools: { back: number; front: number } | null = null;
  /** Whether the CoRe gripper tools hold a plate. */
  coreGripping = false;
  readonly tipTypes = new Map<number, { maxVolume: number }>();
  /** Every command received (when `record` is on). */
  readonly history: ReceivedCommand[] = [];
  commandCount = 0;
  /** The last parameter error, for tests (`Parameter out of range: xp`). */
  lastParameterError: string | null = null;
  private readonly faults = new Map<string, StarFault[]>();
  private readonly record: boolean;

  constructor(
    readonly transport: Transport,
    opts: StarFirmwareSimulatorOptions = {},
  ) {
    this.numChannels = opts.numChannels ?? 8;
    this.has96Head = opts.has96Head ?? true;
    this.hasIswap = opts.hasIswap ?? true;
    this.initialized = opts.initialized ?? false;
    this.record = opts.record ?? true;
    this.channels = Array.from({ length: this.numChannels }, () => ({ tipType: null, maxVolume: 0, volume: 0 }));
    transport.onData((data) => this.receive(toText(data)));
  }

  /** Opens the device end of the link. */
  async start(): Promise<void> {
    await this.transport.open();
  }

  /** Queues a fault for the next command `command` (2 letters, e.g. `TP`, `AS`, `RT`). */
  inject(command: string, fault: StarFault): void {
    const q = this.faults.get(command) ?? [];
    q.push(fault);
    this.faults.set(command, q);
  }

  /** Liquid in a channel's tip (µL). */
  tipVolume(channel: number): number {
    return this.channels[channel].volume / 10;
  }

  hasTip(channel: number): boolean {
    return this.channels[channel].tipType !== null;
  }

  /** Whether a channel carries a CoRe gripper tool. */
  hasCoreTool(channel: number): boolean {
    return this.coreTools !== null && (this.coreTools.back === channel || this.coreTools.front === channel);
  }

  private receive(text: string): void {
    const cmd = parseCommand(text.replace(/[\r\n\0]+$/, ''));
    this.commandCount++;
    if (this.record) this.history.push(cmd);
    const q = this.faults.get(cmd.command);
    const fault = q?.shift();
    if (fault?.silent) return;
    const reply = this.handle(cmd, fault);
    if (fault?.delayMs !== undefined) {
      setTimeout(() => void this.transport.write(reply).catch(() => undefined), fault.delayMs);
    } else {
      void this.transport.write(reply).catch(() => undefined);
    }
  }

  private prefix(cmd: ReceivedCommand): string {
    return cmd.module + cmd.command + (cmd.id !== null ? `id${pad(cmd.id, 4)}` : '');
  }

  private handle(cmd: ReceivedCommand, fault: StarFault | undefined): string {
    const head = this.prefix(cmd);
    const slave = cmd.module !== 'C0';
    const ok = slave ? `${head}er00` : `${head}er00/00`;
    if (fault?.master) return `${head}er${pad(fault.master[0], 2)}/${pad(fault.master[1], 2)}`;
    if (fault?.module) return `${head}er99/00 ${fault.module.module}${pad(fault.module.code, 2)}/${pad(fault.module.trace, 2)}`;
    try {
      this.validate(cmd);
    } catch (err) {
      if (err instanceof ParamError) {
        this.lastParameterError = err.message;
        return slave ? `${head}er${pad(err.trace, 2)}` : `${head}er01/${pad(err.trace, 2)}`;
      }
      throw err;
    }
    const channelErrors = new Map<number, [number, number]>();
    if (fault?.channels) for (const [c, e] of Object.entries(fault.channels)) channelErrors.set(Number(c), e);
    const body = this.execute(cmd, channelErrors);
    if (body === null) return `${head}er01/30`; // unknown command
    if (typeof body === 'object') return this.formatError(head, body);
    if (channelErrors.size) {
      const entries = [...channelErrors.entries()].sort((a, b) => a[0] - b[0]).map(([c, [code, trace]]) => `${moduleOfChannel(c)}${pad(code, 2)}/${pad(trace, 2)}`);
      return `${head}er99/00 ${entries.join(' ')}`;
    }
    return ok + body;
  }

  private validate(cmd: ReceivedCommand): void {
    if (cmd.module !== 'C0') return;
    const spec = SPECS[cmd.command];
    if (!spec) return;
    const pattern = cmd.params.get('tm');
    const listLength = pattern !== undefined ? pattern.replace(/&$/, '').split(' ').length : null;
    for (const [key, p] of Object.entries(spec)) {
      const raw = cmd.params.get(key);
      if (raw === undefined) {
        if (p.optional) continue;
        throw new ParamError(33, `Parameter missing: ${key}`);
      }
      let values: string[];
      if (p.list) {
        const closed = raw.endsWith('&');
        values = (closed ? raw.slice(0, -1) : raw).split(' ');
        if (values.length > this.numChannels) throw new ParamError(32, `Parameter out of range: ${key} has ${values.length} entries for ${this.numChannels} channels`);
        if (closed !== values.length < this.numChannels) throw new ParamError(31, `Parameter format: ${key} list ${closed ? 'closed with & although full' : 'short without &'}`);
        if (listLength !== null && values.length !== listLength) throw new ParamError(33, `Parameter format: ${key} has ${values.length} entries, tm has ${listLength}`);
      } else {
        values = [raw];
      }
      for (const v of values) {
        if (v.length !== p.width) throw new ParamError(31, `Parameter format: ${key}${v} is not ${p.width} characters wide`);
        if (p.min !== undefined || p.max !== undefined) {
          if (!/^-?\d+$/.test(v)) throw new ParamError(31, `Parameter format: ${key}${v} is not a number`);
          const n = Number(v);
          if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) throw new ParamError(32, `Parameter out of range: ${key}${v}`);
        }
      }
    }
  }

  private numbers(cmd: ReceivedCommand, key: string): number[] {
    const raw = cmd.params.get(key) ?? '';
    return raw.replace(/&$/, '').split(' ').map(Number);
  }

  private num(cmd: ReceivedCommand, key: string): number {
    return Number(cmd.params.get(key) ?? 0);
  }

  /**
   * Runs a command: returns the reply's data fields (''), a master error, or null for an unknown
   * command. Per-channel errors found here are added to `errors`; those channels do nothing.
   */
  private execute(cmd: ReceivedCommand, errors: Map<number, [number, number]>): string | { code: number; trace: number } | null {
    const forChannels = (fn: (ch: ChannelState, c: number) => [number, number] | void) => {
      const tm = this.numbers(cmd, 'tm');
      tm.forEach((on, c) => {
        if (!on || errors.has(c)) return;
        const e = fn(this.channels[c], c);
        if (e) errors.set(c, e);
      });
    };
    if (cmd.module === 'R0' || cmd.module === 'H0') {
      if (cmd.command === 'QW') return `qw${(cmd.module === 'R0' ? this.iswapInitialized : this.head96Initialized) ? 1 : 0}`;
      return null;
    }
    if (cmd.module !== 'C0') return null;
    switch (cmd.command) {
      case 'RM':
        return `kb${pad(this.hasIswap ? 0b10 : 0, 2)}kp${pad(this.numChannels, 2)}`;
      case 'QM': {
        const xl = 0b1 | (this.hasIswap ? 0b10 : 0) | (this.has96Head ? 0b100 : 0);
        return `ka${(this.has96Head ? 0b10 : 0).toString(16).padStart(6, '0')}xl${xl.toString(16).padStart(2, '0').toUpperCase()}`;
      }
      case 'QW':
        return `qw${this.initialized ? 1 : 0}`;
      case 'VI':
        this.initialized = true;
        return '';
      case 'RT':
        // A CoRe gripper tool sits on the channel like a tip.
        return `rt${this.channels.map((c, i) => (c.tipType !== null || this.hasCoreTool(i) ? 1 : 0)).join(' ')}`;
      case 'DI':
        for (const c of this.channels) Object.assign(c, { tipType: null, maxVolume: 0, volume: 0 });
        this.coreTools = null;
        this.coreGripping = false;
        return '';
      case 'FI':
        if (!this.hasIswap) return { code: 1, trace: 30 };
        this.iswapInitialized = true;
        this.iswapParked = true;
        return '';
      case 'EI':
        if (!this.has96Head) return { code: 1, trace: 30 };
        this.head96Initialized = true;
        Object.assign(this.head96, { tipType: null, maxVolume: 0, volume: 0 });
        return '';
      case 'TT':
        this.tipTypes.set(this.num(cmd, 'tt'), { maxVolume: this.num(cmd, 'tv') });
        return '';
      case 'TP': {
        const tt = this.num(cmd, 'tt');
        const type = this.tipTypes.get(tt);
        if (!type) return { code: 1, trace: 32 };
        forChannels((ch, c) => {
          if (ch.tipType !== null || this.hasCoreTool(c)) return [7, 76];
          Object.assign(ch, { tipType: tt, maxVolume: type.maxVolume, volume: 0 });
        });
        return '';
      }
      case 'TR':
        forChannels((ch) => {
          if (ch.tipType === null) return [8, 75];
          Object.assign(ch, { tipType: null, maxVolume: 0, volume: 0 });
        });
        return '';
      case 'AS': {
        const av = this.numbers(cmd, 'av');
        forChannels((ch, c) => {
          if (ch.tipType === null) return [8, 75];
          if (ch.volume + av[c] > ch.maxVolume) return [6, 53];
          ch.volume += av[c];
        });
        return '';
      }
      case 'DS': {
        const dv = this.numbers(cmd, 'dv');
        const dm = this.numbers(cmd, 'dm');
        forChannels((ch, c) => {
          if (ch.tipType === null) return [8, 75];
          if (dm[c] === 4) {
            ch.volume = 0;
            return;
          }
          if (dv[c] > ch.volume) return [17, 71];
          ch.volume -= dv[c];
        });
        return '';
      }
      case 'EP':
      case 'ER':
      case 'EA':
      case 'ED':
        return this.head96Command(cmd);
      case 'PP':
      case 'PR':
      case 'PM':
      case 'PG':
        return this.iswapCommand(cmd);
      case 'ZT':
        return this.coreToolsPickUp(cmd, errors);
      case 'ZS':
      case 'ZP':
      case 'ZM':
      case 'ZR':
        return this.coreGripperCommand(cmd);
      default:
        return null;
    }
  }

  private head96Command(cmd: ReceivedCommand): string | { code: number; trace: number } | null {
    if (!this.has96Head) return { code: 1, trace: 30 };
    const h = this.head96;
    const err = (code: number, trace: number) => `H0${pad(code, 2)}/${pad(trace, 2)}`;
    let e: string | null = null;
    switch (cmd.command) {
      case 'EP': {
        const type = this.tipTypes.get(this.num(cmd, 'tt'));
        if (!type) return { code: 1, trace: 32 };
        if (h.tipType !== null) e = err(7, 76);
        else Object.assign(h, { tipType: this.num(cmd, 'tt'), maxVolume: type.maxVolume, volume: 0 });
        break;
      }
      case 'ER':
        if (h.tipType === null) e = err(8, 75);
        else Object.assign(h, { tipType: null, maxVolume: 0, volume: 0 });
        break;
      case 'EA': {
        const v = this.num(cmd, 'af');
        if (h.tipType === null) e = err(8, 75);
        else if (h.volume + v > h.maxVolume) e = err(6, 53);
        else h.volume += v;
        break;
      }
      case 'ED': {
        const v = this.num(cmd, 'df');
        if (h.tipType === null) e = err(8, 75);
        else if (v > h.volume) e = err(17, 71);
        else h.volume -= v;
        break;
      }
    }
    return e ? this.slaveError(e) : '';
  }

  private iswapCommand(cmd: ReceivedCommand): string | { code: number; trace: number } {
    if (!this.hasIswap) return { code: 1, trace: 30 };
    if (!this.iswapInitialized) return this.slaveError('R000/91');
    if (cmd.command === 'PG') {
      this.iswapParked = true;
      return '';
    }
    if (cmd.command === 'PP') {
      if (this.gripping) return this.slaveError('R022/00');
      this.gripping = true;
      this.iswapParked = false;
      return '';
    }
    if (!this.gripping) return this.slaveError('R021/00');
    if (cmd.command === 'PR') this.gripping = false;
    this.iswapParked = false;
    return '';
  }

  /**
   * C0ZT: the back tool goes on channel `pa`, the front tool on `pb` (1-based, adjacent). A channel
   * that has a tip or a tool already fails with 07/76 (tip already fitted), and no tool is taken.
   */
  private coreToolsPickUp(cmd: ReceivedCommand, errors: Map<number, [number, number]>): string | { code: number; trace: number } {
    const back = this.num(cmd, 'pa') - 1;
    const front = this.num(cmd, 'pb') - 1;
    if (front !== back + 1 || front >= this.numChannels) return { code: 1, trace: 32 };
    if (this.num(cmd, 'ya') <= this.num(cmd, 'yb')) return { code: 1, trace: 32 }; // the back tool must be behind the front one
    for (const c of [back, front]) {
      if (errors.has(c)) continue;
      if (this.channels[c].tipType !== null || this.coreTools !== null) errors.set(c, [7, 76]);
    }
    if (errors.has(back) || errors.has(front)) return '';
    this.coreTools = { back, front };
    return '';
  }

  /**
   * C0ZS (tools back), C0ZP (grip), C0ZM (move), C0ZR (let go). The simulator's error replies (the
   * firmware's own codes for these cases are not documented here): no tools on the channels →
   * master error 08 (no tip); gripping while holding, or putting the tools back while holding → 22
   * (element still holding); moving or letting go with nothing gripped → 21 (no element).
   */
  private coreGripperCommand(cmd: ReceivedCommand): string | { code: number; trace: number } {
    if (!this.coreTools) return { code: 8, trace: 0 };
    switch (cmd.command) {
      case 'ZS':
        if (this.coreGripping) return { code: 22, trace: 0 };
        this.coreTools = null;
        return '';
      case 'ZP':
        if (this.coreGripping) return { code: 22, trace: 0 };
        this.coreGripping = true;
        return '';
      case 'ZM':
        return this.coreGripping ? '' : { code: 21, trace: 0 };
      default: // ZR
        if (!this.coreGripping) return { code: 21, trace: 0 };
        this.coreGripping = false;
        return '';
    }
  }

  /** A master "slave error" carrying one module entry, as a pseudo error the caller formats. */
  private slaveError(entry: string): { code: number; trace: number } {
    this.pendingEntry = entry;
    return { code: 99, trace: 0 };
  }

  private pendingEntry: string | null = null;

  /** Formats the reply of an error found while running (see `handle`). */
  private formatError(head: string, e: { code: number; trace: number }): string {
    const entry = this.pendingEntry;
    this.pendingEntry = null;
    return `${head}er${pad(e.code, 2)}/${pad(e.trace, 2)}${entry ? ` ${entry}` : ''}`;
  }
}
