// The run child: the process in which one protocol runs for real. It loads the stored compiled
// code (checking its hash), builds its own copy of the deck and the run's assets (machines are
// proxies whose hardware calls go to the worker over IPC), runs the protocol with the kit's
// executeProtocol, forwards steps, logs, outputs, state and prompts, reports the outcome and exits.
// The worker (host.ts) gives it a clean environment and a heap limit, and kills it when it must.
import { format } from 'node:util';
import * as hardware from '@praxis/hardware';
import { setTipTracking, setVolumeTracking } from '@praxis/hardware';
import * as kit from '@praxis/protocol';
import { currentStepSeq, executeProtocol, failedStep, InputTimeoutError, isProtocolDefinition, RunCancelledError, type InputValidation, type JsonValue, type LogLevel, type ProtocolDefinition, type RunHooks } from '@praxis/protocol';
import * as zod from 'zod';
import { errorLocation, hashCode, importBundle, removeBundles, shareModules } from '../sandbox/bundle.js';
import { WARM_UP_ARG, type CommandReply, type CommandUpdate, type RunChildMessage, type InputAnswerResult, type RunOutcome, type RunSpec, type RunParentMessage, type WireCall, type WireError } from './messages.js';
import { buildRunAssets } from './remote.js';

shareModules({ '@praxis/protocol': kit as Record<string, unknown>, '@praxis/hardware': hardware as Record<string, unknown>, zod: zod as Record<string, unknown> });
process.on('exit', removeBundles);
// The worker went away: nobody is left to execute hardware calls or hear the outcome.
process.on('disconnect', () => process.exit(1));

const ALIVE_EVERY_MS = 1000;

