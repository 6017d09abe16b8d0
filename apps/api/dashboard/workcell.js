// The workcells list and a workcell's page: its machines (live status), its deck (live while runs
// change it), its runs (live status) and, for operators, a form to start a protocol on it.
import { ApiError, canOperate, followRun, followWorkcell, get, post } from './api.js';
import { DeckView } from './deck.js';
import { ACTIVE, fmtTime, h, schemaFields, statusBadge, TERMINAL } from './ui.js';

/**
 * A table of runs whose status cells stay live: `setStatus` updates a listed run, or fetches and
 * lists one seen for the first time (when `accept(run)` says it belongs here). `added(run)` is
 * called for every run listed; `workcellNames` adds a workcell column.
 */
function liveRunTable(id, { workcellNames = null, accept = () => true, added = () => undefined } = {}) {
  const rows = h('tbody');
  const columns = ['protocol', ...(workcellNames ? ['workcell'] : []), 'status', 'created', 'by'];
  const element = h('table', { id }, h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', {}, c)))), rows);
  const runs = new Map();
  let closed = false;
  const row = (run) => {
    const tr = h(
      'tr',
      { 'data-run': run.id },
      h('td', {}, h('a', { href: `#/runs/${run.id}` }, `${run.protocolName} ${run.protocolVersion}`)),
      ...(workcellNames ? [h('td', {}, workcellNames.get(run.workcellId) ?? run.workcellId)] : []),
      h('td', { class: 'status' }, statusBadge(run.status)),
      h('td', {}, fmtTime(run.createdAt)),
      h('td', {}, run.createdBy),
    );
    runs.set(run.id, { run, tr });
    added(run);
    return tr;
  };
  return {
    element,
    /** Lists runs already fetched, newest first. */
    append(list) {
      for (const run of list) rows.append(row(run));
    },
    /** A run's new status; answers its entry (null when it does not belong here). */
    async setStatus(runId, status) {
      let entry = runs.get(runId);
      if (!entry) {
        const run = await get(`/runs/${runId}`).catch(() => null);
        if (closed || !run || !accept(run) || runs.has(runId)) return null;
        rows.prepend(row(run));
        entry = runs.get(runId);
      }
      entry.run.status = status;
      entry.tr.querySelector('.status').replaceChildren(statusBadge(status));
      return entry;
    },
    close() {
      closed = true;
    },
  };
}

export async function workcellsPage(root) {
  const page = await get('/workcells?limit=200&sort=name');
  const list = h('ul', { class: 'cards', id: 'workcells' });
  for (const w of page.items) {
    list.append(h('li', { class: 'card' }, h('a', { href: `#/workcells/${w.id}`, 'data-workcell': w.name }, h('strong', {}, w.name)), h('p', { class: 'muted' }, [w.description, w.location].filter(Boolean).join(' · '))));
  }
  // Every workcell's runs, newest first, their status live (each workcell's room carries its runs' run.status).
  const names = new Map(page.items.map((w) => [w.id, w.name]));
  const table = liveRunTable('recent-runs', { workcellNames: names });
  table.append((await get('/runs?sort=-createdAt&limit=25')).items);
  root.replaceChildren(
    h('h1', {}, 'Workcells'),
    page.items.length ? list : h('p', { class: 'muted' }, 'No workcells yet.'),
    h('section', { class: 'panel' }, h('h2', {}, 'Recent runs'), table.element),
  );
  const stops = page.items.map((w) => followWorkcell(w.id, (ev) => ev.type === 'run.status' && void table.setStatus(ev.runId, ev.payload.to)));
  return () => {
    table.close();
    stops.forEach((s) => s());
  };
}

/** Draws the workcell's deck (the first one with a layout) into `box`; answers the DeckView, or null when it has none. */
export async function loadDeck(workcellId, box) {
  const decks = await get(`/decks?workcellId=${workcellId}&limit=50&sort=createdAt`);
  const deck = decks.items.find((d) => d.layoutId);
  if (!deck) {
    box.replaceChildren(h('p', { class: 'muted' }, 'This workcell has no deck with a layout.'));
    return null;
  }
  const [layout, state] = await Promise.all([get(`/deck-layouts/${deck.layoutId}/render`), get(`/decks/${deck.id}/state`)]);
  const drawing = h('div', { class: 'deck-drawing', 'data-deck-id': deck.id });
  box.replaceChildren(h('p', { class: 'muted' }, `${deck.name}`, h('span', { class: 'legend' }, h('i', { class: 'swatch tip' }), ' tip ', h('i', { class: 'swatch empty' }), ' no tip ', h('i', { class: 'swatch full' }), ' liquid')), drawing);
  const view = new DeckView(drawing, layout, state.resources);
  view.deckId = deck.id;
  return view;
}

export async function workcellPage(root, workcellId) {
  const stops = [];
  const workcell = await get(`/workcells/${workcellId}`);
  const machineList = h('ul', { class: 'machines', id: 'machines' });
  const deckBox = h('div', { class: 'deck-box' }, h('p', { class: 'muted' }, 'Loading the deck…'));
  const startBox = h('section', { class: 'panel', id: 'start' });
  const runsBox = h('div');

  root.replaceChildren(
    h('nav', { class: 'crumbs' }, h('a', { href: '#/' }, 'Workcells'), ` / ${workcell.name}`),
    h('h1', {}, workcell.name),
    workcell.description ? h('p', { class: 'muted' }, workcell.description) : '',
    h('div', { class: 'grid' }, h('section', { class: 'panel wide' }, h('h2', {}, 'Deck'), deckBox), h('section', { class: 'panel' }, h('h2', {}, 'Machines'), machineList)),
    canOperate() ? startBox : '',
    h('section', { class: 'panel' }, h('h2', {}, 'Runs'), runsBox),
  );

  // ---- machines ----
  const machines = await get(`/machines?workcellId=${workcellId}&limit=200&sort=name`);
  const machineBadges = new Map();
  for (const m of machines.items) {
    const badge = h('span', {}, statusBadge(m.status));
    machineBadges.set(m.id, badge);
    machineList.append(h('li', { 'data-machine': m.name }, h('strong', {}, m.name), ' ', h('span', { class: 'muted' }, `${m.category} · ${m.backend}`), ' ', badge));
  }

  // ---- runs and the live deck ----
  const followed = new Map();
  let deck = null;
  const early = [];
  const onRunEvent = (ev) => {
    if (ev.type !== 'deck.state') return;
    if (deck) deck.apply(ev.payload);
    else early.push(ev.payload);
  };
  let left = false;
  const follow = (run) => {
    // `left`: a run fetched while the operator was already leaving the page is not followed.
    if (left || followed.has(run.id) || !ACTIVE.has(run.status)) return;
    followed.set(run.id, followRun(run.id, onRunEvent));
  };
  const table = liveRunTable('runs', { accept: (run) => run.workcellId === workcellId, added: follow });
  runsBox.replaceChildren(table.element);
  const setStatus = async (runId, status) => {
    const entry = await table.setStatus(runId, status);
    if (!entry) return;
    if (TERMINAL.has(status) && followed.has(runId)) {
      followed.get(runId)();
      followed.delete(runId);
      // The worker saves the deck after a run: start again from what it saved.
      if (deck) get(`/decks/${deck.deckId}/state`).then((s) => deck.reset(s.resources), () => undefined);
    }
  };

  stops.push(
    followWorkcell(workcellId, (ev) => {
      if (ev.type === 'machine.status') machineBadges.get(ev.payload.machineId)?.replaceChildren(statusBadge(ev.payload.status));
      else if (ev.type === 'run.status') void setStatus(ev.runId, ev.payload.to);
    }),
  );
  table.append((await get(`/runs?workcellId=${workcellId}&sort=-createdAt&limit=25`)).items);
  stops.push(() => {
    left = true;
    table.close();
    followed.forEach((stop) => stop());
  });

  loadDeck(workcellId, deckBox).then(
    (view) => {
      deck = view;
      if (deck) for (const p of early.splice(0)) deck.apply(p);
    },
    (err) => deckBox.replaceChildren(h('p', { class: 'message' }, `The deck could not be drawn: ${err.message}`)),
  );

  if (canOperate()) await startForm(startBox, workcellId);
  return () => stops.forEach((s) => s());
}

/** Pick a protocol, fill its parameters (built from their JSON Schema), start it here. */
async function startForm(box, workcellId) {
  const defs = (await get('/protocols/definitions?latest=true&limit=200&sort=name')).items;
  const select = h('select', { id: 'protocol', name: 'protocol' }, h('option', { value: '' }, 'Choose a protocol…'), ...defs.map((d) => h('option', { value: d.id }, `${d.name} ${d.version}`)));
  const about = h('div', { class: 'about' });
  const params = h('div', { class: 'params' });
  const error = h('p', { class: 'message', id: 'start-error' });
  const submit = h('button', { type: 'submit', id: 'start-run', disabled: true }, 'Start run');
  let fields = null;
  select.addEventListener('change', () => {
    const def = defs.find((d) => d.id === select.value);
    error.textContent = '';
    submit.disabled = !def;
    about.replaceChildren();
    params.replaceChildren();
    if (!def) return;
    about.append(h('p', {}, def.description ?? ''), ...(def.setupInstructions?.length ? [h('ul', { class: 'setup' }, ...def.setupInstructions.map((s) => h('li', {}, s)))] : []));
    fields = schemaFields(def.parametersSchema, { prefix: 'param' });
    params.append(fields.element);
  });
  const form = h('form', { id: 'start-form', novalidate: true }, h('label', { for: 'protocol' }, 'Protocol'), select, about, params, error, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const parameters = fields?.values();
    if (!parameters) return;
    try {
      const run = await post('/runs', { protocolId: select.value, workcellId, parameters });
      location.hash = `#/runs/${run.id}`;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 400 && fields.showErrors(err, 'parameters.'))) error.textContent = err.message;
    }
  });
  box.replaceChildren(h('h2', {}, 'Start a run'), form);
}
