/**
 * One backend command as it happened: emitted for every command a machine sends, successful or
 * not. JSON-safe (resource references are reduced to names), so the orchestrator can log and
 * stream it as is.
 */
export interface CommandEvent {
  /** The machine's name. */
  machine: string;
  /** The front-end operation, e.g. `aspirate`, `readAbsorbance`. */
  command: string;
  args: Record<string, unknown>;
  result?: unknown;
  error?: { name: string; message: string; channels?: number[] };
  /** Wall time spent in the backend (ms). */
  durationMs: number;
  /** The simulator's time model estimate of the physical duration (s), when it has one. */
  estimatedS?: number;
  /** Sequence number per machine. */
  seq: number;
  at: number;
}

export type CommandListener = (event: CommandEvent) => void;

/** What every backend has: a lifecycle, and optionally a time model estimate of its last command. */
export interface MachineBackend {
  setup(): Promise<void>;
  stop(): Promise<void>;
  /** Estimated physical duration (s) of the most recent command (simulators with a time model). */
  lastEstimateS?(): number | undefined;
  /** Optional description for events and logs. */
  readonly kind?: string;
}

export class MachineNotSetUpError extends Error {
  constructor(machine: string) {
    super(`${machine} is not set up: call setup() first`);
    this.name = 'MachineNotSetUpError';
  }
}

/**
 * Base of every machine front end: a backend, a setup state, and one `command()` wrapper through
 * which every backend call goes, timed and emitted as a CommandEvent to the listeners.
 */
export abstract class Machine<B extends MachineBackend = MachineBackend> {
  private listeners: CommandListener[] = [];
  private seq = 0;
  protected isSetUp = false;

  constructor(
    readonly name: string,
    readonly backend: B,
  ) {}

  get setupFinished(): boolean {
    return this.isSetUp;
  }

  /** Subscribes to command events; returns the unsubscribe function. */
  onCommand(listener: CommandListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  async setup(): Promise<void> {
    await this.command('setup', {}, () => this.backend.setup(), { requireSetup: false });
    this.isSetUp = true;
  }

  async stop(): Promise<void> {
    if (!this.isSetUp) return;
    try {
      await this.command('stop', {}, () => this.backend.stop(), { requireSetup: false });
    } finally {
      this.isSetUp = false;
    }
  }

  /**
   * Runs one backend call: emits an event with its arguments, result or error, and duration.
   * `args` must be JSON-safe. Errors are re-thrown unchanged.
   */
  protected async command<T>(command: string, args: Record<string, unknown>, call: () => Promise<T>, opts: { requireSetup?: boolean } = {}): Promise<T> {
    if ((opts.requireSetup ?? true) && !this.isSetUp) throw new MachineNotSetUpError(this.name);
    const t0 = performance.now();
    try {
      const result = await call();
      if (this.listeners.length) this.emit(command, args, t0, result, undefined);
      return result;
    } catch (err) {
      if (this.listeners.length) this.emit(command, args, t0, undefined, err);
      throw err;
    }
  }

  private emit(command: string, args: Record<string, unknown>, t0: number, result: unknown, err: unknown): void {
    const event: CommandEvent = {
      machine: this.name,
      command,
      args,
      durationMs: performance.now() - t0,
      seq: ++this.seq,
      at: Date.now(),
    };
    if (result !== undefined) event.result = result;
    if (err !== undefined) {
      const e = err as { name?: string; message?: string; channels?: number[] };
      event.error = { name: e.name ?? 'Error', message: e.message ?? String(err), ...(e.channels ? { channels: e.channels } : {}) };
    }
    const est = this.backend.lastEstimateS?.();
    if (est !== undefined) event.estimatedS = est;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener must never break a physical operation.
      }
    }
  }
}
