import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type CommandEvent } from '../../machines/machine.js';
import { OverloadError, Scale, TareRangeError, ZeroRangeError } from '../../machines/scale/index.js';
import { MachineArgumentError } from '../../machines/shared/machine-errors.js';
import { ConnectionClosedError, DeviceDisconnectedError, DeviceProtocolError, DeviceTimeoutError } from './errors.js';
import { createSerialBackend, SerialBackendConfigError } from './factory.js';
import {
  MettlerSicsScaleBackend,
  MtSicsError,
  MtSicsLogicalError,
  MtSicsNotExecutableError,
  MtSicsSyntaxError,
  MtSicsTransmissionError,
  parseSicsWeight,
  UnderloadError,
} from './mettler-sics.js';
import { MettlerSicsSimulator } from './mettler-sics-simulator.js';
import { PtyPair } from './pty-pair.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('parseSicsWeight', () => {
  it('reads MT-SICS weight replies in g, mg and kg', () => {
    expect(parseSicsWeight('S S      12.345 g', 'S')).toEqual({ stable: true, grams: 12.345 });
    expect(parseSicsWeight('S D     -0.003 g', 'S')).toEqual({ stable: false, grams: -0.003 });
    expect(parseSicsWeight('S S  -   1.5 g', 'S')).toEqual({ stable: true, grams: -1.5 });
    expect(parseSicsWeight('S S    250 mg', 'S')!.grams).toBeCloseTo(0.25, 12);
    expect(parseSicsWeight('T S   1.2 kg', 'T')).toEqual({ stable: true, grams: 1200 });
    expect(parseSicsWeight('S S 0.000 g', 'S')!.grams).toBe(0);
    expect(parseSicsWeight('S S 1.0 lb', 'S')).toBeUndefined();
    expect(parseSicsWeight('S I', 'S')).toBeUndefined();
    expect(parseSicsWeight('T S 1.0 g', 'S')).toBeUndefined();
  });
});

