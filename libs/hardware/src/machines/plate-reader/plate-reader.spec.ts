import { describe, expect, it } from '@jest/globals';
import { Well } from '../../resources/container.js';
import { createGrid } from '../../resources/itemized.js';
import { Lid, Plate } from '../../resources/plate.js';
import { ResourceHolder } from '../../resources/carrier.js';
import { type CommandEvent, MachineNotSetUpError } from '../machine.js';
import {
  DoorClosedError,
  DoorOpenError,
  LidOnPlateError,
  MachineArgumentError,
  MachineStateError,
  NoPlateError,
  PlateReader,
  PlateReaderSimulator,
  SeededRandom,
  seededUnit,
  SimulatedFailureError,
} from '../../index.js';

function makePlate(name: string, opts: { rows?: number; cols?: number; lid?: boolean } = {}): Plate {
  const rows = opts.rows ?? 8;
  const cols = opts.cols ?? 12;
  return new Plate({
    name,
    sizeX: 127.76,
    sizeY: 85.48,
    sizeZ: 14.2,
    grid: createGrid({
      prefix: name,
      numItemsX: cols,
      numItemsY: rows,
      dx: 10,
      dy: 7,
      dz: 1,
      itemDx: 9,
      itemDy: 9,
      make: (n) => new Well({ name: n, sizeX: 6.9, sizeY: 6.9, sizeZ: 10.7, maxVolume: 360 }),
    }),
    lid: opts.lid ? new Lid({ name: `${name}_lid`, sizeX: 127.76, sizeY: 85.48, sizeZ: 8, nestingZHeight: 2 }) : null,
  });
}

function rig(opts: { seed?: number } = {}) {
  const sim = new PlateReaderSimulator({ seed: opts.seed });
  const reader = new PlateReader('reader', sim);
  const events: CommandEvent[] = [];
  reader.onCommand((e) => events.push(e));
  return { sim, reader, events };
}

