// Serial backends: a line-oriented SerialConnection over node `serialport`, device simulators
// served over socat pty pairs, and the backends built on them (MT-SICS balances, Q.Instruments
// BioShake heater-shakers), created from a machine's connection config by createSerialBackend().
export * from './errors.js';
export * from './transport.js';
export * from './serial-connection.js';
export * from './device-server.js';
export * from './pty-pair.js';
export * from './mettler-sics.js';
export * from './mettler-sics-simulator.js';
export * from './bioshake.js';
export * from './bioshake-simulator.js';
export * from './factory.js';
