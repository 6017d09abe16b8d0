import { describe, expect, it } from '@jest/globals';
import { ResourceHolder } from '../../resources/carrier.js';
import { Well } from '../../resources/container.js';
import { createGrid } from '../../resources/itemized.js';
import { Plate } from '../../resources/plate.js';
import { type CommandEvent, MachineNotSetUpError } from '../machine.js';
import { MachineArgumentError, MachineStateError, SimulatedFailureError } from '../shared/machine-errors.js';
import {
  HeaterShaker,
  HeaterShakerSimulator,
  NoTargetTemperatureError,
  PlateLockedError,
  PlateNotLockedError,
  ShakingError,
  TemperatureTimeoutError,
} from './index.js';

function makePlate(name: string): Plate {
  return new Plate({
    name,
    sizeX: 127.76,
    sizeY: 85.48,
    sizeZ: 14.2,
    grid: createGrid({
      prefix: name,
      numItemsX: 3,
      numItemsY: 2,
      dx: 10,
      dy: 7,
      dz: 1,
      itemDx: 9,
      itemDy: 9,
      make: (n) => new Well({ name: n, sizeX: 6.9, sizeY: 6.9, sizeZ: 10.7, maxVolume: 360 }),
    }),
  });
}

function rig(opts: ConstructorParameters<typeof HeaterShaker>[2] = {}) {
  const sim = new HeaterShakerSimulator();
  const hs = new HeaterShaker('hhs', sim, opts);
  const events: CommandEvent[] = [];
  hs.onCommand((e) => events.push(e));
  return { sim, hs, events };
}

