// Child side: the run's assets as protocol code sees them. Resources are the objects of the child's
// own copy of the deck; machines are real front ends of the right class whose hardware calls (their
// async methods) are sent to the worker, which executes them on the live machine. Property reads
// and sync methods stay local (`lh.deck`, `lh.channels[0].hasTip`, `instanceof LiquidHandler`), and
// each call's answer refreshes the copies (tracker states, the machine's view, moved resources).
import * as hardware from '@praxis/hardware';
import { deserializeResource, Deck, HeaterShaker, LiquidHandler, Machine, PlateReader, Resource, Scale, type MachineBackend } from '@praxis/hardware';
import * as kit from '@praxis/protocol';
import { currentStepSeq, RunCancelledError } from '@praxis/protocol';
import type { CommandReply, CommandUpdate, MachineAssetSpec, MachineView, RunSpec, WireCall, WireError } from './messages.js';
import { errorFromWire, fromWire, loadHeadPatch, lookupIn, methodKind, resourceRoots, toWire, type ResourceLookup } from './wire.js';

/** A problem with what the run was given (its deck, its assets), found before the protocol starts. */
export class RunSetupError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'RunSetupError';
  }
}

/** A machine used in a way a run does not allow (setup/stop, the internal command wrapper). */
export class MachineAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineAccessError';
  }
}

/** How the child reaches the worker: resolves with the reply, or with the error and what the call changed anyway. */
export type CallTransport = (call: WireCall) => Promise<{ ok: true; reply: CommandReply } | { ok: false; error: WireError; update?: CommandUpdate }>;

class BackendCalledError extends Error {
  constructor(machine: string, what: string) {
    super(`${machine}: the local backend was asked for ${what}; in a run, hardware calls go to the worker`);
    this.name = 'BackendCalledError';
  }
}

/** A backend that is never meant to run: it only carries the capabilities a front end reads. */
function stubBackend(machine: string, config: MachineAssetSpec['config'] = {}): MachineBackend {
  const caps: Record<string, unknown> = {
    numChannels: config.numChannels ?? 8,
    has96Head: config.has96Head ?? true,
    hasGripper: config.hasGripper ?? true,
    kind: 'remote',
  };
  return new Proxy({} as MachineBackend, {
    get(_t, prop) {
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      if (prop in caps) return caps[prop];
      return () => {
        throw new BackendCalledError(machine, String(prop));
      };
    },
  });
}

class PlainMachine extends Machine {}

function createFrontEnd(spec: MachineAssetSpec, key: string, deck: Deck | null): Machine {
  const backend = stubBackend(spec.name, spec.config);
  const limits = spec.config?.limits ?? {};
  switch (spec.category) {
    case 'LiquidHandler':
      if (!deck) throw new RunSetupError(`assets.${key}`, `assets.${key}: ${spec.name} is a liquid handler, and the run has no deck`);
      return new LiquidHandler({ name: spec.name, backend: backend as never, deck });
    case 'PlateReader':
      return new PlateReader(spec.name, backend as never, limits);
    case 'HeaterShaker':
      return new HeaterShaker(spec.name, backend as never, limits);
    case 'Scale':
      return new Scale(spec.name, backend as never);
    default:
      return new PlainMachine(spec.name, backend);
  }
}

/** Loads a worker's update into the local copies. Best effort: the worker's objects are the truth. */
function applyUpdate(machine: Machine | undefined, update: CommandUpdate | undefined, lookup: ResourceLookup): void {
  if (!update) return;
  for (const [name, state] of Object.entries(update.states ?? {})) {
    try {
      lookup(name).loadState(state);
    } catch {
      // Not in the copy (a resource the child does not know): nothing to refresh.
    }
  }
  for (const m of update.moves ?? []) {
    try {
      const r = lookup(m.resource);
      const parent = m.parent ? lookup(m.parent) : null;
      if (r.parent) r.parent.unassignChildResource(r);
      if (parent && m.location) parent.assignChildResource(r, m.location);
    } catch {
      // The copy could not follow the move; later calls still go to the worker's deck.
    }
  }
  if (machine && update.machine) applyView(machine, update.machine, lookup);
}

function applyView(machine: Machine, view: MachineView, lookup: ResourceLookup): void {
  for (const [name, wire] of Object.entries(view.getters ?? {})) {
    let value: unknown;
    try {
      value = fromWire(wire, lookup, name);
    } catch {
      continue;
    }
    Object.defineProperty(machine, name, { get: () => value, configurable: true, enumerable: false });
  }
  const lh = machine as { loadHeadState?: (s: Record<string, unknown>) => void; serializeHeadState?: () => Record<string, unknown> };
  if (typeof lh.loadHeadState !== 'function') return;
  if (view.head) lh.loadHeadState(view.head);
  if (view.headPatch && typeof lh.serializeHeadState === 'function') loadHeadPatch(machine, view.headPatch);
}

