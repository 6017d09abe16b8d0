import { hexId, type KnownUsbDevice, matchUsbIds } from './known-devices.js';

/** One USB device as listed by the bus. */
export interface RawUsbDevice {
  vendorId: number;
  productId: number;
  serialNumber?: string | null;
  manufacturer?: string | null;
  product?: string | null;
}

/** One serial port as `SerialPort.list()` reports it (USB ids as hex strings, e.g. `0403`). */
export interface RawSerialPort {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  pnpId?: string;
  locationId?: string;
  vendorId?: string;
  productId?: string;
}

export interface DeviceMatch {
  name: string;
  /** Backends to suggest, best first (registry names). */
  backends: string[];
  machineKinds: string[];
  identifies: KnownUsbDevice['identifies'];
  note?: string;
}

export interface DiscoveredUsbDevice {
  vendorId: number;
  productId: number;
  /** `0x08af:0x8000`. */
  ids: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  match?: DeviceMatch;
}

export interface DiscoveredSerialPort {
  path: string;
  vendorId?: number;
  productId?: number;
  ids?: string;
  serialNumber?: string;
  manufacturer?: string;
  pnpId?: string;
  match?: DeviceMatch;
}

export interface DiscoveryResult {
  usb: { devices: DiscoveredUsbDevice[]; reason?: string };
  serial: { ports: DiscoveredSerialPort[]; reason?: string };
  /** ISO time of the scan. */
  at: string;
}

export interface DiscoverOptions {
  /** Lists USB devices (default: the `usb` package, loaded lazily). */
  listUsb?: () => Promise<RawUsbDevice[]>;
  /** Lists serial ports (default: `SerialPort.list()`). */
  listSerialPorts?: () => Promise<RawSerialPort[]>;
  /** Longest time each listing may take (ms). Default 5000. */
  timeoutMs?: number;
}

function toMatch(k: KnownUsbDevice | undefined): DeviceMatch | undefined {
  if (!k) return undefined;
  return { name: k.name, backends: [...k.backends], machineKinds: [...k.machineKinds], identifies: k.identifies, ...(k.note ? { note: k.note } : {}) };
}

const str = (v: string | null | undefined): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function parseHex(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const n = Number.parseInt(v.replace(/^0x/i, ''), 16);
  return Number.isFinite(n) ? n : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

interface UsbModuleShape {
  usb?: { getDevices(): Promise<Array<Record<string, unknown>>> };
  default?: UsbModuleShape;
}

/** Lists USB devices with the `usb` package (imported here, so a missing or broken native module is only a reason). */
export async function listUsbDevices(): Promise<RawUsbDevice[]> {
  let mod: UsbModuleShape;
  try {
    mod = (await import('usb')) as unknown as UsbModuleShape;
  } catch (err) {
    throw new Error(`the usb package is not available (${message(err)}); npm install usb`);
  }
  const usb = mod.usb ?? mod.default?.usb;
  if (!usb) throw new Error('the usb package has no usb.getDevices() (unexpected version)');
  const devices = await usb.getDevices();
  return devices.map((d) => {
    const get = (k: string): string | undefined => {
      try {
        const v = d[k];
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined; // some fields need the device opened
      }
    };
    return { vendorId: Number(d.vendorId), productId: Number(d.productId), serialNumber: get('serialNumber'), manufacturer: get('manufacturerName'), product: get('productName') };
  });
}

/** Lists serial ports with `SerialPort.list()` (udev on Linux). */
export async function listSerialPorts(): Promise<RawSerialPort[]> {
  const { SerialPort } = await import('serialport');
  return SerialPort.list();
}

/**
 * Scans the USB bus and the serial ports and suggests a backend for what it recognises (table
 * `KNOWN_USB_DEVICES`). Never throws: a listing that fails (no USB bus, no udev, no permission,
 * package missing) comes back empty with a `reason`.
 */
export async function discoverDevices(opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const [usb, serial] = await Promise.all([
    (async (): Promise<DiscoveryResult['usb']> => {
      try {
        const raw = await withTimeout((opts.listUsb ?? listUsbDevices)(), timeoutMs, 'the USB listing');
        return {
          devices: raw.map((d) => {
            const out: DiscoveredUsbDevice = { vendorId: d.vendorId, productId: d.productId, ids: `${hexId(d.vendorId)}:${hexId(d.productId)}` };
            const sn = str(d.serialNumber);
            if (sn) out.serialNumber = sn;
            const mf = str(d.manufacturer);
            if (mf) out.manufacturer = mf;
            const pr = str(d.product);
            if (pr) out.product = pr;
            const m = toMatch(matchUsbIds(d.vendorId, d.productId));
            if (m) out.match = m;
            return out;
          }),
        };
      } catch (err) {
        return { devices: [], reason: `cannot list USB devices: ${message(err)}` };
      }
    })(),
    (async (): Promise<DiscoveryResult['serial']> => {
      try {
        const raw = await withTimeout((opts.listSerialPorts ?? listSerialPorts)(), timeoutMs, 'the serial port listing');
        return {
          ports: raw.map((p) => {
            const out: DiscoveredSerialPort = { path: p.path };
            const vid = parseHex(p.vendorId);
            const pid = parseHex(p.productId);
            if (vid !== undefined) out.vendorId = vid;
            if (pid !== undefined) out.productId = pid;
            if (vid !== undefined && pid !== undefined) out.ids = `${hexId(vid)}:${hexId(pid)}`;
            const sn = str(p.serialNumber);
            if (sn) out.serialNumber = sn;
            const mf = str(p.manufacturer);
            if (mf) out.manufacturer = mf;
            const pnp = str(p.pnpId);
            if (pnp) out.pnpId = pnp;
            const m = toMatch(matchUsbIds(vid, pid));
            if (m) out.match = m;
            return out;
          }),
        };
      } catch (err) {
        return { ports: [], reason: `cannot list serial ports: ${message(err)}` };
      }
    })(),
  ]);
  return { usb, serial, at: new Date().toISOString() };
}
