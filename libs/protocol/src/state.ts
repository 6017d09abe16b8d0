import { assertJson, cloneJson, type JsonValue } from './json.js';

/** Called after each change with the key and its new value (undefined when deleted). */
export type StateListener = (key: string, value: JsonValue | undefined) => void;

const METHODS = new Set(['get', 'set', 'has', 'delete', 'keys', 'toJSON', 'snapshot']);

/**
 * PraxisState: run-scoped key/value state holding JSON values only. Dict access (`get`, `set`,
 * `has`, `delete`) and attribute access (`state.count = 1`, `state.count`, `delete state.count`,
 * `'count' in state`) see the same values. Values are stored as JSON text, so what comes out is
 * always a fresh copy and a non-JSON value is refused at `set`, naming the key.
 */
export class RunState {
  private readonly values = new Map<string, string>();

  constructor(initial: Record<string, JsonValue> = {}, private readonly listener?: StateListener) {
    for (const [k, v] of Object.entries(initial)) {
      assertJson(v, `state.${k}`);
      this.values.set(k, JSON.stringify(v));
    }
  }

  get<T extends JsonValue = JsonValue>(key: string): T | undefined;
  get<T extends JsonValue = JsonValue>(key: string, fallback: T): T;
  get(key: string, fallback?: JsonValue): JsonValue | undefined {
    const raw = this.values.get(key);
    return raw === undefined ? fallback : (JSON.parse(raw) as JsonValue);
  }

  set(key: string, value: JsonValue): void {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('state keys must be non-empty strings');
    assertJson(value, `state.${key}`);
    const text = JSON.stringify(value);
    this.values.set(key, text);
    this.listener?.(key, JSON.parse(text) as JsonValue);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  delete(key: string): boolean {
    const had = this.values.delete(key);
    if (had) this.listener?.(key, undefined);
    return had;
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  /** All values as one plain object (a copy). */
  toJSON(): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of this.values) out[k] = JSON.parse(v) as JsonValue;
    return out;
  }

  /** The stored JSON text per key: cheap to take before a step and compare after it. */
  snapshot(): Map<string, string> {
    return new Map(this.values);
  }

  /** What changed between a snapshot and now: `{ key: { before, after } }` (absent = undefined). */
  diffSince(before: Map<string, string>): Record<string, { before?: JsonValue; after?: JsonValue }> {
    const diff: Record<string, { before?: JsonValue; after?: JsonValue }> = {};
    const keys = new Set([...before.keys(), ...this.values.keys()]);
    for (const k of keys) {
      const a = before.get(k);
      const b = this.values.get(k);
      if (a === b) continue;
      diff[k] = {
        ...(a !== undefined ? { before: JSON.parse(a) as JsonValue } : {}),
        ...(b !== undefined ? { after: JSON.parse(b) as JsonValue } : {}),
      };
    }
    return diff;
  }
}

/** The state as protocols see it: the methods plus attribute access to every key. */
export type StateAccess = RunState & { [key: string]: JsonValue | undefined };

/** Wraps a RunState so that attribute access reads and writes its keys. */
export function stateAccess(state: RunState): StateAccess {
  return new Proxy(state, {
    get(target, prop, receiver) {
      if (typeof prop === 'symbol' || METHODS.has(prop)) {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      if (prop === 'then') return undefined; // never look like a promise
      return target.get(prop);
    },
    set(target, prop, value) {
      if (typeof prop === 'symbol' || METHODS.has(prop)) throw new TypeError(`state.${String(prop)} is a method; use state.set('${String(prop)}', value)`);
      target.set(prop, value as JsonValue);
      return true;
    },
    has(target, prop) {
      return typeof prop === 'string' && !METHODS.has(prop) ? target.has(prop) : Reflect.has(target, prop);
    },
    deleteProperty(target, prop) {
      if (typeof prop === 'string') target.delete(prop);
      return true;
    },
    ownKeys(target) {
      return target.keys();
    },
    getOwnPropertyDescriptor(target, prop) {
      if (typeof prop === 'string' && target.has(prop)) return { configurable: true, enumerable: true, writable: true, value: target.get(prop) };
      return undefined;
    },
  }) as StateAccess;
}

export { cloneJson };
