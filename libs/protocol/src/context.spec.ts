import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { z } from 'zod';
import { executeProtocol, InputTimeoutError, MissingAssetError, ParameterError, parseParameters, type RunContext } from './context.js';
import { defineProtocol } from './define.js';
import type { JsonValue } from './json.js';
import { NotJsonError } from './json.js';
import { runProtocol } from './local.js';
import type { InputRequest, InputValidation, RunHooks, StepEnd, StepStart } from './runtime.js';
import { RunCancelledError, step } from './step.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function protocol(run: (ctx: RunContext) => unknown, extra: Record<string, unknown> = {}) {
  return defineProtocol({ name: 'ctx_test', version: '1.0.0', ...extra, run: run as never });
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** Hooks whose prompts wait until answered by hand (`answer`), seeing the signal the host gets. */
function manualHooks() {
  const steps: Array<StepStart & Partial<StepEnd>> = [];
  const pending: Array<{ request: InputRequest; validate: (v: unknown) => InputValidation; signal: AbortSignal; resolve: (v: Record<string, JsonValue>) => void }> = [];
  const hooks: RunHooks = {
    stepStarted: (s) => void steps.push({ ...s }),
    stepEnded: (e) => void Object.assign(steps.find((s) => s.seq === e.seq)!, e),
    requestInput: (request, validate, signal) => new Promise((resolve) => pending.push({ request, validate, signal, resolve })),
  };
  return { hooks, steps, pending };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('executeProtocol and the run context', () => {
  it('passes parsed parameters (defaults applied), assets, a run id and the root step', async () => {
    const seen: Array<Partial<RunContext>> = [];
    const def = protocol((ctx) => void seen.push(ctx), {
      parameters: z.object({ volume: z.number().default(50), label: z.string() }),
      assets: { plate: { kind: 'resource', category: 'plate' }, reader: { kind: 'machine', category: 'PlateReader', optional: true } },
    });
    const plate = { name: 'p' };
    const run = await runProtocol(def, { assets: { plate }, parameters: { label: 'x' } });
    expect(seen[0].parameters).toEqual({ volume: 50, label: 'x' });
    expect(seen[0].assets).toEqual({ plate });
    expect(seen[0].runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0].signal?.aborted).toBe(false);
    expect(run.steps).toEqual([expect.objectContaining({ seq: 1, parentSeq: null, name: 'ctx_test', args: [{ volume: 50, label: 'x' }], status: 'completed' })]);

    const r = await executeProtocol(def, { runId: 'run-7', assets: { plate }, parameters: { label: 'y' }, hooks: manualHooks().hooks });
    expect(seen[1].runId).toBe('run-7');
    expect(r).toEqual({ result: null, state: {} });
  });

  it('ParameterError names every bad field; MissingAssetError names the asset', async () => {
    const def = protocol(() => undefined, {
      parameters: z.object({ volume: z.number().max(300), plate: z.object({ rows: z.number().int() }) }),
      assets: { lh: { kind: 'machine', category: 'LiquidHandler', model: 'STARlet' } },
    });
    const err = await rejection(runProtocol(def, { assets: { lh: {} }, parameters: { volume: 1000, plate: { rows: 1.5 } } }));
    expect(err).toBeInstanceOf(ParameterError);
    expect((err as ParameterError).issues.map((i) => i.field)).toEqual(['volume', 'plate.rows']);
    expect(err.message).toMatch(/^invalid parameters: volume: .*300.*; plate\.rows: /);
    expect(() => parseParameters(def, undefined)).toThrow(/volume: .*; plate: /);
    const missing = await rejection(runProtocol(def, { assets: {}, parameters: { volume: 1, plate: { rows: 8 } } }));
    expect(missing).toBeInstanceOf(MissingAssetError);
    expect(missing.message).toBe('asset "lh" (machine LiquidHandler STARlet) was not provided');
  });

  it('state: starts from initialState, reports each change, comes back as JSON', async () => {
    const changes: Array<[string, unknown]> = [];
    const def = protocol(({ state }) => {
      state.count = state.get<number>('count', 0) + 1;
      state.set('list', [1]);
      delete state.old;
      return state.get('count');
    });
    const r = await executeProtocol(def, { assets: {}, hooks: manualHooks().hooks, initialState: { count: 4, old: 'x' }, onStateChange: (k, v) => changes.push([k, v]) });
    expect(r).toEqual({ result: 5, state: { count: 5, list: [1] } });
    expect(changes).toEqual([
      ['count', 5],
      ['list', [1]],
      ['old', undefined],
    ]);
  });

  it('log: levels, loggable data and the step it came from', async () => {
    const inner = step('inner', (log: RunContext['log']) => log.warn('inside', { n: 1 }));
    const def = protocol(({ log }) => {
      log('plain');
      log.debug('d');
      log.info('i', { when: new Date(0), plate: { name: 'p1', category: 'plate', serialize: () => ({}) } });
      log.error('e', new Error('why'));
      inner(log);
    });
    const run = await runProtocol(def, { assets: {} });
    expect(run.logs.map(({ at: _at, ...l }) => l)).toEqual([
      { level: 'info', message: 'plain', stepSeq: 1 },
      { level: 'debug', message: 'd', stepSeq: 1 },
      { level: 'info', message: 'i', data: { when: '1970-01-01T00:00:00.000Z', plate: { $ref: 'p1', type: 'plate' } }, stepSeq: 1 },
      { level: 'error', message: 'e', data: { $error: 'Error', message: 'why' }, stepSeq: 1 },
      { level: 'warn', message: 'inside', data: { n: 1 }, stepSeq: 2 },
    ]);
  });
});

