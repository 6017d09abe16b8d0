/**
 * USB vendor/product ids of instruments and USB-serial adapters, with the backend(s) to suggest.
 * Sources: the vendors' ids as used by PyLabRobot (Hamilton STAR 0x08AF:0x8000, BMG CLARIOstar on
 * FTDI 0x0403:0xBB68, Mettler Toledo's USB-RS232 cable on FTDI 0x0403:0x6001, Inheco TEC control
 * box 0x03EB:0x2023) and the public USB id registry for the generic adapters.
 */
export interface KnownUsbDevice {
  vendorId: number;
  /** Omitted: any product of the vendor (a weaker match). */
  productId?: number;
  /** What it is, e.g. `Hamilton STAR / STARlet`. */
  name: string;
  /** Backend names (registry) to suggest, best first; empty when none drives it yet. */
  backends: string[];
  /** Machine kinds (registry names) it may be. */
  machineKinds: string[];
  /** `instrument`: the ids identify the instrument; `adapter`: a generic USB-serial chip, the instrument behind it is a guess. */
  identifies: 'instrument' | 'adapter' | 'vendor';
  note?: string;
}

const SERIAL_BEHIND_ADAPTER = ['mettler-sics-serial', 'qinstruments-bioshake-serial', 'inheco-serial'];
const SERIAL_KINDS = ['Mettler Toledo WXS205SDU', 'Inheco ThermoShake'];
const adapter = (vendorId: number, productId: number, name: string): KnownUsbDevice => ({
  vendorId,
  productId,
  name,
  backends: SERIAL_BEHIND_ADAPTER,
  machineKinds: SERIAL_KINDS,
  identifies: 'adapter',
  note: 'generic USB-serial adapter: the instrument behind it cannot be told from the USB ids; probe it or pick the backend by hand',
});

export const KNOWN_USB_DEVICES: readonly KnownUsbDevice[] = [
  { vendorId: 0x08af, productId: 0x8000, name: 'Hamilton STAR / STARlet', backends: ['hamilton-star-usb'], machineKinds: ['Hamilton STAR', 'Hamilton STARlet'], identifies: 'instrument' },
  { vendorId: 0x08af, name: 'Hamilton device', backends: [], machineKinds: [], identifies: 'vendor', note: 'Hamilton vendor id with an unknown product id' },
  { vendorId: 0x0403, productId: 0xbb68, name: 'BMG Labtech CLARIOstar (FTDI)', backends: ['bmg-clariostar-usb'], machineKinds: ['BMG CLARIOstar'], identifies: 'instrument' },
  {
    ...adapter(0x0403, 0x6001, 'FTDI FT232R USB-serial'),
    backends: ['mettler-sics-serial', 'qinstruments-bioshake-serial', 'inheco-serial'],
    note: "FTDI FT232R: Mettler Toledo's USB-RS232 cable uses it (so do many others); probe it or pick the backend by hand",
  },
  adapter(0x0403, 0x6010, 'FTDI FT2232 USB-serial'),
  adapter(0x0403, 0x6011, 'FTDI FT4232 USB-serial'),
  adapter(0x0403, 0x6014, 'FTDI FT232H USB-serial'),
  adapter(0x0403, 0x6015, 'FTDI FT-X USB-serial'),
  adapter(0x067b, 0x2303, 'Prolific PL2303 USB-serial'),
  adapter(0x10c4, 0xea60, 'Silicon Labs CP210x USB-serial'),
  adapter(0x1a86, 0x7523, 'WCH CH340 USB-serial'),
  { vendorId: 0x03eb, productId: 0x2023, name: 'Inheco TEC control box (USB HID)', backends: [], machineKinds: ['Inheco ThermoShake'], identifies: 'instrument', note: 'USB HID control box: no HID backend yet (inheco-serial is for the RS-232 models)' },
  { vendorId: 0x0c47, name: 'Tecan device', backends: [], machineKinds: [], identifies: 'vendor', note: 'Tecan vendor id (e.g. Freedom EVO): no backend yet' },
];

/** The best entry for these ids: an exact vendor+product match first, then a vendor-only one. */
export function matchUsbIds(vendorId: number | undefined, productId: number | undefined): KnownUsbDevice | undefined {
  if (vendorId === undefined) return undefined;
  return (
    KNOWN_USB_DEVICES.find((k) => k.vendorId === vendorId && k.productId !== undefined && k.productId === productId) ??
    KNOWN_USB_DEVICES.find((k) => k.vendorId === vendorId && k.productId === undefined)
  );
}

/** `0x08af` style. */
export function hexId(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`;
}
