/**
 * The line-oriented request/response transport the serial backends talk through. The real one is
 * `SerialConnection`; `capture/` wraps it to record exchanges and replays recordings in its place.
 */

export interface RequestOptions {
  /** Reply timeout (ms) for this command; the transport's default when omitted. */
  timeoutMs?: number;
  /**
   * How many reply lines make up the reply (default 1), or a predicate telling, for each line
   * received, whether the reply is complete (e.g. until a line says "Initialization complete").
   */
  lines?: number | ((line: string, soFar: readonly string[]) => boolean);
}

/** One event on the wire, in order: a command sent, a reply line received, or a line nobody asked for. */
export interface WireEvent {
  direction: 'tx' | 'rx' | 'unsolicited';
  text: string;
  /** `Date.now()` when it happened. */
  at: number;
}

export interface LineTransport {
  /** Human-readable endpoint (the port path) used in error messages. */
  readonly description: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Closes (if needed) and opens again, e.g. after the device came back. */
  reconnect(): Promise<void>;
  /** Sends one command line and resolves with its reply lines (one command in flight at a time). */
  request(command: string, opts?: RequestOptions): Promise<string[]>;
}

/** Options every serial backend takes besides its connection config. */
export interface SerialBackendOptions {
  /** Replaces the SerialConnection the backend would open from its config (e.g. a replay). */
  transport?: LineTransport;
  /** Wraps the backend's transport (e.g. in a capture `RecordingTransport`). */
  wrapTransport?: (transport: LineTransport) => LineTransport;
  /** Name in error messages. */
  label?: string;
}

/** Splits a byte stream into lines on CR, LF or CR LF; empty lines are dropped. */
export class LineSplitter {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk;
    const parts = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = parts.pop() ?? '';
    return parts.filter((p) => p.length > 0);
  }

  /** Drops a partial line (after a reconnect). */
  reset(): void {
    this.buffer = '';
  }
}
