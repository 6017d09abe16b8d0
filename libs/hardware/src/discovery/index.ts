// Device discovery: USB devices and serial ports, matched against known vendor/product ids.
export * from './known-devices.js';
export * from './discover.js';
