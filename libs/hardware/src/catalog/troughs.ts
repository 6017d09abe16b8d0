// Reagent troughs.
//
// Figures come from PyLabRobot's published definitions (https://github.com/PyLabRobot/pylabrobot):
//   - pylabrobot/resources/hamilton/troughs.py  (hamilton_1_trough_200mL_Vb)
import { Trough } from '../resources/container.js';

/**
 * Hamilton 1-trough reservoir, 200 mL, V-bottom, self standing (cat. no. 56695-01 white,
 * 56695-02 black/conductive); fits `Trough_CAR_4R200_A00`. Holds up to ~300 mL in practice; a
 * 1.2 mm centre wall stands at y 60-61.7 mm (open at the bottom).
 */
export function hamilton_1_trough_200mL_Vb(name: string): Trough {
  return new Trough({ name, sizeX: 37.0, sizeY: 118.0, sizeZ: 95.0, maxVolume: 200_000, materialZThickness: 1.5, model: 'hamilton_1_trough_200mL_Vb' });
}
