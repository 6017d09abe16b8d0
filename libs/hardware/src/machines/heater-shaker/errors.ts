import { MachineStateError } from '../shared/machine-errors.js';

/** Shaking with the plate lock open. */
export class PlateNotLockedError extends MachineStateError {}
/** Putting a plate on or taking it off while the plate lock is closed. */
export class PlateLockedError extends MachineStateError {}
/** Unlocking the plate while shaking. */
export class ShakingError extends MachineStateError {}
/** Waiting for a temperature with the heater off (no target). */
export class NoTargetTemperatureError extends MachineStateError {}
/** The temperature did not come within tolerance of the target in time. */
export class TemperatureTimeoutError extends MachineStateError {}
