export * from './errors.js';
export * from './backend.js';
export * from './scale.js';
export * from './simulator.js';
