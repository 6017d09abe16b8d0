import type { SerialPort } from 'serialport';
import { ConnectionClosedError, DeviceDisconnectedError, DeviceTimeoutError, SerialOpenError } from './errors.js';
import { loadSerialPort } from './serialport-loader.js';
import { LineSplitter, type LineTransport, type RequestOptions, type WireEvent } from './transport.js';

export interface SerialConnectionOptions {
  /** Device path, e.g. `/dev/ttyUSB0`, `/dev/serial/by-id/...`, or a pty link. */
  path: string;
  /** Default 9600. */
  baudRate?: number;
  /** Default reply timeout per command (ms). Default 2000. */
  timeoutMs?: number;
  /** Appended to every command. Default CR LF. Replies are split on CR, LF or CR LF. */
  terminator?: string;
  /** Text encoding of the line protocol. Default `latin1` (bytes as they are). */
  encoding?: BufferEncoding;
  /** How long `open()` may take (ms). Default 3000. */
  openTimeoutMs?: number;
  /**
   * After a timeout, the next command waits this long (ms) before it is sent, and lines arriving
   * meanwhile are dropped: a late reply to the timed-out command must not be taken for the next
   * command's. Default: the reply timeout.
   */
  lateReplyGraceMs?: number;
}

interface Pending {
  command: string;
  lines: string[];
  isComplete: (line: string, soFar: readonly string[]) => boolean;
  resolve: (lines: string[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A line-oriented request/response connection over a serial port (node `serialport`):
 *
 * - one reader: incoming bytes are split into lines; a line goes to the command in flight, or is
 *   reported as unsolicited (and dropped) when none is;
 * - a queue: commands are sent one at a time, each waiting for its reply (many instruments, MT-SICS
 *   balances included, confuse replies when commands overlap);
 * - a timeout per command (`DeviceTimeoutError`);
 * - when the port closes under us (cable pulled, device off, pty gone) the command in flight and
 *   every later one fail with `DeviceDisconnectedError` until `reconnect()` succeeds.
 */
export class SerialConnection implements LineTransport {
  readonly path: string;
  readonly baudRate: number;
  readonly timeoutMs: number;
  readonly terminator: string;
  readonly encoding: BufferEncoding;
  readonly openTimeoutMs: number;
  private port: SerialPort | undefined;
  private readonly splitter = new LineSplitter();
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Why the port closed under us, until reconnected. */
  private lostReason: string | undefined;
  private listeners: Array<(e: WireEvent) => void> = [];
  readonly lateReplyGraceMs: number;
  /** After a timeout: no command is sent before this instant (late replies drain meanwhile). */
  private quietUntil = 0;

  constructor(opts: SerialConnectionOptions) {
    if (typeof opts?.path !== 'string' || opts.path.length === 0) throw new TypeError('SerialConnection: path must be a non-empty string');
    this.path = opts.path;
    this.baudRate = opts.baudRate ?? 9600;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.lateReplyGraceMs = opts.lateReplyGraceMs ?? this.timeoutMs;
    this.terminator = opts.terminator ?? '\r\n';
    this.encoding = opts.encoding ?? 'latin1';
    this.openTimeoutMs = opts.openTimeoutMs ?? 3000;
  }

  get description(): string {
    return this.path;
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true && this.lostReason === undefined;
  }

  /** True after the port closed under us, until `reconnect()` (or `open()`) succeeds. */
  get isDisconnected(): boolean {
    return this.lostReason !== undefined;
  }

  /** Every command, reply line and unsolicited line, as it happens; returns the unsubscribe function. */
  onWire(listener: (e: WireEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    await this.dropPort();
    let SerialPortClass: typeof SerialPort;
    try {
      SerialPortClass = await loadSerialPort();
    } catch (err) {
      throw new SerialOpenError(this.path, `${this.path}: cannot load the serialport package: ${(err as Error).message}`, { cause: err });
    }
    const port = new SerialPortClass({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SerialOpenError(this.path, `${this.path}: open did not finish within ${this.openTimeoutMs} ms`)), this.openTimeoutMs);
      port.open((err) => {
        clearTimeout(timer);
        if (err) reject(new SerialOpenError(this.path, `${this.path}: cannot open the serial port: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
    this.splitter.reset();
    this.lostReason = undefined;
    this.port = port;
    port.on('data', (chunk: Buffer) => this.onData(port, chunk));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => this.onPortGone(port, err ? err.message : 'port closed'));
    port.on('end', () => this.onPortGone(port, 'end of stream'));
    port.on('error', (err: Error) => this.onPortGone(port, err.message));
  }

  /** Closes the port on purpose; pending commands fail with ConnectionClosedError. */
  async close(): Promise<void> {
    this.failPending(new ConnectionClosedError(this.path, `${this.path}: connection closed`));
    this.lostReason = undefined;
    await this.dropPort();
  }

  /** Closes whatever is left of the port and opens it again (after the device came back). */
  async reconnect(): Promise<void> {
    this.failPending(new DeviceDisconnectedError(this.path, 'reconnecting', this.pending?.command));
    await this.dropPort();
    await this.open();
  }

  /**
   * Sends `command` (plus the terminator) and resolves with the reply line(s). Commands queue up:
   * one is in flight at a time. Lines arriving while no command is in flight are dropped.
   */
  request(command: string, opts: RequestOptions = {}): Promise<string[]> {
    const run = async () => {
      const wait = this.quietUntil - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return this.send(command, opts);
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private send(command: string, opts: RequestOptions): Promise<string[]> {
    const port = this.port;
    if (this.lostReason !== undefined) return Promise.reject(new DeviceDisconnectedError(this.path, this.lostReason, command));
    if (!port) return Promise.reject(new ConnectionClosedError(this.path, `${this.path}: not open (call open() or the backend's setup() first)`));
    if (!port.isOpen) {
      // Closing under us, before its 'close' event: we only drop `this.port` when closing on purpose.
      this.lostReason = 'port closed';
      return Promise.reject(new DeviceDisconnectedError(this.path, this.lostReason, command));
    }
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const want = opts.lines ?? 1;
    const isComplete = typeof want === 'number' ? (_l: string, soFar: readonly string[]) => soFar.length >= want : want;
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending?.timer === timer) this.pending = undefined;
        this.quietUntil = Date.now() + this.lateReplyGraceMs;
        reject(new DeviceTimeoutError(this.path, command, timeoutMs));
      }, timeoutMs);
      this.pending = { command, lines: [], isComplete, resolve, reject, timer };
      this.emit({ direction: 'tx', text: command, at: Date.now() });
      port.write(Buffer.from(command + this.terminator, this.encoding), (err) => {
        if (err && this.pending?.timer === timer) {
          this.pending = undefined;
          clearTimeout(timer);
          reject(new DeviceDisconnectedError(this.path, `write failed: ${err.message}`, command, { cause: err }));
        }
      });
    });
  }

  private onData(port: SerialPort, chunk: Buffer): void {
    if (port !== this.port) return;
    for (const line of this.splitter.push(chunk.toString(this.encoding))) {
      const p = this.pending;
      if (!p) {
        this.emit({ direction: 'unsolicited', text: line, at: Date.now() });
        continue;
      }
      this.emit({ direction: 'rx', text: line, at: Date.now() });
      p.lines.push(line);
      if (p.isComplete(line, p.lines)) {
        this.pending = undefined;
        clearTimeout(p.timer);
        p.resolve(p.lines);
      }
    }
  }

  private onPortGone(port: SerialPort, reason: string): void {
    if (port !== this.port) return; // an old port, or one we closed on purpose
    this.lostReason = reason;
    this.failPending(new DeviceDisconnectedError(this.path, reason, this.pending?.command));
    if (port.isOpen) port.close(() => undefined);
  }

  private failPending(err: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(err);
  }

  private async dropPort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port) return;
    port.removeAllListeners('data');
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port.removeAllListeners();
    port.on('error', () => undefined);
  }

  private emit(e: WireEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // observers never break the connection
      }
    }
  }
}