function write(msg: RunChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(msg, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

// Steps, logs, outputs and state changes are queued and go out with the next hardware call (or
// when the event loop turns): one IPC message per call instead of four or five, in order.
let queue: RunChildMessage[] = [];
let flushing = false;

function flush(): Promise<void> {
  flushing = false;
  if (!queue.length) return Promise.resolve();
  const messages = queue;
  queue = [];
  return write(messages.length === 1 ? messages[0]! : { type: 'batch', messages });
}

/** Queues a message (sent with the next call, or on the next turn of the event loop). */
function send(msg: RunChildMessage): void {
  queue.push(msg);
  if (!flushing) {
    flushing = true;
    setImmediate(() => void flush());
  }
}

/** Sends a message now, after everything queued before it. */
function sendNow(msg: RunChildMessage): Promise<void> {
  queue.push(msg);
  return flush();
}

type CallAnswer = { ok: true; reply: CommandReply } | { ok: false; error: WireError; update?: CommandUpdate };

const controller = new AbortController();
const pendingCalls = new Map<number, { resolve: (a: CallAnswer) => void; reject: (e: Error) => void }>();
const pendingInputs = new Map<string, { validate: (v: unknown) => InputValidation; resolve: (v: Record<string, JsonValue>) => void }>();
let nextCallId = 0;
let started = false;

function cancelled(): Error {
  const r = controller.signal.reason;
  return r instanceof Error ? r : new RunCancelledError();
}

function call(c: WireCall): Promise<CallAnswer> {
  if (controller.signal.aborted) return Promise.reject(cancelled());
  const id = ++nextCallId;
  return new Promise<CallAnswer>((resolve, reject) => {
    pendingCalls.set(id, { resolve, reject });
    void sendNow({ type: 'command', id, ...c });
  });
}

const hooks: RunHooks = {
  // Now, not queued: a protocol that then crashes or never yields (out of memory) is named by its step.
  stepStarted: (step) => void sendNow({ type: 'step-started', step }),
  stepEnded: (step) => send({ type: 'step-ended', step }),
  log: (entry) => send({ type: 'log', entry }),
  output: (output) => send({ type: 'output', output }),
  requestInput: (request, validate, signal) =>
    new Promise<Record<string, JsonValue>>((resolve, reject) => {
      pendingInputs.set(request.id, { validate, resolve });
      send({ type: 'input-request', request });
      signal.addEventListener(
        'abort',
        () => {
          if (!pendingInputs.delete(request.id)) return;
          send({ type: 'input-closed', requestId: request.id, reason: signal.reason instanceof InputTimeoutError ? 'timed-out' : 'cancelled' });
          reject(signal.reason instanceof Error ? signal.reason : cancelled());
        },
        { once: true },
      );
    }),
};

function answer(m: Extract<RunParentMessage, { type: 'input-answer' }>): void {
  const p = pendingInputs.get(m.requestId);
  let result: InputAnswerResult;
  if (!p) {
    result = { ok: false, reason: 'not-pending', message: `no open prompt with id ${m.requestId} (answered already, timed out, or the run ended)` };
  } else {
    const checked = p.validate(m.values);
    if (checked.ok) {
      pendingInputs.delete(m.requestId);
      result = { ok: true, value: checked.value };
      p.resolve(checked.value);
    } else {
      result = { ok: false, reason: 'invalid', issues: checked.issues };
    }
  }
  send({ type: 'input-checked', answerId: m.answerId, requestId: m.requestId, result });
  if (result.ok) send({ type: 'input-closed', requestId: m.requestId, reason: 'answered' });
}

function describe(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

async function load(spec: RunSpec): Promise<ProtocolDefinition> {
  const bundle = { code: spec.code, codeHash: hashCode(spec.code) };
  if (bundle.codeHash !== spec.codeHash) {
    throw Object.assign(new Error(`the stored code of ${spec.file} does not match its hash ${spec.codeHash}`), { name: 'CodeChangedError' });
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importBundle(bundle);
  } catch (err) {
    const at = errorLocation(err, spec.root ?? '/', spec.file);
    throw Object.assign(new Error(`${at.file}${at.line ? `:${at.line}` : ''}: ${at.message}`), { name: 'ProtocolLoadError' });
  }
  const def = mod[spec.exportName];
  if (!isProtocolDefinition(def)) throw Object.assign(new Error(`${spec.file} has no protocol definition in export "${spec.exportName}"`), { name: 'ProtocolLoadError' });
  return def;
}

/**
 * A protocol's console output joins its log: as `log` entries of the step it was written in, it
 * lands in the run's events and in the worker's JSON log with the run's id, instead of raw text.
 */
function captureConsole(): void {
  const to = (level: LogLevel) => (...args: unknown[]) => hooks.log!({ level, message: format(...args), stepSeq: currentStepSeq(), at: Date.now() });
  console.log = console.info = to('info');
  console.debug = to('debug');
  console.warn = to('warn');
  console.error = console.trace = to('error');
}

async function run(spec: RunSpec): Promise<RunOutcome> {
  const state: Record<string, JsonValue> = { ...(spec.initialState ?? {}) };
  const onStateChange = (key: string, value: JsonValue | undefined) => {
    if (value === undefined) delete state[key];
    else state[key] = value;
    send({ type: 'state', key, deleted: value === undefined, value: value ?? null });
  };
  try {
    setTipTracking(true);
    setVolumeTracking(true);
    captureConsole();
    const def = await load(spec);
    const { assets } = buildRunAssets(spec, call, controller.signal);
    const r = await executeProtocol(def, {
      runId: spec.runId,
      parameters: spec.parameters,
      assets,
      hooks,
      signal: controller.signal,
      ...(spec.initialState ? { initialState: spec.initialState } : {}),
      onStateChange,
    });
    return { status: 'completed', result: r.result, state: r.state };
  } catch (err) {
    if (controller.signal.aborted) {
      const reason = controller.signal.reason instanceof RunCancelledError ? (controller.signal.reason as RunCancelledError & { reason?: string }).reason : undefined;
      return { status: 'cancelled', ...(reason !== undefined ? { reason } : {}), state };
    }
    return { status: 'failed', error: describe(err), step: failedStep(err) ?? null, state };
  }
}

process.on('message', (raw: unknown) => {
  const m = raw as RunParentMessage;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case 'run': {
      if (started) return;
      started = true;
      void run(m.spec)
        .catch((err: unknown): RunOutcome => ({ status: 'failed', error: describe(err), step: null, state: {} }))
        .then((outcome) => {
          // The worker settles the run on this message, without waiting for the exit: clean up first.
          removeBundles();
          return sendNow({ type: 'outcome', outcome });
        })
        .then(() => process.exit(0));
      return;
    }
    case 'command-result': {
      const p = pendingCalls.get(m.id);
      if (!p) return;
      pendingCalls.delete(m.id);
      p.resolve(m.ok ? { ok: true, reply: m.reply } : { ok: false, error: m.error, ...(m.update ? { update: m.update } : {}) });
      return;
    }
    case 'input-answer':
      answer(m);
      return;
    case 'cancel': {
      if (controller.signal.aborted) return;
      const err = Object.assign(new RunCancelledError(m.reason), { reason: m.reason });
      controller.abort(err);
      for (const p of pendingCalls.values()) p.reject(err);
      pendingCalls.clear();
      return;
    }
  }
});

/**
 * Runs before the child says it is ready, off the run's critical path: the first run of what a run
 * needs before its first step (importing a bundle, rebuilding a deck, parsing parameters, a step)
 * is several times slower than the next, while V8 compiles it. Best effort.
 */
async function warmUp(): Promise<void> {
  try {
    const deck = hardware.buildDeckLayout(
      hardware.getDeckType('STARletDeck'),
      [
        { name: 'warm_tip_car', definition: 'TIP_CAR_480_A00', rails: 1 },
        { name: 'warm_tips', definition: 'hamilton_96_tiprack_1000uL', parent: 'warm_tip_car', site: 0 },
        { name: 'warm_plate_car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
        { name: 'warm_plate', definition: 'cor_96_wellplate_360uL_Fb', parent: 'warm_plate_car', site: 0 },
      ],
      hardware.createLabware,
    );
    const copy = hardware.deserializeResource(JSON.parse(JSON.stringify(deck.serialize())) as Parameters<typeof hardware.deserializeResource>[0]);
    copy.loadAllState(JSON.parse(JSON.stringify(deck.serializeAllState())) as Parameters<typeof copy.loadAllState>[0]);
    await importBundle({ code: 'export default 1;\n', codeHash: 'warm-up' });
    const def = kit.defineProtocol({
      name: 'warm_up',
      version: '1.0.0',
      parameters: zod.z.object({ volume: zod.z.number().positive().max(300).default(50).describe('µL') }),
      async run({ parameters, state }) {
        await kit.step('warm_step', async (v: number) => state.set('v', v))(parameters.volume);
      },
    });
    await executeProtocol(def, { parameters: {}, assets: {}, hooks: { requestInput: () => Promise.reject(new Error('no prompts in a warm-up')) } });
  } catch {
    // Only a warm-up.
  }
}

if (process.argv.includes(WARM_UP_ARG)) await warmUp();
// Stack traces of protocol code point at the author's file and line (the bundle's inline source map).
process.setSourceMapsEnabled(true);
void sendNow({ type: 'ready' });
// Liveness for the worker's watchdog: a protocol that blocks the event loop stops these.
setInterval(() => void sendNow({ type: 'alive' }), ALIVE_EVERY_MS).unref();

