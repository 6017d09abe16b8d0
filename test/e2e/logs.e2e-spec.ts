// Correlated logs: one runId (and the trace id of the request that started the run) finds the
// run's whole story in the API's log, the worker's log and what its protocol process wrote.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { eventually, runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

const CHATTY = `
import { defineProtocol, step } from '@praxis/protocol';
const work = step('work', async (lh: any, tip: any, log: any) => {
  log.info('hello from the step', { n: 1 });
  console.log('console line %d', 7);
  console.error('console error line');
  process.stderr.write('raw stderr line\\n');
  await lh.pickUpTips([tip]);
  await lh.dropTips([tip]);
});
export default defineProtocol({
  name: 'chatty', version: '1.0.0',
  assets: { lh: { kind: 'machine', category: 'LiquidHandler' }, tips: { kind: 'resource', category: 'tip_rack' } },
  deckLayout: 'demo_layout',
  async run({ assets, log }) {
    log.warn('before the step');
    await work(assets.lh, assets.tips.spots()[40], log);
  },
});
`;

type Line = Record<string, unknown>;

describe('logs: JSON lines correlated by runId, stepSeq and traceId across API, worker and protocol process', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let folder: string;
  let operator: Record<string, string>;
  let protocolId: string;
  const { until } = runPolling(() => t.http, () => operator, 60_000);

  beforeAll(async () => {
    t = await createTestApp();
    const admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('lou', Role.Operator)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    folder = mkdtempSync(join(tmpdir(), 'praxis-logs-'));
    writeFileSync(join(folder, 'chatty.ts'), CHATTY);
    const src = await t.app.get(ProtocolSourcesService).ensureFolderSource('chatty', folder);
    expect(src.report.errors).toEqual([]);
    protocolId = src.report.added[0]!.id;
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis, { LOG_LEVEL: 'info' });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('follows one run from the request that started it to its protocol process output', async () => {
    const traceId = 'trace-logs-e2e-0001';
    const res = await t.http.post('/api/v1/runs').set(operator).set('X-Request-Id', traceId).send({ protocolId });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe(traceId);
    expect(res.body.traceId).toBe(traceId);
    const runId = res.body.id as string;
    const done = await until(runId, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    await t.http.get(`/api/v1/runs/${runId}/commands`).set(operator).expect(200);

    // API: the request lines carry the trace id, and the run id when they are about a run.
    const apiStart = t.logs.lines.find((l) => (l.req as Line | undefined)?.method === 'POST' && (l.req as Line).url === '/api/v1/runs');
    expect(apiStart).toMatchObject({ traceId, res: { statusCode: 201 } });
    const apiRead = t.logs.lines.find((l) => (l.req as Line | undefined)?.url === `/api/v1/runs/${runId}/commands`);
    expect(apiRead).toMatchObject({ runId, traceId: expect.any(String) });

    // Worker: every line it wrote is JSON (stderr too, e.g. Node's warnings); the run's lines carry
    // its id and the trace id.
    const lines = [...worker.stdoutLines(), ...worker.stderrLines()];
    const parsed = lines.map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new Error(`worker wrote a line that is not JSON: ${l}`);
      }
    });
    const ofRun = parsed.filter((l) => l.runId === runId);
    // Lines the worker logs without naming the run (its log context adds the ids).
    expect(ofRun.find((l) => l.msg === 'run started')).toMatchObject({ traceId, protocol: 'chatty' });
    expect(ofRun.find((l) => l.msg === 'run ended')).toMatchObject({ traceId, outcome: 'completed' });

    // The protocol's log calls and console output, at their level, with the step they were written in.
    const stepSeq = (await t.db.query(`SELECT seq FROM run_calls WHERE "runId" = $1 AND name = 'work'`, [runId]))[0].seq as number;
    expect(ofRun.find((l) => l.msg === 'before the step')).toMatchObject({ traceId, source: 'protocol', level: 40, stepSeq: 1 });
    expect(ofRun.find((l) => l.msg === 'hello from the step')).toMatchObject({ traceId, source: 'protocol', level: 30, stepSeq, data: { n: 1 } });
    expect(ofRun.find((l) => l.msg === 'console line 7')).toMatchObject({ traceId, source: 'protocol', level: 30, stepSeq });
    expect(ofRun.find((l) => l.msg === 'console error line')).toMatchObject({ traceId, source: 'protocol', level: 50, stepSeq });
    // What the process wrote to stderr by itself: JSON too, attributed to the run and its step.
    expect(ofRun.find((l) => l.msg === 'raw stderr line')).toMatchObject({ traceId, source: 'protocol-process', stream: 'stderr', stepSeq });

    // The protocol's log calls (console included) are in the run's event log too.
    const events = (await t.http.get(`/api/v1/runs/${runId}/events?limit=1000`).set(operator).expect(200)).body.items as Array<{ type: string; payload: Line }>;
    const logged = events.filter((e) => e.type === 'run.log').map((e) => ({ level: e.payload.level, message: e.payload.message, stepSeq: e.payload.stepSeq }));
    expect(logged).toEqual([
      { level: 'warn', message: 'before the step', stepSeq: 1 },
      { level: 'info', message: 'hello from the step', stepSeq },
      { level: 'info', message: 'console line 7', stepSeq },
      { level: 'error', message: 'console error line', stepSeq },
    ]);
  }, 90_000);

  it('keeps the log level from config: a worker at LOG_LEVEL=warn writes no info lines', async () => {
    const quiet = await startWorker(t.config.database.url, t.config.redis.url, t.redis, { LOG_LEVEL: 'warn' });
    try {
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await quiet.stop();
    }
    const levels = quiet.stdoutLines().map((l) => (JSON.parse(l) as Line).level as number);
    expect(levels.every((l) => l >= 40)).toBe(true);
    expect(worker.stdoutLines().some((l) => (JSON.parse(l) as Line).level === 30)).toBe(true);
  }, 60_000);

  it('turns Node\'s own warnings into JSON log lines (not plain text on stderr)', async () => {
    // A preload script makes the worker's Node emit a warning once it is up.
    const preload = join(folder, 'warn.cjs');
    writeFileSync(preload, "setTimeout(() => process.emitWarning('praxis test warning', 'TestWarning'), 2500).unref();\n");
    const noisy = await startWorker(t.config.database.url, t.config.redis.url, t.redis, { LOG_LEVEL: 'warn', NODE_OPTIONS: `--require ${preload}` });
    try {
      await eventually(async () => (noisy.stdoutLines().some((l) => l.includes('praxis test warning')) ? true : undefined), 'the warning in the log');
    } finally {
      await noisy.stop();
    }
    const line = noisy.stdoutLines().map((l) => JSON.parse(l) as Line).find((l) => l.msg === 'praxis test warning');
    expect(line).toMatchObject({ level: 40, warning: 'TestWarning', name: 'praxis-worker' });
    expect(noisy.stderrLines().filter((l) => l.includes('praxis test warning'))).toEqual([]);
  }, 60_000);
});
