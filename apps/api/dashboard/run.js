// A run's page: status and controls, the pending prompt as a form, the workcell's deck, the step
// tree, the command log, logs and outputs. Everything but the run itself comes from the run's
// events (`subscribe { runId }` replays the stored ones, then streams the live ones), so the page
// is the same whether it was opened before, during or after the run.
import { api, ApiError, canOperate, followRun, get, post } from './api.js';
import { loadDeck } from './workcell.js';
import { button, fmtDuration, fmtTime, h, schemaFields, statusBadge, summarize, TERMINAL } from './ui.js';

const MAX_COMMANDS = 500;

export async function runPage(root, runId) {
  let run = await get(`/runs/${runId}`);
  const workcell = await get(`/workcells/${run.workcellId}`).catch(() => ({ name: 'workcell' }));
  const stops = [];

  const status = h('span', { id: 'run-status' });
  const controls = h('div', { class: 'controls' });
  const message = h('p', { class: 'message', role: 'status' });
  const prompt = h('section', { class: 'panel prompt', id: 'prompt', hidden: true });
  const deckBox = h('div', { class: 'deck-box' }, h('p', { class: 'muted' }, 'Loading the deck…'));
  const steps = h('ul', { class: 'steps', id: 'steps' });
  const commandRows = h('tbody');
  const logs = h('ul', { class: 'logs', id: 'logs' });
  const outputRows = h('tbody');
  const errorBox = h('div', { class: 'error-box', hidden: true });
  const result = h('details', { id: 'result', hidden: true }, h('summary', {}, 'Result'), h('pre'));

  root.replaceChildren(
    h('nav', { class: 'crumbs' }, h('a', { href: '#/' }, 'Workcells'), ' / ', h('a', { href: `#/workcells/${run.workcellId}` }, workcell.name), ` / ${run.protocolName}`),
    h(
      'header',
      { class: 'run-head' },
      h('h1', {}, `${run.protocolName} `, h('small', {}, run.protocolVersion)),
      status,
      controls,
      h('p', { class: 'muted' }, `Run ${run.id} · created by ${run.createdBy} · ${fmtTime(run.createdAt)}`),
      h('details', {}, h('summary', {}, 'Parameters'), h('pre', {}, JSON.stringify(run.parameters, null, 2))),
      result,
      message,
      errorBox,
    ),
    prompt,
    h('div', { class: 'grid' }, h('section', { class: 'panel' }, h('h2', {}, 'Deck'), deckBox), h('section', { class: 'panel' }, h('h2', {}, 'Steps'), h('div', { class: 'scroll' }, steps))),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Commands'),
      h(
        'div',
        { class: 'scroll' },
        h('table', { class: 'commands', id: 'commands' }, h('thead', {}, h('tr', {}, ...['#', 'step', 'machine', 'command', 'arguments', 'time', 'result'].map((c) => h('th', {}, c)))), commandRows),
      ),
    ),
    h('div', { class: 'grid' }, h('section', { class: 'panel' }, h('h2', {}, 'Outputs'), h('table', { id: 'outputs' }, h('thead', {}, h('tr', {}, ...['name', 'value', 'type', 'resource'].map((c) => h('th', {}, c)))), outputRows)), h('section', { class: 'panel' }, h('h2', {}, 'Log'), logs)),
  );

  const render = () => {
    status.replaceChildren(statusBadge(run.status));
    controls.replaceChildren();
    if (canOperate() && !TERMINAL.has(run.status)) {
      const act = (action) => async () => {
        if (action === 'cancel' && !window.confirm('Cancel this run? The protocol stops and the deck is restored to how it was before the run.')) return;
        message.textContent = '';
        try {
          run = await post(`/runs/${run.id}/actions`, { action });
          render();
        } catch (err) {
          message.textContent = err.message;
        }
      };
      controls.append(
        button('Pause', act('pause'), { id: 'pause', disabled: run.status !== 'running' }),
        button('Resume', act('resume'), { id: 'resume', disabled: run.status !== 'paused' }),
        button('Cancel', act('cancel'), { id: 'cancel', class: 'danger', disabled: run.status === 'canceling' }),
      );
    }
    result.hidden = run.result === null || run.result === undefined;
    result.querySelector('pre').textContent = JSON.stringify(run.result, null, 2);
    if (run.error) {
      errorBox.hidden = false;
      errorBox.textContent = `${run.error.name}: ${run.error.message}${run.error.step ? ` (step ${run.error.step.name} #${run.error.step.seq})` : ''}`;
    } else errorBox.hidden = true;
    renderPrompt();
  };

  let promptShown = null;
  const renderPrompt = () => {
    const pending = run.status === 'awaiting_input' ? run.pendingInput : null;
    if (!pending) {
      prompt.hidden = true;
      prompt.replaceChildren();
      promptShown = null;
      return;
    }
    if (promptShown === pending.id) return; // keep what the operator is typing
    promptShown = pending.id;
    prompt.hidden = false;
    prompt.replaceChildren(h('h2', {}, 'The run is waiting for you'), h('p', { class: 'prompt-text' }, pending.prompt), inputForm(run, pending, canOperate(), (answered) => {
      run = answered;
      render();
    }));
  };

  // ---- events ----
  const stepItems = new Map();
  const addStep = (p) => {
    const li = h('li', { 'data-seq': p.stepSeq, 'data-status': 'running' }, h('span', { class: 'step-name' }, p.name), ' ', h('span', { class: 'step-status' }, 'running'));
    const children = h('ul');
    li.append(children);
    stepItems.set(p.stepSeq, { li, children });
    (stepItems.get(p.parentSeq)?.children ?? steps).append(li);
  };
  const endStep = (p) => {
    const item = stepItems.get(p.stepSeq);
    if (!item) return;
    item.li.dataset.status = p.status;
    item.li.querySelector('.step-status').textContent = `${p.status} · ${fmtDuration(p.durationMs)}${p.error ? ` · ${p.error.message}` : ''}`;
  };

  let deck = null;
  const pendingDeck = [];
  const onEvent = (ev) => {
    const p = ev.payload;
    switch (ev.type) {
      case 'run.status':
        if (p.to !== run.status) {
          run = { ...run, status: p.to };
          render();
          // The rest of the run (pending prompt, error, result) as the API has it now.
          get(`/runs/${run.id}`).then((r) => {
            if (r.status === run.status || TERMINAL.has(r.status)) {
              run = r;
              render();
            }
          }, () => undefined);
        }
        break;
      case 'run.step':
        if (p.phase === 'start') addStep(p);
        else endStep(p);
        break;
      case 'run.command':
        commandRows.append(
          h(
            'tr',
            { class: p.error ? 'failed' : '' },
            h('td', {}, p.commandSeq),
            h('td', {}, stepItems.get(p.stepSeq)?.li.querySelector('.step-name').textContent ?? ''),
            h('td', {}, p.machine),
            h('td', {}, p.command),
            h('td', { class: 'args' }, summarize(p.args)),
            h('td', {}, fmtDuration(p.durationMs)),
            h('td', {}, p.error ? `${p.error.name}: ${p.error.message}` : p.result === null || p.result === undefined ? '' : summarize(p.result)),
          ),
        );
        while (commandRows.childElementCount > MAX_COMMANDS) commandRows.firstElementChild.remove();
        break;
      case 'run.output':
        outputRows.append(h('tr', {}, h('td', {}, p.name), h('td', {}, summarize(p.value)), h('td', {}, p.type), h('td', {}, p.resource ?? '')));
        break;
      case 'run.log':
        logs.append(h('li', { class: `log-${p.level}` }, h('time', {}, fmtTime(ev.at, true)), ' ', p.message));
        break;
      case 'deck.state':
        if (deck) deck.apply(p);
        else pendingDeck.push(p);
        break;
      default:
        break;
    }
  };

  render();
  stops.push(followRun(run.id, onEvent));
  loadDeck(run.workcellId, deckBox).then(
    (view) => {
      deck = view;
      if (deck) for (const p of pendingDeck.splice(0)) deck.apply(p);
    },
    (err) => deckBox.replaceChildren(h('p', { class: 'message' }, `The deck could not be drawn: ${err.message}`)),
  );
  return () => stops.forEach((s) => s());
}

/** The prompt's fields (a JSON Schema object) as a form; answers through `POST /runs/{id}/input`. */
export function inputForm(run, pending, enabled, onAnswered) {
  const fields = schemaFields(pending.fieldsSchema, { enabled, prefix: 'field' });
  const formError = h('p', { class: 'message', id: 'input-error' });
  const form = h('form', { class: 'input-form', id: 'input-form', novalidate: true }, fields.element, formError, enabled ? h('button', { type: 'submit', id: 'answer' }, 'Answer') : h('p', { class: 'muted' }, 'An operator answers this prompt.'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    const values = fields.values();
    if (!values) return;
    try {
      onAnswered(await api('POST', `/runs/${run.id}/input`, { values }));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 400 && fields.showErrors(err, 'values.'))) formError.textContent = err.message;
    }
  });
  return form;
}
