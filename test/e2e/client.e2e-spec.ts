// The main flows, driven through the generated client (@praxis/client) against a real API on a
// real port and a real worker: what a lab's own scripts do. No hand-written requests here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  answerRunInput,
  cancelRun,
  connect,
  createClient,
  createConfig,
  createProtocolSource,
  createUser,
  getMe,
  getRun,
  listProtocolDefinitions,
  listReservations,
  listRunCalls,
  listRunCommands,
  listRunEvents,
  listRunTransitions,
  listRuns,
  pauseRun,
  restartRun,
  resumeRun,
  startRun,
  syncCatalogs,
  syncProtocolSource,
  type Client,
  type RunDto,
} from '@praxis/client';
import { DemoSeedService } from '@praxis/discovery';
import { ADMIN, createTestApp, type TestApp } from '../support/app.js';
import { RESUMABLE } from '../support/protocols.js';
import { eventually, startWorker, type WorkerProcess } from '../support/worker.js';

const ASKS = `
import { defineProtocol, z } from '@praxis/protocol';
export default defineProtocol({
  name: 'asks_volume', version: '1.0.0', assets: { lh: { kind: 'machine', category: 'LiquidHandler' } }, deckLayout: 'demo_layout',
  async run({ requestInput, output }) {
    const a = await requestInput({ prompt: 'How much?', fields: { volume: z.number().positive().max(200) } });
    output('volume', a.volume);
    return { volume: a.volume };
  },
});
`;