describe('output', () => {
  it('infers the type, takes an explicit one and a resource, and records the step', async () => {
    const inStep = step('read', (output: RunContext['output']) => output('od', [0.1, 0.2], { type: 'absorbance', resource: { name: 'plate_1' } }));
    const def = protocol(({ output }) => {
      output('count', 3);
      output('label', 'ok');
      output('passed', true);
      output('reads', [1, 2.5]);
      output('mixed', [1, 'a']);
      output('table', { a: 1 });
      output('nothing', null);
      output('weight', 1.25, { type: 'weight', resource: 'balance_pan' });
      inStep(output);
    });
    const run = await runProtocol(def, { assets: {} });
    expect(run.outputs.map(({ at, ...o }) => (expect(typeof at).toBe('number'), o))).toEqual([
      { name: 'count', value: 3, type: 'number', stepSeq: 1 },
      { name: 'label', value: 'ok', type: 'string', stepSeq: 1 },
      { name: 'passed', value: true, type: 'boolean', stepSeq: 1 },
      { name: 'reads', value: [1, 2.5], type: 'number[]', stepSeq: 1 },
      { name: 'mixed', value: [1, 'a'], type: 'json', stepSeq: 1 },
      { name: 'table', value: { a: 1 }, type: 'json', stepSeq: 1 },
      { name: 'nothing', value: null, type: 'json', stepSeq: 1 },
      { name: 'weight', value: 1.25, type: 'weight', resource: 'balance_pan', stepSeq: 1 },
      { name: 'od', value: [0.1, 0.2], type: 'absorbance', resource: 'plate_1', stepSeq: 2 },
    ]);
  });

  it('refuses non-JSON values and empty names', async () => {
    const attempts: Array<[string, unknown]> = [
      ['nan', Number.NaN],
      ['when', new Date()],
      ['fn', () => 1],
      ['deep', { a: [undefined] }],
    ];
    for (const [name, value] of attempts) {
      const err = await rejection(runProtocol(protocol(({ output }) => output(name, value as JsonValue)), { assets: {} }));
      expect(err).toBeInstanceOf(NotJsonError);
      expect(err.message.startsWith(`output ${name}`)).toBe(true);
    }
    const deep = await rejection(runProtocol(protocol(({ output }) => output('deep', { a: [undefined] } as never)), { assets: {} }));
    expect((deep as NotJsonError).path).toBe('output deep.a[0]');
    await expect(runProtocol(protocol(({ output }) => output('', 1)), { assets: {} })).rejects.toThrow(/name must be a non-empty string/);
  });
});

