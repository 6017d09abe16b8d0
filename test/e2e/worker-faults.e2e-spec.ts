import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { RunQueues, RunRecoveryService } from '@praxis/execution';
import { ProtocolSourcesService } from '@praxis/protocols';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { RESUMABLE } from '../support/protocols.js';
import { eventually, runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

type Auth = { Authorization: string };

const CRASHES = `
import { defineProtocol, step } from '@praxis/protocol';
const boom = step('boom', async () => { process.exit(3); });
export default defineProtocol({ name: 'crashes', version: '1.0.0', assets: { lh: { kind: 'machine', category: 'LiquidHandler' } }, deckLayout: 'demo_layout',
  async run() { await boom(); } });
`;
const HOGS = `
import { defineProtocol, step } from '@praxis/protocol';
const hog = step('hog', async () => { const keep: number[][] = []; for (;;) keep.push(new Array(1e6).fill(1)); });
export default defineProtocol({ name: 'hogs_memory', version: '1.0.0', assets: { lh: { kind: 'machine', category: 'LiquidHandler' } }, deckLayout: 'demo_layout',
  async run() { await hog(); } });
`;
const HANGS = `
import { defineProtocol, step } from '@praxis/protocol';
const spin = step('spin', () => { for (;;) {} });
export default defineProtocol({ name: 'hangs', version: '1.0.0', assets: { lh: { kind: 'machine', category: 'LiquidHandler' } }, deckLayout: 'demo_layout',
  async run() { spin(); } });
`;

describe('faults: a worker killed mid-run', () => {
  let t: TestApp;
  let operator: Auth;
  let viewer: Auth;
  let folder: string;
  let protocolId: string;
  const ids: Record<string, string> = {};
  const workers: WorkerProcess[] = [];

  const { get, until } = runPolling(() => t.http, () => viewer);
  const commands = async (id: string) => (await t.http.get(`/api/v1/runs/${id}/commands?limit=1000`).set(viewer).expect(200)).body.items as unknown[];
  const deckState = async () => (await t.db.query(`SELECT state FROM decks WHERE name = 'starlet_deck'`))[0].state as Record<string, unknown>;

  beforeAll(async () => {
    t = await createTestApp({ RUN_RECOVERY_INTERVAL_MS: '300' });
    const admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('ora', Role.Operator)).token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('vik', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    folder = mkdtempSync(join(tmpdir(), 'praxis-faults-'));
    writeFileSync(join(folder, 'resumable.ts'), RESUMABLE);
    writeFileSync(join(folder, 'crashes.ts'), CRASHES);
    writeFileSync(join(folder, 'hogs.ts'), HOGS);
    writeFileSync(join(folder, 'hangs.ts'), HANGS);
    const { report } = await t.app.get(ProtocolSourcesService).ensureFolderSource('faults', folder);
    for (const d of report.added) ids[d.name] = d.id;
    protocolId = ids.resumable!;
  }, 60000);
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await t.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('interrupts the run (never re-runs it), keeps its records and deck, frees its assets; another worker goes on; restart carries on from the state', async () => {
    const a = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
    workers.push(a);
    const run = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId }).expect(201)).body;
    await eventually(async () => ((await commands(run.id)).length >= 16 ? true : undefined), '16 commands');
    const before = await get(run.id);
    expect(before.status).toBe('running');
    await a.stop('SIGKILL');

    const interrupted = await until(run.id, ['interrupted'], 30000);
    expect(interrupted.error).toMatchObject({ name: 'WorkerLost', message: expect.stringContaining('was not re-executed') });
    expect(interrupted.endedAt).not.toBeNull();
    expect((await t.http.get('/api/v1/reservations').set(viewer).expect(200)).body).toEqual([]);
    // This run's locks are gone (other test files share the Redis: look at this run's assets only).
    for (const a of Object.values(interrupted.assets as Record<string, { id: string }>)) expect(await t.redis.exists(`praxis:lock:asset:${a.id}`)).toBe(0);
    const machine = (await t.db.query(`SELECT status, "currentRunId" FROM machines WHERE name = 'starlet'`))[0];
    expect(machine).toEqual({ status: 'available', currentRunId: null });

    // The records of what happened are intact.
    const log = await commands(run.id);
    expect(log.length).toBeGreaterThanOrEqual(16);
    const calls = (await t.http.get(`/api/v1/runs/${run.id}/calls`).set(viewer).expect(200)).body as Array<{ name: string; status: string }>;
    const done = calls.filter((c) => c.name === 'move' && c.status === 'completed').length;
    expect(done).toBeGreaterThanOrEqual(4);
    const state = (await t.http.get(`/api/v1/runs/${run.id}/state`).set(viewer).expect(200)).body;
    expect(state.done).toBeGreaterThanOrEqual(4);
    // The deck as of a finished step was saved (volumes moved out of the first wells).
    expect(JSON.stringify((await deckState()).source_plate_A1)).toContain('297');

    // Nothing picks the interrupted run up again.
    const b = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
    workers.push(b);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await get(run.id)).status).toBe('interrupted');
    expect((await commands(run.id)).length).toBe(log.length);

    // Another run goes on on the other worker.
    const other = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId, parameters: { wells: 2, delayMs: 0 }, assets: {} }).expect(201)).body;
    expect((await until(other.id, ['completed', 'failed'])).status).toBe('completed');

    // The operator restarts the interrupted run: it carries on from the state it had.
    const bad = await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'restart', fromStep: 9999 }).expect(400);
    expect(bad.body.error.details.fields).toEqual(['fromStep']);
    const restarted = (await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'restart' }).expect(202)).body;
    expect(restarted.id).not.toBe(run.id);
    expect(restarted.properties).toMatchObject({ restartOf: run.id, initialState: { done: state.done } });
    const end = await until(restarted.id, ['completed', 'failed'], 60000);
    expect(end.error).toBeNull();
    expect(end.result).toEqual({ done: 24 });
    const moves = (await t.http.get(`/api/v1/runs/${restarted.id}/calls`).set(viewer).expect(200)).body.filter((c: { name: string }) => c.name === 'move');
    expect(moves).toHaveLength(24 - state.done);
    await t.http.post(`/api/v1/runs/${restarted.id}/actions`).set(operator).send({ action: 'restart' }).expect(409);
  }, 120000);

  it('fails a run whose protocol process crashes, runs out of memory or hangs, naming the step; the worker lives on', async () => {
    for (const old of workers.splice(0)) await old.stop();
    const w = await startWorker(t.config.database.url, t.config.redis.url, t.redis, { PROTOCOL_SANDBOX_MEMORY_MB: '128', PROTOCOL_HANG_TIMEOUT_MS: '1500' });
    workers.push(w);
    const start = async (name: string) => (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: ids[name] }).expect(201)).body.id as string;
    const crashed = await until(await start('crashes'), ['failed', 'completed']);
    expect(crashed.error).toMatchObject({ name: 'RunCrashedError', message: expect.stringContaining('exit code 3'), step: { name: 'boom' } });
    const hog = await until(await start('hogs_memory'), ['failed', 'completed'], 60000);
    expect(hog.error).toMatchObject({ name: 'RunOutOfMemoryError', message: expect.stringContaining('128 MB'), step: { name: 'hog' } });
    const hung = await until(await start('hangs'), ['failed', 'completed'], 30000);
    expect(hung.error).toMatchObject({ name: 'RunHungError', step: { name: 'spin' } });
    expect(hung.error.message).toContain('stopped responding');
    expect(w.proc.exitCode).toBeNull();
    const ok = await until((await t.http.post('/api/v1/runs').set(operator).send({ protocolId, parameters: { wells: 1, delayMs: 0 } }).expect(201)).body.id, ['completed', 'failed']);
    expect(ok.status).toBe('completed');
  }, 120000);

  it('two workers share the queue; one is killed in the middle: no asset is ever used by two runs at once, every run ends completed or interrupted', async () => {
    for (const w of workers.splice(0)) await w.stop('SIGKILL');
    const pool = [
      await startWorker(t.config.database.url, t.config.redis.url, t.redis),
      await startWorker(t.config.database.url, t.config.redis.url, t.redis),
    ];
    workers.push(...pool);
    const runs: string[] = [];
    // The third run is long enough (about 3 s) to be killed in its middle.
    for (let i = 0; i < 10; i++) {
      const parameters = i === 2 ? { wells: 16, delayMs: 200 } : { wells: 3, delayMs: 40 };
      runs.push((await t.http.post('/api/v1/runs').set(operator).send({ protocolId, parameters }).expect(201)).body.id);
    }
    // Kill the worker executing the third run while it runs.
    const victim = await eventually(async () => {
      const r = await get(runs[2]!);
      return r.status === 'running' && (await commands(runs[2]!)).length >= 2 ? r : undefined;
    }, 'the third run to be running');
    const pid = Number(String(victim.workerId).split(':').pop());
    const killed = pool.find((w) => w.proc.pid === pid)!;
    expect(killed).toBeDefined();
    await killed.stop('SIGKILL');

    const ended = await Promise.all(runs.map((id) => until(id, ['completed', 'interrupted', 'failed', 'cancelled'], 90000)));
    const statuses = ended.map((r) => r.status);
    expect(statuses[2]).toBe('interrupted');
    for (const st of statuses) expect(['completed', 'interrupted']).toContain(st);
    expect(statuses.filter((st) => st === 'completed').length).toBeGreaterThanOrEqual(8);
    const spans = [];
    for (const id of runs) {
      const log = (await t.http.get(`/api/v1/runs/${id}/commands?limit=1000`).set(viewer).expect(200)).body.items as Array<{ startedAt: string; at: string }>;
      if (log.length) spans.push({ id, from: Date.parse(log[0]!.startedAt), to: Date.parse(log[log.length - 1]!.at) });
    }
    spans.sort((x, y) => x.from - y.from);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBeGreaterThanOrEqual(spans[i - 1]!.to);
    expect((await t.http.get('/api/v1/reservations').set(viewer).expect(200)).body).toEqual([]);
  }, 150000);

  it('re-queues a queued run whose job was lost (its worker died before the run started), and only such runs', async () => {
    for (const w of workers.splice(0)) await w.stop('SIGKILL');
    const lost = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId, parameters: { wells: 1, delayMs: 0 } }).expect(201)).body;
    const kept = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId, parameters: { wells: 1, delayMs: 0 } }).expect(201)).body;
    const queue = t.app.get(RunQueues).queue(lost.workcellId);
    await (await queue.getJob(lost.id))!.remove();
    await t.db.query(`UPDATE runs SET "updatedAt" = now() - interval '1 minute' WHERE id = ANY($1::uuid[])`, [[lost.id, kept.id]]);
    const report = await t.app.get(RunRecoveryService).sweep();
    expect(report.requeued).toEqual([lost.id]);
    expect(await (await queue.getJob(lost.id))?.getState()).toBe('prioritized');
    expect((await t.app.get(RunRecoveryService).sweep()).requeued).toEqual([]);
    const w = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
    workers.push(w);
    expect((await until(lost.id, ['completed', 'failed'])).status).toBe('completed');
    expect((await until(kept.id, ['completed', 'failed'])).status).toBe('completed');
  }, 60000);
});
