import type { Transport } from './transport.js';
import { toBytes } from './transport.js';

export const HAMILTON_VENDOR_ID = 0x08af;
export const STAR_PRODUCT_ID = 0x8000;

/** The part of a WebUSB `USBDevice` (as the `usb` package exposes it) that the transport uses. */
export interface UsbDeviceLike {
  readonly serialNumber?: string | null;
  readonly configuration: { interfaces: Array<{ interfaceNumber: number; alternate: { endpoints: UsbEndpointLike[] } }> } | null;
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(value: number): Promise<void>;
  claimInterface(n: number): Promise<void>;
  releaseInterface?(n: number): Promise<void>;
  transferIn(endpointNumber: number, length: number): Promise<{ status?: string; data?: DataView }>;
  transferOut(endpointNumber: number, data: Uint8Array): Promise<{ status?: string; bytesWritten?: number }>;
}

export interface UsbEndpointLike {
  endpointNumber: number;
  direction: 'in' | 'out';
  type: 'bulk' | 'interrupt' | 'isochronous';
  packetSize: number;
}

export interface UsbTransportOptions {
  vendorId?: number;
  productId?: number;
  serialNumber?: string;
  /** How long one packet read may wait before the reader polls again (ms, default 50). */
  packetTimeoutMs?: number;
  /** Finds the devices; by default through the `usb` package's WebUSB API. */
  findDevices?: () => Promise<UsbDeviceLike[]>;
}

/** Raised when no matching device is on the USB bus. */
export class UsbDeviceNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsbDeviceNotFoundError';
  }
}

async function findWithUsbPackage(vendorId: number, productId: number): Promise<UsbDeviceLike[]> {
  let mod: Record<string, unknown>;
  try {
    const name = 'usb';
    mod = (await import(name)) as Record<string, unknown>;
  } catch (err) {
    throw new UsbDeviceNotFoundError(`no Hamilton STAR found on USB: the "usb" package is not available (${(err as Error).message})`);
  }
  const WebUSB = mod.WebUSB as (new (opts: { allowAllDevices: boolean }) => { getDevices(): Promise<UsbDeviceLike[]> }) | undefined;
  if (!WebUSB) throw new UsbDeviceNotFoundError('no Hamilton STAR found on USB: the "usb" package has no WebUSB API (v2 or later is needed)');
  let devices: Array<UsbDeviceLike & { vendorId?: number; productId?: number }>;
  try {
    devices = await new WebUSB({ allowAllDevices: true }).getDevices();
  } catch (err) {
    throw new UsbDeviceNotFoundError(`no Hamilton STAR found on USB: cannot list USB devices (${(err as Error).message})`);
  }
  return devices.filter((d) => d.vendorId === vendorId && d.productId === productId);
}

/**
 * USB link to a Hamilton STAR (vendor 0x08AF, product 0x8000): bulk IN/OUT endpoints; a write
 * that fills whole packets is followed by a zero-length packet; one reader loop reads packets
 * until a short packet ends the message, and hands each message to `onData`. Stale packets left
 * in the device are drained when the link opens.
 */
export class UsbTransport implements Transport {
  private device: UsbDeviceLike | null = null;
  private inEp: UsbEndpointLike | null = null;
  private outEp: UsbEndpointLike | null = null;
  private receiver: ((data: Uint8Array) => void) | null = null;
  private reading = false;
  private readerDone: Promise<void> | null = null;
  /** Reader errors (other than timeouts) are reported here. */
  onError: ((err: Error) => void) | null = null;

  constructor(private readonly opts: UsbTransportOptions = {}) {}

  get isOpen(): boolean {
    return this.device !== null;
  }

