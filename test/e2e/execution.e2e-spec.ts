import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { eventually, runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

type Auth = { Authorization: string };

const ASSETS = `{
    lh: { kind: 'machine', category: 'LiquidHandler' },
    tips: { kind: 'resource', category: 'tip_rack' },
    source: { kind: 'resource', category: 'plate' },
    destination: { kind: 'resource', category: 'plate' },
  }`;

const SLOW = `
import { defineProtocol, step, z } from '@praxis/protocol';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const move = step('move', async (lh: any, tip: any, src: any, dst: any, v: number) => {
  await lh.pickUpTips([tip]); await lh.aspirate([src], [v]); await lh.dispense([dst], [v]); await lh.dropTips([tip]);
});
export default defineProtocol({
  name: 'slow_transfer', version: '1.0.0',
  parameters: z.object({ wells: z.number().int().min(1).max(96).default(24), delayMs: z.number().int().min(0).default(60), volume: z.number().default(5) }),
  assets: ${ASSETS},
  deckLayout: 'demo_layout',
  async run({ parameters, assets, state }) {
    const wells = assets.source.wells(); const targets = assets.destination.wells(); const spots = assets.tips.spots();
    for (let i = 0; i < parameters.wells; i++) {
      await move(assets.lh, spots[i], wells[i], targets[i], parameters.volume);
      state.done = i + 1;
      await sleep(parameters.delayMs);
    }
  },
});
`;

const FAILS = `
import { defineProtocol, step } from '@praxis/protocol';
const inner = step('inner_check', async () => { throw new Error('the plate is upside down'); });
const outer = step('outer', async (lh: any, tip: any, src: any) => { await lh.pickUpTips([tip]); await lh.aspirate([src], [40]); await inner(); });
export default defineProtocol({
  name: 'fails', version: '1.0.0', assets: ${ASSETS}, deckLayout: 'demo_layout',
  async run({ assets, state }) { state.started = true; await outer(assets.lh, assets.tips.spots()[95], assets.source.wells()[95]); },
});
`;

const LOOPS = `
import { defineProtocol } from '@praxis/protocol';
export default defineProtocol({
  name: 'busy_loop', version: '1.0.0', assets: ${ASSETS}, deckLayout: 'demo_layout',
  async run({ assets }) { await assets.lh.pickUpTips([assets.tips.spots()[90]]); for (;;) {} },
});
`;

const ASKS = `
import { defineProtocol, InputTimeoutError, z } from '@praxis/protocol';
export default defineProtocol({
  name: 'asks_briefly', version: '1.0.0', assets: { lh: { kind: 'machine', category: 'LiquidHandler' } }, deckLayout: 'demo_layout',
  async run({ requestInput, output }) {
    try {
      await requestInput({ prompt: 'Anyone there?', fields: { here: z.boolean() }, timeoutMs: 400 });
      output('answered', true);
    } catch (err) {
      if (!(err instanceof InputTimeoutError)) throw err;
      output('timed_out', true);
    }
  },
});
`;

const TRESPASS = `
import { defineProtocol } from '@praxis/protocol';
export default defineProtocol({
  name: 'trespass', version: '1.0.0',
  assets: { lh: { kind: 'machine', category: 'LiquidHandler' }, tips: { kind: 'resource', category: 'tip_rack' } },
  deckLayout: 'demo_layout',
  async run({ assets }) {
    await assets.lh.pickUpTips([assets.tips.spots()[80]]);
    const other = assets.lh.deck.getResource('source_plate_A1') as never;
    await assets.lh.aspirate([other], [10]);
  },
});
`;

describe('execution: runs on the worker, for real', () => {
  let t: TestApp;
  let operator: Auth;
  let viewer: Auth;
  let worker: WorkerProcess;
  let folder: string;
  const defs: Record<string, string> = {};

  const start = async (name: string, body: Record<string, unknown> = {}) => {
    const res = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs[name], ...body });
    if (res.status !== 201) throw new Error(`start ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; status: string };
  };
  const { get, until } = runPolling(() => t.http, () => viewer);
  const commands = async (id: string) => (await t.http.get(`/api/v1/runs/${id}/commands?limit=1000`).set(viewer).expect(200)).body.items as Array<{ seq: number; machine: string; command: string; stepSeq: number; startedAt: string; at: string; error: unknown }>;
  const deckVolume = async (well: string) => {
    const rows = await t.db.query(`SELECT state FROM decks WHERE name = 'starlet_deck'`);
    return JSON.stringify(rows[0].state[well]);
  };

  beforeAll(async () => {
    t = await createTestApp();
    const admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('oli', Role.Operator)).token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('val', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    const sources = t.app.get(ProtocolSourcesService);
    for (const d of (await sources.ensureFolderSource('examples', resolve('examples/protocols'))).report.added) defs[d.name] = d.id;
    folder = mkdtempSync(join(tmpdir(), 'praxis-exec-'));
    writeFileSync(join(folder, 'slow.ts'), SLOW);
    writeFileSync(join(folder, 'fails.ts'), FAILS);
    writeFileSync(join(folder, 'loops.ts'), LOOPS);
    writeFileSync(join(folder, 'asks.ts'), ASKS);
    writeFileSync(join(folder, 'trespass.ts'), TRESPASS);
    const extra = await sources.ensureFolderSource('extra', folder);
    expect(extra.report.errors).toEqual([]);
    for (const d of extra.report.added) defs[d.name] = d.id;
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
  }, 60000);
  afterAll(async () => {
    await worker?.stop();
    await t.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs plate_replication to completion: call tree, 384 logged commands, state, outputs, deck state kept, assets released', async () => {
    const run = await start('plate_replication', { parameters: { volume: 20 } });
    const done = await until(run.id, ['completed', 'failed'], 60000);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ status: 'completed', result: { wells: 96, totalVolume: 1920 }, outputs: { count: 1, names: { total_volume_transferred: 1 } } });
    expect(done.startedAt).not.toBeNull();
    const calls = (await t.http.get(`/api/v1/runs/${run.id}/calls`).set(viewer).expect(200)).body;
    expect(calls).toHaveLength(97);
    expect(calls[0]).toMatchObject({ seq: 1, parentSeq: null, depth: 0, name: 'plate_replication', status: 'completed' });
    expect(calls[1]).toMatchObject({ seq: 2, parentSeq: 1, depth: 1, name: 'transfer_well', status: 'completed', stateDiff: null });
    expect(calls[1].args[1]).toEqual({ $ref: 'tips_1000_1_A1', type: 'tip_spot' });
    const log = await commands(run.id);
    expect(log).toHaveLength(384);
    expect(log.slice(0, 4).map((c) => [c.machine, c.command, c.stepSeq])).toEqual([
      ['starlet', 'pickUpTips', 2],
      ['starlet', 'aspirate', 2],
      ['starlet', 'dispense', 2],
      ['starlet', 'dropTips', 2],
    ]);
    const page = (await t.http.get(`/api/v1/runs/${run.id}/commands?limit=100&after=100`).set(viewer).expect(200)).body;
    expect(page.items[0].seq).toBe(101);
    expect(page.nextCursor).toBe(200);
    expect((await t.http.get(`/api/v1/runs/${run.id}/state`).set(viewer).expect(200)).body).toEqual({ wellsDone: 96 });
    const outputs = (await t.http.get(`/api/v1/runs/${run.id}/outputs`).set(viewer).expect(200)).body;
    expect(outputs).toEqual([expect.objectContaining({ name: 'total_volume_transferred', type: 'volume_uL', value: 1920, resource: 'destination_plate' })]);
    const all = (await t.http.get('/api/v1/outputs?type=volume_uL&protocol=plate_replication').set(viewer).expect(200)).body;
    expect(all.total).toBe(1);
    expect(await deckVolume('source_plate_A1')).toContain('280');
    expect(await deckVolume('destination_plate_A1')).toContain('20');
    expect((await t.http.get('/api/v1/reservations').set(viewer).expect(200)).body).toEqual([]);
    const tr = (await t.http.get(`/api/v1/runs/${run.id}/transitions`).set(viewer).expect(200)).body;
    expect(tr.map((x: { to: string }) => x.to)).toEqual(['queued', 'preparing', 'running', 'completed']);
  }, 90000);

  it('fails a run whose protocol throws, naming the step; restores the deck and releases the assets', async () => {
    const before = await deckVolume('source_plate_H12');
    const run = await start('fails');
    const done = await until(run.id, ['failed', 'completed']);
    expect(done).toMatchObject({ status: 'failed', error: { name: 'Error', message: 'the plate is upside down', step: { name: 'inner_check' } } });
    expect(await deckVolume('source_plate_H12')).toBe(before);
    const calls = (await t.http.get(`/api/v1/runs/${run.id}/calls`).set(viewer).expect(200)).body;
    expect(calls.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
      ['fails', 'failed'],
      ['outer', 'failed'],
      ['inner_check', 'failed'],
    ]);
    expect((await t.http.get('/api/v1/reservations').set(viewer).expect(200)).body).toEqual([]);
    const machine = (await t.db.query(`SELECT status, "currentRunId" FROM machines WHERE name = 'starlet'`))[0];
    expect(machine).toEqual({ status: 'available', currentRunId: null });
  }, 60000);

  it('pauses before the next hardware command, resumes, and completes', async () => {
    const run = await start('slow_transfer', { parameters: { wells: 16, delayMs: 80 } });
    await eventually(async () => ((await commands(run.id)).length >= 4 ? true : undefined), 'first commands');
    const paused = await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'pause' }).expect(202);
    expect(['pausing', 'paused']).toContain(paused.body.status);
    await until(run.id, ['paused']);
    const n = (await commands(run.id)).length;
    await new Promise((r) => setTimeout(r, 500));
    expect((await commands(run.id)).length).toBe(n);
    const resumed = await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'resume' }).expect(202);
    expect(resumed.body.status).toBe('running');
    const done = await until(run.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(await commands(run.id)).toHaveLength(64);
    const tr = (await t.http.get(`/api/v1/runs/${run.id}/transitions`).set(viewer).expect(200)).body.map((x: { to: string }) => x.to);
    expect(tr).toEqual(['queued', 'preparing', 'running', 'pausing', 'paused', 'running', 'completed']);
  }, 60000);

  it('cancels within one hardware command, restores the deck, and answers 409 for actions that no longer apply', async () => {
    const before = await deckVolume('source_plate_A1');
    const run = await start('slow_transfer', { parameters: { wells: 40, delayMs: 50 } });
    await eventually(async () => ((await commands(run.id)).length >= 8 ? true : undefined), 'some commands');
    await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'cancel', reason: 'wrong plate' }).expect(202);
    const done = await until(run.id, ['cancelled', 'failed', 'completed'], 15000);
    expect(done.status).toBe('cancelled');
    const n = (await commands(run.id)).length;
    expect(n).toBeLessThan(160);
    expect(await deckVolume('source_plate_A1')).toBe(before);
    const again = await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'pause' }).expect(409);
    expect(again.body.error.details.status).toBe('cancelled');
    expect((await t.http.get('/api/v1/reservations').set(viewer).expect(200)).body).toEqual([]);
  }, 60000);

  it('stops a protocol busy in a loop without hardware calls after the grace period', async () => {
    const run = await start('busy_loop');
    await eventually(async () => ((await commands(run.id)).length >= 1 ? true : undefined), 'the first command');
    await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'cancel' }).expect(202);
    const done = await until(run.id, ['cancelled', 'failed'], 20000);
    expect(done.status).toBe('cancelled');
  }, 60000);

  it('waits for operator input: the prompt on the run, answers checked (400 naming the field), then completes', async () => {
    // The stock is the first well of the plate; the answer records it there (by default twice the transfer volume).
    const run = await start('serial_dilution', { parameters: { steps: 4, transferVolume: 10 } });
    const waiting = await until(run.id, ['awaiting_input', 'failed', 'completed']);
    expect(waiting.status).toBe('awaiting_input');
    expect(waiting.pendingInput).toMatchObject({ prompt: expect.stringContaining('diluent'), fieldsSchema: { type: 'object', properties: { confirmed: { type: 'boolean' } } } });
    const bad = await t.http.post(`/api/v1/runs/${run.id}/input`).set(operator).send({ values: { confirmed: 'yes' } }).expect(400);
    expect(bad.body.error.details.fields).toEqual(['values.confirmed']);
    await t.http.post(`/api/v1/runs/${run.id}/input`).set(viewer).send({ values: { confirmed: true } }).expect(403);
    const ok = await t.http.post(`/api/v1/runs/${run.id}/input`).set(operator).send({ values: { confirmed: true } }).expect(202);
    expect(['running', 'completed']).toContain(ok.body.status);
    const done = await until(run.id, ['completed', 'failed']);
    expect(done.error).toBeNull();
    expect(done.pendingInput).toBeNull();
    const outputs = (await t.http.get(`/api/v1/runs/${run.id}/outputs`).set(viewer).expect(200)).body;
    expect(outputs.filter((o: { type: string }) => o.type === 'concentration')).toHaveLength(4);
    const late = await t.http.post(`/api/v1/runs/${run.id}/input`).set(operator).send({ values: { confirmed: true } }).expect(409);
    expect(late.body.error.details.status).toBe('completed');
  }, 60000);

  it('times a prompt out as the protocol declared', async () => {
    const run = await start('asks_briefly');
    const done = await until(run.id, ['completed', 'failed']);
    expect(done).toMatchObject({ status: 'completed', pendingInput: null });
    const outputs = (await t.http.get(`/api/v1/runs/${run.id}/outputs`).set(viewer).expect(200)).body;
    expect(outputs.map((o: { name: string }) => o.name)).toEqual(['timed_out']);
    const tr = (await t.http.get(`/api/v1/runs/${run.id}/transitions`).set(viewer).expect(200)).body.map((x: { to: string }) => x.to);
    expect(tr).toEqual(['queued', 'preparing', 'running', 'awaiting_input', 'running', 'completed']);
  }, 30000);

  it('refuses a command on a resource the run did not reserve (and returns the tip it took)', async () => {
    const run = await start('trespass');
    const done = await until(run.id, ['completed', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.error.message).toContain('source_plate_A1 is not reserved for this run');
    const log = await commands(run.id);
    expect(log.map((c) => [c.command, c.stepSeq])).toEqual([
      ['pickUpTips', 1],
      ['dropTips', null],
    ]);
  }, 30000);

  it('serves the line by priority, then age', async () => {
    const blocker = await start('slow_transfer', { parameters: { wells: 4, delayMs: 150 } });
    await until(blocker.id, ['running']);
    const low = await start('slow_transfer', { parameters: { wells: 1, delayMs: 0 }, priority: 0 });
    const high = await start('slow_transfer', { parameters: { wells: 1, delayMs: 0 }, priority: 5 });
    const [l, h] = await Promise.all([until(low.id, ['completed', 'failed']), until(high.id, ['completed', 'failed'])]);
    expect([l.status, h.status]).toEqual(['completed', 'completed']);
    expect(Date.parse(h.startedAt)).toBeLessThan(Date.parse(l.startedAt));
  }, 60000);

  it('never double-books: many runs over few assets use each asset one run at a time (checked from the command log)', async () => {
    const runs = [];
    for (let i = 0; i < 6; i++) runs.push(await start('slow_transfer', { parameters: { wells: 3, delayMs: 10 }, priority: i % 2 }));
    const ended = await Promise.all(runs.map((r) => until(r.id, ['completed', 'failed', 'cancelled'], 60000)));
    expect(ended.map((r) => r.status)).toEqual(Array(6).fill('completed'));
    const spans = await Promise.all(
      runs.map(async (r) => {
        const log = await commands(r.id);
        return { id: r.id, from: Date.parse(log[0]!.startedAt), to: Date.parse(log[log.length - 1]!.at) };
      }),
    );
    spans.sort((a, b) => a.from - b.from);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBeGreaterThanOrEqual(spans[i - 1]!.to);
  }, 90000);
});
