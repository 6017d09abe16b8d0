export * from './runs/run-status.js';
export * from './runs/run.entity.js';
export * from './runs/run-log.entity.js';
export * from './runs/run.dto.js';
export * from './runs/runs.service.js';
export * from './run-queues.js';
export * from './execution.module.js';
