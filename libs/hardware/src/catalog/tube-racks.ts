// Tubes and tube racks.
//
// Figures come from PyLabRobot's published definitions (https://github.com/PyLabRobot/pylabrobot):
//   - pylabrobot/resources/eppendorf/tubes.py      (eppendorf_tube_5mL_Vb_snapcap)
//   - pylabrobot/resources/alpaqua/tube_racks.py   (alpaqua_12_tuberack_5mL_eppis)
// PyLabRobot's rack holds empty 16.7 x 16.7 mm positions; here each position holds its tube
// directly (the tube's origin is the position's corner, as PyLabRobot's holder places it).
import { Tube } from '../resources/container.js';
import { createGrid } from '../resources/itemized.js';
import { TubeRack } from '../resources/tube-rack.js';

/** Eppendorf Tubes 5.0 mL, snap cap, V-bottom (cat. no. 0030119401): 16.7 mm wide, 56.7 mm high. */
export function eppendorf_tube_5mL_Vb_snapcap(name: string): Tube {
  return new Tube({ name, sizeX: 16.7, sizeY: 16.7, sizeZ: 56.7, maxVolume: 5_000, materialZThickness: 1.2, model: 'eppendorf_tube_5mL_Vb_snapcap' });
}

/**
 * Alpaqua 12 position rack for 5 mL Eppendorf tubes (cat. no. A000080, SLAS footprint), 4 columns
 * x 3 rows at 31 x 20 mm pitch, filled with `eppendorf_tube_5mL_Vb_snapcap` tubes named `<name>_A1`...
 */
export function alpaqua_12_tuberack_5mL_eppis(name: string): TubeRack {
  return new TubeRack({
    name,
    sizeX: 127.76,
    sizeY: 85.48,
    sizeZ: 51.5,
    model: 'alpaqua_12_tuberack_5mL_eppis',
    grid: createGrid({
      prefix: name,
      numItemsX: 4,
      numItemsY: 3,
      dx: 2.4,
      dy: 10.2,
      dz: 4.8,
      itemDx: 31.0,
      itemDy: 20.0,
      make: (tubeName) => eppendorf_tube_5mL_Vb_snapcap(tubeName),
    }),
  });
}
