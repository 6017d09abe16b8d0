// What both sides of a run agree on: how arguments, results, errors and machine views cross the
// wire, which front-end methods are hardware calls, and how resources are found by name.
import { Machine, Resource, ResourceNotFoundError, type ResourceStateMap } from '@praxis/hardware';
import { toLoggable } from '@praxis/protocol';
import type { MachineView, WireError, WireValue } from './messages.js';

/** Front-end methods a protocol may not call: the worker owns the machines' lifecycle. */
export const LIFECYCLE_METHODS: ReadonlySet<string> = new Set(['setup', 'stop']);
/** Methods that are never hardware calls, whatever they look like. */
const INTERNAL_METHODS: ReadonlySet<string> = new Set(['constructor', 'command']);

type MethodKind = 'remote' | 'lifecycle' | 'internal' | 'local';

/** methodKind per class (prototype) and property: a proxy asks on every property read. */
const kindCache = new WeakMap<object, Map<string, MethodKind>>();

/**
 * How a property of a machine front end is handled in a run: `remote` for an async method of its
 * class chain (a hardware call, executed by the worker), `lifecycle` for setup/stop, `internal` for
 * the base class's command wrapper, `local` for everything else (properties, sync methods).
 */
export function methodKind(machine: object, prop: string | symbol): MethodKind {
  if (typeof prop !== 'string') return 'local';
  const proto = Object.getPrototypeOf(machine) as object | null;
  if (!proto) return 'local';
  let kinds = kindCache.get(proto);
  if (!kinds) kindCache.set(proto, (kinds = new Map()));
  let kind = kinds.get(prop);
  if (kind === undefined) kinds.set(prop, (kind = findMethodKind(proto, prop)));
  return kind;
}

