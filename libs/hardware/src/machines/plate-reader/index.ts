export * from './backend.js';
export * from './plate-reader.js';
export * from './simulator.js';