async function ready(opts: ConstructorParameters<typeof HeaterShaker>[2] = {}) {
  const r = rig(opts);
  await r.hs.setup();
  r.events.length = 0;
  return r;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** First-order model with the default constants. */
const approach = (from: number, to: number, seconds: number, tau = 120) => to + (from - to) * Math.exp(-seconds / tau);

describe('HeaterShaker', () => {
  it('exposes a plate holder named after the machine', () => {
    const { hs } = rig();
    expect(hs.plateHolder).toBeInstanceOf(ResourceHolder);
    expect(hs.plateHolder.name).toBe('hhs_plate_holder');
    expect(hs.limits).toEqual({ minTemperatureC: 4, maxTemperatureC: 105, minSpeedRpm: 200, maxSpeedRpm: 3000 });
  });

  it('refuses every command before setup()', async () => {
    const { hs, events } = rig();
    for (const call of [
      () => hs.setTemperature(37),
      () => hs.getTemperature(),
      () => hs.waitForTemperature(),
      () => hs.deactivateHeater(),
      () => hs.lockPlate(),
      () => hs.unlockPlate(),
      () => hs.shake({ speedRpm: 500 }),
      () => hs.stopShaking(),
      () => hs.getShakingSpeed(),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(MachineNotSetUpError);
    }
    expect(events).toHaveLength(0);
  });

  it('heats along a first-order curve in simulated time', async () => {
    const { hs, sim } = await ready();
    expect(await hs.getTemperature()).toBe(22);
    await hs.setTemperature(37);
    expect(hs.targetTemperature).toBe(37);
    expect(sim.targetC).toBe(37);
    sim.advance(120 - 0.2); // one time constant after the set point (the command itself takes 0.2 s)
    expect(sim.temperatureC).toBeCloseTo(approach(22, 37, 120), 9);
    expect(await hs.getTemperature()).toBeCloseTo(approach(22, 37, 120), 2);
  });

  it('waits for the temperature by advancing the simulated clock, not by sleeping', async () => {
    const { hs, sim, events } = await ready();
    await hs.setTemperature(37);
    const gap = 37 - sim.temperatureC;
    const clock = sim.clockS;
    const t0 = performance.now();
    const reached = await hs.waitForTemperature({ tolerance: 0.5, timeoutS: 600 });
    expect(performance.now() - t0).toBeLessThan(1000);
    const waited = 120 * Math.log(gap / 0.5);
    expect(sim.clockS - clock).toBeCloseTo(waited, 6);
    expect(reached).toBeGreaterThanOrEqual(36.49);
    expect(reached).toBeLessThanOrEqual(37);
    const e = events.at(-1)!;
    expect(e).toMatchObject({ machine: 'hhs', command: 'waitForTemperature', args: { tolerance: 0.5, timeoutS: 600, target: 37 }, result: reached });
    expect(e.estimatedS).toBeCloseTo(waited, 6);
    // Already there: no wait.
    const again = await hs.waitForTemperature({ tolerance: 1 });
    expect(again).toBe(reached);
    expect(sim.lastEstimateS()).toBe(0);
  });

  it('times out when the target is too far, after the timeout of simulated time', async () => {
    const { hs, sim, events } = await ready();
    await hs.setTemperature(95);
    const clock = sim.clockS;
    const e = await rejection(hs.waitForTemperature({ timeoutS: 60 }));
    expect(e).toBeInstanceOf(TemperatureTimeoutError);
    expect(e).toBeInstanceOf(MachineStateError);
    expect(e.message).toMatch(/not within 0.5 °C of 95 °C after 60 s/);
    expect(sim.clockS - clock).toBe(60);
    expect(events.at(-1)).toMatchObject({ command: 'waitForTemperature', error: { name: 'TemperatureTimeoutError' }, estimatedS: 60 });
    expect(sim.temperatureC).toBeCloseTo(approach(22, 95, 60.2), 9);
  });

  it('refuses to wait with the heater off', async () => {
    const { hs, sim, events } = await ready();
    await expect(hs.waitForTemperature()).rejects.toBeInstanceOf(NoTargetTemperatureError);
    expect(events).toHaveLength(0);
    await expect(sim.waitForTemperature({ tolerance: 0.5, timeoutS: 10 })).rejects.toBeInstanceOf(NoTargetTemperatureError);
  });

  it('drifts back to ambient, more slowly, once the heater is off', async () => {
    const { hs, sim } = await ready();
    await hs.setTemperature(60);
    await hs.waitForTemperature({ tolerance: 0.1, timeoutS: 3600 });
    await hs.deactivateHeater();
    expect(hs.targetTemperature).toBeNull();
    expect(sim.targetC).toBeNull();
    const t0 = sim.temperatureC;
    sim.advance(600);
    expect(sim.temperatureC).toBeCloseTo(approach(t0, 22, 600, 600), 9);
    await expect(hs.waitForTemperature()).rejects.toBeInstanceOf(NoTargetTemperatureError);
  });

  it('checks temperature arguments against its limits, naming the argument', async () => {
    const { hs, sim, events } = await ready({ minTemperatureC: 25, maxTemperatureC: 80 });
    const clock = sim.clockS;
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => hs.setTemperature(20), 'celsius'],
      [() => hs.setTemperature(81), 'celsius'],
      [() => hs.setTemperature(Number.NaN), 'celsius'],
      [() => hs.setTemperature('37' as unknown as number), 'celsius'],
      [() => hs.waitForTemperature({ tolerance: 0 }), 'tolerance'],
      [() => hs.waitForTemperature({ tolerance: -1 }), 'tolerance'],
      [() => hs.waitForTemperature({ timeoutS: -5 }), 'timeoutS'],
      [() => hs.waitForTemperature(5 as unknown as object), 'options'],
      [() => hs.shake({ speedRpm: 100 }), 'speedRpm'],
      [() => hs.shake({ speedRpm: 3001 }), 'speedRpm'],
      [() => hs.shake({ speedRpm: 500, durationS: 0 }), 'durationS'],
      [() => hs.shake({ speedRpm: 500, durationS: Infinity }), 'durationS'],
      [() => hs.shake(undefined as unknown as { speedRpm: number }), 'options'],
    ];
    for (const [call, argument] of cases) {
      const e = await rejection(call());
      expect(e).toBeInstanceOf(MachineArgumentError);
      expect((e as MachineArgumentError).argument).toBe(argument);
      expect(e.message).toMatch(new RegExp(`^hhs: ${argument}`));
    }
    expect((await rejection(hs.setTemperature(20))).message).toBe('hhs: celsius must be a finite number between 25 and 80 °C, got 20');
    expect(events).toHaveLength(0);
    expect(sim.clockS).toBe(clock);
    expect(() => new HeaterShaker('bad', sim, { minSpeedRpm: 500, maxSpeedRpm: 100 })).toThrow(/bad: speed range is empty/);
  });

  it('locks, shakes, reports the speed, stops and unlocks', async () => {
    const { hs, sim, events } = await ready();
    await hs.lockPlate();
    expect(hs.isLocked).toBe(true);
    expect(sim.isLocked).toBe(true);
    await hs.shake({ speedRpm: 800 });
    expect(hs.isShaking).toBe(true);
    expect(await hs.getShakingSpeed()).toBe(800);
    await hs.shake({ speedRpm: 1200 }); // change of speed while shaking
    expect(sim.speedRpm).toBe(1200);
    await hs.stopShaking();
    expect(hs.isShaking).toBe(false);
    expect(await hs.getShakingSpeed()).toBe(0);
    await hs.unlockPlate();
    expect(hs.isLocked).toBe(false);
    expect(events.map((e) => [e.command, e.estimatedS])).toEqual([
      ['lockPlate', 1.5],
      ['shake', 2],
      ['getShakingSpeed', 0.2],
      ['shake', 2],
      ['stopShaking', 2],
      ['getShakingSpeed', 0.2],
      ['unlockPlate', 1.5],
    ]);
    expect(events[1]).toMatchObject({ args: { speedRpm: 800, plate: null } });
    expect(events[2].result).toBe(800);
    for (const e of events) expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it('shakes for a duration in simulated time, and the temperature moves on meanwhile', async () => {
    const { hs, sim, events } = await ready();
    await hs.setTemperature(37);
    await hs.lockPlate();
    const before = sim.temperatureC;
    const clock = sim.clockS;
    await hs.shake({ speedRpm: 1000, durationS: 300 });
    expect(sim.clockS - clock).toBe(2 + 300 + 2);
    expect(events.at(-1)).toMatchObject({ command: 'shake', args: { speedRpm: 1000, durationS: 300 }, estimatedS: 304 });
    expect(hs.isShaking).toBe(false);
    expect(await hs.getShakingSpeed()).toBe(0);
    expect(sim.temperatureC).toBeGreaterThan(before + 5);
    expect(hs.isLocked).toBe(true);
  });

  it('refuses to shake unlocked and to unlock while shaking', async () => {
    const { hs, sim, events } = await ready();
    const e = await rejection(hs.shake({ speedRpm: 500 }));
    expect(e).toBeInstanceOf(PlateNotLockedError);
    expect(e.message).toBe('hhs: cannot shake with the plate unlocked; call lockPlate() first');
    expect(events).toHaveLength(0);
    expect(sim.speedRpm).toBe(0);
    await hs.lockPlate();
    await hs.shake({ speedRpm: 500 });
    await expect(hs.unlockPlate()).rejects.toBeInstanceOf(ShakingError);
    expect(sim.isLocked).toBe(true);
  });

  it('keeps the plate on the holder while locked', async () => {
    const { hs } = await ready();
    const plate = makePlate('p');
    hs.plateHolder.assign(plate);
    await hs.lockPlate();
    expect(() => plate.unassign()).toThrow(PlateLockedError);
    expect(hs.plateHolder.resource).toBe(plate);
    expect(() => hs.plateHolder.assign(makePlate('q'))).toThrow(/already holds p/);
    await hs.unlockPlate();
    plate.unassign();
    await hs.lockPlate();
    expect(() => hs.plateHolder.assign(plate)).toThrow(/cannot put p on with the plate lock closed/);
  });

  it('stops shaking and heating at stop(), and starts afresh at setup()', async () => {
    const { hs, sim, events } = await ready();
    await hs.setTemperature(50);
    await hs.lockPlate();
    await hs.shake({ speedRpm: 700 });
    await hs.stop();
    expect(sim.speedRpm).toBe(0);
    expect(sim.targetC).toBeNull();
    expect(hs.isShaking).toBe(false);
    expect(hs.targetTemperature).toBeNull();
    expect(events.at(-1)!.command).toBe('stop');
    await expect(hs.getTemperature()).rejects.toBeInstanceOf(MachineNotSetUpError);
    await hs.setup();
    expect(hs.isLocked).toBe(false);
    expect(sim.isLocked).toBe(false);
  });

  it('reports injected backend failures as events and changes no state', async () => {
    const { hs, sim, events } = await ready();
    sim.failNext('lockPlate', 'lock motor stalled');
    const e = await rejection(hs.lockPlate());
    expect(e).toBeInstanceOf(SimulatedFailureError);
    expect(hs.isLocked).toBe(false);
    expect(sim.isLocked).toBe(false);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ command: 'lockPlate', error: { name: 'SimulatedFailureError', message: 'heater-shaker simulator: lockPlate failed: lock motor stalled' } });
    expect(events[0].estimatedS).toBeUndefined();
    sim.failNext('setTemperature', new TypeError('bus error'));
    await expect(hs.setTemperature(37)).rejects.toThrow(TypeError);
    expect(hs.targetTemperature).toBeNull();
    await hs.lockPlate();
    expect(hs.isLocked).toBe(true);
  });

  it('refuses out-of-range values at the backend too when the front end allows them', async () => {
    const sim = new HeaterShakerSimulator({ maxTemperatureC: 70, maxSpeedRpm: 1500 });
    const hs = new HeaterShaker('wide', sim, { maxTemperatureC: 150, maxSpeedRpm: 5000 });
    const events: CommandEvent[] = [];
    hs.onCommand((e) => events.push(e));
    await hs.setup();
    await expect(hs.setTemperature(100)).rejects.toMatchObject({ name: 'MachineArgumentError', argument: 'celsius', machine: 'heater-shaker simulator' });
    await hs.lockPlate();
    await expect(hs.shake({ speedRpm: 2000 })).rejects.toMatchObject({ argument: 'speedRpm' });
    expect(events.filter((e) => e.error).map((e) => e.command)).toEqual(['setTemperature', 'shake']);
    expect(hs.targetTemperature).toBeNull();
    expect(hs.isShaking).toBe(false);
  });
});