function findMethodKind(first: object, prop: string): MethodKind {
  for (let proto: object | null = first; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
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

const getterCache = new WeakMap<object, string[]>();

/** Names of the getters of a machine's class chain (`setupFinished`, `grippedResource`, `isOpen`...). */
export function getterNames(machine: object): string[] {
  const first = Object.getPrototypeOf(machine) as object | null;
  if (!first) return [];
  const cached = getterCache.get(first);
  if (cached) return cached;
  const names: string[] = [];
  for (let proto: object | null = first; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) if (d.get && !names.includes(k)) names.push(k);
  }
  getterCache.set(first, names);
  return names;
}

/** The values of a live front end's getters, as wire values (those that cannot cross are left out). */
function getterValues(machine: Machine): Record<string, WireValue> {
  const getters: Record<string, WireValue> = {};
  for (const name of getterNames(machine)) {
    try {
      const v = (machine as unknown as Record<string, unknown>)[name];
      // Most getters are flags, counts or a resource: no need for the general conversion.
      if (v === null || typeof v === 'boolean' || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) getters[name] = v;
      else if (v instanceof Resource) getters[name] = { $resource: v.name };
      else getters[name] = toWire(v, name);
    } catch {
      // Not expressible on the wire: the child keeps its own value.
    }
  }
  return getters;
}

type HeadState = Record<string, unknown>;

/** A liquid handler's channels (`serializeHeadState()`), or undefined for other machines. */
export function headState(machine: Machine): HeadState | undefined {
  const head = (machine as { serializeHeadState?: () => HeadState }).serializeHeadState;
  return typeof head === 'function' ? head.call(machine) : undefined;
}

/** A live front end's view: its getters' values and, for a liquid handler, its channels. */
export function machineView(machine: Machine): MachineView {
  const view: MachineView = { getters: getterValues(machine) };
  const head = headState(machine);
  if (head) view.head = head;
  return view;
}

/** Values per channel in a head fingerprint. */
const FIELDS = 6;

interface ChannelLike {
  tip: { tip: unknown; pendingTip: unknown; origin: unknown };
  volume: { volume: number; pendingVolume: number; maxVolume: number };
}

/** A liquid handler's channel groups, as serializeHeadState() names them. */
function channelGroups(machine: Machine): Record<string, ChannelLike[]> | undefined {
  const m = machine as { channels?: unknown; head96?: unknown; serializeHeadState?: unknown };
  if (typeof m.serializeHeadState !== 'function' || !Array.isArray(m.channels)) return undefined;
  return { channels: m.channels as ChannelLike[], head96: Array.isArray(m.head96) ? (m.head96 as ChannelLike[]) : [] };
}

/**
 * What each channel's state is made of (its tip, where it came from, its volumes), flat, compared
 * by value: far cheaper than serializing all 8 + 96 channels around every call. These are the
 * fields of a channel in serializeHeadState() (a test checks that they still are).
 */
export function headFingerprint(machine: Machine): unknown[] | undefined {
  const groups = channelGroups(machine);
  if (!groups) return undefined;
  const out = new Array<unknown>((groups.channels!.length + groups.head96!.length) * FIELDS);
  let k = 0;
  for (const list of [groups.channels!, groups.head96!]) {
    for (const c of list) {
      const tip = c.tip;
      const volume = c.volume;
      out[k++] = tip.tip;
      out[k++] = tip.pendingTip;
      out[k++] = tip.origin;
      out[k++] = volume.volume;
      out[k++] = volume.pendingVolume;
      out[k++] = volume.maxVolume;
    }
  }
  return out;
}


/** What the child's copy of a machine looks like before a call: compared after it by machineViewChange. */
export function machineViewBefore(machine: Machine): { getters: Record<string, WireValue>; head: unknown[] | undefined } {
  return { getters: getterValues(machine), head: headFingerprint(machine) };
}

/**
 * What a call changed in a machine's view: the getters whose value changed and, for a liquid
 * handler, the channels whose fingerprint changed (`{ channels: { 0: state } }`), taken from its
 * serializeHeadState(): a call changes one or a few of 8 + 96 channels.
 */
export function machineViewChange(machine: Machine, before: { getters: Record<string, WireValue>; head: unknown[] | undefined }): MachineView {
  const view: MachineView = {};
  for (const [name, value] of Object.entries(getterValues(machine))) {
    const was = before.getters[name];
    if (value === was || (value && typeof value === 'object' && JSON.stringify(value) === JSON.stringify(was))) continue;
    (view.getters ??= {})[name] = value;
  }
  const groups = channelGroups(machine);
  if (!groups || !before.head) return view;
  const after = headFingerprint(machine)!;
  const prior = before.head;
  const changed: Record<string, number[]> = {};
  let any = false;
  let k = 0;
  for (const group of ['channels', 'head96']) {
    const list = groups[group]!;
    for (let i = 0; i < list.length; i++, k += FIELDS) {
      let differs = after.length !== prior.length;
      for (let f = 0; f < FIELDS && !differs; f++) differs = !Object.is(after[k + f], prior[k + f]);
      if (differs) (changed[group] ??= []).push(i), (any = true);
    }
  }
  if (any) view.headPatch = channelStates(machine, groups, changed);
  return view;
}

/**
 * serializeHeadState() of some channels only, in its own format: the method is called on a view
 * of the machine that holds just those channels (it reads `this.channels` and `this.head96`).
 * Serializing all 8 + 96 channels on every call costs far more than the call itself.
 */
function channelStates(machine: Machine, groups: Record<string, ChannelLike[]>, picks: Record<string, number[]>): NonNullable<MachineView['headPatch']> {
  const serialize = (machine as unknown as { serializeHeadState: () => HeadState }).serializeHeadState;
  const view = Object.fromEntries(Object.keys(groups).map((g) => [g, (picks[g] ?? []).map((i) => groups[g]![i])]));
  let some: HeadState | undefined;
  try {
    some = serialize.call(view);
  } catch {
    some = undefined;
  }
  const fits = Object.entries(picks).every(([g, idx]) => Array.isArray(some?.[g]) && (some[g] as unknown[]).length === idx.length);
  // Should serializeHeadState() ever need more of the machine: the whole head, picked from.
  const whole = fits ? undefined : serialize.call(machine);
  const patch: NonNullable<MachineView['headPatch']> = {};
  for (const [group, idx] of Object.entries(picks)) {
    patch[group] = Object.fromEntries(idx.map((i, n) => [i, whole ? (whole[group] as unknown[])[i] : (some![group] as unknown[])[n]]));
  }
  return patch;
}

/**
 * Loads a view's `headPatch` into a liquid handler (the child's copy): loadHeadState() on a view
 * of the machine holding just the changed channels, or over its whole head state if that fails.
 */
export function loadHeadPatch(machine: Machine, patch: NonNullable<MachineView['headPatch']>): void {
  const lh = machine as unknown as { loadHeadState(s: HeadState): void; serializeHeadState(): HeadState } & Record<string, unknown>;
  const view: Record<string, unknown[]> = {};
  const states: Record<string, unknown[]> = {};
  for (const [group, changes] of Object.entries(patch)) {
    const list = lh[group];
    if (!Array.isArray(list)) continue;
    view[group] = [];
    states[group] = [];
    for (const [i, state] of Object.entries(changes)) {
      if (!list[Number(i)]) continue;
      view[group].push(list[Number(i)]);
      states[group].push(state);
    }
  }
  for (const g of ['channels', 'head96']) {
    view[g] ??= [];
    states[g] ??= [];
  }
  try {
    lh.loadHeadState.call(view, states);
  } catch {
    lh.loadHeadState(patchHead(lh.serializeHeadState(), patch));
  }
}

/** Applies a view's `headPatch` to a head state (the child's copy), in place. */
export function patchHead(head: HeadState, patch: NonNullable<MachineView['headPatch']>): HeadState {
  for (const [group, changes] of Object.entries(patch)) {
    const list = head[group];
    if (!Array.isArray(list)) continue;
    for (const [i, state] of Object.entries(changes)) list[Number(i)] = state;
  }
  return head;
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