/** Wraps a local front end so its hardware calls go to the worker. */
function remoteMachine(local: Machine, transport: CallTransport, signal: AbortSignal, lookup: ResourceLookup): Machine {
  const wrappers = new Map<string, Function>();
  const make = (method: string, kind: 'remote' | 'lifecycle' | 'internal'): Function => {
    const name = local.name;
    if (kind !== 'remote') {
      const why =
        kind === 'lifecycle'
          ? `${name}.${method}() is not allowed in a protocol: the worker sets up and stops the machines of a run`
          : `${name}.${method}() is internal to the machine front end`;
      return async function refused() {
        throw new MachineAccessError(why);
      };
    }
    const fn = async function (...args: unknown[]): Promise<unknown> {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new RunCancelledError();
      const wireArgs = args.map((a, i) => toWire(a, `${name}.${method}(): args[${i}]`));
      while (wireArgs.length && JSON.stringify(wireArgs[wireArgs.length - 1]) === '{"$undefined":true}') wireArgs.pop();
      const answer = await transport({ machine: name, method, args: wireArgs, stepSeq: currentStepSeq() });
      if (!answer.ok) {
        applyUpdate(local, answer.update, lookup);
        throw errorFromWire(answer.error, [hardware as Record<string, unknown>, kit as Record<string, unknown>], fn);
      }
      applyUpdate(local, answer.reply, lookup);
      return answer.reply.result === undefined ? undefined : fromWire(answer.reply.result, lookup, 'result');
    };
    Object.defineProperty(fn, 'name', { value: method });
    return fn;
  };
  return new Proxy(local, {
    get(target, prop, receiver) {
      const kind = methodKind(target, prop);
      if (kind === 'local' || typeof prop !== 'string') return Reflect.get(target, prop, receiver);
      let w = wrappers.get(prop);
      if (!w) wrappers.set(prop, (w = make(prop, kind)));
      return w;
    },
  });
}

export interface RunAssets {
  deck: Deck | null;
  /** What `ctx.assets` holds: requirement → proxy machine or the copy's resource. */
  assets: Record<string, unknown>;
  /** The local front ends by machine name (behind the proxies). */
  machines: Map<string, Machine>;
}

/** Builds the child's copy of the deck and the run's assets. */
export function buildRunAssets(spec: RunSpec, transport: CallTransport, signal: AbortSignal): RunAssets {
  let deck: Deck | null = null;
  if (spec.deck) {
    let root: Resource;
    try {
      root = deserializeResource(spec.deck.layout);
      if (spec.deck.state) root.loadAllState(spec.deck.state);
    } catch (err) {
      throw new RunSetupError('deck', `the run's deck could not be rebuilt: ${(err as Error).message}`);
    }
    if (!(root instanceof Deck)) throw new RunSetupError('deck', `the run's deck layout is a ${root.type}, not a deck`);
    deck = root;
  }
  const machines = new Map<string, Machine>();
  const lookup = lookupIn(() => resourceRoots(deck, machines.values()), deck ? deck.name : 'the run (it has no deck)');
  const assets: Record<string, unknown> = {};
  const views: Array<[Machine, MachineView]> = [];
  for (const [key, a] of Object.entries(spec.assets)) {
    if (a.kind !== 'machine') continue;
    const local = createFrontEnd(a, key, deck);
    const holder = (local as { plateHolder?: Resource }).plateHolder;
    // A machine's plate position that is on the deck is the copy's: plates moved there land on it.
    if (holder && deck?.hasResource(holder.name)) Object.defineProperty(local, 'plateHolder', { value: deck.getResource(holder.name), configurable: true });
    machines.set(a.name, local);
    if (a.state) views.push([local, a.state]);
    assets[key] = remoteMachine(local, transport, signal, lookup);
  }
  for (const [local, view] of views) applyView(local, view, lookup);
  for (const [key, a] of Object.entries(spec.assets)) {
    if (a.kind !== 'resource') continue;
    try {
      assets[key] = lookup(a.name);
    } catch {
      throw new RunSetupError(`assets.${key}`, `assets.${key}: ${a.name} is not on the run's deck`);
    }
  }
  return { deck, assets, machines };
}
