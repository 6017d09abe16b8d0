import type { SerialPort } from 'serialport';

/** The `SerialPort` class of node `serialport`. */
export type SerialPortClass = typeof SerialPort;

let loading: Promise<SerialPortClass> | undefined;

/**
 * Loads node `serialport` (and with it its native binding) the first time a port is opened, not
 * when `@praxis/hardware` is imported: processes that never open a serial port never load it. The
 * module is loaded once; a failed load is not cached, so a later call tries again.
 */
export function loadSerialPort(): Promise<SerialPortClass> {
  loading ??= import('serialport').then(
    (m) => m.SerialPort,
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}
