export * from './deck-type.entity.js';
export * from './deck-layout.entity.js';
export * from './deck.entity.js';
export * from './decks.module.js';
