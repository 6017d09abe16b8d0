export { OptionalNotNull } from '@praxis/common';

/** Names of decks and deck layouts: 1-150 letters, digits, spaces, dots, dashes or underscores. */
export const DISPLAY_NAME = /^[\w .-]{1,150}$/;
export const DISPLAY_NAME_MESSAGE = 'name must be 1-150 letters, digits, spaces, dots, dashes or underscores';

/** Resource names on a deck (placements): 1-150 letters, digits, dots, dashes or underscores. */
export const RESOURCE_NAME = /^[A-Za-z0-9_.-]{1,150}$/;
