// What of a request body the audit log keeps: enough to tell what was asked (a run's parameters,
// an action, a role change), never a secret. Values under secret-looking keys are replaced, URLs
// lose their credentials, long strings are cut, and nesting and size are bounded.

const SECRET_KEY = /pass(word|phrase)?|secret|token|credential|private|authori[sz]ation|api[-_]?key|cookie|session/i;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi;
const MAX_STRING = 200;
const MAX_KEYS = 30;
const MAX_DEPTH = 3;
const MAX_JSON = 4000;

export const REDACTED = '[redacted]';

function summarizeValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const clean = value.replace(URL_CREDENTIALS, '$1***@');
    return clean.length > MAX_STRING ? `${clean.slice(0, MAX_STRING)}…` : clean;
  }
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return `[${value.length} items]`;
    const items = value.slice(0, MAX_KEYS).map((v) => summarizeValue(v, depth + 1));
    return value.length > MAX_KEYS ? [...items, `…${value.length - MAX_KEYS} more`] : items;
  }
  if (typeof value === 'object') {
    if (depth >= MAX_DEPTH) return '{…}';
    const out: Record<string, unknown> = {};
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [key, v] of entries.slice(0, MAX_KEYS)) out[key] = SECRET_KEY.test(key) ? REDACTED : summarizeValue(v, depth + 1);
    if (entries.length > MAX_KEYS) out['…'] = `${entries.length - MAX_KEYS} more keys`;
    return out;
  }
  return undefined;
}

/** A redacted, bounded copy of a request body, or null when there is nothing to keep. */
export function summarizeBody(body: unknown): Record<string, unknown> | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return null;
  if (!Object.keys(body).length) return null;
  const summary = summarizeValue(body, 0) as Record<string, unknown>;
  if (JSON.stringify(summary).length <= MAX_JSON) return summary;
  // Too big even when bounded: keep which fields were sent, not their values.
  return { fields: Object.keys(body).slice(0, MAX_KEYS), truncated: true };
}
