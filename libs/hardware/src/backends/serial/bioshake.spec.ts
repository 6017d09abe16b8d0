import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { HeaterShaker, NoTargetTemperatureError, PlateNotLockedError, ShakingError, TemperatureTimeoutError } from '../../machines/heater-shaker/index.js';
import { MachineArgumentError } from '../../machines/shared/machine-errors.js';
import { BioShakeError, BioShakeHeaterShakerBackend, BioShakeUnsupportedError } from './bioshake.js';
import { BioShakeSimulator } from './bioshake-simulator.js';
import { DeviceDisconnectedError } from './errors.js';
import { createSerialBackend } from './factory.js';
import { PtyPair } from './pty-pair.js';

describe('BioShakeHeaterShakerBackend through HeaterShaker over a socat pty', () => {
  let pty: PtyPair;
  let sim: BioShakeSimulator;
  let hs: HeaterShaker;
  let backend: BioShakeHeaterShakerBackend;

  beforeEach(async () => {
    pty = await PtyPair.open();
    sim = new BioShakeSimulator({ timeConstantMs: 100, maxTemperatureC: 99 });
    await sim.serve(pty.devicePath);
    backend = createSerialBackend('qinstruments-bioshake-serial', { port: pty.hostPath, timeoutMs: 500, pollIntervalMs: 20 });
    hs = new HeaterShaker('shaker', backend);
    await hs.setup();
  });

  afterEach(async () => {
    await hs.stop().catch(() => undefined);
    await backend.stop().catch(() => undefined);
    await sim.shutdown();
    await pty.close();
  });

  afterAll(() => PtyPair.closeAll());

  it('homes at setup and reads the device limits', () => {
    expect(backend.kind).toBe('qinstruments-bioshake-serial');
    expect(sim.log).toEqual(['shakeGoHome', 'getTempMin', 'getTempMax', 'getShakeMinRpm', 'getShakeMaxRpm']);
    expect(backend.limits).toEqual({ minTemperatureC: 0, maxTemperatureC: 99, minSpeedRpm: 200, maxSpeedRpm: 3000 });
  });

  it('heats to a target and waits for it', async () => {
    await hs.setTemperature(37);
    expect(sim.log.slice(-2)).toEqual(['setTempTarget370', 'tempOn']);
    const t = await hs.waitForTemperature({ tolerance: 0.5, timeoutS: 3 });
    expect(Math.abs(t - 37)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((await hs.getTemperature()) - 37)).toBeLessThanOrEqual(0.5);
    await hs.deactivateHeater();
    expect(sim.targetC).toBeNull();
  });

  it('times out waiting for a temperature it cannot reach in time', async () => {
    const slow = new BioShakeSimulator({ timeConstantMs: 60000 });
    await sim.shutdown();
    sim = slow;
    await sim.serve(pty.devicePath);
    await hs.setTemperature(90);
    await expect(hs.waitForTemperature({ tolerance: 0.5, timeoutS: 0.1 })).rejects.toBeInstanceOf(TemperatureTimeoutError);
    await expect(backend.waitForTemperature({ tolerance: 0, timeoutS: 1 })).rejects.toBeInstanceOf(MachineArgumentError);
  });

  it('locks, shakes, reports the speed, stops and unlocks', async () => {
    await hs.lockPlate();
    expect(sim.isLocked).toBe(true);
    await hs.shake({ speedRpm: 1200 });
    expect(sim.speedRpm).toBe(1200);
    expect(await hs.getShakingSpeed()).toBe(1200);
    await expect(backend.unlockPlate()).rejects.toBeInstanceOf(ShakingError);
    await hs.stopShaking();
    expect(await hs.getShakingSpeed()).toBe(0);
    await hs.shake({ speedRpm: 500, durationS: 0.05 });
    expect(sim.speedRpm).toBe(0);
    expect(sim.log.filter((c) => c.startsWith('shakeO'))).toEqual(['shakeOn', 'shakeOff', 'shakeOn', 'shakeOff']);
    await hs.unlockPlate();
    expect(sim.isLocked).toBe(false);
  });

  it('enforces its own rules and the device limits', async () => {
    await expect(backend.shake({ speedRpm: 1000 })).rejects.toBeInstanceOf(PlateNotLockedError);
    await expect(backend.waitForTemperature({ tolerance: 1, timeoutS: 1 })).rejects.toBeInstanceOf(NoTargetTemperatureError);
    await hs.lockPlate();
    await expect(backend.shake({ speedRpm: 3500 })).rejects.toThrow(/speedRpm must be an integer between 200 and 3000 rpm/);
    await expect(backend.setTemperature(100)).rejects.toBeInstanceOf(MachineArgumentError);
  });

  it('maps "e" and "u ->" replies to typed errors', async () => {
    sim.failNext('setElmLockPos', 'e');
    const e = await hs.lockPlate().catch((x: Error) => x);
    expect(e).toBeInstanceOf(BioShakeError);
    expect((e as Error).message).toBe(`BioShake on ${pty.hostPath}: setElmLockPos refused: the device replied "e" (error state or command not allowed now)`);
    expect(hs.isLocked).toBe(false);
    sim.failNext('getTempActual', 'u -> getTempActual');
    await expect(hs.getTemperature()).rejects.toBeInstanceOf(BioShakeUnsupportedError);
  });

  it('fails with DeviceDisconnectedError when unplugged and reconnects when back', async () => {
    await hs.setTemperature(30);
    await sim.shutdown();
    await pty.unplug();
    await expect(hs.getTemperature()).rejects.toBeInstanceOf(DeviceDisconnectedError);
    await pty.replug();
    await sim.serve(pty.devicePath);
    await backend.reconnect();
    expect(typeof (await hs.getTemperature())).toBe('number');
  });
});
