import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiquidHandler, LiquidHandlerSimulator, type Machine } from '@praxis/hardware';
import type { InputRequest, LogEntry, OutputRecord, StepEnd, StepStart } from '@praxis/protocol';
import { testDeck } from '../../../hardware/src/fixtures.spec-support.js';
import { bundleDir } from '../sandbox/bundle.js';
import { ProtocolSandbox } from '../sandbox/host.js';
import { describeMachine, executeWireCall, WireCallError } from './execute.js';
import { RunChild, WarmProcess, WarmRunProcesses, type RunHandlers } from './host.js';
import type { CommandReply, InputAnswerResult, MachineView, RunOutcome, RunSpec, WireCall } from './messages.js';
import { loadHeadPatch } from './wire.js';

const ASSETS = `
  assets: {
    lh: { kind: 'machine', category: 'LiquidHandler' },
    source: { kind: 'resource', category: 'plate' },
    dest: { kind: 'resource', category: 'plate' },
    tips: { kind: 'resource', category: 'tip_rack' },
  },`;

const PROTOCOLS: Record<string, string> = {
  'transfer.ts': `
import { defineProtocol, step, z } from '@praxis/protocol';
import { LiquidHandler } from '@praxis/hardware';
export default defineProtocol({
  name: 'transfer', version: '1.0.0',
  parameters: z.object({ volume: z.number().positive().default(50), wells: z.number().int().min(1).max(8).default(2) }),
  ${ASSETS}
  async run({ parameters, assets, state, log, output }) {
    const { lh, source, dest, tips } = assets;
    if (!(lh instanceof LiquidHandler)) throw new Error('lh is not a LiquidHandler');
    const pick = step('pick', async (n: number) => {
      await lh.pickUpTips(tips.items().slice(0, n));
      return lh.channels.filter((c) => c.hasTip).length;
    });
    const move = step('move', async (i: number) => {
      const from = source.items()[i]!;
      await lh.aspirate([from], [parameters.volume]);
      output('after_aspirate', from.volume, { resource: from });
      await lh.dispense([dest.items()[i]!], [parameters.volume]);
      log.info('moved', { from: from.name });
      state.set('moved', i + 1);
    });
    output('tips_held', await pick(1));
    output('spot_has_tip', tips.items()[0]!.tracker.hasTip);
    for (let i = 0; i < parameters.wells; i++) await move(i);
    await lh.discardTips();
    return { dest0: dest.items()[0]!.volume, channel0HasTip: lh.channels[0]!.hasTip, deck: lh.deck.name };
  },
});
`,
  'head96.ts': `
import { defineProtocol, step } from '@praxis/protocol';
export default defineProtocol({
  name: 'head96', version: '1.0.0',
  assets: {
    lh: { kind: 'machine', category: 'LiquidHandler' },
    source: { kind: 'resource', category: 'plate' },
    dest: { kind: 'resource', category: 'plate' },
    tips: { kind: 'resource', category: 'tip_rack' },
    site: { kind: 'resource', category: 'resource_holder' },
  },
  async run({ assets, output }) {
    const { lh, source, dest, tips, site } = assets;
    await step('stamp', async () => {
      await lh.pickUpTips96(tips);
      await lh.aspirate96(source, 10);
      output('source_a1', source.items()[0]!.volume);
      await lh.dispense96(dest, 10);
      await lh.dropTips96(tips);
    })();
    await step('move', async () => {
      await lh.movePlate(dest, site as never);
      output('dest_parent', dest.parent?.name ?? null);
      output('gripped', lh.grippedResource?.name ?? null);
    })();
  },
});
`,
  'throws.ts': `
import { defineProtocol, step } from '@praxis/protocol';
export default defineProtocol({
  name: 'throws', version: '1.0.0',
  async run({ log }) {
    await step('prepare', async () => log('ready'))();
    await step('check', async () => { throw new RangeError('volume out of range'); })();
  },
});
`,
  'toolittle.ts': `
import { defineProtocol, step } from '@praxis/protocol';
import { TooLittleLiquidError } from '@praxis/hardware';
export default defineProtocol({
  name: 'toolittle', version: '1.0.0',
  ${ASSETS}
  async run({ assets, output }) {
    const { lh, source, tips } = assets;
    await step('pick', () => lh.pickUpTips([tips.items()[0]!]))();
    await step('greedy', async () => {
      try {
        await lh.aspirate([source.items()[0]!], [250]);
      } catch (err) {
        output('is_class', err instanceof TooLittleLiquidError);
        throw err;
      }
    })();
  },
});
`,
  'slow.ts': `
import { defineProtocol, step } from '@praxis/protocol';
export default defineProtocol({
  name: 'slow', version: '1.0.0',
  ${ASSETS}
  async run({ assets, output }) {
    const { lh, source, dest, tips } = assets;
    await step('pick', () => lh.pickUpTips([tips.items()[0]!]))();
    await step('aspirate', async () => {
      try {
        await lh.aspirate([source.items()[0]!], [20]);
      } catch (err) {
        // Try to carry on regardless: the run is cancelled, nothing more may reach the machine.
        await lh.dispense([dest.items()[0]!], [20]).catch((e: Error) => output('second', e.name));
        throw err;
      }
    })();
  },
});
`,
  'spin.ts': `
import { defineProtocol, step } from '@praxis/protocol';
export default defineProtocol({
  name: 'spin', version: '1.0.0',
  async run({ output }) {
    await step('spin', async () => {
      output('spinning', true);
      await new Promise((r) => setTimeout(r, 50));
      for (;;) {}
    })();
  },
});
`,
  'crash.ts': `
import { defineProtocol, step } from '@praxis/protocol';
export default defineProtocol({
  name: 'crash', version: '1.0.0',
  async run() {
    await step('fine', async () => 1)();
    await step('boom', async () => { process.exit(3); })();
  },
});
`,
  'hog.ts': `
import { defineProtocol, step } from '@praxis/protocol';
export default defineProtocol({
  name: 'hog', version: '1.0.0',
  async run() {
    await step('hoard', async () => {
      const keep: number[][] = [];
      for (;;) keep.push(new Array(1_000_000).fill(Math.random()));
    })();
  },
});
`,
  'input.ts': `
import { defineProtocol, step, z } from '@praxis/protocol';
export default defineProtocol({
  name: 'input', version: '1.0.0',
  async run({ requestInput, output }) {
    const answer = await step('ask', () => requestInput({ prompt: 'How many plates?', fields: { count: z.number().int().min(1), note: z.string().default('none') } }))();
    output('count', answer.count);
    output('note', answer.note);
    return answer.count * 2;
  },
});
`,
  'setup.ts': `
import { defineProtocol, step } from '@praxis/protocol';
export default defineProtocol({
  name: 'setup', version: '1.0.0',
  assets: { lh: { kind: 'machine', category: 'LiquidHandler' } },
  async run({ assets }) {
    await step('init', () => assets.lh.setup())();
  },
});
`,
};

