// Small DOM helpers shared by the pages. Text always goes in as text nodes, never as HTML.

/** `h('a', { href }, 'text', child…)`: attributes `false`/null/undefined are left out, `true` is set empty. */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === '') continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function button(label, onClick, attrs = {}) {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await onClick();
    } finally {
      // The page may have re-rendered (and replaced this button) meanwhile.
      if (b.isConnected && !attrs.disabled) b.disabled = false;
    }
  });
  return b;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
export const ACTIVE = new Set(['queued', 'preparing', 'running', 'pausing', 'paused', 'awaiting_input', 'canceling']);

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, status.replace('_', ' '));
}

export function fmtTime(iso, timeOnly = false) {
  if (!iso) return '';
  const d = new Date(iso);
  return timeOnly ? d.toLocaleTimeString() : d.toLocaleString();
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

/** A value in one short line: `{ resources: [...], volumes: [...] }` → `resources=a,b volumes=50,50`. */
export function summarize(value) {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  const text = Array.isArray(value)
    ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')
    : Object.entries(value)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`)
        .join(' ');
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/**
 * Inputs for the properties of a JSON Schema object (a protocol's parameters, a prompt's fields):
 * booleans as checkboxes, numbers as number inputs, enums as selects, strings as text, anything
 * else as JSON; defaults prefilled. `values()` reads them (null when a JSON field does not parse);
 * `showErrors(err, prefix)` puts a 400's per-field messages (`<prefix><name>`) beside the inputs.
 */
export function schemaFields(schema, { enabled = true, prefix = 'field' } = {}) {
  const required = new Set(schema?.required ?? []);
  const element = h('div', { class: 'fields' });
  const fields = [];
  // Stored as jsonb, the properties come back sorted by key length; `required` (an array) keeps the
  // author's order, so it orders the fields it names.
  const order = schema?.required ?? [];
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  const props = Object.entries(schema?.properties ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  for (const [name, prop] of props) {
    const id = `${prefix}-${name}`;
    const label = h('label', { for: id }, prop.title ?? name, required.has(name) && prop.default === undefined ? ' *' : '');
    const kind = prop.enum ? 'enum' : prop.type === 'boolean' ? 'boolean' : prop.type === 'number' || prop.type === 'integer' ? 'number' : prop.type === 'string' ? 'string' : 'json';
    let input;
    if (kind === 'enum') {
      input = h('select', { id, name }, ...prop.enum.map((v) => h('option', { value: JSON.stringify(v), selected: v === prop.default }, String(v))));
    } else if (kind === 'boolean') {
      input = h('input', { id, name, type: 'checkbox', checked: prop.default === true });
    } else if (kind === 'number') {
      input = h('input', { id, name, type: 'number', step: prop.type === 'integer' ? '1' : 'any', min: prop.minimum, max: prop.maximum, value: prop.default });
    } else if (kind === 'string') {
      input = h('input', { id, name, type: 'text', value: prop.default, maxlength: prop.maxLength });
    } else {
      input = h('textarea', { id, name, rows: 3 }, prop.default === undefined ? '' : JSON.stringify(prop.default));
    }
    input.disabled = !enabled;
    const error = h('span', { class: 'field-error', id: `${id}-error`, role: 'alert' });
    fields.push({ name, kind, input, error });
    const hint = prop.description ? h('small', { class: 'muted' }, prop.description) : '';
    element.append(kind === 'boolean' ? h('div', { class: 'field field-boolean' }, h('span', {}, input, ' ', label), hint, error) : h('div', { class: `field field-${kind}` }, label, input, hint, error));
  }
  return {
    element,
    values() {
      const out = {};
      for (const f of fields) {
        f.error.textContent = '';
        if (f.kind === 'boolean') out[f.name] = f.input.checked;
        else if (f.kind === 'enum') out[f.name] = JSON.parse(f.input.value);
        else if (f.kind === 'number') {
          if (f.input.value !== '') out[f.name] = Number(f.input.value);
        } else if (f.kind === 'string') out[f.name] = f.input.value;
        else if (f.input.value.trim()) {
          try {
            out[f.name] = JSON.parse(f.input.value);
          } catch {
            f.error.textContent = 'not valid JSON';
            return null;
          }
        }
      }
      return out;
    },
    showErrors(err, fieldPrefix) {
      const byField = err.fieldErrors ?? {};
      let shown = false;
      for (const f of fields) {
        const msg = byField[`${fieldPrefix}${f.name}`];
        if (msg) {
          f.error.textContent = msg;
          shown = true;
        }
      }
      return shown;
    },
  };
}
