import type { DeckTypeDefinition } from './decks/deck-types.js';
import { HamiltonSTARDeck } from './decks/hamilton.js';
import { OT2Deck } from './decks/ot2.js';
import { Carrier, PlateCarrier, TipCarrier, TroughCarrier } from './resources/carrier.js';
import { Container } from './resources/container.js';
import type { Deck } from './resources/deck.js';
import { ResourceError } from './resources/errors.js';
import { Plate } from './resources/plate.js';
import type { Resource } from './resources/resource.js';
import { TipRack } from './resources/tip-rack.js';

/**
 * One resource of a deck layout: a definition (catalog name) placed either directly on the deck
 * (`rails` on a Hamilton deck, `slot` on an OT-2) or on a site of a carrier placed earlier.
 */
export interface LayoutPlacement {
  /** Resource name on the deck (unique in the layout). */
  name: string;
  /** Definition (catalog) name, e.g. `cor_96_wellplate_360uL_Fb`. */
  definition: string;
  rails?: number;
  slot?: number;
  /** Name of the carrier placement this one stands on. */
  parent?: string;
  /** Site index on the parent carrier (0 = front). */
  site?: number;
}

/** A layout that cannot be built: which placement, which field, and the other resource involved. */
export class LayoutError extends Error {
  constructor(
    message: string,
    readonly placement: string,
    readonly field: keyof LayoutPlacement | 'placements',
    readonly other?: string,
  ) {
    super(message);
    this.name = 'LayoutError';
  }
}

function siteAccepts(carrier: Carrier, resource: Resource): string | null {
  if (carrier instanceof TipCarrier && !(resource instanceof TipRack)) return 'tip racks';
  if (carrier instanceof PlateCarrier && !(resource instanceof Plate)) return 'plates';
  if (carrier instanceof TroughCarrier && !(resource instanceof Container)) return 'troughs';
  return null;
}

/**
 * Builds a live deck from a layout, checking it against the deck type's geometry: positions exist,
 * nothing overlaps, carriers stand on the deck, and each site holds what it is made for (a plate on
 * a plate site, a tip rack on a tip site). `create(definition, name)` builds one resource.
 */
export function buildDeckLayout(
  deckType: DeckTypeDefinition,
  placements: readonly LayoutPlacement[],
  create: (definition: string, name: string) => Resource,
  deckName = 'deck',
): Deck {
  const deck = deckType.create(deckName);
  const built = new Map<string, Resource>();
  const byName = new Map<string, LayoutPlacement>();
  for (const p of placements) {
    if (!p.name) throw new LayoutError('a placement has no name', '', 'name');
    if (byName.has(p.name) || deck.hasResource(p.name)) throw new LayoutError(`two resources are named "${p.name}"`, p.name, 'name');
    byName.set(p.name, p);
  }
  // Parents before children, whatever order the placements came in.
  const order: LayoutPlacement[] = [];
  const visiting = new Set<string>();
  const visit = (p: LayoutPlacement) => {
    if (order.includes(p)) return;
    if (visiting.has(p.name)) throw new LayoutError(`${p.name} is (indirectly) placed on itself`, p.name, 'parent');
    visiting.add(p.name);
    if (p.parent !== undefined) {
      const parent = byName.get(p.parent);
      if (!parent) throw new LayoutError(`${p.name} is placed on "${p.parent}", which is not in the layout`, p.name, 'parent', p.parent);
      visit(parent);
    }
    visiting.delete(p.name);
    order.push(p);
  };
  placements.forEach(visit);

  for (const p of order) {
    let resource: Resource;
    try {
      resource = create(p.definition, p.name);
    } catch (err) {
      throw new LayoutError(`${p.name}: unknown definition "${p.definition}"${err instanceof Error ? ` (${err.message})` : ''}`, p.name, 'definition');
    }
    const onDeck = p.rails !== undefined || p.slot !== undefined;
    if (onDeck && p.parent !== undefined) throw new LayoutError(`${p.name} has both a deck position and a parent`, p.name, 'parent');
    if (!onDeck && p.parent === undefined) throw new LayoutError(`${p.name} has no position: give ${deckType.positionKind === 'rail' ? 'rails' : 'slot'} or parent and site`, p.name, deckType.positionKind === 'rail' ? 'rails' : 'slot');
    try {
      if (onDeck) {
        if (deckType.positionKind === 'rail') {
          if (p.rails === undefined) throw new LayoutError(`${p.name}: ${deckType.name} has rails, not slots`, p.name, 'slot');
          if (!(deck instanceof HamiltonSTARDeck)) throw new LayoutError(`${deckType.name} has no rails`, p.name, 'rails');
          if (resource instanceof Carrier || !(resource instanceof Plate || resource instanceof TipRack)) {
            deck.assignOnRails(resource, p.rails);
          } else {
            throw new LayoutError(`${p.name} (${p.definition}) cannot stand on the rails; put it on a carrier site`, p.name, 'rails');
          }
        } else {
          if (p.slot === undefined) throw new LayoutError(`${p.name}: ${deckType.name} has slots, not rails`, p.name, 'rails');
          if (!(deck instanceof OT2Deck)) throw new LayoutError(`${deckType.name} has no slots`, p.name, 'slot');
          deck.assignToSlot(resource, p.slot);
        }
      } else {
        const parent = built.get(p.parent!)!;
        if (!(parent instanceof Carrier)) throw new LayoutError(`${p.name} is placed on ${p.parent}, which is not a carrier`, p.name, 'parent', p.parent);
        if (p.site === undefined) throw new LayoutError(`${p.name} is on carrier ${p.parent} but has no site`, p.name, 'site');
        if (!Number.isInteger(p.site) || p.site < 0 || p.site >= parent.capacity) {
          throw new LayoutError(`${p.name}: carrier ${p.parent} has sites 0-${parent.capacity - 1}, not ${p.site}`, p.name, 'site');
        }
        const occupant = parent.at(p.site);
        if (occupant) throw new LayoutError(`${p.name} and ${occupant.name} are both placed on site ${p.site} of ${p.parent}`, p.name, 'site', occupant.name);
        const needs = siteAccepts(parent, resource);
        if (needs) throw new LayoutError(`${p.name} (${p.definition}) cannot go on ${p.parent}: its sites hold ${needs}`, p.name, 'parent', p.parent);
        parent.assign(resource, p.site);
      }
    } catch (err) {
      if (err instanceof LayoutError) throw err;
      if (err instanceof ResourceError) {
        const other = /overlap (\S+)/.exec(err.message)?.[1] ?? /holds (\S+)/.exec(err.message)?.[1];
        throw new LayoutError(err.message.startsWith(p.name) ? err.message : `${p.name}: ${err.message}`, p.name, p.rails !== undefined ? 'rails' : p.slot !== undefined ? 'slot' : 'site', other);
      }
      throw err;
    }
    built.set(p.name, resource);
  }
  return deck;
}
