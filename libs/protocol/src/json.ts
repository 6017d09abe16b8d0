// JSON helpers for the run context: a strict check for values that must be JSON (run state,
// outputs, operator input) and a lenient converter for values that are only logged (step
// arguments and results, which may hold live hardware objects).

/** A JSON value: what run state, outputs and logged arguments are made of. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A value that is not JSON where JSON is required; `path` names where it was found. */
export class NotJsonError extends TypeError {
  constructor(readonly path: string, readonly found: string) {
    super(`${path} must be a JSON value (null, boolean, finite number, string, array or plain object); found ${found}`);
    this.name = 'NotJsonError';
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return `a bigint (${v}n)`;
  if (typeof v === 'symbol') return 'a symbol';
  if (v instanceof Date) return 'a Date (store date.toISOString())';
  if (v instanceof Map) return 'a Map';
  if (v instanceof Set) return 'a Set';
  const ctor = (v as object)?.constructor?.name;
  return ctor ? `an instance of ${ctor}` : typeof v;
}

/** Throws NotJsonError naming the first non-JSON part of `value`; cycles are errors too. */
export function assertJson(value: unknown, path: string): asserts value is JsonValue {
  const seen = new Set<object>();
  const walk = (v: unknown, p: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new NotJsonError(p, describe(v));
      return;
    }
    if (typeof v !== 'object') throw new NotJsonError(p, describe(v));
    if (seen.has(v)) throw new NotJsonError(p, 'a circular reference');
    if (Array.isArray(v)) {
      seen.add(v);
      v.forEach((item, i) => walk(item, `${p}[${i}]`));
      seen.delete(v);
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new NotJsonError(p, describe(v));
    seen.add(v);
    for (const [k, item] of Object.entries(v)) walk(item, `${p}.${k}`);
    seen.delete(v);
  };
  walk(value, path);
}

/** A deep copy of a JSON value (values handed out of the state never alias what it stores). */
export function cloneJson<T extends JsonValue>(value: T): T {
  return value === null || typeof value !== 'object' ? value : (JSON.parse(JSON.stringify(value)) as T);
}

const MAX_DEPTH = 6;
const MAX_ITEMS = 200;
const MAX_STRING = 2000;

/**
 * A JSON-safe summary of any value, for logs: hardware resources and machines become
 * `{ $ref: name, type }`, errors `{ $error: name, message }`, functions `"[Function name]"`,
 * cycles `"[Circular]"`; long arrays, strings and deep objects are cut with a marker.
 */
export function toLoggable(value: unknown): JsonValue {
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): JsonValue => {
    if (v === null || v === undefined) return null;
    switch (typeof v) {
      case 'string':
        return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…(${v.length} chars)` : v;
      case 'boolean':
        return v;
      case 'number':
        return Number.isFinite(v) ? v : String(v);
      case 'bigint':
        return `${v}n`;
      case 'symbol':
        return String(v);
      case 'function':
        return `[Function ${v.name || 'anonymous'}]`;
    }
    const o = v as Record<string, unknown>;
    if (seen.has(o)) return '[Circular]';
    const ref = hardwareRef(o);
    if (ref) return ref;
    if (v instanceof Error) return { $error: v.name, message: v.message };
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (depth >= MAX_DEPTH) return '[…]';
    seen.add(o);
    try {
      if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        const arr = Array.from(v as ArrayLike<unknown>);
        const items = arr.slice(0, MAX_ITEMS).map((x) => walk(x, depth + 1));
        if (arr.length > MAX_ITEMS) items.push(`…(${arr.length - MAX_ITEMS} more)`);
        return items;
      }
      if (v instanceof Map) return walk(Object.fromEntries(v), depth);
      if (v instanceof Set) return walk([...v], depth);
      const out: Record<string, JsonValue> = {};
      let n = 0;
      for (const [k, item] of Object.entries(o)) {
        if (++n > MAX_ITEMS) {
          out['…'] = `${Object.keys(o).length - MAX_ITEMS} more keys`;
          break;
        }
        if (item !== undefined) out[k] = walk(item, depth + 1);
      }
      return out;
    } finally {
      seen.delete(o);
    }
  };
  return walk(value, 0);
}

/**
 * Hardware objects are logged by reference. Resources carry `name` and `category` and a
 * `serialize` method; machines carry `name` and `backend`. Duck-typed so this library needs no
 * hardware import.
 */
function hardwareRef(o: Record<string, unknown>): JsonValue | undefined {
  if (typeof o.name !== 'string') return undefined;
  if (typeof o.category === 'string' && typeof o.serialize === 'function') return { $ref: o.name, type: o.category };
  if ('backend' in o && typeof o.onCommand === 'function') return { $ref: o.name, type: 'machine' };
  return undefined;
}
