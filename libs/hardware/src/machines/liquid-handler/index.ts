export * from './backend.js';
export * from './errors.js';
export * from './liquid-handler.js';
export * from './simulator.js';
export * from './standard.js';
