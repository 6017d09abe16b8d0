export * from './audit-entry.entity.js';
export * from './audit-summary.js';
export * from './audit.dto.js';
export * from './audit.service.js';
export * from './audit.module.js';
