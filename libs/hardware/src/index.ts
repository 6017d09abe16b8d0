// @praxis/hardware: the resource model, labware catalog, trackers and machine front ends and
// backends. Plain TypeScript with no Nest import, usable on its own.
export * from './resources/coordinate.js';
export * from './resources/errors.js';
export * from './resources/resource.js';
export * from './resources/container.js';
export * from './resources/itemized.js';
export * from './resources/plate.js';
export * from './resources/tip.js';
export * from './resources/tip-rack.js';
export * from './resources/tube-rack.js';
export * from './resources/carrier.js';
export * from './resources/deck.js';
export * from './decks/hamilton.js';
export * from './decks/ot2.js';
export * from './tracking/config.js';
export * from './tracking/errors.js';
export * from './tracking/tip-tracker.js';
export * from './tracking/volume-tracker.js';
export * from './machines/machine.js';
export * from './machines/liquid-handler/index.js';
export * from './catalog/index.js';
export * from './machines/shared/index.js';
export * from './machines/plate-reader/index.js';
export * from './machines/heater-shaker/index.js';
export * from './machines/scale/index.js';