/** Set up, put `plate` in and close the door. */
async function loaded(plate: Plate, opts: { seed?: number } = {}) {
  const r = rig(opts);
  await r.reader.setup();
  await r.reader.open();
  r.reader.plateHolder.assign(plate);
  await r.reader.close();
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

describe('PlateReader', () => {
  it('exposes a plate holder named after the machine', () => {
    const { reader } = rig();
    expect(reader.plateHolder).toBeInstanceOf(ResourceHolder);
    expect(reader.plateHolder.name).toBe('reader_plate_holder');
    expect(reader.plateHolder.type).toBe('ResourceHolder');
    expect(reader.plate).toBeNull();
    expect(reader.backend.kind).toBe('simulator');
  });

  it('refuses every command before setup() and after stop()', async () => {
    const { reader, events } = rig();
    const plate = makePlate('p');
    reader.plateHolder.assign(plate); // free before setup: the machine state is unknown
    for (const call of [
      () => reader.open(),
      () => reader.close(),
      () => reader.readAbsorbance({ wavelength: 450 }),
      () => reader.readFluorescence({ excitation: 485, emission: 528, focalHeight: 8 }),
      () => reader.readLuminescence({ focalHeight: 8 }),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(MachineNotSetUpError);
    }
    expect(events).toHaveLength(0);
    await reader.stop(); // no-op when not set up
    expect(events).toHaveLength(0);
    await reader.setup();
    await reader.stop();
    expect(reader.setupFinished).toBe(false);
    await expect(reader.open()).rejects.toBeInstanceOf(MachineNotSetUpError);
    expect(events.map((e) => e.command)).toEqual(['setup', 'stop']);
  });

  it('reads absorbance from well volumes as a rows x columns matrix', async () => {
    const plate = makePlate('p', { rows: 2, cols: 3 });
    plate.fill(100);
    plate.get('B3').setVolume(200);
    plate.get('A2').setVolume(0);
    const { reader } = await loaded(plate);
    const od = await reader.readAbsorbance({ wavelength: 450 });
    expect(od).toEqual([
      [0.44, 0.04, 0.44],
      [0.44, 0.44, 0.84],
    ]);
  });

  it('reads fluorescence and luminescence from well volumes', async () => {
    const plate = makePlate('p', { rows: 2, cols: 2 });
    plate.fill((w) => (w.name.endsWith('A1') ? 10 : 50));
    const { reader } = await loaded(plate);
    expect(await reader.readFluorescence({ excitation: 485, emission: 528, focalHeight: 8.5 })).toEqual([
      [50 + 100 * 10, 50 + 100 * 50],
      [50 + 100 * 50, 50 + 100 * 50],
    ]);
    expect(await reader.readLuminescence({ focalHeight: 13 })).toEqual([
      [10 + 20 * 10, 10 + 20 * 50],
      [10 + 20 * 50, 10 + 20 * 50],
    ]);
    // Counts grow with the integration time.
    expect(await reader.readLuminescence({ focalHeight: 13, integrationTimeS: 0.5 })).toEqual([
      [105, 505],
      [505, 505],
    ]);
  });

  it('gives a seeded, deterministic baseline when the wells have no volume tracking', async () => {
    const plate = makePlate('p', { rows: 4, cols: 6 });
    plate.fill(300);
    for (const w of plate.wells()) w.tracker.disable();
    const a = await loaded(plate, { seed: 7 });
    const first = await a.reader.readAbsorbance({ wavelength: 600 });
    const again = await a.reader.readAbsorbance({ wavelength: 600 });
    expect(again).toEqual(first);
    expect(first).toHaveLength(4);
    expect(first.every((row) => row.length === 6)).toBe(true);
    const flat = first.flat();
    expect(flat.every((v) => v >= 0.04 && v < 0.06)).toBe(true); // near the blank, not the 300 µL value
    expect(new Set(flat).size).toBeGreaterThan(1);
    const fl = (await a.reader.readFluorescence({ excitation: 485, emission: 528, focalHeight: 8 })).flat();
    expect(fl.every((v) => v >= 40 && v <= 60)).toBe(true);
    const lum = (await a.reader.readLuminescence({ focalHeight: 8, integrationTimeS: 2 })).flat();
    expect(lum.every((v) => v >= 16 && v <= 24)).toBe(true);

    // Same seed, same values in another reader; another seed, other values.
    await a.reader.open();
    plate.unassign();
    const b = await loaded(plate, { seed: 7 });
    expect(await b.reader.readAbsorbance({ wavelength: 600 })).toEqual(first);
    await b.reader.open();
    plate.unassign();
    const c = await loaded(plate, { seed: 8 });
    expect(await c.reader.readAbsorbance({ wavelength: 600 })).not.toEqual(first);
  });

  it('checks arguments before calling the backend, naming the argument and the machine', async () => {
    const { reader, sim, events } = await loaded(makePlate('p'));
    const clock = sim.clockS;
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => reader.readAbsorbance({ wavelength: 150 }), 'wavelength'],
      [() => reader.readAbsorbance({ wavelength: 1200 }), 'wavelength'],
      [() => reader.readAbsorbance({ wavelength: Number.NaN }), 'wavelength'],
      [() => reader.readAbsorbance({ wavelength: '450' as unknown as number }), 'wavelength'],
      [() => reader.readAbsorbance(450 as unknown as { wavelength: number }), 'options'],
      [() => reader.readAbsorbance(undefined as unknown as { wavelength: number }), 'options'],
      [() => reader.readFluorescence({ excitation: 100, emission: 528, focalHeight: 8 }), 'excitation'],
      [() => reader.readFluorescence({ excitation: 485, emission: 2000, focalHeight: 8 }), 'emission'],
      [() => reader.readFluorescence({ excitation: 528, emission: 485, focalHeight: 8 }), 'emission'],
      [() => reader.readFluorescence({ excitation: 485, emission: 528, focalHeight: -1 }), 'focalHeight'],
      [() => reader.readFluorescence({ excitation: 485, emission: 528, focalHeight: 26 }), 'focalHeight'],
      [() => reader.readLuminescence({ focalHeight: Infinity }), 'focalHeight'],
      [() => reader.readLuminescence({ focalHeight: 8, integrationTimeS: 0 }), 'integrationTimeS'],
      [() => reader.readLuminescence({ focalHeight: 8, integrationTimeS: 61 }), 'integrationTimeS'],
    ];
    for (const [call, argument] of cases) {
      const e = await rejection(call());
      expect(e).toBeInstanceOf(MachineArgumentError);
      expect(e).toBeInstanceOf(RangeError);
      expect(e.name).toBe('MachineArgumentError');
      expect((e as MachineArgumentError).argument).toBe(argument);
      expect((e as MachineArgumentError).machine).toBe('reader');
      expect(e.message).toContain('reader');
      expect(e.message).toContain(argument);
    }
    expect(events).toHaveLength(0);
    expect(sim.clockS).toBe(clock);
  });

  it('takes its limits as options and rejects impossible ones', async () => {
    const sim = new PlateReaderSimulator({ minWavelengthNm: 340, maxWavelengthNm: 750 });
    const reader = new PlateReader('filter_reader', sim, { minWavelengthNm: 340, maxWavelengthNm: 750, maxFocalHeightMm: 10 });
    expect(reader.limits).toEqual({ minWavelengthNm: 340, maxWavelengthNm: 750, maxFocalHeightMm: 10, maxIntegrationTimeS: 60 });
    await reader.setup();
    await reader.open();
    reader.plateHolder.assign(makePlate('p'));
    await reader.close();
    await expect(reader.readAbsorbance({ wavelength: 300 })).rejects.toThrow(/wavelength must be a finite number between 340 and 750 nm, got 300/);
    await expect(reader.readLuminescence({ focalHeight: 12 })).rejects.toThrow(/focalHeight/);
    expect(await reader.readLuminescence({ focalHeight: 9 })).toHaveLength(8);
    expect(() => new PlateReader('bad', sim, { minWavelengthNm: 800, maxWavelengthNm: 400 })).toThrow(MachineArgumentError);
    expect(() => new PlateReader('bad', sim, { maxFocalHeightMm: 0 })).toThrow(/maxFocalHeightMm/);
  });

  it('refuses to read with the door open or without a plate taken in', async () => {
    const { reader } = rig();
    await reader.setup();
    expect(reader.isOpen).toBe(false);
    await expect(reader.readAbsorbance({ wavelength: 450 })).rejects.toBeInstanceOf(NoPlateError);
    await reader.open();
    expect(reader.isOpen).toBe(true);
    const plate = makePlate('p');
    reader.plateHolder.assign(plate);
    const open = await rejection(reader.readAbsorbance({ wavelength: 450 }));
    expect(open).toBeInstanceOf(DoorOpenError);
    expect(open).toBeInstanceOf(MachineStateError);
    expect(open.message).toMatch(/^reader: .*door open/);
    await reader.close();
    expect(await reader.readAbsorbance({ wavelength: 450 })).toHaveLength(8);
  });

  it('refuses a plate put on before setup until open() and close() take it in', async () => {
    const { reader } = rig();
    reader.plateHolder.assign(makePlate('p'));
    await reader.setup();
    await expect(reader.readAbsorbance({ wavelength: 450 })).rejects.toThrow(/not taken in by close\(\)/);
    await reader.open();
    await reader.close();
    expect(await reader.readAbsorbance({ wavelength: 450 })).toHaveLength(8);
  });

  it('refuses a resource that is not a plate', async () => {
    const { reader } = rig();
    await reader.setup();
    await reader.open();
    reader.plateHolder.assign(new ResourceHolder({ name: 'adapter', sizeX: 127, sizeY: 85, sizeZ: 5 }));
    await reader.close();
    await expect(reader.readAbsorbance({ wavelength: 450 })).rejects.toThrow(/holds adapter, which is not a plate/);
  });

  it('refuses top reads through a lid but reads absorbance through it', async () => {
    const plate = makePlate('p', { lid: true });
    const { reader, events } = await loaded(plate);
    await expect(reader.readFluorescence({ excitation: 485, emission: 528, focalHeight: 8 })).rejects.toBeInstanceOf(LidOnPlateError);
    await expect(reader.readLuminescence({ focalHeight: 8 })).rejects.toThrow(/lid of p \(p_lid\)/);
    expect(events).toHaveLength(0);
    expect(await reader.readAbsorbance({ wavelength: 450 })).toHaveLength(8);
    plate.lid!.unassign();
    expect(await reader.readLuminescence({ focalHeight: 8 })).toHaveLength(8);
  });

  it('keeps the plate position shut while the door is closed', async () => {
    const { reader } = rig();
    await reader.setup();
    const plate = makePlate('p');
    expect(() => reader.plateHolder.assign(plate)).toThrow(DoorClosedError);
    expect(reader.plateHolder.resource).toBeNull();
    await reader.open();
    reader.plateHolder.assign(plate);
    await reader.close();
    expect(() => plate.unassign()).toThrow(/cannot take p out with the door closed/);
    expect(reader.plate).toBe(plate);
    await reader.open();
    plate.unassign();
    expect(reader.plate).toBeNull();
  });

  it('emits one event per backend call with JSON-safe args, result and time estimate', async () => {
    const { reader, events } = rig();
    await reader.setup();
    await reader.open();
    const plate = makePlate('p');
    plate.fill(50);
    reader.plateHolder.assign(plate);
    await reader.close();
    const od = await reader.readAbsorbance({ wavelength: 450 });
    const rfu = await reader.readFluorescence({ excitation: 485, emission: 528, focalHeight: 8 });
    await reader.readLuminescence({ focalHeight: 8, integrationTimeS: 0.2 });
    expect(events.map((e) => e.command)).toEqual(['setup', 'open', 'close', 'readAbsorbance', 'readFluorescence', 'readLuminescence']);
    for (const e of events) {
      expect(e.machine).toBe('reader');
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
      expect(e.error).toBeUndefined();
      expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    }
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events[0].estimatedS).toBe(10);
    expect(events[1].estimatedS).toBe(3);
    expect(events[2].args).toEqual({ plate: 'p' });
    expect(events[3]).toMatchObject({ args: { plate: 'p', wavelength: 450 }, result: od });
    expect(events[3].estimatedS).toBeCloseTo(5 + 0.05 * 96, 9);
    expect(events[4]).toMatchObject({ args: { plate: 'p', excitation: 485, emission: 528, focalHeight: 8 }, result: rfu });
    expect(events[4].estimatedS).toBeCloseTo(5 + 0.1 * 96, 9);
    expect(events[5].args).toEqual({ plate: 'p', focalHeight: 8, integrationTimeS: 0.2 });
    expect(events[5].estimatedS).toBeCloseTo(2 + (0.2 + 0.05) * 96, 9);
  });

  it('advances the simulated clock by the time model, without sleeping', async () => {
    const plate = makePlate('p');
    const { reader, sim } = await loaded(plate);
    expect(sim.clockS).toBe(10 + 3 + 3);
    const t0 = performance.now();
    await reader.readLuminescence({ focalHeight: 8, integrationTimeS: 60 });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(sim.clockS).toBeCloseTo(16 + 2 + 60.05 * 96, 6);
    expect(sim.lastEstimateS()).toBeCloseTo(2 + 60.05 * 96, 6);
  });

  it('reports backend failures as events and rethrows them unchanged', async () => {
    const { reader, sim, events } = await loaded(makePlate('p'));
    sim.failNext('readAbsorbance', 'lamp failure');
    const e = await rejection(reader.readAbsorbance({ wavelength: 450 }));
    expect(e).toBeInstanceOf(SimulatedFailureError);
    expect(e.message).toBe('plate reader simulator: readAbsorbance failed: lamp failure');
    const custom = new Error('serial timeout');
    sim.failNext('open', custom);
    await expect(reader.open()).rejects.toBe(custom);
    expect(reader.isOpen).toBe(false); // the failed open changed nothing
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ command: 'readAbsorbance', args: { plate: 'p', wavelength: 450 }, error: { name: 'SimulatedFailureError' } });
    expect(events[0].result).toBeUndefined();
    expect(events[0].estimatedS).toBeUndefined();
    expect(events[1]).toMatchObject({ command: 'open', error: { name: 'Error', message: 'serial timeout' } });
    // The failure was used up: the next call works.
    expect(await reader.readAbsorbance({ wavelength: 450 })).toHaveLength(8);
    expect(events[2].error).toBeUndefined();
  });

  it('queues injected failures per command, including setup', async () => {
    const { reader, sim } = rig();
    sim.failNext('setup', 'no connection');
    sim.failNext('setup', 'still no connection');
    await expect(reader.setup()).rejects.toThrow('no connection');
    await expect(reader.setup()).rejects.toThrow('still no connection');
    expect(reader.setupFinished).toBe(false);
    await reader.setup();
    expect(reader.setupFinished).toBe(true);
  });

  it('stops listening after unsubscribe, and a throwing listener breaks nothing', async () => {
    const { reader } = rig();
    const seen: string[] = [];
    const off = reader.onCommand((e) => seen.push(e.command));
    reader.onCommand(() => {
      throw new Error('bad listener');
    });
    await reader.setup();
    off();
    await reader.open();
    expect(seen).toEqual(['setup']);
  });
});

