import { type LineProtocol, SerialDeviceServer } from './device-server.js';

export interface MettlerSicsSimulatorOptions {
  /** Largest load (g) before `S +`. Default 220. */
  capacityG?: number;
  /** Readability (g); replies carry as many decimals. Default 0.00001 (0.01 mg, a WXS205SDU). */
  resolutionG?: number;
  /** How far from the factory zero `Z` may set the zero point (g). Default 2 % of the capacity. */
  zeroRangeG?: number;
  /** Reported by `I4`. Default `B123456789`. */
  serialNumber?: string;
  /** How long Z, T and S wait for a stable reading before giving up with `<cmd> I` (ms). Default 150. */
  stabilityTimeoutMs?: number;
  /** Amplitude (g) of the wobble of immediate (`SI`) readings while unstable. Default 0.002. */
  wobbleG?: number;
}

/**
 * A Mettler Toledo balance speaking MT-SICS (Z, T, S, SI, I4, `@`), for serving over a pty with
 * `serve(path)`. The load is set with `placeLoad(grams)` (the total on the pan; negative = pan
 * lifted, which reads as underload `S -`); above the capacity every weighing replies `S +`.
 * `setStable(false)` makes the reading unstable: `SI` replies `S D ...`, and `S`, `Z`, `T` wait up
 * to `stabilityTimeoutMs` then reply `<cmd> I`. `failNext(command, reply)` replaces the next reply
 * to a command (`ES`, `ET`, `EL`, `S I`, ...), `muteNext(command)` leaves it unanswered.
 * Commands it does not know get `ES`, like a real balance.
 */
export class MettlerSicsSimulator implements LineProtocol {
  readonly capacityG: number;
  readonly resolutionG: number;
  readonly zeroRangeG: number;
  readonly serialNumber: string;
  readonly stabilityTimeoutMs: number;
  readonly wobbleG: number;
  /** Every command received, in order. */
  readonly log: string[] = [];
  private readonly decimals: number;
  private loadG = 0;
  private zeroPointG = 0;
  private tareG = 0;
  private stable = true;
  private stableWaiters: Array<() => void> = [];
  private wobble = 0;
  private readonly injected = new Map<string, Array<string | null>>();
  private server: SerialDeviceServer | undefined;

  constructor(opts: MettlerSicsSimulatorOptions = {}) {
    this.capacityG = opts.capacityG ?? 220;
    this.resolutionG = opts.resolutionG ?? 0.00001;
    this.zeroRangeG = opts.zeroRangeG ?? this.capacityG * 0.02;
    this.serialNumber = opts.serialNumber ?? 'B123456789';
    this.stabilityTimeoutMs = opts.stabilityTimeoutMs ?? 150;
    this.wobbleG = opts.wobbleG ?? 0.002;
    this.decimals = Math.max(0, Math.ceil(-Math.log10(this.resolutionG) - 1e-9));
  }

  get load(): number {
    return this.loadG;
  }

  get zeroPoint(): number {
    return this.zeroPointG;
  }

  get tareWeight(): number {
    return this.tareG;
  }

  /** Total load on the pan (g); negative means the pan is lifted (underload). */
  placeLoad(grams: number): void {
    if (!Number.isFinite(grams)) throw new RangeError(`placeLoad: grams must be a finite number, got ${grams}`);
    this.loadG = grams;
  }

  removeLoad(): void {
    this.loadG = 0;
  }

  /** Unstable readings (a draught, a moving load) until `setStable(true)`; waiting commands then complete. */
  setStable(stable: boolean): void {
    this.stable = stable;
    if (stable) for (const w of this.stableWaiters.splice(0)) w();
  }

  /** The next reply to `command` (e.g. `S`, `Z`) is `reply` instead of the real one. */
  failNext(command: string, reply: string): void {
    this.queue(command, reply);
  }

  /** The next `command` gets no reply at all (the host times out). */
  muteNext(command: string): void {
    this.queue(command, null);
  }

  /** Serves this protocol on the device side of a serial link (e.g. `PtyPair.devicePath`). */
  async serve(path: string, baudRate = 9600): Promise<SerialDeviceServer> {
    await this.server?.stop();
    this.server = await SerialDeviceServer.start(path, this, { baudRate, terminator: '\r\n' });
    return this.server;
  }

  /** Stops serving (the balance is switched off or unplugged). */
  async shutdown(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
    this.setStable(true);
  }

  async handle(line: string): Promise<string | null> {
    const cmd = line.trim();
    this.log.push(cmd);
    const name = cmd.split(/\s+/)[0];
    const queued = this.injected.get(name);
    if (queued?.length) {
      const r = queued.shift()!;
      return r;
    }
    switch (cmd) {
      case '@':
        this.tareG = 0;
        return `I4 A "${this.serialNumber}"`;
      case 'I4':
        return `I4 A "${this.serialNumber}"`;
      case 'SI': {
        const limit = this.limitFlag();
        if (limit) return `S ${limit}`;
        if (this.stable) return `S S ${this.format(this.net())} g`;
        this.wobble = (this.wobble + 1) % 5;
        return `S D ${this.format(this.net() + ((this.wobble - 2) / 2) * this.wobbleG)} g`;
      }
      case 'S': {
        if (!(await this.waitStable())) return 'S I';
        const limit = this.limitFlag();
        return limit ? `S ${limit}` : `S S ${this.format(this.net())} g`;
      }
      case 'Z': {
        if (!(await this.waitStable())) return 'Z I';
        if (this.loadG > this.capacityG || this.loadG > this.zeroRangeG) return 'Z +';
        if (this.loadG < -this.zeroRangeG) return 'Z -';
        this.zeroPointG = this.loadG;
        this.tareG = 0;
        return 'Z A';
      }
      case 'T': {
        if (!(await this.waitStable())) return 'T I';
        if (this.loadG > this.capacityG) return 'T +';
        const gross = this.loadG - this.zeroPointG;
        if (this.loadG < 0 || gross < -this.resolutionG / 2) return 'T -';
        this.tareG = this.quantize(gross);
        return `T S ${this.format(this.tareG)} g`;
      }
      default:
        return 'ES';
    }
  }

  private queue(command: string, reply: string | null): void {
    const q = this.injected.get(command) ?? [];
    q.push(reply);
    this.injected.set(command, q);
  }

  private limitFlag(): '+' | '-' | undefined {
    if (this.loadG > this.capacityG) return '+';
    if (this.loadG < 0) return '-';
    return undefined;
  }

  private net(): number {
    return this.loadG - this.zeroPointG - this.tareG;
  }

  private waitStable(): Promise<boolean> {
    if (this.stable) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.stableWaiters = this.stableWaiters.filter((w) => w !== done);
        resolve(false);
      }, this.stabilityTimeoutMs);
      this.stableWaiters.push(done);
    });
  }

  private quantize(v: number): number {
    const q = Number((Math.round(v / this.resolutionG) * this.resolutionG).toFixed(this.decimals));
    return q === 0 ? 0 : q;
  }

  /** Right-aligned in a 10-character field, as MT-SICS weight values are. */
  private format(v: number): string {
    return this.quantize(v).toFixed(this.decimals).padStart(10);
  }
}
