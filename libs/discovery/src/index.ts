export * from './discovery.module.js';
