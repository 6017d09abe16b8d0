export * from './machine-errors.js';
export * from './simulation.js';
export * from './plate-holder.js';
