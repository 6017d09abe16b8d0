import type { ReadWeightParams, ScaleBackend } from '../../machines/scale/backend.js';
import { OverloadError, TareRangeError, ZeroRangeError } from '../../machines/scale/errors.js';
import { MachineStateError, requireBoolean } from '../../machines/shared/machine-errors.js';
import { DeviceProtocolError } from './errors.js';
import { SerialConnection } from './serial-connection.js';
import type { LineTransport, SerialBackendOptions } from './transport.js';

// MT-SICS (Mettler Toledo Standard Interface Command Set), level 0/1 commands as published in the
// MT-SICS reference manual: ASCII lines terminated by CR LF, one reply per command.
//   Z  zero (waits for stability)  -> "Z A" | "Z I" | "Z +" | "Z -"
//   T  tare (waits for stability)  -> "T S <value> <unit>" | "T I" | "T +" | "T -"
//   S  stable weight               -> "S S <value> <unit>" | "S I" | "S +" | "S -"
//   SI weight immediately          -> "S S|D <value> <unit>" (D: dynamic, not settled) | "S I" | "S +" | "S -"
//   I4 serial number               -> 'I4 A "<serial>"'
// Errors for any command: "ES" syntax error (not recognised), "ET" transmission error (parity,
// interface break), "EL" logical error (cannot be executed). "I": understood but not executable at
// present (busy, or no stable value in time); "+" overload / upper limit; "-" underload / lower limit.

/** `mettler-sics-serial` connection config (the registry's JSON schema, plus the optional stableTimeoutMs). */
export interface MettlerSicsSerialConfig {
  /** Serial device path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/... */
  port: string;
  /** 1200-38400; default 9600 (the MT-SICS factory setting). */
  baudRate?: number;
  /** Reply timeout of immediate commands (ms). Default 2000. */
  timeoutMs?: number;
  /** Reply timeout of commands that wait for a stable reading (Z, T, S) (ms). Default max(10000, timeoutMs). */
  stableTimeoutMs?: number;
}

/** A MT-SICS error reply (`ES`, `ET`, `EL`, or status `I`). */
export class MtSicsError extends Error {
  /** `ES`, `ET`, `EL` or `I`. */
  readonly code: 'ES' | 'ET' | 'EL' | 'I';
  readonly command: string;
  readonly reply: string;

  constructor(label: string, code: MtSicsError['code'], command: string, reply: string, meaning: string) {
    super(`${label}: ${command} failed: ${meaning} (reply ${JSON.stringify(reply)})`);
    this.name = new.target.name;
    this.code = code;
    this.command = command;
    this.reply = reply;
  }
}
/** `ES`: the balance did not recognise the command. */
export class MtSicsSyntaxError extends MtSicsError {}
/** `ET`: the balance received a faulty command (parity error, interface break). */
export class MtSicsTransmissionError extends MtSicsError {}
/** `EL`: the balance cannot execute the command. */
export class MtSicsLogicalError extends MtSicsError {}
/** `<cmd> I`: understood but not executable at present (busy, or no stable value within the balance's own timeout). */
export class MtSicsNotExecutableError extends MtSicsError {}

/** `S -`: the balance is in its underload range (e.g. the pan is lifted off). */
export class UnderloadError extends MachineStateError {}

const UNITS_TO_G: Record<string, number> = { g: 1, mg: 0.001, kg: 1000 };

export interface SicsWeight {
  stable: boolean;
  grams: number;
}

/** Parses `S S      12.345 g` / `S D  -0.003 g` / `T S  10.000 g` into a weight; undefined if not a weight reply. */
export function parseSicsWeight(reply: string, prefix: 'S' | 'T'): SicsWeight | undefined {
  const m = new RegExp(`^${prefix}\\s+([SD])\\s+(-?)\\s*(\\d+(?:\\.\\d*)?|\\.\\d+)\\s+(\\S+)\\s*$`).exec(reply);
  if (!m) return undefined;
  const factor = UNITS_TO_G[m[4]];
  if (factor === undefined) return undefined;
  const v = Number(m[3]) * factor * (m[2] === '-' ? -1 : 1);
  return { stable: m[1] === 'S', grams: v === 0 ? 0 : v };
}

/**
 * A Mettler Toledo balance or weigh module (e.g. WXS205SDU) speaking MT-SICS over RS-232 or a
 * USB-serial adapter. Implements the Scale backend: `zero()` = `Z`, `tare()` = `T`,
 * `readWeight({ stable: true })` = `S`, `readWeight({ stable: false })` = `SI`. Error replies become
 * the scale module's typed errors (`S +` OverloadError, `Z +`/`Z -` ZeroRangeError, `T +`/`T -`
 * TareRangeError, `S -` UnderloadError) or MT-SICS errors (`ES`, `ET`, `EL`, `I`).
 */
export class MettlerSicsScaleBackend implements ScaleBackend {
  readonly kind = 'mettler-sics-serial';
  readonly label: string;
  readonly transport: LineTransport;
  readonly stableTimeoutMs: number;
  private serial: string | undefined;

