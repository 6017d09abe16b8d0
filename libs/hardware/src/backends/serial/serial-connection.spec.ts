import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SerialDeviceServer } from './device-server.js';
import { ConnectionClosedError, DeviceDisconnectedError, DeviceTimeoutError, SerialOpenError } from './errors.js';
import { PtyPair } from './pty-pair.js';
import { SerialConnection } from './serial-connection.js';
import type { WireEvent } from './transport.js';

/** Echoes `PING x` as `PONG x`, stays silent on `MUTE`, answers `MULTI n` with n lines, slowly on `SLOW`. */
const echo = {
  async handle(line: string) {
    if (line === 'MUTE') return null;
    if (line.startsWith('LATE ')) {
      await new Promise((r) => setTimeout(r, 150));
      return `LATE-REPLY ${line.slice(5)}`;
    }
    if (line.startsWith('MULTI ')) return Array.from({ length: Number(line.slice(6)) }, (_, i) => `LINE ${i + 1}`);
    if (line.startsWith('SLOW ')) {
      await new Promise((r) => setTimeout(r, 30));
      return `DONE ${line.slice(5)}`;
    }
    return `PONG ${line.replace(/^PING /, '')}`;
  },
};

describe('SerialConnection over a socat pty pair', () => {
  let pty: PtyPair;
  let device: SerialDeviceServer;
  let conn: SerialConnection;

  beforeEach(async () => {
    pty = await PtyPair.open();
    device = await SerialDeviceServer.start(pty.devicePath, echo);
    conn = new SerialConnection({ path: pty.hostPath, timeoutMs: 300 });
  });

  afterEach(async () => {
    await conn.close();
    await device.stop();
    await pty.close();
  });

  afterAll(() => PtyPair.closeAll());

  it('opens, sends a command and reads its reply line', async () => {
    await conn.open();
    expect(conn.isOpen).toBe(true);
    expect(await conn.request('PING 1')).toEqual(['PONG 1']);
    expect(device.received).toEqual(['PING 1']);
  });

  it('keeps one command in flight: concurrent requests get their own replies in order', async () => {
    await conn.open();
    const replies = await Promise.all([conn.request('SLOW a'), conn.request('PING b'), conn.request('SLOW c'), conn.request('PING d')]);
    expect(replies).toEqual([['DONE a'], ['PONG b'], ['DONE c'], ['PONG d']]);
    expect(device.received).toEqual(['SLOW a', 'PING b', 'SLOW c', 'PING d']);
  });

  it('reads multi-line replies by count or predicate', async () => {
    await conn.open();
    expect(await conn.request('MULTI 3', { lines: 3 })).toEqual(['LINE 1', 'LINE 2', 'LINE 3']);
    expect(await conn.request('MULTI 4', { lines: (l) => l === 'LINE 2' })).toEqual(['LINE 1', 'LINE 2']);
  });

  it('times out per command, naming the command, and goes on working', async () => {
    await conn.open();
    const e = await conn.request('MUTE', { timeoutMs: 80 }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(DeviceTimeoutError);
    expect((e as Error).message).toBe(`${pty.hostPath}: no reply to "MUTE" within 80 ms`);
    expect(await conn.request('PING 2')).toEqual(['PONG 2']);
  });

  it('a reply arriving after its timeout is dropped, never taken for the next command', async () => {
    await conn.open();
    const wire: WireEvent[] = [];
    conn.onWire((e) => wire.push(e));
    await expect(conn.request('LATE 1', { timeoutMs: 50 })).rejects.toBeInstanceOf(DeviceTimeoutError);
    // Sent at once by the caller; the connection holds it until the late reply has drained.
    expect(await conn.request('PING 2')).toEqual(['PONG 2']);
    expect(wire.find((e) => e.text === 'LATE-REPLY 1')?.direction).toBe('unsolicited');
  });

  it('reports unsolicited lines to wire listeners and not as replies', async () => {
    await conn.open();
    const wire: WireEvent[] = [];
    conn.onWire((e) => wire.push(e));
    await device.send('HELLO');
    await new Promise((r) => setTimeout(r, 50));
    expect(await conn.request('PING 3')).toEqual(['PONG 3']);
    expect(wire.map((w) => [w.direction, w.text])).toEqual([
      ['unsolicited', 'HELLO'],
      ['tx', 'PING 3'],
      ['rx', 'PONG 3'],
    ]);
  });

  it('refuses commands before open() and after close()', async () => {
    await expect(conn.request('PING')).rejects.toBeInstanceOf(ConnectionClosedError);
    await conn.open();
    await conn.close();
    await expect(conn.request('PING')).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('fails to open a missing port with SerialOpenError', async () => {
    const missing = new SerialConnection({ path: `${pty.dir}/nothing` });
    await expect(missing.open()).rejects.toBeInstanceOf(SerialOpenError);
  });

  it('fails the command in flight and later ones with DeviceDisconnectedError when the pty goes, then reconnects', async () => {
    await conn.open();
    expect(await conn.request('PING 1')).toEqual(['PONG 1']);
    const inFlight = conn.request('MUTE', { timeoutMs: 2000 });
    await new Promise((r) => setTimeout(r, 20));
    await device.stop();
    await pty.unplug();
    const e1 = await inFlight.catch((x: Error) => x);
    expect(e1).toBeInstanceOf(DeviceDisconnectedError);
    expect((e1 as Error).message).toContain('device disconnected (command "MUTE" not completed)');
    expect(conn.isDisconnected).toBe(true);
    const e2 = await conn.request('PING 2').catch((x: Error) => x);
    expect(e2).toBeInstanceOf(DeviceDisconnectedError);
    expect((e2 as DeviceDisconnectedError).command).toBe('PING 2');
    // Reconnecting while the device is away fails to open, and the connection stays unusable.
    await expect(conn.reconnect()).rejects.toBeInstanceOf(SerialOpenError);
    await pty.replug();
    await device.start();
    await conn.reconnect();
    expect(conn.isOpen).toBe(true);
    expect(await conn.request('PING 3')).toEqual(['PONG 3']);
  });
});
