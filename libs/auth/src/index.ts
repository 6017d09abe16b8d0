export * from './roles.js';
export * from './decorators.js';
export * from './users/user.entity.js';
export * from './users/users.service.js';
export * from './users/password.js';
export * from './token.service.js';
export * from './keys/signing-key.service.js';
export * from './auth.module.js';
