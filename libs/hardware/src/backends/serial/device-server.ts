import type { SerialPort } from 'serialport';
import { loadSerialPort } from './serialport-loader.js';
import { LineSplitter } from './transport.js';

/** A device's protocol: one command line in, zero or more reply lines out. */
export interface LineProtocol {
  /** Replies to one command line: a line, several lines, or nothing (null/undefined/[]). */
  handle(command: string): string | string[] | null | undefined | Promise<string | string[] | null | undefined>;
}

export interface SerialDeviceServerOptions {
  /** Default 9600. */
  baudRate?: number;
  /** Appended to every reply line. Default CR LF. Commands are split on CR, LF or CR LF. */
  terminator?: string;
  /** Default `latin1`. */
  encoding?: BufferEncoding;
}

/**
 * Serves a `LineProtocol` on the device end of a serial link (in tests, the device side of a
 * `PtyPair`): reads command lines, hands each to the protocol in order, writes its replies.
 * `stop()` closes the device side (the simulator is switched off).
 */
export class SerialDeviceServer {
  readonly path: string;
  readonly protocol: LineProtocol;
  /** Every command line received, in order. */
  readonly received: string[] = [];
  private readonly opts: Required<SerialDeviceServerOptions>;
  private port: SerialPort | undefined;
  private readonly splitter = new LineSplitter();
  private chain: Promise<void> = Promise.resolve();
  private lastError: unknown;

  constructor(path: string, protocol: LineProtocol, opts: SerialDeviceServerOptions = {}) {
    this.path = path;
    this.protocol = protocol;
    this.opts = { baudRate: opts.baudRate ?? 9600, terminator: opts.terminator ?? '\r\n', encoding: opts.encoding ?? 'latin1' };
  }

  /** Opens `path` and starts serving; resolves when the port is open. */
  static async start(path: string, protocol: LineProtocol, opts: SerialDeviceServerOptions = {}): Promise<SerialDeviceServer> {
    const s = new SerialDeviceServer(path, protocol, opts);
    await s.start();
    return s;
  }

  get running(): boolean {
    return this.port?.isOpen === true;
  }

  /** The last error the protocol threw (it is otherwise swallowed: a device does not crash). */
  get error(): unknown {
    return this.lastError;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const SerialPortClass = await loadSerialPort();
    const port = new SerialPortClass({ path: this.path, baudRate: this.opts.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.splitter.reset();
    port.on('error', () => undefined);
    port.on('data', (chunk: Buffer) => {
      for (const line of this.splitter.push(chunk.toString(this.opts.encoding))) {
        this.received.push(line);
        this.chain = this.chain.then(() => this.serve(port, line));
      }
    });
    this.port = port;
  }

  /** Closes the device side. */
  async stop(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Writes an unsolicited line (a device announcing something). */
  async send(line: string): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new Error(`${this.path}: device side not open`);
    await new Promise<void>((resolve, reject) => port.write(Buffer.from(line + this.opts.terminator, this.opts.encoding), (err) => (err ? reject(err) : resolve())));
  }

  private async serve(port: SerialPort, line: string): Promise<void> {
    let reply: string | string[] | null | undefined;
    try {
      reply = await this.protocol.handle(line);
    } catch (err) {
      this.lastError = err;
      return;
    }
    if (reply === null || reply === undefined || !port.isOpen) return;
    const lines = Array.isArray(reply) ? reply : [reply];
    if (lines.length === 0) return;
    const data = lines.map((l) => l + this.opts.terminator).join('');
    await new Promise<void>((resolve) => port.write(Buffer.from(data, this.opts.encoding), () => resolve()));
  }
}