describe('PlateReaderSimulator on its own', () => {
  it('enforces setup, door, plate, lid and argument rules itself', async () => {
    const sim = new PlateReaderSimulator();
    const plate = makePlate('p', { rows: 1, cols: 2 });
    const lidded = makePlate('q', { rows: 1, cols: 2, lid: true });
    await expect(sim.readAbsorbance(plate, { wavelength: 450 })).rejects.toBeInstanceOf(MachineNotSetUpError);
    await expect(sim.open()).rejects.toThrow('plate reader simulator is not set up');
    await sim.setup();
    expect(sim.isSetUp).toBe(true);
    await expect(sim.readAbsorbance(plate, { wavelength: 450 })).rejects.toBeInstanceOf(NoPlateError);
    await sim.open();
    expect(sim.isOpen).toBe(true);
    await expect(sim.readAbsorbance(plate, { wavelength: 450 })).rejects.toBeInstanceOf(DoorOpenError);
    await sim.close(plate);
    expect(sim.loadedPlate).toBe(plate);
    await expect(sim.readAbsorbance(lidded, { wavelength: 450 })).rejects.toThrow(/asked to read q but holds p/);
    await expect(sim.readAbsorbance(plate, { wavelength: 100 })).rejects.toMatchObject({ name: 'MachineArgumentError', argument: 'wavelength' });
    await expect(sim.readFluorescence(plate, { excitation: 500, emission: 500, focalHeight: 5 })).rejects.toMatchObject({ argument: 'emission' });
    await expect(sim.readLuminescence(plate, { focalHeight: 5, integrationTimeS: -1 })).rejects.toMatchObject({ argument: 'integrationTimeS' });
    expect(await sim.readAbsorbance(plate, { wavelength: 450 })).toEqual([[0.04, 0.04]]);
    await sim.open();
    await sim.close(lidded);
    await expect(sim.readFluorescence(lidded, { excitation: 485, emission: 528, focalHeight: 5 })).rejects.toBeInstanceOf(LidOnPlateError);
    await expect(sim.readLuminescence(lidded, { focalHeight: 5, integrationTimeS: 1 })).rejects.toBeInstanceOf(LidOnPlateError);
    await sim.stop();
    expect(sim.isSetUp).toBe(false);
    await expect(sim.close(null)).rejects.toBeInstanceOf(MachineNotSetUpError);
  });

  it('takes its signal and time models as options', async () => {
    const sim = new PlateReaderSimulator({ signal: { blankOd: 0.1, odPerMicroliter: 0.01 }, time: { absorbanceBaseS: 1, absorbancePerWellS: 1 } });
    const plate = makePlate('p', { rows: 1, cols: 2 });
    plate.fill(10);
    await sim.setup();
    await sim.close(plate);
    expect(await sim.readAbsorbance(plate, { wavelength: 450 })).toEqual([[0.2, 0.2]]);
    expect(sim.lastEstimateS()).toBe(3);
    expect(() => sim.advance(-1)).toThrow(MachineArgumentError);
    sim.advance(100);
    expect(sim.clockS).toBe(10 + 3 + 3 + 100);
  });
});

describe('seeded randomness', () => {
  it('is deterministic per seed and keys', () => {
    expect(seededUnit(1, 'a', 2)).toBe(seededUnit(1, 'a', 2));
    expect(seededUnit(1, 'a', 2)).not.toBe(seededUnit(2, 'a', 2));
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    const n = new SeededRandom(9);
    const zs = Array.from({ length: 2000 }, () => n.normal());
    const m = zs.reduce((s, z) => s + z, 0) / zs.length;
    const sd = Math.sqrt(zs.reduce((s, z) => s + (z - m) ** 2, 0) / zs.length);
    expect(Math.abs(m)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(0.9);
    expect(sd).toBeLessThan(1.1);
  });
});
