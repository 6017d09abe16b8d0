import { existsSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { discoverDevices, KNOWN_USB_DEVICES, matchUsbIds } from './index.js';

describe('matchUsbIds', () => {
  it('knows the Hamilton STAR, FTDI adapters and vendor-only ids', () => {
    expect(matchUsbIds(0x08af, 0x8000)).toMatchObject({ backends: ['hamilton-star-usb'], identifies: 'instrument' });
    expect(matchUsbIds(0x08af, 0x1234)).toMatchObject({ identifies: 'vendor', backends: [] });
    expect(matchUsbIds(0x0403, 0xbb68)!.backends).toEqual(['bmg-clariostar-usb']);
    expect(matchUsbIds(0x0403, 0x6001)).toMatchObject({ identifies: 'adapter' });
    expect(matchUsbIds(0x0403, 0x6001)!.backends[0]).toBe('mettler-sics-serial');
    expect(matchUsbIds(0x1234, 0x5678)).toBeUndefined();
    expect(matchUsbIds(undefined, undefined)).toBeUndefined();
    for (const k of KNOWN_USB_DEVICES) expect(k.name.length).toBeGreaterThan(0);
  });
});

describe('discoverDevices', () => {
  it('on this machine (no USB bus) returns an empty USB list with a reason and never throws', async () => {
    const r = await discoverDevices();
    expect(Array.isArray(r.usb.devices)).toBe(true);
    if (!existsSync('/sys/bus/usb/devices')) {
      expect(r.usb.devices).toEqual([]);
      expect(r.usb.reason).toMatch(/^cannot list USB devices: .+/);
    }
    expect(Array.isArray(r.serial.ports)).toBe(true);
    expect(Number.isNaN(Date.parse(r.at))).toBe(false);
  });

  it('matches listed USB devices and serial ports against the table', async () => {
    const r = await discoverDevices({
      listUsb: async () => [
        { vendorId: 0x08af, productId: 0x8000, serialNumber: 'STAR123', manufacturer: 'Hamilton', product: 'ML STAR' },
        { vendorId: 0x0403, productId: 0x6001, serialNumber: null },
        { vendorId: 0xdead, productId: 0xbeef },
      ],
      listSerialPorts: async () => [
        { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', serialNumber: 'FT1', manufacturer: 'FTDI' },
        { path: '/dev/ttyS0' },
      ],
    });
    expect(r.usb.reason).toBeUndefined();
    expect(r.usb.devices[0]).toMatchObject({ ids: '0x08af:0x8000', serialNumber: 'STAR123', manufacturer: 'Hamilton', product: 'ML STAR', match: { backends: ['hamilton-star-usb'] } });
    expect(r.usb.devices[1].serialNumber).toBeUndefined();
    expect(r.usb.devices[1].match?.identifies).toBe('adapter');
    expect(r.usb.devices[2].match).toBeUndefined();
    expect(r.serial.ports[0]).toMatchObject({ path: '/dev/ttyUSB0', vendorId: 0x0403, productId: 0x6001, ids: '0x0403:0x6001', serialNumber: 'FT1' });
    expect(r.serial.ports[0].match?.backends).toContain('mettler-sics-serial');
    expect(r.serial.ports[1]).toEqual({ path: '/dev/ttyS0' });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('turns listing failures and hangs into reasons', async () => {
    const r = await discoverDevices({
      listUsb: async () => {
        throw new Error('/sys/bus/usb/devices/ not found');
      },
      listSerialPorts: () => new Promise(() => undefined),
      timeoutMs: 50,
    });
    expect(r.usb).toEqual({ devices: [], reason: 'cannot list USB devices: /sys/bus/usb/devices/ not found' });
    expect(r.serial).toEqual({ ports: [], reason: 'cannot list serial ports: the serial port listing did not answer within 50 ms' });
  });
});