describe('MettlerSicsScaleBackend through Scale over a socat pty', () => {
  let pty: PtyPair;
  let sim: MettlerSicsSimulator;
  let scale: Scale;
  let backend: MettlerSicsScaleBackend;
  let events: CommandEvent[];

  beforeEach(async () => {
    pty = await PtyPair.open();
    sim = new MettlerSicsSimulator({ capacityG: 220, resolutionG: 0.001 });
    await sim.serve(pty.devicePath);
    backend = createSerialBackend('mettler-sics-serial', { port: pty.hostPath, baudRate: 9600, timeoutMs: 500, stableTimeoutMs: 1000 });
    scale = new Scale('balance', backend);
    events = [];
    scale.onCommand((e) => events.push(e));
    await scale.setup();
    events.length = 0;
  });

  afterEach(async () => {
    await scale.stop().catch(() => undefined);
    await backend.stop();
    await sim.shutdown();
    await pty.close();
  });

  afterAll(() => PtyPair.closeAll());

  it('sets up with I4 and reads stable and immediate weights', async () => {
    expect(backend.kind).toBe('mettler-sics-serial');
    expect(backend.serialNumber).toBe('B123456789');
    expect(await scale.readWeight()).toBe(0);
    sim.placeLoad(12.3456);
    expect(await scale.readWeight()).toBe(12.346);
    expect(await scale.readWeight({ stable: false })).toBe(12.346);
    expect(sim.log).toEqual(['I4', 'S', 'S', 'SI']);
    expect(events.map((e) => [e.command, e.result])).toEqual([
      ['readWeight', 0],
      ['readWeight', 12.346],
      ['readWeight', 12.346],
    ]);
  });

  it('tares and zeroes', async () => {
    sim.placeLoad(48.7512);
    await scale.tare();
    expect(sim.tareWeight).toBe(48.751);
    expect(await scale.readWeight()).toBe(0);
    sim.placeLoad(58.7512);
    expect(await scale.readWeight()).toBe(10);
    sim.placeLoad(1.2);
    await scale.zero();
    expect(sim.zeroPoint).toBe(1.2);
    expect(sim.tareWeight).toBe(0);
    sim.placeLoad(11.2);
    expect(await scale.readWeight()).toBe(10);
  });

  it('reads a dynamic (unstable) value with SI, and S waits for stability', async () => {
    sim.placeLoad(5);
    sim.setStable(false);
    const quick = await scale.readWeight({ stable: false });
    expect(Math.abs(quick - 5)).toBeLessThanOrEqual(0.002);
    const settled = scale.readWeight();
    setTimeout(() => sim.setStable(true), 40);
    expect(await settled).toBe(5);
  });

  it('maps "S I" (no stable reading in time) to MtSicsNotExecutableError', async () => {
    sim.setStable(false);
    const e = await rejection(scale.readWeight());
    expect(e).toBeInstanceOf(MtSicsNotExecutableError);
    expect(e).toMatchObject({ code: 'I', command: 'S', reply: 'S I' });
    await expect(scale.zero()).rejects.toMatchObject({ code: 'I', reply: 'Z I' });
    await expect(scale.tare()).rejects.toMatchObject({ code: 'I', reply: 'T I' });
  });

  it('maps ES, ET and EL to typed MT-SICS errors naming command and reply', async () => {
    sim.failNext('S', 'ES');
    sim.failNext('Z', 'ET');
    sim.failNext('T', 'EL');
    sim.failNext('SI', 'S I');
    const es = await rejection(scale.readWeight());
    expect(es).toBeInstanceOf(MtSicsSyntaxError);
    expect(es).toBeInstanceOf(MtSicsError);
    expect(es.message).toBe(`MT-SICS balance on ${pty.hostPath}: S failed: syntax error: the balance did not recognise the command (reply "ES")`);
    const et = await rejection(scale.zero());
    expect(et).toBeInstanceOf(MtSicsTransmissionError);
    expect(et).toMatchObject({ code: 'ET', command: 'Z' });
    const el = await rejection(scale.tare());
    expect(el).toBeInstanceOf(MtSicsLogicalError);
    expect(el).toMatchObject({ code: 'EL', command: 'T' });
    await expect(scale.readWeight({ stable: false })).rejects.toMatchObject({ name: 'MtSicsNotExecutableError', command: 'SI' });
    expect(events.map((e) => e.error?.name)).toEqual(['MtSicsSyntaxError', 'MtSicsTransmissionError', 'MtSicsLogicalError', 'MtSicsNotExecutableError']);
    expect(await scale.readWeight()).toBe(0); // the balance goes on working
  });

  it('maps overload "S +" and underload "S -" to OverloadError and UnderloadError', async () => {
    sim.placeLoad(230);
    const over = await rejection(scale.readWeight());
    expect(over).toBeInstanceOf(OverloadError);
    expect(over.message).toBe(`MT-SICS balance on ${pty.hostPath}: overloaded: the load exceeds the weighing range (reply "S +")`);
    await expect(scale.readWeight({ stable: false })).rejects.toBeInstanceOf(OverloadError);
    await expect(scale.tare()).rejects.toBeInstanceOf(TareRangeError); // T +
    await expect(scale.zero()).rejects.toBeInstanceOf(ZeroRangeError); // Z +
    sim.placeLoad(-5); // pan lifted
    await expect(scale.readWeight()).rejects.toBeInstanceOf(UnderloadError);
    await expect(scale.tare()).rejects.toThrow('lower limit of the taring range exceeded (reply "T -")');
    sim.placeLoad(50);
    await expect(scale.zero()).rejects.toThrow('upper limit of the zero setting range exceeded (reply "Z +")');
    expect(await scale.readWeight()).toBe(50);
  });

  it('reports a malformed reply as DeviceProtocolError and a silent balance as DeviceTimeoutError', async () => {
    sim.failNext('S', 'S S 12 parsecs');
    const e = await rejection(scale.readWeight());
    expect(e).toBeInstanceOf(DeviceProtocolError);
    expect(e.message).toBe(`${pty.hostPath}: unexpected reply "S S 12 parsecs" to "S" (expected "S S <weight> <unit>")`);
    sim.muteNext('SI');
    const t = await rejection(scale.readWeight({ stable: false }));
    expect(t).toBeInstanceOf(DeviceTimeoutError);
    expect(t.message).toBe(`${pty.hostPath}: no reply to "SI" within 500 ms`);
    expect(await scale.readWeight({ stable: false })).toBe(0);
  });

  it('fails with DeviceDisconnectedError when socat dies, then reconnects cleanly when the pty is back', async () => {
    sim.placeLoad(3);
    expect(await scale.readWeight()).toBe(3);
    await sim.shutdown();
    await pty.unplug();
    const e = await rejection(scale.readWeight());
    expect(e).toBeInstanceOf(DeviceDisconnectedError);
    expect(e.message).toMatch(new RegExp(`^${pty.hostPath}: device disconnected .*call reconnect\\(\\) once it is back$`));
    await expect(scale.tare()).rejects.toBeInstanceOf(DeviceDisconnectedError);
    expect(events.slice(-2).map((ev) => ev.error?.name)).toEqual(['DeviceDisconnectedError', 'DeviceDisconnectedError']);
    await pty.replug();
    await sim.serve(pty.devicePath);
    await backend.reconnect();
    expect(await scale.readWeight()).toBe(3);
  });

  it('sees a balance switched off behind a plugged adapter as a timeout, and works again once it is back', async () => {
    await sim.shutdown(); // only the device side closes: socat keeps the link up
    const e = await rejection(scale.readWeight({ stable: false }));
    expect(e).toBeInstanceOf(DeviceTimeoutError);
    await sim.serve(pty.devicePath);
    sim.placeLoad(1);
    expect(await scale.readWeight()).toBe(1);
  });

  it('setup() reopens a port lost with the pty', async () => {
    await sim.shutdown();
    await pty.unplug();
    await expect(scale.readWeight()).rejects.toBeInstanceOf(DeviceDisconnectedError);
    await pty.replug();
    await sim.serve(pty.devicePath);
    await scale.setup();
    expect(await scale.readWeight()).toBe(0);
  });

  it('checks arguments and refuses commands once stopped', async () => {
    await expect(backend.readWeight({ stable: 'yes' as unknown as boolean })).rejects.toBeInstanceOf(MachineArgumentError);
    await scale.stop();
    await expect(backend.readWeight({ stable: true })).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});

describe('createSerialBackend', () => {
  it('validates the connection config', () => {
    expect(() => createSerialBackend('mettler-sics-serial', {} as never)).toThrow('mettler-sics-serial: port is required');
    expect(() => createSerialBackend('mettler-sics-serial', { port: '/dev/x', baudRate: 1234 })).toThrow(SerialBackendConfigError);
    expect(() => createSerialBackend('mettler-sics-serial', { port: '/dev/x', parity: 'odd' } as never)).toThrow('unknown config property "parity"');
    expect(() => createSerialBackend('mettler-sics-serial', { port: '/dev/x', timeoutMs: 10 })).toThrow(/timeoutMs must be an integer between 50 and 60000/);
    expect(() => createSerialBackend('nope', { port: '/dev/x' })).toThrow('unknown serial backend "nope"');
    expect(createSerialBackend('mettler-sics-serial', { port: '/dev/x' })).toBeInstanceOf(MettlerSicsScaleBackend);
  });
});
