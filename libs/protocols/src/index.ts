export * from './protocol-source.entity.js';
export * from './protocol-definition.entity.js';
export * from './sandbox/index.js';
export * from './sources/protocol-source.dto.js';
export * from './sources/protocol-sources.service.js';
export * from './definitions/protocol-definition.dto.js';
export * from './definitions/protocol-definitions.service.js';
export * from './protocols.module.js';
