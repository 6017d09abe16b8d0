export * from './canonical.js';
export * from './catalog-sync.service.js';
export * from './discovery.module.js';
export * from './demo-seed.service.js';
