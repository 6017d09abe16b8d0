import type { Coordinate } from '../resources/coordinate.js';
import { Trash } from '../resources/carrier.js';
import { Deck } from '../resources/deck.js';
import { ResourceAssignmentError, ResourceNotFoundError } from '../resources/errors.js';
import { baseOptions, registerResourceType, type Resource, type SerializedResource } from '../resources/resource.js';

/** Offset of slot 1 from the corner of the deck plate (the deck's origin). */
const OT2_SLOT_ORIGIN = { x: 115.65, y: 68.03 };

/** Front-left corners of the OT-2's 12 slots (slot 1 front left, slot 12 back right): a 132.5 x 90.5 mm grid. */
export const OT2_SLOT_LOCATIONS: readonly Coordinate[] = Array.from({ length: 12 }, (_, i) => ({
  x: OT2_SLOT_ORIGIN.x + (i % 3) * 132.5,
  y: OT2_SLOT_ORIGIN.y + Math.floor(i / 3) * 90.5,
  z: 0,
}));

/** The Opentrons OT-2 deck: 12 slots, the fixed trash in slot 12. */
export class OT2Deck extends Deck {
  static override readonly type: string = 'OT2Deck';
  private readonly slots: Array<Resource | null> = Array(12).fill(null);

  constructor(opts: { name?: string; withTrash?: boolean } = {}) {
    super({ name: opts.name ?? 'deck', sizeX: 624.3, sizeY: 565.2, sizeZ: 900, model: 'OT-2' });
    if (opts.withTrash ?? true) {
      this.assignToSlot(new Trash({ name: 'trash', sizeX: 172.86, sizeY: 165.86, sizeZ: 82 }), 12);
    }
  }

  /** Puts labware in slot 1-12. */
  assignToSlot(resource: Resource, slot: number): void {
    if (!Number.isInteger(slot) || slot < 1 || slot > 12) throw new ResourceAssignmentError(`OT-2 slots are 1-12 (got ${slot})`);
    const taken = this.slots[slot - 1];
    if (taken) throw new ResourceAssignmentError(`Slot ${slot} already holds ${taken.name}`);
    this.assignChildResource(resource, OT2_SLOT_LOCATIONS[slot - 1]);
    this.slots[slot - 1] = resource;
  }

  slot(slot: number): Resource | null {
    if (slot < 1 || slot > 12) throw new ResourceNotFoundError(`OT-2 slots are 1-12 (got ${slot})`);
    return this.slots[slot - 1];
  }

  protected override didAssignChild(child: Resource): void {
    const i = OT2_SLOT_LOCATIONS.findIndex((l) => child.location && l.x === child.location.x && l.y === child.location.y);
    if (i >= 0) this.slots[i] = child;
  }

  protected override willUnassignChild(child: Resource): void {
    const i = this.slots.indexOf(child);
    if (i >= 0) this.slots[i] = null;
  }

  protected override checkAssignment(child: Resource, location: Coordinate): void {
    // Labware may overhang its slot footprint a little; slots, not boxes, decide occupancy.
    const i = OT2_SLOT_LOCATIONS.findIndex((l) => l.x === location.x && l.y === location.y);
    if (i >= 0 && this.slots[i] && this.slots[i] !== child) throw new ResourceAssignmentError(`Slot ${i + 1} already holds ${this.slots[i]!.name}`);
  }
}

registerResourceType(OT2Deck.type, (d: SerializedResource) => new OT2Deck({ ...baseOptions(d), name: d.name, withTrash: false }));