interface Recorded {
  steps: StepStart[];
  ends: StepEnd[];
  logs: LogEntry[];
  outputs: OutputRecord[];
  states: Array<[string, unknown]>;
  calls: WireCall[];
  inputs: InputRequest[];
}

async function bench() {
  const t = testDeck();
  t.source.fill(200);
  const lh = new LiquidHandler({ name: 'lh', backend: new LiquidHandlerSimulator({ numChannels: 8 }), deck: t.deck });
  await lh.setup();
  let commands = 0;
  const names: string[] = [];
  lh.onCommand((e) => {
    commands++;
    names.push(e.command);
  });
  return { ...t, lh, commands: () => commands, names };
}

type Bench = Awaited<ReturnType<typeof bench>>;

describe('RunChild', () => {
  let root: string;
  const compiled = new Map<string, { code: string; codeHash: string }>();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'praxis-runner-spec-'));
    for (const [f, src] of Object.entries(PROTOCOLS)) writeFileSync(join(root, f), src);
    const reports = await new ProtocolSandbox({ timeoutMs: 10000, memoryMb: 256 }).discover(root, Object.keys(PROTOCOLS));
    for (const r of reports) {
      if (!r.ok) throw new Error(`${r.file}: ${r.error.message}`);
      compiled.set(r.file, { code: r.code, codeHash: r.codeHash });
    }
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function specFor(file: string, b: Bench, extra: Partial<RunSpec> = {}): RunSpec {
    const c = compiled.get(file)!;
    return {
      runId: `run-${file}`,
      code: c.code,
      codeHash: c.codeHash,
      file,
      root,
      exportName: 'default',
      parameters: {},
      deck: { layout: b.deck.serialize(), state: b.deck.serializeAllState() },
      assets: {
        lh: describeMachine(b.lh),
        source: { kind: 'resource', name: 'source' },
        dest: { kind: 'resource', name: 'dest' },
        tips: { kind: 'resource', name: 'tips' },
        site: { kind: 'resource', name: 'plate_car_site2' },
      },
      ...extra,
    };
  }

  function handlersFor(b: Bench, rec: Recorded, overrides: Partial<RunHandlers> = {}): RunHandlers {
    const machines = new Map<string, Machine>([['lh', b.lh]]);
    return {
      command: (call: WireCall): Promise<CommandReply> => {
        rec.calls.push(call);
        return executeWireCall(machines, b.deck, call);
      },
      stepStarted: (s) => rec.steps.push(s),
      stepEnded: (s) => rec.ends.push(s),
      log: (e) => rec.logs.push(e),
      output: (o) => rec.outputs.push(o),
      stateChanged: (k, v) => rec.states.push([k, v]),
      inputRequested: (r) => rec.inputs.push(r),
      ...overrides,
    };
  }

  const newRecord = (): Recorded => ({ steps: [], ends: [], logs: [], outputs: [], states: [], calls: [], inputs: [] });
  const outputs = (rec: Recorded) => rec.outputs.map((o) => [o.name, o.value, o.stepSeq]);

  it('runs a transfer: every command executed by the worker, volumes and tips visible in the child, steps/logs/outputs/state forwarded', async () => {
    const b = await bench();
    const rec = newRecord();
    const child = new RunChild(specFor('transfer.ts', b, { parameters: { volume: 50, wells: 2 }, initialState: { started: true } }), handlersFor(b, rec), { memoryMb: 256 });
    await child.start();
    const pid = child.pid!;
    const outcome = await child.outcome;

    expect(outcome).toEqual({ status: 'completed', result: { dest0: 50, channel0HasTip: false, deck: b.deck.name }, state: { started: true, moved: 2 } });
    // pickUpTips, 2 x (aspirate, dispense), dropTips (discardTips): all executed on the live machine.
    expect(b.names).toEqual(['pickUpTips', 'aspirate', 'dispense', 'aspirate', 'dispense', 'dropTips']);
    expect(rec.calls.map((c) => [c.method, c.stepSeq])).toEqual([
      ['pickUpTips', 2],
      ['aspirate', 3],
      ['dispense', 3],
      ['aspirate', 4],
      ['dispense', 4],
      ['discardTips', 1],
    ]);
    expect(rec.calls[1]!.args).toEqual([[{ $resource: 'source_A1' }], [50]]);
    expect(b.source.items()[0]!.volume).toBe(150);
    expect(b.dest.items()[1]!.volume).toBe(50);

    expect(rec.steps.map((s) => [s.seq, s.parentSeq, s.name])).toEqual([
      [1, null, 'transfer'],
      [2, 1, 'pick'],
      [3, 1, 'move'],
      [4, 1, 'move'],
    ]);
    expect(rec.ends.map((s) => [s.seq, s.status])).toEqual([
      [2, 'completed'],
      [3, 'completed'],
      [4, 'completed'],
      [1, 'completed'],
    ]);
    expect(rec.ends[1]!.stateDiff).toEqual({ moved: { after: 1 } });
    // The child read the volumes and tips the worker's machine produced.
    expect(outputs(rec)).toEqual([
      ['tips_held', 1, 1],
      ['spot_has_tip', false, 1],
      ['after_aspirate', 150, 3],
      ['after_aspirate', 150, 4],
    ]);
    expect(rec.outputs[2]!.resource).toBe('source_A1');
    expect(rec.logs.map((l) => [l.message, l.data, l.stepSeq])).toEqual([
      ['moved', { from: 'source_A1' }, 3],
      ['moved', { from: 'source_B1' }, 4],
    ]);
    expect(rec.states).toEqual([
      ['moved', 1],
      ['moved', 2],
    ]);
    expect(existsSync(bundleDir(pid))).toBe(false);
  });

  it('sends 96-head calls and gripper moves to the worker, and the child follows the moved plate', async () => {
    const b = await bench();
    const rec = newRecord();
    const child = new RunChild(specFor('head96.ts', b), handlersFor(b, rec), { memoryMb: 256 });
    await child.start();
    const outcome = await child.outcome;
    expect(outcome).toMatchObject({ status: 'completed' });
    expect(b.names).toEqual(['pickUpTips96', 'aspirate96', 'dispense96', 'dropTips96', 'pickUpResource', 'moveResource', 'dropResource']);
    // aspirate96/dispense96 are plain (not async) methods that call the front end's async liquid96:
    // that is the call the worker sees. movePlate is one call (three backend commands).
    expect(rec.calls.map((c) => c.method)).toEqual(['pickUpTips96', 'liquid96', 'liquid96', 'dropTips96', 'movePlate']);
    expect(b.dest.parent?.name).toBe('plate_car_site2');
    expect(outputs(rec)).toEqual([
      ['source_a1', 190, 2],
      ['dest_parent', 'plate_car_site2', 3],
      ['gripped', null, 3],
    ]);
  });

  it('fails with the step a protocol error came from', async () => {
    const b = await bench();
    const rec = newRecord();
    const child = new RunChild(specFor('throws.ts', b, { assets: {} }), handlersFor(b, rec), { memoryMb: 256 });
    await child.start();
    expect(await child.outcome).toEqual({ status: 'failed', error: { name: 'RangeError', message: 'volume out of range' }, step: { seq: 3, name: 'check' }, state: {} });
    expect(rec.logs.map((l) => [l.message, l.stepSeq])).toEqual([['ready', 2]]);
    expect(rec.ends.map((s) => [s.name, s.status])).toEqual([
      ['prepare', 'completed'],
      ['check', 'failed'],
      ['throws', 'failed'],
    ]);
  });

  it('fails naming a hardware error, rebuilt as its class in the child', async () => {
    const b = await bench();
    const rec = newRecord();
    const child = new RunChild(specFor('toolittle.ts', b), handlersFor(b, rec), { memoryMb: 256 });
    await child.start();
    const outcome = await child.outcome;
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'TooLittleLiquidError' }, step: { seq: 3, name: 'greedy' } });
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(/source_A1: cannot remove 250 µL, only 200 µL there/);
    expect(outputs(rec)).toEqual([['is_class', true, 3]]);
    expect(b.names).toEqual(['pickUpTips']);
    expect(b.source.items()[0]!.volume).toBe(200);
  });

  it('cancels during a slow command: cancelled quickly, and no further command reaches the machine', async () => {
    const b = await bench();
    const rec = newRecord();
    let child!: RunChild;
    const machines = new Map<string, Machine>([['lh', b.lh]]);
    let held = 0;
    let abortedHold = false;
    const handlers = handlersFor(b, rec, {
      command: async (call, signal) => {
        rec.calls.push(call);
        if (call.method === 'aspirate') {
          held++;
          // The worker holds this command (a slow device, a pause) until it is told to give up.
          setTimeout(() => child.cancel('operator stop'), 100);
          await new Promise<void>((resolve, reject) => {
            const t = setTimeout(resolve, 20000);
            signal.addEventListener('abort', () => {
              clearTimeout(t);
              abortedHold = true;
              reject(signal.reason as Error);
            });
          });
        }
        return executeWireCall(machines, b.deck, call);
      },
    });
    child = new RunChild(specFor('slow.ts', b), handlers, { memoryMb: 256 });
    await child.start();
    const outcome = await child.outcome;
    // The held command gave up when the run was cancelled (it would otherwise hold for 20 s).
    expect(abortedHold).toBe(true);
    expect(outcome).toEqual({ status: 'cancelled', reason: 'operator stop', state: {} });
    expect(held).toBe(1);
    expect(rec.calls.map((c) => c.method)).toEqual(['pickUpTips', 'aspirate']);
    expect(b.names).toEqual(['pickUpTips']);
    expect(outputs(rec)).toEqual([['second', 'RunCancelledError', 3]]);
    expect(rec.ends.map((s) => [s.name, s.status])).toEqual([
      ['pick', 'completed'],
      ['aspirate', 'cancelled'],
      ['slow', 'cancelled'],
    ]);
    // Nothing happens later either.
    await new Promise((r) => setTimeout(r, 200));
    expect(b.commands()).toBe(1);
  });

  it('runs in a process started ahead of time (warm), ready or not yet ready when claimed', async () => {
    for (const waitReady of [true, false]) {
      const b = await bench();
      const rec = newRecord();
      const warm = await WarmProcess.start(256);
      if (waitReady) {
        const until = Date.now() + 20000;
        while (!warm.isReady() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        expect(warm.isReady()).toBe(true);
      }
      const child = new RunChild(specFor('transfer.ts', b, { parameters: { volume: 50, wells: 2 } }), handlersFor(b, rec), { memoryMb: 256, warm });
      await child.start();
      const outcome = await child.outcome;
      expect(outcome.status).toBe('completed');
      expect(warm.usable()).toBe(false);
      expect(rec.calls.length).toBeGreaterThan(0);
    }
  });

  it('keeps one warm process: the next is started once the run that took one is over; an unused one is disposed', async () => {
    const pool = new WarmRunProcesses(256);
    await pool.refill();
    const first = await pool.take();
    expect(first?.usable()).toBe(true);
    const b = await bench();
    const child = new RunChild(specFor('transfer.ts', b, { parameters: { volume: 50, wells: 1 } }), handlersFor(b, newRecord()), { memoryMb: 256, warm: first! });
    await child.start();
    expect((await child.outcome).status).toBe('completed');
    // that run's process exits on its own, and a fresh one is started for the next run
    let next: WarmProcess | undefined;
    const until = Date.now() + 20000;
    while (!next && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      next = await pool.take();
    }
    expect(next?.usable()).toBe(true);
    expect(next).not.toBe(first);
    // a run cancelled before it started does not keep the process it was given
    const cancelled = new RunChild(specFor('transfer.ts', b), handlersFor(b, newRecord()), { memoryMb: 256, warm: next! });
    cancelled.cancel('changed my mind');
    await cancelled.start();
    expect(await cancelled.outcome).toMatchObject({ status: 'cancelled' });
    const gone = Date.now() + 10000;
    while (next!.usable() && Date.now() < gone) await new Promise((r) => setTimeout(r, 20));
    expect(next!.usable()).toBe(false);
    await pool.close();
  });

  it('stops a protocol that never yields (the hang watchdog) and fails the run naming its step', async () => {
    const b = await bench();
    const rec = newRecord();
    const child = new RunChild(specFor('spin.ts', b, { assets: {} }), handlersFor(b, rec), { memoryMb: 256, hangTimeoutMs: 800 });
    await child.start();
    const outcome = await child.outcome;
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'RunHungError' } });
    if (outcome.status !== 'failed') throw new Error('not failed');
    expect(outcome.error.message).toContain('stopped responding');
    expect(outcome.step?.name).toBe('spin');
    expect(rec.steps.map((s) => s.name)).toEqual(['spin', 'spin']);
  });

  it('kills a protocol that loops without hardware calls after the grace period, and reports it cancelled', async () => {
    const b = await bench();
    const rec = newRecord();
    let child!: RunChild;
    let cancelledAt = 0;
    child = new RunChild(
      specFor('spin.ts', b, { assets: {} }),
      handlersFor(b, rec, {
        output: (o) => {
          rec.outputs.push(o);
          setTimeout(() => {
            cancelledAt = Date.now();
            child.cancel('taking too long', 700);
          }, 200);
        },
      }),
      { memoryMb: 256 },
    );
    await child.start();
    const outcome = await child.outcome;
    const waited = Date.now() - cancelledAt;
    expect(outcome).toEqual({ status: 'cancelled', reason: 'taking too long', state: {} });
    // The protocol never ends by itself: it was killed, and not before its grace period.
    expect(waited).toBeGreaterThanOrEqual(650);
  });

  it('turns a child that exits in the middle of a step into a failure naming that step', async () => {
    const b = await bench();
    const rec = newRecord();
    const child = new RunChild(specFor('crash.ts', b, { assets: {}, initialState: { keep: 1 } }), handlersFor(b, rec), { memoryMb: 256 });
    await child.start();
    const outcome = await child.outcome;
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'RunCrashedError' }, step: { seq: 3, name: 'boom' }, state: { keep: 1 } });
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(/ended unexpectedly \(exit code 3\) while step "boom" \(#3\) was running/);
  });

  it('turns running out of memory into a failure naming the step and the limit', async () => {
    const b = await bench();
    const child = new RunChild(specFor('hog.ts', b, { assets: {} }), handlersFor(b, newRecord()), { memoryMb: 96 });
    await child.start();
    const outcome = await child.outcome;
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'RunOutOfMemoryError' }, step: { seq: 2, name: 'hoard' } });
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(/ran out of memory \(limit 96 MB\) while step "hoard" \(#2\) was running/);
  });

  it('keeps a prompt open through an invalid answer, then takes a valid one', async () => {
    const b = await bench();
    const rec = newRecord();
    let child!: RunChild;
    const answers: InputAnswerResult[] = [];
    let closed: unknown;
    let openAfterInvalid: string[] = [];
    let operator: Promise<void> = Promise.resolve();
    child = new RunChild(
      specFor('input.ts', b, { assets: {} }),
      handlersFor(b, rec, {
        inputRequested: (request, signal) => {
          rec.inputs.push(request);
          signal.addEventListener('abort', () => (closed = signal.reason));
          operator = (async () => {
            answers.push(await child.answerInput(request.id, { count: 'three' }));
            answers.push(await child.answerInput(request.id, { count: 0 }));
            openAfterInvalid = child.openInputs.map((r) => r.id);
            answers.push(await child.answerInput(request.id, { count: 3 }));
            answers.push(await child.answerInput(request.id, { count: 4 }));
          })();
        },
      }),
      { memoryMb: 256 },
    );
    await child.start();
    const outcome = await child.outcome;
    await operator;
    expect(outcome).toEqual({ status: 'completed', result: 6, state: {} });
    expect(rec.inputs).toHaveLength(1);
    expect(rec.inputs[0]).toMatchObject({ prompt: 'How many plates?', stepSeq: 2, fieldsSchema: { type: 'object', properties: { count: { type: 'integer' } } } });
    expect(answers[0]).toMatchObject({ ok: false, reason: 'invalid', issues: [{ field: 'count' }] });
    expect(answers[1]).toMatchObject({ ok: false, reason: 'invalid', issues: [{ field: 'count' }] });
    expect(answers[2]).toEqual({ ok: true, value: { count: 3, note: 'none' } });
    expect(answers[3]).toMatchObject({ ok: false, reason: 'not-pending' });
    expect(openAfterInvalid).toEqual([rec.inputs[0]!.id]);
    expect(child.openInputs).toEqual([]);
    expect(closed).toBe('answered');
    expect(outputs(rec)).toEqual([
      ['count', 3, 1],
      ['note', 'none', 1],
    ]);
  });

  it('refuses lh.setup() in a protocol: the worker owns the machines', async () => {
    const b = await bench();
    const rec = newRecord();
    const child = new RunChild(specFor('setup.ts', b), handlersFor(b, rec), { memoryMb: 256 });
    await child.start();
    const outcome = await child.outcome;
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'MachineAccessError' }, step: { seq: 2, name: 'init' } });
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(/lh\.setup\(\) is not allowed in a protocol: the worker sets up and stops/);
    expect(rec.calls).toEqual([]);
    expect(b.commands()).toBe(0);
  });

  it('fails before any step when the stored code does not match its hash, or the parameters are invalid', async () => {
    const b = await bench();
    const spec = specFor('transfer.ts', b);
    const tampered = new RunChild({ ...spec, code: spec.code.replace('lh is not a LiquidHandler', 'tampered!!!') }, handlersFor(b, newRecord()), { memoryMb: 256 });
    await tampered.start();
    expect(await tampered.outcome).toMatchObject({ status: 'failed', error: { name: 'CodeChangedError' }, step: null });
    const bad = new RunChild({ ...spec, parameters: { volume: -1 } }, handlersFor(b, newRecord()), { memoryMb: 256 });
    await bad.start();
    const outcome = (await bad.outcome) as Extract<RunOutcome, { status: 'failed' }>;
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'ParameterError' }, step: null });
    expect(outcome.error.message).toMatch(/volume/);
  });

  it('settles as cancelled when cancelled before it started', async () => {
    const b = await bench();
    const child = new RunChild(specFor('transfer.ts', b), handlersFor(b, newRecord()), { memoryMb: 256 });
    child.cancel('changed my mind');
    await child.start();
    expect(await child.outcome).toEqual({ status: 'cancelled', reason: 'changed my mind', state: {} });
    expect(child.pid).toBeUndefined();
  });
});

