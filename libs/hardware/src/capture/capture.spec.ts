import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createSerialBackend, DeviceTimeoutError, MettlerSicsSimulator, PtyPair } from '../backends/serial/index.js';
import { OverloadError, Scale } from '../machines/scale/index.js';
import { loadRecording, RECORDING_FORMAT, RecordingTransport, ReplayIncompleteError, ReplayMismatchError, ReplayTransport } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'praxis-capture-'));
const file = join(dir, 'balance.json');

afterAll(async () => {
  await PtyPair.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The session recorded on the simulator and replayed without it. */
async function session(scale: Scale): Promise<unknown[]> {
  const out: unknown[] = [];
  await scale.setup();
  out.push(await scale.readWeight());
  await scale.tare();
  out.push(await scale.readWeight({ stable: false }));
  out.push(await scale.readWeight().catch((e: Error) => e.name));
  out.push(await scale.readWeight().catch((e: Error) => e.name));
  await scale.stop();
  return out;
}

describe('capture and replay', () => {
  let recorded: unknown[];

  it('records every exchange of a backend talking to the simulator over a pty', async () => {
    const pty = await PtyPair.open();
    const sim = new MettlerSicsSimulator({ resolutionG: 0.001 });
    await sim.serve(pty.devicePath);
    sim.placeLoad(20);
    const backend = createSerialBackend('mettler-sics-serial', { port: pty.hostPath, timeoutMs: 200, stableTimeoutMs: 200 }, { wrapTransport: (t) => new RecordingTransport(t, { file }) });
    const scale = new Scale('balance', backend);
    const run = session(scale);
    // After the tare and the immediate read: overload, then a silent balance.
    const origHandle = sim.handle.bind(sim);
    let reads = 0;
    sim.handle = async (line: string) => {
      if (line === 'S' && ++reads === 2) sim.placeLoad(500);
      if (line === 'S' && reads === 3) return null;
      return origHandle(line);
    };
    recorded = await run;
    await sim.shutdown();
    await pty.close();
    expect(recorded).toEqual([20, 0, 'OverloadError', 'DeviceTimeoutError']);

    const rec = loadRecording(file);
    expect(rec.format).toBe(RECORDING_FORMAT);
    expect(rec.description).toBe(pty.hostPath);
    expect(rec.exchanges.map((e) => e.command)).toEqual(['I4', 'S', 'T', 'SI', 'S', 'S']);
    expect(rec.exchanges[1].lines.map((l) => [l.direction, l.text.replace(/\s+/g, ' ')])).toEqual([
      ['tx', 'S'],
      ['rx', 'S S 20.000 g'],
    ]);
    expect(rec.exchanges[1].lines[0].hex).toBe('53');
    expect(rec.exchanges[4].lines[1].text).toBe('S +');
    expect(rec.exchanges[5].error).toMatchObject({ name: 'DeviceTimeoutError' });
    expect(rec.exchanges[5].durationMs).toBeGreaterThanOrEqual(190);
    for (const e of rec.exchanges) expect(e.lines[0].atMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(rec);
  });

  it('replays the recording: the backend gives the same results without the device', async () => {
    const replay = ReplayTransport.fromFile(file);
    const scale = new Scale('balance', createSerialBackend('mettler-sics-serial', { port: '/dev/not-there' }, { transport: replay }));
    expect(await session(scale)).toEqual(recorded);
    replay.assertComplete();
  });

  it('replays typed errors: overload and timeout', async () => {
    const replay = ReplayTransport.fromFile(file);
    const scale = new Scale('balance', createSerialBackend('mettler-sics-serial', { port: '/dev/not-there' }, { transport: replay }));
    await scale.setup();
    await scale.readWeight();
    await scale.tare();
    await scale.readWeight({ stable: false });
    await expect(scale.readWeight()).rejects.toBeInstanceOf(OverloadError);
    await expect(scale.readWeight()).rejects.toBeInstanceOf(DeviceTimeoutError);
  });

  it('fails clearly on a command the recording does not have, naming expected and actual', async () => {
    const replay = ReplayTransport.fromFile(file);
    const scale = new Scale('balance', createSerialBackend('mettler-sics-serial', { port: '/dev/not-there' }, { transport: replay }));
    await scale.setup();
    const e = await scale.zero().catch((x: Error) => x);
    expect(e).toBeInstanceOf(ReplayMismatchError);
    expect(e).toMatchObject({ seq: 2, expected: 'S', actual: 'Z' });
    expect((e as Error).message).toMatch(/^replay of .*: command #2 mismatch: expected "S", got "Z"$/);
    expect(() => replay.assertComplete()).toThrow(ReplayIncompleteError);
    expect(() => replay.assertComplete()).toThrow(/5 recorded command\(s\) never sent, next expected "S" \(#2\)/);
  });

  it('fails clearly on a command after the end of the recording', async () => {
    const replay = new ReplayTransport({ format: RECORDING_FORMAT, description: 'x', startedAt: new Date(0).toISOString(), exchanges: [] });
    await expect(replay.request('S')).rejects.toThrow('replay of x (recorded 1970-01-01T00:00:00.000Z): command #1 "S" was sent after the recording ended (it has 0 exchanges)');
  });
});
