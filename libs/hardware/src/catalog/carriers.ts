// Hamilton STAR deck carriers.
//
// Figures (carrier sizes, site locations and site footprints) come from PyLabRobot's published
// definitions (https://github.com/PyLabRobot/pylabrobot):
//   - pylabrobot/resources/hamilton/tip_carriers.py     (TIP_CAR_480_A00)
//   - pylabrobot/resources/hamilton/plate_carriers.py   (PLT_CAR_L5AC_A00)
//   - pylabrobot/resources/hamilton/trough_carriers.py  (Trough_CAR_4R200_A00)
// Site 0 is the front site; site locations are the sites' left-front-bottom corners on the carrier.
// Sites are named `<carrier>-<index>`, as in PyLabRobot.
import type { Coordinate } from '../resources/coordinate.js';
import { PlateCarrier, PlateHolder, ResourceHolder, TipCarrier, TroughCarrier } from '../resources/carrier.js';

/** Sites of one footprint at the given locations (front first). */
function sites(carrier: string, category: string, sizeX: number, sizeY: number, locations: readonly Coordinate[]) {
  return locations.map((location, i) => ({ site: new ResourceHolder({ name: `${carrier}-${i}`, sizeX, sizeY, sizeZ: 0, category }), location }));
}

/** Five landscape sites, 96 mm apart, for 122.4 x 82.6 mm tip racks. */
const TIP_CAR_480_A00_SITES: readonly Coordinate[] = [10.0, 106.0, 202.0, 298.0, 394.0].map((y) => ({ x: 6.2, y, z: 114.95 }));

/** Hamilton tip carrier for 5 racks of 96 tips, landscape (6 rails wide). */
export function TIP_CAR_480_A00(name: string): TipCarrier {
  return new TipCarrier({
    name,
    sizeX: 135.0,
    sizeY: 497.0,
    sizeZ: 130.0,
    model: 'TIP_CAR_480_A00',
    sites: sites(name, 'resource_holder', 122.4, 82.6, TIP_CAR_480_A00_SITES),
  });
}

/** Five landscape plate sites, 96 mm apart, 127 x 86 mm each. */
const PLT_CAR_L5AC_A00_SITES: readonly Coordinate[] = [8.5, 104.5, 200.5, 296.5, 392.5].map((y) => ({ x: 4.0, y, z: 86.15 }));

/**
 * Hamilton plate carrier for 5 deep well / 96 well PCR plates, landscape (cat. no. 182090, 6 rails
 * wide). Its sites have a 4.74 mm pedestal: a skirted plate sinks onto it by min(4.74, well dz),
 * e.g. 3.03 mm for `cor_96_wellplate_360uL_Fb`.
 */
export function PLT_CAR_L5AC_A00(name: string): PlateCarrier {
  return new PlateCarrier({
    name,
    sizeX: 135.0,
    sizeY: 497.0,
    sizeZ: 130.0,
    model: 'PLT_CAR_L5AC_A00',
    sites: PLT_CAR_L5AC_A00_SITES.map((location, i) => ({
      site: new PlateHolder({ name: `${name}-${i}`, sizeX: 127.0, sizeY: 86.0, sizeZ: 0, pedestalSizeZ: 4.74 }),
      location,
    })),
  });
}

/** Four sites for 200 mL troughs; z includes the 1.5 mm site pedestal (34 + 1.5). */
const TROUGH_CAR_4R200_A00_SITES: readonly Coordinate[] = [2.0, 123.0, 245.0, 366.0].map((y) => ({ x: 4.0, y, z: 35.5 }));

/** Hamilton trough carrier for 4 x 200 mL troughs (cat. no. 185436, 'RGT_CAR_4R200_A00', 2 rails wide). */
export function Trough_CAR_4R200_A00(name: string): TroughCarrier {
  return new TroughCarrier({
    name,
    sizeX: 45.0,
    sizeY: 497.0,
    sizeZ: 71.5,
    model: 'Trough_CAR_4R200_A00',
    sites: sites(name, 'resource_holder', 37.0, 118.0, TROUGH_CAR_4R200_A00_SITES),
  });
}
