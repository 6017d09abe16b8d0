export * from './errors.js';
export * from './backend.js';
export * from './heater-shaker.js';
export * from './simulator.js';
