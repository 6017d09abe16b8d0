export * from './workcell.entity.js';
export * from './resource-definition.entity.js';
export * from './resource.entity.js';
export * from './assets.module.js';
