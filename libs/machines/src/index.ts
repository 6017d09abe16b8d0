export * from './machine-definition.entity.js';
export * from './machine.entity.js';
export * from './machines.module.js';
