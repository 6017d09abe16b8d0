export * from './redis-options.js';
export * from './redis.service.js';
export * from './redis.module.js';
export * from './queues.js';
export * from './queue-errors.js';
export * from './live-events.js';
