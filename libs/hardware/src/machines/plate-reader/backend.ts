import type { Plate } from '../../resources/plate.js';
import type { MachineBackend } from '../machine.js';

export interface AbsorbanceParams {
  /** nm */
  wavelength: number;
}

export interface FluorescenceParams {
  /** Excitation wavelength (nm). */
  excitation: number;
  /** Emission wavelength (nm). */
  emission: number;
  /** Height of the optics' focal point above the plate's bottom (mm). */
  focalHeight: number;
}

export interface LuminescenceParams {
  /** mm above the plate's bottom */
  focalHeight: number;
  /** Light collection time per well (s). */
  integrationTimeS: number;
}

/**
 * A plate reader's driver. Readings are matrices `[row][column]` (row A first, column 1 first) of
 * the whole plate. A backend checks the physical rules itself (door, plate, lid) and must not rely
 * on its front end having done so.
 */
export interface PlateReaderBackend extends MachineBackend {
  /** Opens the door / moves the drawer out ("plate out"). */
  open(): Promise<void>;
  /** Closes the door / moves the drawer in ("plate in") with `plate` on it, or empty. */
  close(plate: Plate | null): Promise<void>;
  /** Optical density per well. */
  readAbsorbance(plate: Plate, params: AbsorbanceParams): Promise<number[][]>;
  /** Relative fluorescence units per well (top read). */
  readFluorescence(plate: Plate, params: FluorescenceParams): Promise<number[][]>;
  /** Relative light units per well (top read). */
  readLuminescence(plate: Plate, params: LuminescenceParams): Promise<number[][]>;
}

/** The commands of a plate reader backend, as named in events and in `failNext`. */
export type PlateReaderCommand = 'open' | 'close' | 'readAbsorbance' | 'readFluorescence' | 'readLuminescence';