  /** `transport` replaces the SerialConnection made from `config` (capture, replay). */
  constructor(config: MettlerSicsSerialConfig, opts: SerialBackendOptions = {}) {
    const timeoutMs = config.timeoutMs ?? 2000;
    const transport = opts.transport ?? new SerialConnection({ path: config.port, baudRate: config.baudRate ?? 9600, timeoutMs, terminator: '\r\n' });
    this.transport = opts.wrapTransport ? opts.wrapTransport(transport) : transport;
    this.label = opts.label ?? `MT-SICS balance on ${config.port}`;
    this.stableTimeoutMs = config.stableTimeoutMs ?? Math.max(10000, timeoutMs);
  }

  /** Serial number reported by `I4` at setup. */
  get serialNumber(): string | undefined {
    return this.serial;
  }

  /** Opens the port (again, after a disconnect) and reads the serial number (`I4`). */
  async setup(): Promise<void> {
    if (!this.transport.isOpen) await this.transport.open();
    const reply = await this.command('I4');
    const m = /^I4\s+A\s+"(.*)"\s*$/.exec(reply);
    if (!m) throw new DeviceProtocolError(this.transport.description, 'I4', reply, 'I4 A "<serial number>"');
    this.serial = m[1];
  }

  async stop(): Promise<void> {
    await this.transport.close();
  }

  /** Closes and reopens the port (after the device came back), then checks it answers. */
  async reconnect(): Promise<void> {
    await this.transport.reconnect();
    await this.setup();
  }

  async zero(): Promise<void> {
    const reply = await this.command('Z', this.stableTimeoutMs);
    if (/^Z\s+A\s*$/.test(reply)) return;
    if (/^Z\s+\+\s*$/.test(reply)) throw new ZeroRangeError(this.label, `cannot zero: upper limit of the zero setting range exceeded (reply "Z +"); empty the pan, or tare() to subtract a container`);
    if (/^Z\s+-\s*$/.test(reply)) throw new ZeroRangeError(this.label, `cannot zero: lower limit of the zero setting range exceeded (reply "Z -"); is the pan in place?`);
    throw this.unexpected('Z', reply, '"Z A"');
  }

  async tare(): Promise<void> {
    const reply = await this.command('T', this.stableTimeoutMs);
    if (parseSicsWeight(reply, 'T')?.stable) return;
    if (/^T\s+\+\s*$/.test(reply)) throw new TareRangeError(this.label, 'cannot tare: upper limit of the taring range exceeded (reply "T +")');
    if (/^T\s+-\s*$/.test(reply)) throw new TareRangeError(this.label, 'cannot tare: lower limit of the taring range exceeded (reply "T -"); zero() the empty pan first');
    throw this.unexpected('T', reply, '"T S <weight> g"');
  }

  async readWeight(params: ReadWeightParams): Promise<number> {
    const stable = requireBoolean(this.label, 'stable', params?.stable);
    const cmd = stable ? 'S' : 'SI';
    const reply = await this.command(cmd, stable ? this.stableTimeoutMs : undefined);
    const w = parseSicsWeight(reply, 'S');
    if (w && (w.stable || !stable)) return w.grams;
    if (/^S\s+\+\s*$/.test(reply)) throw new OverloadError(this.label, 'overloaded: the load exceeds the weighing range (reply "S +")');
    if (/^S\s+-\s*$/.test(reply)) throw new UnderloadError(this.label, 'underload: the reading is below the weighing range (reply "S -"); is the pan in place?');
    throw this.unexpected(cmd, reply, stable ? '"S S <weight> <unit>"' : '"S S|D <weight> <unit>"');
  }

  /** Sends one command; maps the replies every command can get (ES, ET, EL, `<cmd> I`) to errors. */
  private async command(cmd: string, timeoutMs?: number): Promise<string> {
    const [reply] = await this.transport.request(cmd, timeoutMs === undefined ? {} : { timeoutMs });
    const r = reply.trim();
    if (r === 'ES') throw new MtSicsSyntaxError(this.label, 'ES', cmd, r, 'syntax error: the balance did not recognise the command');
    if (r === 'ET') throw new MtSicsTransmissionError(this.label, 'ET', cmd, r, 'transmission error: the balance received a faulty command (parity error or interface break)');
    if (r === 'EL') throw new MtSicsLogicalError(this.label, 'EL', cmd, r, 'logical error: the balance cannot execute the command');
    const first = cmd === 'SI' ? 'S' : cmd;
    if (new RegExp(`^${first}\\s+I\\s*$`).test(r)) {
      throw new MtSicsNotExecutableError(this.label, 'I', cmd, r, 'not executable at present (balance busy, or no stable reading within its own timeout)');
    }
    return r;
  }

  private unexpected(cmd: string, reply: string, expected: string): DeviceProtocolError {
    return new DeviceProtocolError(this.transport.description, cmd, reply, expected);
  }
}
