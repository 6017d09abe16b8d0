import { type LineProtocol, SerialDeviceServer } from './device-server.js';

export interface BioShakeSimulatorOptions {
  /** °C. Defaults 0 and 99. */
  minTemperatureC?: number;
  maxTemperatureC?: number;
  /** rpm. Defaults 200 and 3000. */
  minSpeedRpm?: number;
  maxSpeedRpm?: number;
  /** Room temperature (°C). Default 22. */
  ambientC?: number;
  /** Time constant (ms, real time) of the first-order approach to the target. Default 200 (fast, for tests). */
  timeConstantMs?: number;
}

/**
 * A Q.Instruments BioShake (with edge locking mechanism) speaking its RS-232 ASCII protocol, for
 * serving over a pty with `serve(path)`. The temperature follows a first-order model in real time
 * (fast by default). Replies `e` to: a target out of range, shaking with the ELM unlocked, moving
 * the ELM while shaking; `u -> <cmd>` to unknown commands. `failNext(command, reply)` and
 * `muteNext(command)` inject faults (command = the name without its number, e.g. `setTempTarget`).
 */
export class BioShakeSimulator implements LineProtocol {
  readonly opts: Required<BioShakeSimulatorOptions>;
  readonly log: string[] = [];
  private target: number | null = null;
  private setPoint = 37;
  private anchorC: number;
  private anchorMs = Date.now();
  private locked = false;
  private targetSpeed = 0;
  private shaking = false;
  private readonly injected = new Map<string, Array<string | null>>();
  private server: SerialDeviceServer | undefined;

  constructor(opts: BioShakeSimulatorOptions = {}) {
    this.opts = { minTemperatureC: 0, maxTemperatureC: 99, minSpeedRpm: 200, maxSpeedRpm: 3000, ambientC: 22, timeConstantMs: 200, ...opts };
    this.anchorC = this.opts.ambientC;
  }

  get temperatureC(): number {
    const goal = this.target ?? this.opts.ambientC;
    return goal + (this.anchorC - goal) * Math.exp(-(Date.now() - this.anchorMs) / this.opts.timeConstantMs);
  }

  get isLocked(): boolean {
    return this.locked;
  }

  get speedRpm(): number {
    return this.shaking ? this.targetSpeed : 0;
  }

  get targetC(): number | null {
    return this.target;
  }

  failNext(command: string, reply: string): void {
    this.queue(command, reply);
  }

  muteNext(command: string): void {
    this.queue(command, null);
  }

  async serve(path: string): Promise<SerialDeviceServer> {
    await this.server?.stop();
    this.server = await SerialDeviceServer.start(path, this, { baudRate: 9600, terminator: '\r\n' });
    return this.server;
  }

  async shutdown(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  handle(line: string): string | null {
    const cmd = line.trim();
    this.log.push(cmd);
    const m = /^([A-Za-z]+?)(-?\d+)?$/.exec(cmd);
    const name = m?.[1] ?? cmd;
    const queued = this.injected.get(name);
    if (queued?.length) return queued.shift()!;
    const arg = m?.[2] === undefined ? undefined : Number(m[2]);
    const o = this.opts;
    switch (name) {
      case 'shakeGoHome':
        this.shaking = false;
        return 'ok';
      case 'getTempMin':
        return String(o.minTemperatureC);
      case 'getTempMax':
        return String(o.maxTemperatureC);
      case 'getShakeMinRpm':
        return String(o.minSpeedRpm);
      case 'getShakeMaxRpm':
        return String(o.maxSpeedRpm);
      case 'setTempTarget':
        if (arg === undefined || arg < o.minTemperatureC * 10 || arg > o.maxTemperatureC * 10) return 'e';
        this.setPoint = arg / 10;
        if (this.target !== null) this.changeTarget(this.setPoint);
        return 'ok';
      case 'getTempTarget':
        return this.setPoint.toFixed(1);
      case 'tempOn':
        this.changeTarget(this.setPoint);
        return 'ok';
      case 'tempOff':
        this.changeTarget(null);
        return 'ok';
      case 'getTempActual':
        return this.temperatureC.toFixed(1);
      case 'setShakeTargetSpeed':
        if (arg === undefined || arg < o.minSpeedRpm || arg > o.maxSpeedRpm) return 'e';
        this.targetSpeed = arg;
        return 'ok';
      case 'shakeOn':
        if (!this.locked || this.targetSpeed === 0) return 'e';
        this.shaking = true;
        return 'ok';
      case 'shakeOff':
        this.shaking = false;
        return 'ok';
      case 'getShakeActualSpeed':
        return String(this.speedRpm);
      case 'setElmLockPos':
      case 'setElmUnlockPos':
        if (this.shaking) return 'e';
        this.locked = name === 'setElmLockPos';
        return 'ok';
      default:
        return `u -> ${cmd}`;
    }
  }

  private changeTarget(target: number | null): void {
    this.anchorC = this.temperatureC;
    this.anchorMs = Date.now();
    this.target = target;
  }

  private queue(command: string, reply: string | null): void {
    const q = this.injected.get(command) ?? [];
    q.push(reply);
    this.injected.set(command, q);
  }
}
