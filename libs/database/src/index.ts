export * from './base.entity.js';
export * from './database.module.js';
export * from './pagination.js';
export * from './db-errors.js';
export * from './pool-stats.js';
