import type { Coordinate } from './coordinate.js';
import { ResourceAssignmentError, ResourceNotFoundError } from './errors.js';
import { baseOptions, registerResourceType, Resource, type ResourceOptions, type SerializedResource } from './resource.js';
import { Trash } from './carrier.js';

/** The root of a machine's layout. Refuses resources that overlap another or leave the deck. */
export class Deck extends Resource {
  static override readonly type: string = 'Deck';

  constructor(opts: ResourceOptions) {
    super({ category: 'deck', ...opts });
  }

  /** The default trash (the first `Trash` on the deck). */
  get trash(): Trash {
    const t = this.children.find((c): c is Trash => c instanceof Trash);
    if (!t) throw new ResourceNotFoundError(`${this.name} has no trash`);
    return t;
  }

  protected override checkAssignment(child: Resource, location: Coordinate): void {
    const tol = 0.5;
    if (location.x < -tol || location.y < -tol || location.x + child.sizeX > this.sizeX + tol || location.y + child.sizeY > this.sizeY + tol) {
      if (!(child instanceof Trash)) {
        throw new ResourceAssignmentError(
          `${child.name} (${child.sizeX} x ${child.sizeY} mm at x=${location.x}, y=${location.y}) does not fit on ${this.name} (${this.sizeX} x ${this.sizeY} mm)`,
        );
      }
    }
    if (child instanceof Trash) return;
    for (const other of this.children) {
      if (other instanceof Trash || !other.location) continue;
      const o = other.location;
      const overlapX = location.x < o.x + other.sizeX - tol && o.x < location.x + child.sizeX - tol;
      const overlapY = location.y < o.y + other.sizeY - tol && o.y < location.y + child.sizeY - tol;
      if (overlapX && overlapY) throw new ResourceAssignmentError(`${child.name} would overlap ${other.name} on ${this.name}`);
    }
  }
}

registerResourceType(Deck.type, (d: SerializedResource) => new Deck(baseOptions(d)));