  async open(): Promise<void> {
    if (this.device) return;
    const vendorId = this.opts.vendorId ?? HAMILTON_VENDOR_ID;
    const productId = this.opts.productId ?? STAR_PRODUCT_ID;
    const found = this.opts.findDevices ? await this.opts.findDevices() : await findWithUsbPackage(vendorId, productId);
    const wanted = this.opts.serialNumber;
    const device = wanted ? found.find((d) => d.serialNumber === wanted) : found[0];
    const id = `${hex(vendorId)}:${hex(productId)}${wanted ? ` serial ${wanted}` : ''}`;
    if (!device) throw new UsbDeviceNotFoundError(`no Hamilton STAR found on USB (${id}); found ${found.length} matching device(s)`);
    await device.open();
    if (!device.configuration) await device.selectConfiguration(1);
    const intf = device.configuration?.interfaces[0];
    if (!intf) throw new Error(`Hamilton STAR ${id} has no USB interface`);
    await device.claimInterface(intf.interfaceNumber);
    const eps = intf.alternate.endpoints;
    this.inEp = eps.find((e) => e.direction === 'in' && e.type === 'bulk') ?? null;
    this.outEp = eps.find((e) => e.direction === 'out' && e.type === 'bulk') ?? null;
    if (!this.inEp || !this.outEp) throw new Error(`Hamilton STAR ${id} has no bulk IN/OUT endpoints`);
    this.device = device;
    await this.drain();
    this.reading = true;
    this.readerDone = this.readLoop();
  }

  async close(): Promise<void> {
    const device = this.device;
    if (!device) return;
    this.reading = false;
    await this.readerDone?.catch(() => undefined);
    this.device = null;
    await device.close();
  }

  onData(cb: (data: Uint8Array | string) => void): void {
    this.receiver = cb;
  }

  /** Writes a message; when it fills whole packets a zero-length packet marks its end. */
  async write(data: Uint8Array | string): Promise<void> {
    const device = this.device;
    const ep = this.outEp;
    if (!device || !ep) throw new Error('USB transport is not open');
    const bytes = toBytes(data);
    await device.transferOut(ep.endpointNumber, bytes);
    if (bytes.length % ep.packetSize === 0) await device.transferOut(ep.endpointNumber, new Uint8Array(0));
  }

  /** The IN transfer still under way (a WebUSB transfer cannot be cancelled: a timed-out one is reused, not lost). */
  private inflight: Promise<Uint8Array | null> | null = null;

  /** Reads one packet, or null when none came within the packet timeout. */
  private async readPacket(): Promise<Uint8Array | null> {
    const device = this.device!;
    const ep = this.inEp!;
    if (!this.inflight) {
      const transfer: Promise<Uint8Array | null> = device.transferIn(ep.endpointNumber, ep.packetSize).then(
        (r) => {
          if (this.inflight === transfer) this.inflight = null;
          if (!r.data || r.status === 'stall') return null;
          return new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
        },
        (err: unknown) => {
          if (this.inflight === transfer) this.inflight = null;
          throw err;
        },
      );
      this.inflight = transfer;
    }
    const timeoutMs = this.opts.packetTimeoutMs ?? 50;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const r = await Promise.race([this.inflight, timeout]);
      return r === 'timeout' ? null : r;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads one message: packets until a short one (a zero-length packet ends a message of whole packets). */
  async readMessage(): Promise<Uint8Array | null> {
    const size = this.inEp!.packetSize;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const p = await this.readPacket();
      if (p === null) {
        if (total === 0) return null;
        break;
      }
      parts.push(p);
      total += p.length;
      if (p.length < size) break;
    }
    if (total === 0) return null;
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  /** Discards whatever the device still holds from before. */
  private async drain(): Promise<number> {
    let n = 0;
    while ((await this.readPacket()) !== null) n++;
    return n;
  }

  private async readLoop(): Promise<void> {
    while (this.reading) {
      try {
        const msg = await this.readMessage();
        if (msg && this.reading) this.receiver?.(msg);
      } catch (err) {
        if (!this.reading) return;
        this.onError?.(err instanceof Error ? err : new Error(String(err)));
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
