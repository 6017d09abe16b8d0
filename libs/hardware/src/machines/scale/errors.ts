import { MachineStateError } from '../shared/machine-errors.js';

/** The load on the pan exceeds the scale's capacity (taring or zeroing does not restore capacity). */
export class OverloadError extends MachineStateError {}
/** Zeroing with a load outside the zero-setting range (zero an empty pan; tare a container). */
export class ZeroRangeError extends MachineStateError {}
/** Taring with a negative gross weight (below zero). */
export class TareRangeError extends MachineStateError {}
