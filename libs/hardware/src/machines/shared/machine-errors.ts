/**
 * Errors shared by the machine front ends and simulators (plate reader, heater-shaker, scale):
 * a bad argument (`MachineArgumentError`, names the machine and the argument) and a refused
 * physical operation (`MachineStateError` and its subclasses). Also the small argument checkers
 * the front ends and simulators use before anything moves.
 */

/** An argument out of range or of the wrong type; thrown before any command reaches the machine. */
export class MachineArgumentError extends RangeError {
  readonly machine: string;
  readonly argument: string;

  constructor(machine: string, argument: string, problem: string) {
    super(`${machine}: ${argument} ${problem}`);
    this.name = new.target.name;
    this.machine = machine;
    this.argument = argument;
  }
}

/** An operation the machine's physical state does not allow (door open, plate unlocked, overload...). */
export class MachineStateError extends Error {
  readonly machine: string;

  constructor(machine: string, message: string) {
    super(`${machine}: ${message}`);
    this.name = new.target.name;
    this.machine = machine;
  }
}

/** The failure a simulator throws when `failNext(command, 'message')` was given a message. */
export class SimulatedFailureError extends Error {
  readonly command: string;

  constructor(machine: string, command: string, message: string) {
    super(`${machine}: ${command} failed: ${message}`);
    this.name = new.target.name;
    this.command = command;
  }
}

export interface NumberRule {
  min?: number;
  max?: number;
  /** The minimum itself is not allowed (e.g. a duration must be > 0). */
  minExclusive?: boolean;
  integer?: boolean;
  /** Unit shown in the message, e.g. `nm`, `°C`. */
  unit?: string;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function describeRule(rule: NumberRule): string {
  const u = rule.unit ? ` ${rule.unit}` : '';
  const kind = rule.integer ? 'an integer' : 'a finite number';
  if (rule.min !== undefined && rule.max !== undefined) {
    return rule.minExclusive ? `${kind} > ${rule.min}${u} and <= ${rule.max}${u}` : `${kind} between ${rule.min} and ${rule.max}${u}`;
  }
  if (rule.min !== undefined) return `${kind} ${rule.minExclusive ? '>' : '>='} ${rule.min}${u}`;
  if (rule.max !== undefined) return `${kind} <= ${rule.max}${u}`;
  return kind;
}

/** Returns `value` when it is a finite number obeying `rule`, else throws a MachineArgumentError naming `argument`. */
export function requireNumber(machine: string, argument: string, value: unknown, rule: NumberRule = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) throw new MachineArgumentError(machine, argument, `must be ${describeRule(rule)}, got ${show(value)}`);
  return value as number;
}

export function requireBoolean(machine: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new MachineArgumentError(machine, argument, `must be true or false, got ${show(value)}`);
  return value;
}

/** The options object of a call such as `readAbsorbance({ wavelength })`: refuses a missing or non-object argument. */
export function requireOptions<T extends object>(machine: string, command: string, value: T | undefined, optional = false): Partial<T> {
  if (value === undefined && optional) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MachineArgumentError(machine, 'options', `of ${command} must be an object such as { ... }, got ${show(value)}`);
  }
  return value;
}

/** Checks a `[min, max]` range given as a constructor option (a configuration error, named like an argument). */
export function requireRange(machine: string, argument: string, min: number, max: number, rule: NumberRule = {}): void {
  requireNumber(machine, `${argument} minimum`, min, rule);
  requireNumber(machine, `${argument} maximum`, max, rule);
  if (min > max) throw new MachineArgumentError(machine, argument, `range is empty: minimum ${min} > maximum ${max}`);
}

// ---- plate reader ------------------------------------------------------------------------------

/** Reading with the door (drawer) open. */
export class DoorOpenError extends MachineStateError {}
/** Putting a plate in or taking it out while the door is closed. */
export class DoorClosedError extends MachineStateError {}
/** Reading with no plate in the reader, or with a plate the reader did not take in. */
export class NoPlateError extends MachineStateError {}
/** A top read (fluorescence, luminescence) through a plate's lid. */
export class LidOnPlateError extends MachineStateError {}
