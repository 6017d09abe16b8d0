// Capture and replay of serial exchanges: record a backend's traffic once (on a device or a
// simulator), replay it in tests without the device.
export * from './recording.js';