describe('executeWireCall', () => {
  it('refuses lifecycle calls, non-commands, unknown machines and resources the run may not use', async () => {
    const b = await bench();
    const machines = new Map<string, Machine>([['lh', b.lh]]);
    const call = (method: string, args: WireCall['args'] = [], machine = 'lh') => executeWireCall(machines, b.deck, { machine, method, args, stepSeq: null });
    await expect(call('setup')).rejects.toThrow(/lh\.setup\(\) is not allowed in a protocol/);
    await expect(call('stop')).rejects.toThrow(WireCallError);
    await expect(call('command', ['x', {}])).rejects.toThrow(/not a hardware command/);
    await expect(call('serializeHeadState')).rejects.toThrow(/not a hardware command/);
    await expect(call('onCommand')).rejects.toThrow(/not a hardware command/);
    await expect(call('pickUpTips', [], 'reader')).rejects.toThrow(/reader is not a machine of this run/);
    await expect(call('pickUpTips', [[{ $resource: 'nowhere' }]])).rejects.toThrow(/No resource named "nowhere"/);
    await expect(
      executeWireCall(machines, b.deck, { machine: 'lh', method: 'pickUpTips', args: [[{ $resource: 'tips2_A1' }]], stepSeq: 1 }, { canUse: (r) => !r.name.startsWith('tips2') }),
    ).rejects.toThrow(/tips2_A1 is not reserved for this run/);
    expect(b.commands()).toBe(0);
  });

  it('answers the result with the changed tracker states and what changed in the machine view', async () => {
    const b = await bench();
    const machines = new Map<string, Machine>([['lh', b.lh]]);
    const headBefore = b.lh.serializeHeadState();
    const reply = await executeWireCall(machines, b.deck, { machine: 'lh', method: 'pickUpTips', args: [[{ $resource: 'tips_B1' }], { useChannels: [2] }], stepSeq: 1 });
    expect(reply.states).toEqual({ tips_B1: { tip: null, pendingTip: null, origin: null } });
    // still set up, 8 channels, nothing gripped: no getter changed, none is sent
    expect(reply.machine?.getters).toBeUndefined();
    // only channel 2 changed: its state exactly as serializeHeadState() writes it, not all 8 + 96
    const headAfter = b.lh.serializeHeadState() as { channels: unknown[] };
    expect(reply.machine?.headPatch).toEqual({ channels: { 2: headAfter.channels[2] } });
    expect((reply.machine?.headPatch?.channels?.[2] as { tip: { origin: string } }).tip.origin).toBe('tips_B1');

    // a copy of the machine as it was before the call, patched, holds the live head state
    const copy = new LiquidHandler({ name: 'copy', backend: new LiquidHandlerSimulator({ numChannels: 8 }), deck: testDeck().deck });
    copy.loadHeadState(headBefore);
    loadHeadPatch(copy, JSON.parse(JSON.stringify(reply.machine!.headPatch)) as NonNullable<MachineView['headPatch']>);
    expect(copy.serializeHeadState()).toEqual(JSON.parse(JSON.stringify(b.lh.serializeHeadState())));

    // a getter that changes is sent (a gripped plate, by name)
    const grip = await executeWireCall(machines, b.deck, { machine: 'lh', method: 'pickUpResource', args: [{ $resource: 'source' }], stepSeq: 2 });
    expect(grip.machine?.getters).toEqual({ grippedResource: { $resource: 'source' } });
    expect(grip.machine?.headPatch).toBeUndefined();
  });

  it('fingerprints a channel by every field of its serialized state', () => {
    // headFingerprint() compares these fields to find the channels a call changed: a new field in
    // a channel's serialized state must be added there too.
    const lh = new LiquidHandler({ name: 'lh', backend: new LiquidHandlerSimulator({ numChannels: 8 }), deck: testDeck().deck });
    const channel = (lh.serializeHeadState() as { channels: Array<Record<string, Record<string, unknown> | unknown>> }).channels[0]!;
    expect(Object.keys(channel).sort()).toEqual(['maxVolume', 'tip', 'volume']);
    expect(Object.keys(channel.tip as object).sort()).toEqual(['origin', 'pendingTip', 'tip']);
    expect(Object.keys(channel.volume as object).sort()).toEqual(['pendingVolume', 'volume']);
  });

  it('describes a machine with its whole view for the spec', () => {
    const b = testDeck();
    const lh = new LiquidHandler({ name: 'lh', backend: new LiquidHandlerSimulator({ numChannels: 8 }), deck: b.deck });
    const d = describeMachine(lh);
    expect(d.state?.getters).toMatchObject({ setupFinished: false, numChannels: 8, grippedResource: null });
    expect((d.state?.head as { channels: unknown[] }).channels).toHaveLength(8);
  });
});