describe('HeaterShakerSimulator on its own', () => {
  it('enforces setup and the lock rules itself', async () => {
    const sim = new HeaterShakerSimulator({ initialTemperatureC: 30 });
    expect(sim.kind).toBe('simulator');
    await expect(sim.setTemperature(37)).rejects.toThrow('heater-shaker simulator is not set up: call setup() first');
    await expect(sim.getShakingSpeed()).rejects.toBeInstanceOf(MachineNotSetUpError);
    await sim.setup();
    expect(await sim.getTemperature()).toBeCloseTo(approach(30, 22, 5, 600), 2);
    await expect(sim.shake({ speedRpm: 500 })).rejects.toBeInstanceOf(PlateNotLockedError);
    await sim.lockPlate();
    await sim.shake({ speedRpm: 500 });
    await expect(sim.unlockPlate()).rejects.toBeInstanceOf(ShakingError);
    await expect(sim.shake({ speedRpm: 50 })).rejects.toMatchObject({ argument: 'speedRpm' });
    await expect(sim.waitForTemperature({ tolerance: -1, timeoutS: 1 })).rejects.toMatchObject({ argument: 'tolerance' });
    await sim.stopShaking();
    await sim.unlockPlate();
    expect(sim.isLocked).toBe(false);
  });

  it('validates its model options', () => {
    expect(() => new HeaterShakerSimulator({ thermal: { timeConstantS: 0 } })).toThrow(/timeConstantS/);
    expect(() => new HeaterShakerSimulator({ minTemperatureC: 50, maxTemperatureC: 40 })).toThrow(MachineArgumentError);
  });
});
