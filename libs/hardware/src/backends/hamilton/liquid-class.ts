/**
 * Liquid-class parameters of the STAR's aspirate and dispense commands (human units: µL, µL/s,
 * mm, mm/s, s). An operation's own flow rate and blow-out volume take precedence.
 */
export interface LiquidClass {
  /** µL/s. */
  aspirationFlowRate: number;
  /** µL/s. */
  dispenseFlowRate: number;
  /** Air drawn after the liquid to avoid dripping (µL). */
  transportAirVolume: number;
  /** Air aspirated after the liquid and blown out after dispensing (µL). */
  blowOutAirVolume: number;
  /** Pre-wetting volume (µL). */
  preWettingVolume: number;
  /** Speed leaving the liquid (mm/s). */
  aspirationSwapSpeed: number;
  dispenseSwapSpeed: number;
  /** Wait in the liquid after the plunger stops (s). */
  aspirationSettlingTime: number;
  dispenseSettlingTime: number;
  /** Jet (from above) or surface dispensing. */
  dispenseMode: 'jet' | 'surface';
  /** Plunger cut-off speed at the end of a dispense (µL/s). */
  cutOffSpeed: number;
  /** Stop-back volume (µL). */
  stopBackVolume: number;
  /** Distance pulled out of the liquid to take in transport air (mm). */
  pullOutDistance: number;
  /** Liquid level detection: 0 off, 1 capacitive (gamma), 2 pressure, 3 dual. Off by default. */
  lldMode: 0 | 1 | 2 | 3;
  /** Flow rate of mixing when a mix has none (µL/s). */
  mixFlowRate: number;
}

export const DEFAULT_LIQUID_CLASS: Readonly<LiquidClass> = Object.freeze({
  aspirationFlowRate: 100,
  dispenseFlowRate: 180,
  transportAirVolume: 5,
  blowOutAirVolume: 30,
  preWettingVolume: 0,
  aspirationSwapSpeed: 2,
  dispenseSwapSpeed: 1,
  aspirationSettlingTime: 1,
  dispenseSettlingTime: 0,
  dispenseMode: 'jet',
  cutOffSpeed: 5,
  stopBackVolume: 0,
  pullOutDistance: 10,
  lldMode: 0,
  mixFlowRate: 100,
});

export function liquidClass(overrides: Partial<LiquidClass> = {}): LiquidClass {
  return { ...DEFAULT_LIQUID_CLASS, ...overrides };
}

/** Dispensing mode number of the firmware: 0 jet partial, 1 jet with blow-out, 2 surface partial, 3 surface with blow-out. */
export function dispenseModeNumber(mode: LiquidClass['dispenseMode'], blowOut: boolean): number {
  return mode === 'jet' ? (blowOut ? 1 : 0) : blowOut ? 3 : 2;
}
