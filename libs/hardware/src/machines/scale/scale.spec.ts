import { describe, expect, it } from '@jest/globals';
import { type CommandEvent, MachineNotSetUpError } from '../machine.js';
import { MachineArgumentError, MachineStateError, SimulatedFailureError } from '../shared/machine-errors.js';
import { OverloadError, Scale, ScaleSimulator, type ScaleSimulatorOptions, TareRangeError, ZeroRangeError } from './index.js';

async function ready(opts: ScaleSimulatorOptions = {}) {
  const sim = new ScaleSimulator(opts);
  const scale = new Scale('balance', sim);
  const events: CommandEvent[] = [];
  scale.onCommand((e) => events.push(e));
  await scale.setup();
  events.length = 0;
  return { sim, scale, events };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('Scale', () => {
  it('refuses every command before setup()', async () => {
    const sim = new ScaleSimulator();
    const scale = new Scale('balance', sim);
    const events: CommandEvent[] = [];
    scale.onCommand((e) => events.push(e));
    for (const call of [() => scale.zero(), () => scale.tare(), () => scale.readWeight(), () => scale.readWeight({ stable: false })]) {
      await expect(call()).rejects.toBeInstanceOf(MachineNotSetUpError);
    }
    expect(events).toHaveLength(0);
    expect(scale.backend.kind).toBe('simulator');
  });

  it('reads the load on the pan, quantized to the resolution', async () => {
    const { scale, sim } = await ready();
    expect(await scale.readWeight()).toBe(0);
    sim.placeLoad(12.3456);
    expect(sim.load).toBe(12.3456);
    expect(await scale.readWeight()).toBe(12.346);
    expect(await scale.readWeight({ stable: true })).toBe(12.346);
    sim.placeLoad(3); // placeLoad sets the total on the pan
    expect(await scale.readWeight()).toBe(3);
    sim.removeLoad();
    expect(await scale.readWeight()).toBe(0);
  });

  it('tares a container so readings are net of it', async () => {
    const { scale, sim } = await ready();
    sim.placeLoad(48.7512);
    await scale.tare();
    expect(sim.tareWeight).toBeCloseTo(48.7512, 9);
    expect(await scale.readWeight()).toBe(0);
    sim.placeLoad(48.7512 + 10.5);
    expect(await scale.readWeight()).toBe(10.5);
    sim.removeLoad();
    expect(await scale.readWeight()).toBe(-48.751);
  });

  it('never reports -0', async () => {
    const { scale, sim } = await ready();
    sim.placeLoad(10.0004);
    await scale.tare();
    sim.placeLoad(10.0003);
    expect(Object.is(await scale.readWeight(), 0)).toBe(true);
  });

  it('zeroes a nearly empty pan, clearing the tare, and refuses to zero a container', async () => {
    const { scale, sim } = await ready();
    sim.placeLoad(20);
    await scale.tare();
    sim.placeLoad(1.2); // residue, within the 2 % zero range (4.4 g)
    await scale.zero();
    expect(sim.zeroPoint).toBe(1.2);
    expect(sim.tareWeight).toBe(0);
    expect(await scale.readWeight()).toBe(0);
    sim.placeLoad(11.2);
    expect(await scale.readWeight()).toBe(10);
    sim.placeLoad(50);
    const e = await rejection(scale.zero());
    expect(e).toBeInstanceOf(ZeroRangeError);
    expect(e).toBeInstanceOf(MachineStateError);
    expect(e.message).toMatch(/^scale simulator: cannot zero with 50.000 g on the pan \(zero range ±4.4 g\)/);
    expect(sim.zeroPoint).toBe(1.2);
  });

  it('refuses to tare a negative weight', async () => {
    const { scale, sim } = await ready();
    sim.placeLoad(2);
    await scale.zero();
    sim.removeLoad();
    expect(await scale.readWeight()).toBe(-2);
    await expect(scale.tare()).rejects.toBeInstanceOf(TareRangeError);
    expect(sim.tareWeight).toBe(0);
  });

  it('raises OverloadError above the capacity, which taring does not restore', async () => {
    const { scale, sim, events } = await ready({ capacityG: 220 });
    sim.placeLoad(230);
    await expect(scale.readWeight()).rejects.toBeInstanceOf(OverloadError);
    await expect(scale.tare()).rejects.toBeInstanceOf(OverloadError);
    await expect(scale.zero()).rejects.toBeInstanceOf(OverloadError);
    sim.placeLoad(200);
    await scale.tare();
    sim.placeLoad(221);
    const e = await rejection(scale.readWeight());
    expect(e.message).toBe('scale simulator: overloaded: 221.000 g on the pan exceeds the capacity of 220 g');
    sim.placeLoad(220);
    expect(await scale.readWeight()).toBe(20);
    expect(events.map((ev) => [ev.command, ev.error?.name])).toEqual([
      ['readWeight', 'OverloadError'],
      ['tare', 'OverloadError'],
      ['zero', 'OverloadError'],
      ['tare', undefined],
      ['readWeight', 'OverloadError'],
      ['readWeight', undefined],
    ]);
  });

  it('adds seeded noise to immediate reads only', async () => {
    const a = await ready({ seed: 3 });
    const b = await ready({ seed: 3 });
    const c = await ready({ seed: 4 });
    for (const r of [a, b, c]) r.sim.placeLoad(25);
    const quick = async (r: typeof a) => {
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push(await r.scale.readWeight({ stable: false }));
      return out;
    };
    const xs = await quick(a);
    expect(await quick(b)).toEqual(xs);
    expect(await quick(c)).not.toEqual(xs);
    expect(new Set(xs).size).toBeGreaterThan(1);
    for (const x of xs) {
      expect(Math.abs(x - 25)).toBeLessThan(5 * 0.002 + 1e-9);
      expect(Math.abs(x * 1000 - Math.round(x * 1000))).toBeLessThan(1e-6); // multiples of 1 mg
    }
    expect(await a.scale.readWeight({ stable: true })).toBe(25);
    const quiet = await ready({ noiseG: 0 });
    quiet.sim.placeLoad(25);
    expect(await quiet.scale.readWeight({ stable: false })).toBe(25);
  });

  it('honours the resolution option', async () => {
    const { scale, sim } = await ready({ resolutionG: 0.01, capacityG: 2000 });
    sim.placeLoad(1.234);
    expect(await scale.readWeight()).toBe(1.23);
    sim.placeLoad(1999.996);
    expect(await scale.readWeight()).toBe(2000);
  });

  it('checks arguments before calling the backend, naming the argument and the machine', async () => {
    const { scale, sim, events } = await ready();
    const clock = sim.clockS;
    const e = await rejection(scale.readWeight({ stable: 'yes' as unknown as boolean }));
    expect(e).toBeInstanceOf(MachineArgumentError);
    expect(e).toBeInstanceOf(RangeError);
    expect(e).toMatchObject({ name: 'MachineArgumentError', machine: 'balance', argument: 'stable' });
    expect(e.message).toBe('balance: stable must be true or false, got "yes"');
    await expect(scale.readWeight(5 as unknown as object)).rejects.toMatchObject({ argument: 'options' });
    await expect(scale.readWeight(null as unknown as object)).rejects.toMatchObject({ argument: 'options' });
    expect(events).toHaveLength(0);
    expect(sim.clockS).toBe(clock);
  });

  it('emits events with args, result and the time model estimate', async () => {
    const { scale, sim, events } = await ready();
    sim.placeLoad(1);
    await scale.zero();
    sim.placeLoad(30);
    await scale.tare();
    const w = await scale.readWeight();
    const q = await scale.readWeight({ stable: false });
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({ machine: 'balance', command: 'zero', args: {}, estimatedS: 1 });
    expect(events[2]).toMatchObject({ command: 'readWeight', args: { stable: true }, estimatedS: 1.5 });
    expect(events[2].result).toBe(w);
    expect(events[3]).toMatchObject({ args: { stable: false }, estimatedS: 0.1 });
    expect(events[3].result).toBe(q);
    for (const e of events) {
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
      expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    }
  });

  it('reports injected backend failures as events', async () => {
    const { scale, sim, events } = await ready();
    sim.failNext('readWeight', 'RS-232 timeout');
    const e = await rejection(scale.readWeight());
    expect(e).toBeInstanceOf(SimulatedFailureError);
    expect(e.message).toBe('scale simulator: readWeight failed: RS-232 timeout');
    expect(events[0]).toMatchObject({ command: 'readWeight', args: { stable: true }, error: { name: 'SimulatedFailureError' } });
    expect(events[0].estimatedS).toBeUndefined();
    expect(await scale.readWeight()).toBe(0);
    await scale.stop();
    expect(events.at(-1)!.command).toBe('stop');
    await expect(scale.readWeight()).rejects.toBeInstanceOf(MachineNotSetUpError);
  });
});

describe('ScaleSimulator on its own', () => {
  it('enforces setup and argument rules itself', async () => {
    const sim = new ScaleSimulator();
    await expect(sim.readWeight({ stable: true })).rejects.toThrow('scale simulator is not set up: call setup() first');
    await expect(sim.tare()).rejects.toBeInstanceOf(MachineNotSetUpError);
    await sim.setup();
    expect(sim.lastEstimateS()).toBe(2);
    await expect(sim.readWeight({ stable: 'no' as unknown as boolean })).rejects.toMatchObject({ argument: 'stable', machine: 'scale simulator' });
    expect(() => sim.placeLoad(-1)).toThrow(MachineArgumentError);
    expect(() => sim.placeLoad(Number.NaN)).toThrow(/grams must be a finite number >= 0 g/);
    expect(await sim.readWeight({ stable: true })).toBe(0);
  });

  it('validates its options', () => {
    expect(() => new ScaleSimulator({ capacityG: 0 })).toThrow(/capacityG/);
    expect(() => new ScaleSimulator({ resolutionG: 0 })).toThrow(/resolutionG/);
    expect(() => new ScaleSimulator({ noiseG: -1 })).toThrow(/noiseG/);
    expect(new ScaleSimulator({ capacityG: 1000 }).zeroRangeG).toBe(20);
    expect(new ScaleSimulator({ initialLoadG: 12 }).load).toBe(12);
  });
});
