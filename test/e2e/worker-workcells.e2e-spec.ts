// A worker on a workcell host runs only its own workcells (WORKER_WORKCELLS): a run never lands
// on a worker that cannot reach its instruments.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_WORKCELL, DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { eventually, runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

describe('WORKER_WORKCELLS: workers bound to their workcells', () => {
  let t: TestApp;
  let operator: Record<string, string>;
  let protocolId: string;
  const workers: WorkerProcess[] = [];
  const { get, until } = runPolling(() => t.http, () => operator, 60_000);

  beforeAll(async () => {
    t = await createTestApp();
    const admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('wes', Role.Operator)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    const src = await t.app.get(ProtocolSourcesService).ensureFolderSource('examples', resolve('examples/protocols'));
    protocolId = src.report.added.find((d) => d.name === 'nested_steps')!.id;
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
  });

  it('a worker for another workcell leaves the run queued; the demo workcell\'s worker runs it', async () => {
    const elsewhere = await startWorker(t.config.database.url, t.config.redis.url, t.redis, { WORKER_WORKCELLS: 'bench_2' });
    workers.push(elsewhere);
    // It has looked at the workcells (and says the one it was given does not exist).
    await eventually(async () => (/WORKER_WORKCELLS names workcells that do not exist/.test(elsewhere.output()) ? true : undefined), 'the warning about bench_2');
    const run = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId }).expect(201)).body as { id: string };
    // The run's workcell has no worker of its own yet: nobody takes it.
    await eventually(async () => ((await t.redis.keys('praxis:workers:*')).length === 1 ? true : undefined), 'one worker heartbeating');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get(run.id)).status).toBe('queued');

    const own = await startWorker(t.config.database.url, t.config.redis.url, t.redis, { WORKER_WORKCELLS: DEMO_WORKCELL });
    workers.push(own);
    const done = await until(run.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.workerId).toMatch(new RegExp(`:${own.proc.pid}$`));
  }, 90_000);
});
