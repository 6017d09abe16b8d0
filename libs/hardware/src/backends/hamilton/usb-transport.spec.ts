import { describe, expect, it } from '@jest/globals';
import { UsbDeviceNotFoundError, type UsbDeviceLike, UsbTransport } from './usb-transport.js';

/** A fake USB device (the one true hardware boundary): a queue of IN packets, a log of OUT transfers. */
function fakeDevice(packetSize = 64, stale: Uint8Array[] = []) {
  const inbox: Uint8Array[] = [...stale];
  const waiting: Array<(p: Uint8Array) => void> = [];
  const out: Uint8Array[] = [];
  const device: UsbDeviceLike = {
    serialNumber: 'S1',
    configuration: {
      interfaces: [
        {
          interfaceNumber: 0,
          alternate: {
            endpoints: [
              { endpointNumber: 1, direction: 'in', type: 'bulk', packetSize },
              { endpointNumber: 2, direction: 'out', type: 'bulk', packetSize },
            ],
          },
        },
      ],
    },
    open: async () => undefined,
    close: async () => undefined,
    selectConfiguration: async () => undefined,
    claimInterface: async () => undefined,
    transferOut: async (_ep, data) => {
      out.push(data);
      return { status: 'ok', bytesWritten: data.length };
    },
    transferIn: (_ep, length) =>
      new Promise((resolve) => {
        const give = (p: Uint8Array) => resolve({ status: 'ok', data: new DataView(p.buffer, p.byteOffset, Math.min(p.length, length)) });
        const next = inbox.shift();
        if (next) give(next);
        else waiting.push(give);
      }),
  };
  const push = (p: Uint8Array) => {
    const w = waiting.shift();
    if (w) w(p);
    else inbox.push(p);
  };
  return { device, out, push, inbox };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | string) => (typeof b === 'string' ? b : new TextDecoder().decode(b));

describe('UsbTransport', () => {
  it('fails clearly when no STAR is on the bus', async () => {
    await expect(new UsbTransport({ findDevices: async () => [] }).open()).rejects.toThrow(/no Hamilton STAR found on USB/);
    await expect(new UsbTransport().open()).rejects.toBeInstanceOf(UsbDeviceNotFoundError);
  });

  it('picks the device by serial number', async () => {
    const f = fakeDevice();
    await expect(new UsbTransport({ serialNumber: 'OTHER', findDevices: async () => [f.device] }).open()).rejects.toThrow(/serial OTHER/);
  });

  it('drains stale packets at open, sends a zero-length packet after whole packets, reads until a short packet', async () => {
    const f = fakeDevice(8, [bytes('stale123'), bytes('old')]);
    const t = new UsbTransport({ findDevices: async () => [f.device], packetTimeoutMs: 20 });
    const got: string[] = [];
    t.onData((d) => got.push(text(d)));
    await t.open();
    expect(f.inbox).toHaveLength(0);

    await t.write('C0QMid01'); // 8 bytes: one whole packet → ZLP
    expect(f.out.map((o) => o.length)).toEqual([8, 0]);
    await t.write('C0QMid0'); // short: no ZLP
    expect(f.out.map((o) => o.length)).toEqual([8, 0, 7]);

    f.push(bytes('C0QMid00')); // full packet: the message goes on
    f.push(bytes('01er00/0'));
    f.push(bytes('0')); // short packet ends it
    f.push(bytes('C0RTid00'));
    f.push(new Uint8Array(0)); // a zero-length packet ends a message of whole packets
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['C0QMid0001er00/00', 'C0RTid00']);
    await t.close();
  });
});
