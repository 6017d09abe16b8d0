export * from './notification.entity.js';
export * from './notification.dto.js';
export * from './notification-message.js';
export * from './mailer.service.js';
export * from './notifications.service.js';
export * from './notification-dispatcher.service.js';
export * from './notifications.module.js';
