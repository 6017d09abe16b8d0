import type { Coordinate } from '../resources/coordinate.js';
import { Trash } from '../resources/carrier.js';
import { Deck } from '../resources/deck.js';
import { ResourceAssignmentError } from '../resources/errors.js';
import { baseOptions, registerResourceType, Resource, type SerializedResource } from '../resources/resource.js';

/** Rail pitch of Hamilton STAR decks (mm). */
export const RAIL_PITCH = 22.5;

/** Deck coordinates of a carrier placed with its left edge on rail `rails` (1-based). */
export function railsToLocation(rails: number): Coordinate {
  return { x: 100 + (rails - 1) * RAIL_PITCH, y: 63, z: 100 };
}

export interface HamiltonDeckOptions {
  name?: string;
  numRails: number;
  sizeX: number;
  sizeY?: number;
  sizeZ?: number;
  /** Add the default tip trash (default true). */
  withTrash?: boolean;
}

/** A Hamilton STAR / STARlet deck: carriers go on rails. */
export class HamiltonSTARDeck extends Deck {
  static override readonly type: string = 'HamiltonSTARDeck';
  readonly numRails: number;

  constructor(opts: HamiltonDeckOptions) {
    super({ name: opts.name ?? 'deck', sizeX: opts.sizeX, sizeY: opts.sizeY ?? 653.5, sizeZ: opts.sizeZ ?? 900, model: opts.numRails === 32 ? 'STARlet' : 'STAR' });
    this.numRails = opts.numRails;
    if (opts.withTrash ?? true) {
      // The waste block stands on the last rail; tips are dropped onto its slope (the trash), and
      // the 96-head drops its tips at its own trash position.
      const lastRail = railsToLocation(opts.numRails - 1).x;
      this.assignChildResource(new Resource({ name: 'waste_block', sizeX: 30, sizeY: 445.2, sizeZ: 100, category: 'waste_block' }), { x: lastRail, y: 115, z: 100 });
      this.assignChildResource(new Trash({ name: 'trash', sizeX: 0, sizeY: 241.2, sizeZ: 0 }), { x: lastRail + 25, y: 190.6, z: 137.1 });
      this.assignChildResource(new Trash({ name: 'trash_core96', sizeX: 122.4, sizeY: 82.6, sizeZ: 0 }), { x: -58.2, y: 106, z: 216.4 });
    }
  }

  /** Places a carrier with its left edge on rail `rails` (1-based). */
  assignOnRails(resource: Resource, rails: number): void {
    if (!Number.isInteger(rails) || rails < 1 || rails > this.numRails) {
      throw new ResourceAssignmentError(`rails must be an integer from 1 to ${this.numRails} (got ${rails})`);
    }
    const railsWide = Math.round(resource.sizeX / RAIL_PITCH);
    if (rails + railsWide - 1 > this.numRails) {
      throw new ResourceAssignmentError(`${resource.name} is ${railsWide} rails wide and does not fit from rail ${rails} on a ${this.numRails}-rail deck`);
    }
    this.assignChildResource(resource, railsToLocation(rails));
  }

  /** The rail a carrier stands on (undefined for resources not on rails). */
  railsOf(resource: Resource): number | undefined {
    if (resource.parent !== this || !resource.location) return undefined;
    const r = (resource.location.x - 100) / RAIL_PITCH + 1;
    return Number.isInteger(Math.round(r * 1000) / 1000) ? Math.round(r) : undefined;
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { numRails: this.numRails };
  }
}

/** Hamilton STAR: 56 rails, 1545 mm wide (Hamilton's ML_STAR2 deck file). */
export function STARDeck(name = 'deck'): HamiltonSTARDeck {
  return new HamiltonSTARDeck({ name, numRails: 56, sizeX: 1545 });
}

/** Hamilton STARlet: 32 rails, 1005 mm wide (Hamilton's ML_Starlet deck file). */
export function STARletDeck(name = 'deck'): HamiltonSTARDeck {
  return new HamiltonSTARDeck({ name, numRails: 32, sizeX: 1005 });
}

registerResourceType(HamiltonSTARDeck.type, (d: SerializedResource) => {
  const deck = new HamiltonSTARDeck({ ...baseOptions(d), name: d.name, numRails: d.numRails as number, sizeX: d.sizeX, withTrash: false });
  return deck;
});
