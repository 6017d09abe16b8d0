/** A disposable tip's physical description (a value, not a resource). */
export interface Tip {
  /** Catalog name of the tip type, e.g. `hamilton_tip_1000uL_filter`. */
  type: string;
  hasFilter: boolean;
  /** Total length (mm). */
  totalTipLength: number;
  /** Maximum volume (µL). */
  maximalVolume: number;
  /** How far the channel goes into the tip (mm). */
  fittingDepth: number;
}
