import { setTimeout as sleep } from 'node:timers/promises';
import type { HeaterShakerBackend, ShakeParams, WaitForTemperatureParams } from '../../machines/heater-shaker/backend.js';
import { NoTargetTemperatureError, PlateNotLockedError, ShakingError, TemperatureTimeoutError } from '../../machines/heater-shaker/errors.js';
import { requireNumber } from '../../machines/shared/machine-errors.js';
import { DeviceProtocolError } from './errors.js';
import { SerialConnection } from './serial-connection.js';
import type { LineTransport, SerialBackendOptions } from './transport.js';

// Q.Instruments BioShake (e.g. BioShake 3000 elm, D30-T elm) RS-232 ASCII protocol, as published in
// the BioShake interface manual and used by PyLabRobot: 9600 baud 8N1, commands terminated by CR,
// one reply line per command: "ok" (done), a value ("37.0"), "e" (the device is in an error state or
// refused the command), or "u -> <command>" (unknown command).
//   shakeGoHome                 home the shaker
//   getTempMin / getTempMax     temperature range (°C)        getShakeMinRpm / getShakeMaxRpm
//   setTempTarget<tenths °C>    e.g. setTempTarget370         tempOn / tempOff
//   getTempActual               current temperature (°C)
//   setShakeTargetSpeed<rpm>    shakeOn / shakeOff            getShakeActualSpeed (rpm)
//   setElmLockPos / setElmUnlockPos   close / open the edge locking mechanism (plate lock)

/** `qinstruments-bioshake-serial` connection config. */
export interface BioShakeSerialConfig {
  /** Serial device path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/... */
  port: string;
  /** Fixed at 9600 by the device. */
  baudRate?: number;
  /** Reply timeout (ms). Default 5000 (homing takes a few seconds). */
  timeoutMs?: number;
  /** Home the shaker (`shakeGoHome`) at setup. Default true. */
  homeOnSetup?: boolean;
  /** How often `waitForTemperature` reads the temperature (ms). Default 1000. */
  pollIntervalMs?: number;
}

/** The device answered `e` (error state, or the command was refused in its current state). */
export class BioShakeError extends Error {
  readonly command: string;
  readonly reply: string;

  constructor(label: string, command: string, reply: string) {
    super(`${label}: ${command} refused: the device replied ${JSON.stringify(reply)} (error state or command not allowed now)`);
    this.name = new.target.name;
    this.command = command;
    this.reply = reply;
  }
}

/** The device answered `u -> ...`: it does not know the command (another model or firmware). */
export class BioShakeUnsupportedError extends BioShakeError {}

/**
 * A Q.Instruments BioShake heater-shaker with edge locking mechanism (ELM) over RS-232. Reads the
 * temperature and speed ranges from the device at setup and checks arguments against them;
 * refuses to shake with the plate unlocked and to unlock while shaking (as far as it knows: the
 * lock state is tracked from its own commands, unlocked at setup).
 */
export class BioShakeHeaterShakerBackend implements HeaterShakerBackend {
  readonly kind = 'qinstruments-bioshake-serial';
  readonly label: string;
  readonly transport: LineTransport;
  readonly homeOnSetup: boolean;
  readonly pollIntervalMs: number;
  /** Device limits read at setup. */
  limits = { minTemperatureC: 0, maxTemperatureC: 99, minSpeedRpm: 200, maxSpeedRpm: 3000 };
  private target: number | null = null;
  private locked = false;
  private speed = 0;

  constructor(config: BioShakeSerialConfig, opts: SerialBackendOptions = {}) {
    const transport = opts.transport ?? new SerialConnection({ path: config.port, baudRate: config.baudRate ?? 9600, timeoutMs: config.timeoutMs ?? 5000, terminator: '\r' });
    this.transport = opts.wrapTransport ? opts.wrapTransport(transport) : transport;
    this.label = opts.label ?? `BioShake on ${config.port}`;
    this.homeOnSetup = config.homeOnSetup ?? true;
    this.pollIntervalMs = config.pollIntervalMs ?? 1000;
  }

  async setup(): Promise<void> {
    if (!this.transport.isOpen) await this.transport.open();
    this.target = null;
    this.locked = false;
    this.speed = 0;
    if (this.homeOnSetup) await this.ok('shakeGoHome');
    this.limits = {
      minTemperatureC: await this.number('getTempMin'),
      maxTemperatureC: await this.number('getTempMax'),
      minSpeedRpm: await this.number('getShakeMinRpm'),
      maxSpeedRpm: await this.number('getShakeMaxRpm'),
    };
  }

