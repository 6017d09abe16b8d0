import { readFileSync, writeFileSync } from 'node:fs';
import { DeviceDisconnectedError, DeviceTimeoutError, SerialTransportError } from '../backends/serial/errors.js';
import type { LineTransport, RequestOptions } from '../backends/serial/transport.js';

export const RECORDING_FORMAT = 'praxis-serial-capture/1';

/** One line on the wire: what was sent (`tx`) or received (`rx`), as text and bytes (latin1 hex). */
export interface RecordedLine {
  direction: 'tx' | 'rx';
  text: string;
  hex: string;
  /** ms since the recording started. */
  atMs: number;
}

/** One command and what came back: its reply lines, or the error it ended with. */
export interface RecordedExchange {
  seq: number;
  command: string;
  lines: RecordedLine[];
  /** ms from sending to the reply (or the error). */
  durationMs: number;
  error?: { name: string; message: string };
}

export interface Recording {
  format: typeof RECORDING_FORMAT;
  /** The endpoint recorded, e.g. the port path. */
  description: string;
  startedAt: string;
  exchanges: RecordedExchange[];
}

const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

export function loadRecording(file: string): Recording {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Recording;
  if (r?.format !== RECORDING_FORMAT || !Array.isArray(r.exchanges)) throw new Error(`${file}: not a ${RECORDING_FORMAT} recording`);
  return r;
}

export function saveRecording(file: string, recording: Recording): void {
  writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
}

/**
 * Wraps a transport and records every exchange (command, reply lines, errors, timing). Give it to
 * a backend with `wrapTransport`: `createSerialBackend(name, config, { wrapTransport: (t) => new
 * RecordingTransport(t, { file }) })`. With `file`, the recording is written after every exchange
 * and at close; `save(file)` writes it on demand.
 */
export class RecordingTransport implements LineTransport {
  readonly inner: LineTransport;
  readonly file: string | undefined;
  private readonly t0 = performance.now();
  private readonly data: Recording;

  constructor(inner: LineTransport, opts: { file?: string } = {}) {
    this.inner = inner;
    this.file = opts.file;
    this.data = { format: RECORDING_FORMAT, description: inner.description, startedAt: new Date().toISOString(), exchanges: [] };
  }

  get description(): string {
    return this.inner.description;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  /** The recording so far (a copy). */
  get recording(): Recording {
    return structuredClone(this.data);
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  async close(): Promise<void> {
    await this.inner.close();
    if (this.file) this.save();
  }

  reconnect(): Promise<void> {
    return this.inner.reconnect();
  }

  async request(command: string, opts?: RequestOptions): Promise<string[]> {
    const sent = this.now();
    const ex: RecordedExchange = { seq: this.data.exchanges.length + 1, command, lines: [{ direction: 'tx', text: command, hex: hex(command), atMs: sent }], durationMs: 0 };
    this.data.exchanges.push(ex);
    try {
      const lines = await this.inner.request(command, opts);
      const at = this.now();
      for (const l of lines) ex.lines.push({ direction: 'rx', text: l, hex: hex(l), atMs: at });
      ex.durationMs = at - sent;
      return lines;
    } catch (err) {
      ex.durationMs = this.now() - sent;
      const e = err as Error;
      ex.error = { name: e?.name ?? 'Error', message: e?.message ?? String(err) };
      throw err;
    } finally {
      if (this.file) this.save();
    }
  }

  save(file = this.file): void {
    if (!file) throw new Error('RecordingTransport.save: no file given');
    saveRecording(file, this.data);
  }

  private now(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }
}

/** A command that does not match the recording being replayed. */
export class ReplayMismatchError extends Error {
  readonly seq: number;
  readonly expected: string | undefined;
  readonly actual: string;

  constructor(description: string, seq: number, expected: string | undefined, actual: string, total: number) {
    super(
      expected === undefined
        ? `replay of ${description}: command #${seq} ${JSON.stringify(actual)} was sent after the recording ended (it has ${total} exchanges)`
        : `replay of ${description}: command #${seq} mismatch: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
    this.name = 'ReplayMismatchError';
    this.seq = seq;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Thrown by `assertComplete()` when recorded commands were never sent. */
export class ReplayIncompleteError extends Error {
  constructor(description: string, remaining: RecordedExchange[]) {
    super(`replay of ${description}: ${remaining.length} recorded command(s) never sent, next expected ${JSON.stringify(remaining[0]?.command)} (#${remaining[0]?.seq})`);
    this.name = 'ReplayIncompleteError';
  }
}

/**
 * Stands in for the device: serves a recording, in order. Each command must be the one recorded
 * next, else `ReplayMismatchError` names the expected and the actual command; the reply is the
 * recorded one, and recorded timeouts and disconnects are thrown again as such. `realTime` waits
 * the recorded durations. `assertComplete()` checks every recorded command was sent.
 */
export class ReplayTransport implements LineTransport {
  readonly recording: Recording;
  readonly realTime: boolean;
  private next = 0;
  private open_ = false;

  constructor(recording: Recording, opts: { realTime?: boolean } = {}) {
    if (recording?.format !== RECORDING_FORMAT) throw new Error(`not a ${RECORDING_FORMAT} recording`);
    this.recording = recording;
    this.realTime = opts.realTime ?? false;
  }

  static fromFile(file: string, opts: { realTime?: boolean } = {}): ReplayTransport {
    return new ReplayTransport(loadRecording(file), opts);
  }

  get description(): string {
    return `${this.recording.description} (recorded ${this.recording.startedAt})`;
  }

  get isOpen(): boolean {
    return this.open_;
  }

  /** Exchanges served so far. */
  get position(): number {
    return this.next;
  }

  async open(): Promise<void> {
    this.open_ = true;
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  async reconnect(): Promise<void> {
    this.open_ = true;
  }

  async request(command: string): Promise<string[]> {
    const ex = this.recording.exchanges[this.next];
    const seq = this.next + 1;
    if (!ex) throw new ReplayMismatchError(this.description, seq, undefined, command, this.recording.exchanges.length);
    if (ex.command !== command) throw new ReplayMismatchError(this.description, seq, ex.command, command, this.recording.exchanges.length);
    this.next++;
    if (this.realTime && ex.durationMs > 0) await new Promise((r) => setTimeout(r, ex.durationMs));
    if (ex.error) throw this.recreate(ex);
    return ex.lines.filter((l) => l.direction === 'rx').map((l) => l.text);
  }

  assertComplete(): void {
    const rest = this.recording.exchanges.slice(this.next);
    if (rest.length) throw new ReplayIncompleteError(this.description, rest);
  }

  private recreate(ex: RecordedExchange): Error {
    const port = this.recording.description;
    const e = ex.error!;
    if (e.name === 'DeviceTimeoutError') return new DeviceTimeoutError(port, ex.command, ex.durationMs);
    if (e.name === 'DeviceDisconnectedError') return new DeviceDisconnectedError(port, `recorded: ${e.message}`, ex.command);
    const err = new SerialTransportError(port, e.message);
    err.name = e.name;
    return err;
  }
}