describe('@praxis/client drives Praxis end to end', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let folder: string;
  let baseUrl: string;
  let admin: Client;
  let operator: Client;
  const defs: Record<string, string> = {};

  /** The run, through the client, until its status is one of `statuses`. */
  const until = (id: string, statuses: string[], timeoutMs = 60_000): Promise<RunDto> =>
    eventually(
      async () => {
        const run = (await getRun({ client: operator, path: { id } })).data;
        return run && statuses.includes(run.status) ? run : undefined;
      },
      `run ${id} to be ${statuses.join(' or ')}`,
      timeoutMs,
    );

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const addr = t.app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${addr.port}`;
    folder = mkdtempSync(join(tmpdir(), 'praxis-client-'));
    writeFileSync(join(folder, 'resumable.ts'), RESUMABLE);
    writeFileSync(join(folder, 'asks.ts'), ASKS);
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('logs in, and answers errors in the typed envelope', async () => {
    admin = await connect({ baseUrl, username: ADMIN.username, password: ADMIN.password });
    const me = await getMe({ client: admin });
    expect(me.data).toMatchObject({ username: 'admin', roles: expect.arrayContaining(['admin']) });

    const created = await createUser({ client: admin, body: { username: 'opal', password: 'opal-password-1', role: 'operator' } });
    expect(created.response?.status).toBe(201);
    operator = await connect({ baseUrl, username: 'opal', password: 'opal-password-1' });

    // No token: 401 in the envelope, typed as ErrorEnvelope.
    const anonymous = createClient(createConfig({ baseUrl }));
    const refused = await listRuns({ client: anonymous });
    expect(refused.response?.status).toBe(401);
    expect(refused.error?.error.code).toBe('UNAUTHENTICATED');

    await expect(connect({ baseUrl, username: 'opal', password: 'wrong-password' })).rejects.toThrow(/login failed \(401\)/);
  });

  it('syncs the catalogs and a protocol source', async () => {
    expect((await syncCatalogs({ client: admin })).response?.status).toBe(200);
    await t.app.get(DemoSeedService).seed();
    const source = await createProtocolSource({ client: admin, body: { kind: 'filesystem', name: 'client-tests', path: folder } });
    expect(source.response?.status).toBe(201);
    const report = await syncProtocolSource({ client: admin, path: { id: source.data!.id } });
    expect(report.data?.errors).toEqual([]);
    for (const d of [...report.data!.added, ...report.data!.unchanged]) defs[d.name] = d.id;
    expect(Object.keys(defs).sort()).toEqual(['asks_volume', 'resumable']);
    const listed = await listProtocolDefinitions({ client: operator, query: { name: 'resumable' } });
    expect(listed.data?.items.map((d) => d.id)).toEqual([defs.resumable]);
  });

  it('starts a run, pauses, resumes and cancels it, restarts it, and reads its log', async () => {
    const started = await startRun({ client: operator, body: { protocolId: defs.resumable!, parameters: { wells: 12, delayMs: 150 } } });
    expect(started.response?.status).toBe(201);
    const id = started.data!.id;
    await until(id, ['running']);

    const paused = await pauseRun({ client: operator, path: { id }, body: { reason: 'checking the plate' } });
    expect(paused.response?.status).toBe(202);
    await until(id, ['paused']);
    // Pausing twice is a conflict that names the status.
    const again = await pauseRun({ client: operator, path: { id } });
    expect(again.response?.status).toBe(409);
    expect(again.error?.error.code).toBe('CONFLICT');

    expect((await resumeRun({ client: operator, path: { id } })).response?.status).toBe(202);
    await until(id, ['running']);
    expect((await cancelRun({ client: operator, path: { id }, body: { reason: 'wrong plate' } })).response?.status).toBe(202);
    const cancelled = await until(id, ['cancelled']);
    expect(cancelled.endedAt).toBeTruthy();

    const transitions = await listRunTransitions({ client: operator, path: { id } });
    const path = transitions.data!.map((x) => x.to);
    expect(path).toEqual(expect.arrayContaining(['queued', 'running', 'pausing', 'paused', 'running', 'canceling', 'cancelled']));
    expect(transitions.data!.find((x) => x.to === 'pausing')).toMatchObject({ actor: 'user:opal', reason: 'checking the plate' });

    // The command log: numbered without holes, every command inside a step of the call tree.
    const commands = await listRunCommands({ client: operator, path: { id }, query: { limit: 1000 } });
    const seqs = commands.data!.items.map((c) => c.seq);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const calls = await listRunCalls({ client: operator, path: { id } });
    const stepSeqs = new Set(calls.data!.map((c) => c.seq));
    for (const c of commands.data!.items) expect(stepSeqs.has(c.stepSeq!)).toBe(true);
    // The event log tells the same story, in seq order.
    const events = await listRunEvents({ client: operator, path: { id }, query: { afterSeq: 0, limit: 1000 } });
    const evSeqs = events.data!.items.map((e) => e.seq);
    expect(evSeqs).toEqual(evSeqs.map((_, i) => i + 1));
    expect(events.data!.items.filter((e) => e.type === 'run.status').map((e) => (e.payload as { to: string }).to)).toEqual(path);

    // Restart answers the new run, which carries the old one's progress over and completes.
    const restarted = await restartRun({ client: operator, path: { id } });
    expect(restarted.response?.status).toBe(202);
    expect(restarted.data!.id).not.toBe(id);
    const done = await until(restarted.data!.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.result).toEqual({ done: 12 });
    await eventually(async () => ((await listReservations({ client: operator })).data?.length === 0 ? true : undefined), 'no reservation left');
  }, 120_000);

  it('answers a prompt: a bad answer is refused naming the field, a good one completes the run', async () => {
    const started = await startRun({ client: operator, body: { protocolId: defs.asks_volume! } });
    const id = started.data!.id;
    const waiting = await until(id, ['awaiting_input']);
    expect(waiting.pendingInput?.prompt).toBe('How much?');

    const bad = await answerRunInput({ client: operator, path: { id }, body: { values: { volume: -5 } } });
    expect(bad.response?.status).toBe(400);
    expect(bad.error?.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(bad.error?.error.details)).toMatch(/volume/);

    expect((await answerRunInput({ client: operator, path: { id }, body: { values: { volume: 42 } } })).response?.status).toBe(202);
    const done = await until(id, ['completed', 'failed']);
    expect(done).toMatchObject({ status: 'completed', result: { volume: 42 } });
  }, 90_000);
});
