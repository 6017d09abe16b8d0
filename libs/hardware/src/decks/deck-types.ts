import type { Coordinate } from '../resources/coordinate.js';
import type { Deck } from '../resources/deck.js';
import { railsToLocation, STARDeck, STARletDeck } from './hamilton.js';
import { OT2_SLOT_LOCATIONS, OT2Deck } from './ot2.js';

/** A named place on a deck type where a resource (a carrier, labware) can stand. */
export interface DeckPosition {
  /** `rail 1`..`rail 32`, `slot 1`..`slot 12`. */
  name: string;
  kind: 'rail' | 'slot';
  index: number;
  location: Coordinate;
}

export interface DeckTypeDefinition {
  /** Unique name, the same as the deck's factory: `STARletDeck`, `STARDeck`, `OT2Deck`. */
  name: string;
  manufacturer: string;
  model: string;
  positionKind: 'rail' | 'slot';
  positions: DeckPosition[];
  create: (name?: string) => Deck;
}

const rails = (n: number): DeckPosition[] =>
  Array.from({ length: n }, (_, i) => ({ name: `rail ${i + 1}`, kind: 'rail', index: i + 1, location: railsToLocation(i + 1) }));

export const DECK_TYPES: readonly DeckTypeDefinition[] = [
  { name: 'STARletDeck', manufacturer: 'Hamilton', model: 'STARlet', positionKind: 'rail', positions: rails(32), create: STARletDeck },
  { name: 'STARDeck', manufacturer: 'Hamilton', model: 'STAR', positionKind: 'rail', positions: rails(56), create: STARDeck },
  {
    name: 'OT2Deck',
    manufacturer: 'Opentrons',
    model: 'OT-2',
    positionKind: 'slot',
    positions: OT2_SLOT_LOCATIONS.map((location, i) => ({ name: `slot ${i + 1}`, kind: 'slot', index: i + 1, location })),
    create: (name?: string) => new OT2Deck({ name }),
  },
];

export function getDeckType(name: string): DeckTypeDefinition {
  const t = DECK_TYPES.find((d) => d.name === name);
  if (!t) throw new Error(`Unknown deck type "${name}" (known: ${DECK_TYPES.map((d) => d.name).join(', ')})`);
  return t;
}
