// Worker side: executes a hardware call that came over the wire on the live machine, and reports
// what it changed so the child's copies stay fresh.
import { HeaterShaker, LiquidHandler, Machine, PlateReader, Resource, Scale, type Deck } from '@praxis/hardware';
import type { CommandReply, CommandUpdate, MachineAssetSpec, WireResourceMove, WireCall } from './messages.js';
import { fromWire, lookupIn, machineView, machineViewBefore, machineViewChange, methodKind, resourceRoots, stateChanges, stateSnapshot, toWire, wireResourceNames } from './wire.js';

/** A hardware call the worker refuses: an unknown machine or method, a lifecycle call, a resource not reserved. */
export class WireCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireCallError';
  }
}

const failureUpdates = new WeakMap<object, CommandUpdate>();

/**
 * What a failed call changed (a liquid handler commits the channels that succeeded), when it failed
 * in `executeWireCall`. RunChild sends it to the child with the error.
 */
export function failedCallUpdate(err: unknown): CommandUpdate | undefined {
  return err && typeof err === 'object' ? failureUpdates.get(err) : undefined;
}

export interface ExecuteWireCallOptions {
  /** Whether the run may use this resource (the worker's reservation check); a refusal names it. */
  canUse?: (resource: Resource) => boolean;
}

function position(r: Resource): string {
  const at = r.location;
  return `${r.parent?.name ?? ''}\u0000${at ? `${at.x},${at.y},${at.z}` : ''}`;
}

/**
 * Runs `call` on the live machine: `machines` are the run's machines by name, `deck` the
 * workcell's deck, where `{ $resource: name }` arguments are resolved (and on the plate positions
 * of machines that are not on it). Answers the result in wire form with the tracker state of every
 * resource the call changed, the machine's view after it and the resources it moved. A failure is
 * thrown as the machine threw it; what it changed anyway is kept for `failedCallUpdate(err)`.
 */
export async function executeWireCall(machines: Map<string, Machine>, deck: Deck | null, call: WireCall, opts: ExecuteWireCallOptions = {}): Promise<CommandReply> {
  if (!call || typeof call.machine !== 'string' || typeof call.method !== 'string' || !Array.isArray(call.args)) throw new WireCallError('malformed hardware call');
  const machine = machines.get(call.machine);
  if (!machine) throw new WireCallError(`${call.machine} is not a machine of this run`);
  const kind = methodKind(machine, call.method);
  if (kind === 'lifecycle') throw new WireCallError(`${call.machine}.${call.method}() is not allowed in a protocol: the worker sets up and stops machines`);
  if (kind !== 'remote') throw new WireCallError(`${call.machine}.${call.method} is not a hardware command of ${machine.constructor.name}`);
  const roots = resourceRoots(deck, machines.values());
  const lookup = lookupIn(() => roots, deck ? deck.name : 'the run (it has no deck)');
  for (const name of wireResourceNames(call.args)) {
    const r = lookup(name);
    if (opts.canUse && !opts.canUse(r)) throw new WireCallError(`${name} is not reserved for this run`);
  }
  const args = fromWire(call.args, lookup, 'args') as unknown[];
  // Resources that may move: the ones named, and what the gripper holds.
  const movable = new Set<Resource>();
  for (const a of args) {
    if (a instanceof Resource) movable.add(a);
    else if (Array.isArray(a)) for (const x of a) if (x instanceof Resource) movable.add(x);
  }
  const inArgs = [...movable];
  const held = (machine as { grippedResource?: unknown }).grippedResource;
  if (held instanceof Resource) movable.add(held);
  const places = new Map([...movable].map((r) => [r, position(r)]));
  // A call changes the tracker state of the resources it names (and what they hold): compare those
  // only. A call naming none (returnTips, discardTips...) may touch anything: compare the deck.
  const named = inArgs.length > 0;
  const scope = (): Resource[] => (named ? inArgs : resourceRoots(deck, machines.values()));
  const before = stateSnapshot(scope());
  // The machine's view before the call (what the child's copy holds): the child is sent what the call
  // changed, not all 8 + 96 channels every time.
  const viewBefore = machineViewBefore(machine);

  const update = (): CommandUpdate => {
    const out: CommandUpdate = {};
    const view = machineViewChange(machine, viewBefore);
    if (view.getters || view.headPatch) out.machine = view;
    const states = stateChanges(before, scope());
    if (states) out.states = states;
    const after = (machine as { grippedResource?: unknown }).grippedResource;
    if (after instanceof Resource && !places.has(after)) places.set(after, position(after));
    const moves: WireResourceMove[] = [];
    for (const [r, was] of places) {
      if (position(r) === was) continue;
      moves.push({ resource: r.name, parent: r.parent?.name ?? null, location: r.location ? { x: r.location.x, y: r.location.y, z: r.location.z } : null });
    }
    if (moves.length) out.moves = moves;
    return out;
  };

  let result: unknown;
  try {
    result = await (machine as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[call.method]!(...args);
  } catch (err) {
    if (err && typeof err === 'object') {
      try {
        failureUpdates.set(err, update());
      } catch {
        // The error matters more than the update.
      }
    }
    throw err;
  }
  return { ...(result !== undefined ? { result: toWire(result, 'result', true) } : {}), ...update() };
}

/** The category of a live machine's front end. */
export function machineCategory(machine: Machine): string {
  if (machine instanceof LiquidHandler) return 'LiquidHandler';
  if (machine instanceof PlateReader) return 'PlateReader';
  if (machine instanceof HeaterShaker) return 'HeaterShaker';
  if (machine instanceof Scale) return 'Scale';
  return 'Other';
}

/** The asset entry of a RunSpec for a live machine: its category, configuration and current view. */
export function describeMachine(machine: Machine, category = machineCategory(machine)): MachineAssetSpec {
  const config: NonNullable<MachineAssetSpec['config']> = {};
  if (machine instanceof LiquidHandler) {
    config.numChannels = machine.numChannels;
    config.has96Head = machine.backend.has96Head;
    config.hasGripper = machine.backend.hasGripper;
  }
  const limits = (machine as { limits?: unknown }).limits;
  if (limits && typeof limits === 'object') config.limits = { ...(limits as Record<string, number>) };
  return { kind: 'machine', name: machine.name, category, config, state: machineView(machine) };
}