  /** Stops shaking and heating (when still reachable) and closes the port. */
  async stop(): Promise<void> {
    try {
      if (this.transport.isOpen) {
        await this.ok('shakeOff');
        await this.ok('tempOff');
      }
    } finally {
      this.speed = 0;
      this.target = null;
      await this.transport.close();
    }
  }

  /** Closes and reopens the port (after the device came back) and sets up again. */
  async reconnect(): Promise<void> {
    await this.transport.reconnect();
    await this.setup();
  }

  async setTemperature(celsius: number): Promise<void> {
    const c = requireNumber(this.label, 'celsius', celsius, { min: this.limits.minTemperatureC, max: this.limits.maxTemperatureC, unit: '°C' });
    await this.ok(`setTempTarget${Math.round(c * 10)}`);
    await this.ok('tempOn');
    this.target = Math.round(c * 10) / 10;
  }

  async getTemperature(): Promise<number> {
    return this.number('getTempActual');
  }

  async waitForTemperature(params: WaitForTemperatureParams): Promise<number> {
    const tolerance = requireNumber(this.label, 'tolerance', params?.tolerance, { min: 0, minExclusive: true, unit: '°C' });
    const timeoutS = requireNumber(this.label, 'timeoutS', params?.timeoutS, { min: 0, unit: 's' });
    if (this.target === null) throw new NoTargetTemperatureError(this.label, 'the heater is off: no target temperature to wait for');
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
      const t = await this.getTemperature();
      if (Math.abs(t - this.target) <= tolerance) return t;
      if (Date.now() + this.pollIntervalMs > deadline) {
        throw new TemperatureTimeoutError(this.label, `temperature ${t} °C not within ${tolerance} °C of ${this.target} °C after ${timeoutS} s`);
      }
      await sleep(this.pollIntervalMs);
    }
  }

  async deactivateHeater(): Promise<void> {
    await this.ok('tempOff');
    this.target = null;
  }

  async lockPlate(): Promise<void> {
    await this.ok('setElmLockPos');
    this.locked = true;
  }

  async unlockPlate(): Promise<void> {
    if (this.speed > 0) throw new ShakingError(this.label, `cannot unlock the plate while shaking at ${this.speed} rpm`);
    await this.ok('setElmUnlockPos');
    this.locked = false;
  }

  async shake(params: ShakeParams): Promise<void> {
    const speedRpm = requireNumber(this.label, 'speedRpm', params?.speedRpm, { min: this.limits.minSpeedRpm, max: this.limits.maxSpeedRpm, integer: true, unit: 'rpm' });
    const durationS = params.durationS === undefined ? undefined : requireNumber(this.label, 'durationS', params.durationS, { min: 0, minExclusive: true, unit: 's' });
    if (!this.locked) throw new PlateNotLockedError(this.label, 'cannot shake with the plate unlocked');
    await this.ok(`setShakeTargetSpeed${speedRpm}`);
    await this.ok('shakeOn');
    this.speed = speedRpm;
    if (durationS === undefined) return;
    await sleep(durationS * 1000);
    await this.stopShaking();
  }

  async stopShaking(): Promise<void> {
    await this.ok('shakeOff');
    this.speed = 0;
  }

  async getShakingSpeed(): Promise<number> {
    const rpm = await this.number('getShakeActualSpeed');
    this.speed = rpm;
    return rpm;
  }

  private async send(cmd: string): Promise<string> {
    const [reply] = await this.transport.request(cmd);
    const r = reply.trim();
    if (r.startsWith('u ->')) throw new BioShakeUnsupportedError(this.label, cmd, r);
    if (r === 'e' || /^e\b/.test(r)) throw new BioShakeError(this.label, cmd, r);
    return r;
  }

  private async ok(cmd: string): Promise<void> {
    const r = await this.send(cmd);
    if (r.toLowerCase() !== 'ok') throw new DeviceProtocolError(this.transport.description, cmd, r, '"ok"');
  }

  private async number(cmd: string): Promise<number> {
    const r = await this.send(cmd);
    const v = Number(r);
    if (r === '' || !Number.isFinite(v)) throw new DeviceProtocolError(this.transport.description, cmd, r, 'a number');
    return v;
  }
}