describe('requestInput', () => {
  it('runProtocol answers from a list, a function (sync or async), or the defaults', async () => {
    const def = protocol(async ({ requestInput }) => {
      const a = await requestInput({ prompt: 'First?', fields: { n: z.number().default(1) } });
      const b = await requestInput({ prompt: 'Second?', fields: z.object({ ok: z.boolean().default(false), note: z.string().optional() }) });
      const c = await requestInput({ prompt: 'Just confirm' });
      return [a, b, c];
    });
    const fromDefaults = await runProtocol(def, { assets: {} });
    expect(fromDefaults.result).toEqual([{ n: 1 }, { ok: false }, {}]);
    const fromList = await runProtocol(def, { assets: {}, answers: [{ n: 5 }, { ok: true, note: 'hi' }] });
    expect(fromList.result).toEqual([{ n: 5 }, { ok: true, note: 'hi' }, {}]);
    const fromFn = await runProtocol(def, { assets: {}, answers: (r) => (r.prompt === 'First?' ? { n: 9 } : undefined) });
    expect(fromFn.result).toEqual([{ n: 9 }, { ok: false }, {}]);
    const fromAsync = await runProtocol(def, {
      assets: {},
      answers: async (r) => {
        await sleep(1);
        return r.prompt === 'Second?' ? { ok: true } : {};
      },
    });
    expect(fromAsync.result).toEqual([{ n: 1 }, { ok: true }, {}]);
    expect(fromList.inputs.map((i) => [i.request.prompt, i.answer])).toEqual([
      ['First?', { n: 5 }],
      ['Second?', { ok: true, note: 'hi' }],
      ['Just confirm', {}],
    ]);
    expect(fromList.inputs[0].request.fieldsSchema).toMatchObject({ type: 'object', properties: { n: { type: 'number', default: 1 } } });
    expect(fromList.inputs[0].request.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(fromList.inputs[0].request.stepSeq).toBe(1);
  });

  it('names the field when an answer is invalid or a field has no default', async () => {
    const def = protocol(({ requestInput }) => requestInput({ prompt: 'Weight?', fields: { grams: z.number().positive() } }));
    const noDefault = await rejection(runProtocol(def, { assets: {} }));
    expect(noDefault).toBeInstanceOf(ParameterError);
    expect((noDefault as ParameterError).issues).toEqual([{ field: 'grams', message: expect.stringMatching(/^the fields have no defaults for: /) }]);
    const invalid = await rejection(runProtocol(def, { assets: {}, answers: [{ grams: -2 }] }));
    expect((invalid as ParameterError).issues).toEqual([{ field: 'grams', message: expect.stringMatching(/^the answer is invalid: /) }]);
  });

  it('applies a field transform once, whether the host returns the validated value or the raw answer', async () => {
    const def = protocol(({ requestInput }) =>
      requestInput({ prompt: 'Wells?', fields: { wells: z.string().transform((s) => s.split(',')), factor: z.number().transform((n) => n * 10) } }),
    );
    const local = await runProtocol(def, { assets: {}, answers: [{ wells: 'A1,B1', factor: 2 }] });
    expect(local.result).toEqual({ wells: ['A1', 'B1'], factor: 20 });
    // a host that hands back the raw answer (e.g. after showing the issues to the operator)
    const raw: RunHooks = { requestInput: async () => ({ wells: 'C1', factor: 3 }) };
    await expect(executeProtocol(def, { assets: {}, hooks: raw })).resolves.toMatchObject({ result: { wells: ['C1'], factor: 30 } });
  });

  it('checks its options', async () => {
    await expect(runProtocol(protocol(({ requestInput }) => requestInput({ prompt: '' })), { assets: {} })).rejects.toThrow(/prompt must be a non-empty string/);
    await expect(runProtocol(protocol(({ requestInput }) => requestInput({ prompt: 'x', timeoutMs: -1 })), { assets: {} })).rejects.toThrow(/timeoutMs must be a positive number/);
  });

  it('times out with InputTimeoutError, aborting the host signal with it', async () => {
    const m = manualHooks();
    const def = protocol(({ requestInput }) => requestInput({ prompt: 'Still there?', fields: { ok: z.boolean() }, timeoutMs: 30 }));
    const t0 = Date.now();
    const err = await rejection(executeProtocol(def, { assets: {}, hooks: m.hooks }));
    expect(err).toBeInstanceOf(InputTimeoutError);
    expect(err.message).toBe('no answer to "Still there?" within 30 ms');
    expect((err as InputTimeoutError).timeoutMs).toBe(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(m.pending[0].request.timeoutMs).toBe(30);
    expect(m.pending[0].signal.aborted).toBe(true);
    expect(m.pending[0].signal.reason).toBe(err);
    expect(m.steps[0]).toMatchObject({ status: 'failed', error: { name: 'InputTimeoutError' } });
    // the late answer changes nothing
    m.pending[0].resolve({ ok: true });
  });

  it('an answer in time clears the timer', async () => {
    jest.useFakeTimers();
    const m = manualHooks();
    const def = protocol(({ requestInput }) => requestInput({ prompt: 'Quick?', fields: { ok: z.boolean() }, timeoutMs: 60_000 }));
    const p = executeProtocol(def, { assets: {}, hooks: m.hooks });
    await Promise.resolve();
    expect(m.pending).toHaveLength(1);
    const v = m.pending[0].validate({ ok: true });
    expect(v).toEqual({ ok: true, value: { ok: true } });
    m.pending[0].resolve((v as { value: Record<string, JsonValue> }).value);
    await expect(p).resolves.toEqual({ result: { ok: true }, state: {} });
    expect(jest.getTimerCount()).toBe(0);
    expect(m.pending[0].signal.aborted).toBe(false);
  });

  it('does not leave listeners on the run signal after each prompt', async () => {
    const controller = new AbortController();
    const def = protocol(async ({ requestInput }) => {
      for (let i = 0; i < 20; i++) await requestInput({ prompt: `Prompt ${i}`, fields: { ok: z.boolean().default(true) }, timeoutMs: 1000 });
    });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await runProtocol(def, { assets: {}, signal: controller.signal });
      await sleep(5);
    } finally {
      process.off('warning', onWarning);
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});

describe('cancellation', () => {
  it('cancel rejects a pending prompt with RunCancelledError and aborts the host signal', async () => {
    const m = manualHooks();
    const controller = new AbortController();
    const def = protocol(({ requestInput }) => requestInput({ prompt: 'Waiting', fields: { ok: z.boolean() } }));
    const p = executeProtocol(def, { assets: {}, hooks: m.hooks, signal: controller.signal });
    await sleep(1);
    expect(m.pending).toHaveLength(1);
    controller.abort();
    const err = await rejection(p);
    expect(err).toBeInstanceOf(RunCancelledError);
    expect(err.message).toBe('run cancelled');
    expect(m.pending[0].signal.aborted).toBe(true);
    expect(m.steps[0]).toMatchObject({ seq: 1, status: 'cancelled', error: { name: 'RunCancelledError' } });
  });

  it('a reason given as text is in the error; an Error reason is thrown as it is', async () => {
    const def = protocol(({ requestInput }) => requestInput({ prompt: 'Waiting' }));
    const c1 = new AbortController();
    const p1 = executeProtocol(def, { assets: {}, hooks: manualHooks().hooks, signal: c1.signal });
    await sleep(1);
    c1.abort('stopped by operator');
    const e1 = await rejection(p1);
    expect(e1).toBeInstanceOf(RunCancelledError);
    expect(e1.message).toBe('run cancelled: stopped by operator');

    const c2 = new AbortController();
    const own = new Error('deck door opened');
    const p2 = executeProtocol(def, { assets: {}, hooks: manualHooks().hooks, signal: c2.signal });
    await sleep(1);
    c2.abort(own);
    await expect(p2).rejects.toBe(own);
  });

  it('stops at the next step: the running step finishes, no further step starts', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const work = step('work', async (i: number) => {
      started.push(i);
      await sleep(2);
      if (i === 2) controller.abort();
      return i;
    });
    const m = manualHooks();
    const def = protocol(async ({ signal }) => {
      for (let i = 1; i <= 5; i++) await work(i);
      return signal.aborted;
    });
    const err = await rejection(executeProtocol(def, { assets: {}, hooks: m.hooks, signal: controller.signal }));
    expect(err).toBeInstanceOf(RunCancelledError);
    expect(started).toEqual([1, 2]);
    expect(m.steps.map((s) => [s.seq, s.name, s.status])).toEqual([
      [1, 'ctx_test', 'cancelled'],
      [2, 'work', 'completed'],
      [3, 'work', 'completed'],
    ]);
  });

  it('at a step boundary too: an AbortError reason (what abort() sets) becomes RunCancelledError', async () => {
    const controller = new AbortController();
    const first = step('first', () => controller.abort(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' })));
    const second = step('second', () => 'never');
    const m = manualHooks();
    const def = protocol(() => {
      first();
      return second();
    });
    const err = await rejection(executeProtocol(def, { assets: {}, hooks: m.hooks, signal: controller.signal }));
    expect(err).toBeInstanceOf(RunCancelledError);
    expect(err.message).toBe('run cancelled');
    expect(m.steps.map((s) => [s.name, s.status])).toEqual([
      ['ctx_test', 'cancelled'],
      ['first', 'completed'],
    ]);
  });

  it('a run on an already aborted signal does not start', async () => {
    const controller = new AbortController();
    controller.abort();
    const ran = jest.fn();
    const m = manualHooks();
    await expect(executeProtocol(protocol(ran), { assets: {}, hooks: m.hooks, signal: controller.signal })).rejects.toThrow(RunCancelledError);
    expect(ran).not.toHaveBeenCalled();
    expect(m.steps).toEqual([]);
  });

  it('the prompt of a cancelled run is refused before it reaches the host', async () => {
    const controller = new AbortController();
    const m = manualHooks();
    const def = protocol(async ({ requestInput }) => {
      controller.abort();
      await requestInput({ prompt: 'Too late' });
    });
    await expect(executeProtocol(def, { assets: {}, hooks: m.hooks, signal: controller.signal })).rejects.toThrow(RunCancelledError);
    expect(m.pending).toHaveLength(0);
  });
});
