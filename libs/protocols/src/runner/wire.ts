// What both sides of a run agree on: how arguments, results, errors and machine views cross the
// wire, which front-end methods are hardware calls, and how resources are found by name.
import { Machine, Resource, ResourceNotFoundError, type ResourceStateMap } from '@praxis/hardware';
import { toLoggable } from '@praxis/protocol';
import type { MachineView, WireError, WireValue } from './messages.js';

/** Front-end methods a protocol may not call: the worker owns the machines' lifecycle. */
export const LIFECYCLE_METHODS: ReadonlySet<string> = new Set(['setup', 'stop']);
/** Methods that are never hardware calls, whatever they look like. */
const INTERNAL_METHODS: ReadonlySet<string> = new Set(['constructor', 'command']);

/**
 * How a property of a machine front end is handled in a run: `remote` for an async method of its
 * class chain (a hardware call, executed by the worker), `lifecycle` for setup/stop, `internal` for
 * the base class's command wrapper, `local` for everything else (properties, sync methods).
 */
export function methodKind(machine: object, prop: string | symbol): 'remote' | 'lifecycle' | 'internal' | 'local' {
  if (typeof prop !== 'string') return 'local';
  for (let proto = Object.getPrototypeOf(machine); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, prop);
    if (!d) continue;
    if (typeof d.value !== 'function') return 'local';
    if (LIFECYCLE_METHODS.has(prop)) return 'lifecycle';
    if (INTERNAL_METHODS.has(prop)) return 'internal';
    return (d.value as { constructor?: { name?: string } }).constructor?.name === 'AsyncFunction' ? 'remote' : 'local';
  }
  return 'local';
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return `a bigint (${v}n)`;
  if (typeof v === 'symbol') return 'a symbol';
  if (v instanceof Machine) return `a machine (${v.name})`;
  const ctor = (v as object)?.constructor?.name;
  return ctor ? `an instance of ${ctor}` : typeof v;
}

const RESERVED_KEYS = new Set(['$resource', '$undefined']);

/**
 * A value in wire form. Resources become `{ $resource: name }`; arrays and plain objects are
 * converted recursively; anything else is a TypeError naming where it was found (`path`), or, with
 * `lenient`, its loggable JSON summary (for results, which are informative).
 */
export function toWire(value: unknown, path: string, lenient = false): WireValue {
  const seen = new Set<object>();
  const walk = (v: unknown, p: string, inArray: boolean): WireValue => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (v === undefined && inArray) return { $undefined: true };
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return v;
      if (lenient) return String(v);
      throw new TypeError(`${p} is ${v}: a hardware command takes finite numbers only`);
    }
    const fail = (): WireValue => {
      if (lenient) return toLoggable(v);
      throw new TypeError(`${p} is ${describe(v)}: a hardware command takes resources, numbers, strings, booleans, null, arrays and plain objects`);
    };
    if (typeof v !== 'object' || v === undefined) return fail();
    if (v instanceof Resource) return { $resource: v.name };
    if (seen.has(v)) {
      if (lenient) return '[Circular]';
      throw new TypeError(`${p} holds a circular reference`);
    }
    if (Array.isArray(v)) {
      seen.add(v);
      const out = v.map((x, i) => walk(x, `${p}[${i}]`, true));
      seen.delete(v);
      return out;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return fail();
    seen.add(v);
    const out: Record<string, WireValue> = {};
    for (const [k, x] of Object.entries(v)) {
      if (RESERVED_KEYS.has(k)) {
        if (lenient) continue;
        throw new TypeError(`${p}.${k}: "${k}" is a reserved key in hardware command arguments`);
      }
      if (x === undefined) continue;
      Object.defineProperty(out, k, { value: walk(x, `${p}.${k}`, false), enumerable: true, writable: true, configurable: true });
    }
    seen.delete(v);
    return out;
  };
  return walk(value, path, true);
}

export type ResourceLookup = (name: string) => Resource;

