import { type MachineBackend, MachineNotSetUpError } from '../machine.js';
import { MachineArgumentError, requireNumber, SimulatedFailureError } from './machine-errors.js';

/**
 * Shared parts of the simulator backends (plate reader, heater-shaker, scale): setup state of
 * their own (a backend does not trust its front end), injected failures, a time model estimate of
 * the last command, and a simulated clock that commands advance. Nothing here sleeps for real.
 */
export abstract class SimulatorBackend<C extends string> implements MachineBackend {
  readonly kind: string = 'simulator';
  /** Name used in error messages, e.g. `plate reader simulator`. */
  readonly label: string;
  private readonly failures = new Map<string, Error[]>();
  private estimate: number | undefined;
  private clock = 0;
  private ready = false;

  constructor(label: string) {
    this.label = label;
  }

  /** Simulated seconds since this simulator was created (advanced by every command's time estimate). */
  get clockS(): number {
    return this.clock;
  }

  get isSetUp(): boolean {
    return this.ready;
  }

  lastEstimateS(): number | undefined {
    return this.estimate;
  }

  /**
   * Makes the next call of `command` throw `error` (a message becomes a SimulatedFailureError)
   * before it changes anything. Several calls queue up, in order.
   */
  failNext(command: C | 'setup' | 'stop', error: Error | string = 'injected failure'): void {
    const e = typeof error === 'string' ? new SimulatedFailureError(this.label, command, error) : error;
    const queue = this.failures.get(command) ?? [];
    queue.push(e);
    this.failures.set(command, queue);
  }

  /** Lets simulated time pass (the protocol doing something else); models evolve with it. */
  advance(seconds: number): void {
    requireNumber(this.label, 'seconds', seconds, { min: 0, unit: 's' });
    this.clock += seconds;
  }

  async setup(): Promise<void> {
    this.begin('setup', false);
    this.onSetup();
    this.ready = true;
    this.done(this.setupTimeS());
  }

  async stop(): Promise<void> {
    this.begin('stop', false);
    if (this.ready) this.onStop();
    this.ready = false;
    this.done(this.stopTimeS());
  }

  /** Resets the simulated machine at setup. */
  protected onSetup(): void {}
  /** Brings the simulated machine to a safe state at stop. */
  protected onStop(): void {}
  protected setupTimeS(): number {
    return 1;
  }
  protected stopTimeS(): number {
    return 0.5;
  }

  /** Current simulated time (s). */
  protected now(): number {
    return this.clock;
  }

  /** Start of every command: forgets the last estimate, throws an injected failure, checks setup. */
  protected begin(command: C | 'setup' | 'stop', requireSetup = true): void {
    this.estimate = undefined;
    const queued = this.failures.get(command);
    if (queued?.length) {
      const e = queued.shift()!;
      if (!queued.length) this.failures.delete(command);
      throw e;
    }
    if (requireSetup && !this.ready) throw new MachineNotSetUpError(this.label);
  }

  /** End of a command (or time spent by one that then fails, e.g. a timeout): records its estimated duration and advances the simulated clock by it. */
  protected done(estimateS: number): void {
    this.estimate = estimateS;
    this.clock += estimateS;
  }

  protected argumentError(argument: string, problem: string): MachineArgumentError {
    return new MachineArgumentError(this.label, argument, problem);
  }
}

/** 32-bit FNV-1a hash of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One mulberry32 step: a well-mixed 32-bit value from a 32-bit state. */
function mix(state: number): number {
  let t = (state + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A deterministic number in [0, 1) from a seed and any keys (same inputs, same number). */
export function seededUnit(seed: number, ...keys: Array<string | number>): number {
  return mix(fnv1a(`${seed}|${keys.join('|')}`)) / 4294967296;
}

/** A small seeded pseudo-random stream (mulberry32), with normal deviates. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = fnv1a(String(seed));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 1) | 0;
    return mix(this.state) / 4294967296;
  }

  /** Standard normal deviate (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
