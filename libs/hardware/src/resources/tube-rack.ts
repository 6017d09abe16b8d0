import { Tube } from './container.js';
import { ItemizedResource, type ItemizedOptions } from './itemized.js';
import { baseOptions, registerResourceType, type SerializedResource } from './resource.js';

/** A rack of tube positions; each position's child is the tube. */
export class TubeRack extends ItemizedResource<Tube> {
  static override readonly type: string = 'TubeRack';
  constructor(opts: ItemizedOptions<Tube>) {
    super({ category: 'tube_rack', ...opts });
  }
}

registerResourceType(
  TubeRack.type,
  (d: SerializedResource) => new TubeRack({ ...baseOptions(d), numItemsX: d.numItemsX as number, numItemsY: d.numItemsY as number, ordering: d.ordering as string[] }),
);