/** Reads a wire value back: `{ $resource }` through `lookup`, `{ $undefined }` as undefined. */
export function fromWire(value: unknown, lookup: ResourceLookup, path: string): unknown {
  const walk = (v: unknown, p: string): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${p}[${i}]`));
    const o = v as Record<string, unknown>;
    if (typeof o.$resource === 'string' && Object.keys(o).length === 1) return lookup(o.$resource);
    if (o.$undefined === true && Object.keys(o).length === 1) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) Object.defineProperty(out, k, { value: walk(x, `${p}.${k}`), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return walk(value, path);
}

/** Every resource that a value in wire form refers to, by name. */
export function wireResourceNames(value: unknown, into = new Set<string>()): Set<string> {
  if (value && typeof value === 'object') {
    if (Array.isArray(value)) value.forEach((x) => wireResourceNames(x, into));
    else {
      const o = value as Record<string, unknown>;
      if (typeof o.$resource === 'string') into.add(o.$resource);
      else Object.values(o).forEach((x) => wireResourceNames(x, into));
    }
  }
  return into;
}

/**
 * The trees where a run's resources are found by name: the deck, and the plate positions of
 * machines that are not on it (a plate reader's `plateHolder`, with whatever sits on it).
 */
export function resourceRoots(deck: Resource | null, machines: Iterable<object>): Resource[] {
  const roots: Resource[] = deck ? [deck] : [];
  for (const m of machines) {
    const holder = (m as { plateHolder?: unknown }).plateHolder;
    if (holder instanceof Resource) {
      const root = holder.root();
      if (!roots.includes(root)) roots.push(root);
    }
  }
  return roots;
}

export function lookupIn(roots: () => Resource[], where: string): ResourceLookup {
  return (name) => {
    for (const r of roots()) if (r.hasResource(name)) return r.getResource(name);
    throw new ResourceNotFoundError(`No resource named "${name}" on ${where}`);
  };
}

/** Tracker state of every resource in the trees, as JSON text per name (cheap to compare). */
export function stateSnapshot(roots: Resource[]): Map<string, string> {
  const snap = new Map<string, string>();
  for (const root of roots) for (const [name, s] of Object.entries(root.serializeAllState())) snap.set(name, JSON.stringify(s));
  return snap;
}

/** The states that differ from a snapshot (new or changed). */
export function stateChanges(before: Map<string, string>, roots: Resource[]): ResourceStateMap | undefined {
  let out: ResourceStateMap | undefined;
  for (const [name, text] of stateSnapshot(roots)) {
    if (before.get(name) === text) continue;
    (out ??= {})[name] = JSON.parse(text) as unknown;
  }
  return out;
}

/** Names of the getters of a machine's class chain (`setupFinished`, `grippedResource`, `isOpen`...). */
export function getterNames(machine: object): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(machine); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) if (d.get && !names.includes(k)) names.push(k);
  }
  return names;
}

/** A live front end's view: its getters' values and, for a liquid handler, its channels. */
export function machineView(machine: Machine): MachineView {
  const getters: Record<string, WireValue> = {};
  for (const name of getterNames(machine)) {
    try {
      getters[name] = toWire((machine as unknown as Record<string, unknown>)[name], name);
    } catch {
      // Not expressible on the wire: the child keeps its own value.
    }
  }
  const view: MachineView = { getters };
  const head = (machine as { serializeHeadState?: () => Record<string, unknown> }).serializeHeadState;
  if (typeof head === 'function') view.head = head.call(machine);
  return view;
}

export function errorToWire(err: unknown): WireError {
  if (err instanceof Error) {
    const channels = (err as { channels?: unknown }).channels;
    return { name: err.name, message: err.message, ...(Array.isArray(channels) && channels.every((c) => typeof c === 'number') ? { channels } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

/**
 * Rebuilds an error from the wire as an instance of the class of that name among `classes` (the
 * hardware library's and the kit's exports), so `instanceof TooLittleLiquidError` holds in protocol
 * code; else a plain Error with that name.
 */
export function errorFromWire(e: WireError, classes: Array<Record<string, unknown>>, where: Function): Error {
  let ctor: Function | undefined;
  for (const mod of classes) {
    const c = mod[e.name];
    if (typeof c === 'function' && (c === Error || c.prototype instanceof Error)) {
      ctor = c;
      break;
    }
  }
  const err = (ctor ? Object.create(ctor.prototype) : new Error()) as Error;
  Object.defineProperty(err, 'message', { value: e.message, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(err, 'name', { value: e.name, writable: true, configurable: true, enumerable: false });
  if (e.channels) Object.defineProperty(err, 'channels', { value: e.channels, writable: true, configurable: true, enumerable: true });
  Error.captureStackTrace(err, where);
  return err;
}
