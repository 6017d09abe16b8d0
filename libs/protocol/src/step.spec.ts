import { describe, expect, it } from '@jest/globals';
import type { RunContext } from './context.js';
import { executeProtocol, failedStep } from './context.js';
import { defineProtocol } from './define.js';
import { runProtocol } from './local.js';
import { currentFrame, type RunHooks, type StepEnd } from './runtime.js';
import { step } from './step.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A protocol whose run is `body`, run locally. */
function runBody(body: (ctx: RunContext) => unknown, name = 'body') {
  return runProtocol(defineProtocol({ name, version: '1.0.0', run: body as never }), { assets: {} });
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('step outside a run: a plain call', () => {
  it('sync and async functions give the same result, with `this` preserved', async () => {
    const add = step('add', (a: number, b: number) => a + b);
    expect(add(2, 3)).toBe(5);
    const later = step('later', async (x: string) => {
      await sleep(1);
      return x.toUpperCase();
    });
    const p = later('ok');
    expect(p).toBeInstanceOf(Promise);
    await expect(p).resolves.toBe('OK');

    const counter = {
      n: 10,
      bump: step('bump', function (this: { n: number }, by: number) {
        this.n += by;
        return this.n;
      }),
      bumpLater: step('bump_later', async function (this: { n: number }, by: number) {
        await sleep(1);
        this.n += by;
        return this.n;
      }),
    };
    expect(counter.bump(5)).toBe(15);
    await expect(counter.bumpLater(1)).resolves.toBe(16);
    expect(counter.n).toBe(16);
    expect(currentFrame()).toBeUndefined();
  });

  it('errors pass through unchanged, and nothing is recorded', async () => {
    const boom = new Error('boom');
    const bad = step('bad', () => {
      throw boom;
    });
    expect(() => bad()).toThrow(boom);
    expect(failedStep(boom)).toBeUndefined();
    const badLater = step('bad_later', async () => {
      throw boom;
    });
    await expect(badLater()).rejects.toBe(boom);
  });

  it('keeps the function name and checks its arguments', () => {
    function mixWell() {}
    expect(step('mix', mixWell).name).toBe('mixWell');
    expect(step('anon_step', (() => () => 1)()).name).toBe('anon_step');
    expect(() => step('', () => 1)).toThrow(/name must be a non-empty string/);
    expect(() => step('x', 'fn' as never)).toThrow(/step\("x", fn\): fn must be a function/);
  });
});

describe('step inside a run', () => {
  it('numbers calls in order, records arguments, results, parents and the same `this`', async () => {
    const inner = step('inner', async (n: number) => {
      await sleep(1);
      return n * 2;
    });
    const outer = step('outer', async (label: string, n: number) => {
      const a = await inner(n);
      const b = await inner(n + 1);
      return `${label}:${a + b}`;
    });
    const sync = step('sync', (x: number) => x + 1);
    const holder = {
      factor: 3,
      times: step('times', function (this: { factor: number }, x: number) {
        return this.factor * x;
      }),
    };
    const seen: unknown[] = [];
    const run = await runBody(async () => {
      seen.push(await outer('sum', 1));
      seen.push(sync(41));
      seen.push(holder.times(5));
      seen.push(await outer('again', 10));
      return 'done';
    });
    expect(seen).toEqual(['sum:6', 42, 15, 'again:42']);
    expect(run.result).toBe('done');
    expect(run.steps.map((s) => [s.seq, s.parentSeq, s.name, s.args, s.result, s.status])).toEqual([
      [1, null, 'body', [{}], 'done', 'completed'],
      [2, 1, 'outer', ['sum', 1], 'sum:6', 'completed'],
      [3, 2, 'inner', [1], 2, 'completed'],
      [4, 2, 'inner', [2], 4, 'completed'],
      [5, 1, 'sync', [41], 42, 'completed'],
      [6, 1, 'times', [5], 15, 'completed'],
      [7, 1, 'outer', ['again', 10], 'again:42', 'completed'],
      [8, 7, 'inner', [10], 20, 'completed'],
      [9, 7, 'inner', [11], 22, 'completed'],
    ]);
    for (const s of run.steps) {
      expect(s.endedAt).toBeGreaterThanOrEqual(s.startedAt);
      expect(s.durationMs).toBeGreaterThanOrEqual(0);
    }
    // A call lasts at least as long as the calls made inside it.
    expect(run.steps[1].durationMs!).toBeGreaterThanOrEqual(run.steps[2].durationMs! + run.steps[3].durationMs!);
  });

  it('gives concurrent steps (Promise.all) the right parents, however they interleave', async () => {
    const leaf = step('leaf', async (tag: string, ms: number) => {
      await sleep(ms);
      return tag;
    });
    const branch = step('branch', async (tag: string, ms: number) => {
      const first = await leaf(`${tag}1`, ms);
      const second = await leaf(`${tag}2`, 1);
      return [first, second];
    });
    const run = await runBody(async () => Promise.all([branch('a', 15), branch('b', 1)]));
    expect(run.result).toEqual([
      ['a1', 'a2'],
      ['b1', 'b2'],
    ]);
    const byTag = new Map(run.steps.filter((s) => s.name === 'leaf').map((s) => [s.args[0], s]));
    const branches = run.steps.filter((s) => s.name === 'branch');
    expect(branches.map((s) => [s.seq, s.parentSeq, s.args[0]])).toEqual([
      [2, 1, 'a'],
      [4, 1, 'b'],
    ]);
    expect(byTag.get('a1')!.parentSeq).toBe(2);
    expect(byTag.get('a2')!.parentSeq).toBe(2);
    expect(byTag.get('b1')!.parentSeq).toBe(4);
    expect(byTag.get('b2')!.parentSeq).toBe(4);
    // b finished both of its leaves while a was still waiting: the numbers show the interleaving
    expect(byTag.get('b2')!.seq).toBeLessThan(byTag.get('a2')!.seq);
    expect(run.steps.map((s) => s.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('an error marks the step and its callers failed; failedStep names the innermost step', async () => {
    const deepest = step('deepest', async () => {
      await sleep(1);
      throw new RangeError('volume out of range');
    });
    const middle = step('middle', async () => {
      await deepest();
    });
    const top = step('top', async () => middle());
    const err = await rejection(runBody(() => top()));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe('volume out of range');
    expect(failedStep(err)).toEqual({ seq: 4, name: 'deepest' });

    // the same run with hooks of its own: every step on the way up is ended as failed
    const ended: StepEnd[] = [];
    const hooks: RunHooks = { stepEnded: (e) => void ended.push(e), requestInput: async () => ({}) };
    const def = defineProtocol({ name: 'fails', version: '1.0.0', run: () => top() });
    const again = await rejection(executeProtocol(def, { assets: {}, hooks }));
    expect(failedStep(again)).toEqual({ seq: 4, name: 'deepest' });
    expect(ended.map((e) => [e.seq, e.name, e.status, e.error])).toEqual([
      [4, 'deepest', 'failed', { name: 'RangeError', message: 'volume out of range' }],
      [3, 'middle', 'failed', { name: 'RangeError', message: 'volume out of range' }],
      [2, 'top', 'failed', { name: 'RangeError', message: 'volume out of range' }],
      [1, 'fails', 'failed', { name: 'RangeError', message: 'volume out of range' }],
    ]);
  });

  it('records failed steps (sync and async) and lets the caller recover', async () => {
    const syncFail = step('sync_fail', () => {
      throw new TypeError('bad arg');
    });
    const asyncFail = step('async_fail', async () => {
      throw new Error('later');
    });
    const ok = step('ok', () => 'fine');
    const run = await runBody(async () => {
      const caught: string[] = [];
      try {
        syncFail();
      } catch (e) {
        caught.push((e as Error).message);
        expect(failedStep(e)).toEqual({ seq: 2, name: 'sync_fail' });
      }
      await asyncFail().catch((e: Error) => caught.push(e.message));
      return [...caught, ok()];
    });
    expect(run.result).toEqual(['bad arg', 'later', 'fine']);
    expect(run.steps.map((s) => [s.name, s.status, s.error])).toEqual([
      ['body', 'completed', undefined],
      ['sync_fail', 'failed', { name: 'TypeError', message: 'bad arg' }],
      ['async_fail', 'failed', { name: 'Error', message: 'later' }],
      ['ok', 'completed', undefined],
    ]);
    expect(run.steps[1].result).toBeUndefined();
  });

  it('a thrown non-Error is reported as an Error with its text', async () => {
    const throwsString = step('throws_string', () => {
      throw 'plain text';
    });
    const run = await runBody(() => {
      try {
        throwsString();
      } catch {
        return 'recovered';
      }
    });
    expect(run.steps[1]).toMatchObject({ status: 'failed', error: { name: 'Error', message: 'plain text' } });
  });

  it('records the state changes of each step (its own and its callees)', async () => {
    let state!: RunContext['state'];
    const setA = step('set_a', () => {
      state.a = 1;
    });
    const both = step('both', async () => {
      setA();
      state.b = 'x';
      state.delete('gone');
    });
    const nothing = step('nothing', () => state.get('a'));
    const run = await runProtocol(
      defineProtocol({
        name: 'diffs',
        version: '1.0.0',
        async run(ctx) {
          state = ctx.state;
          await both();
          nothing();
          state.a = 2;
        },
      }),
      { assets: {}, initialState: { gone: true } },
    );
    expect(run.steps.map((s) => [s.name, s.stateDiff])).toEqual([
      ['diffs', { a: { after: 2 }, b: { after: 'x' }, gone: { before: true } }],
      ['both', { a: { after: 1 }, b: { after: 'x' }, gone: { before: true } }],
      ['set_a', { a: { after: 1 } }],
      ['nothing', {}],
    ]);
    expect(run.state).toEqual({ a: 2, b: 'x' });
  });

  it('logs arguments leniently: live objects by reference, functions by name', async () => {
    const withArgs = step('with_args', (..._args: unknown[]) => ({ when: new Date(0), fn: Math.max }));
    const machine = { name: 'star', backend: {}, onCommand: () => () => undefined };
    const run = await runBody(() => {
      withArgs(machine, undefined, Number.NaN, () => 1, new Map([['k', 1]]));
    });
    expect(run.steps[1].args).toEqual([{ $ref: 'star', type: 'machine' }, null, 'NaN', '[Function anonymous]', { k: 1 }]);
    expect(run.steps[1].result).toEqual({ when: '1970-01-01T00:00:00.000Z', fn: '[Function max]' });
  });
});
