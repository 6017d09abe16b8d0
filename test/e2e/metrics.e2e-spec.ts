// Prometheus metrics, scraped for real from the API and from a worker's own port, before and after
// a completed run and a failed one: each figure must move by exactly what happened.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { freePort } from '../support/net.js';
import { runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

const TOKEN = 'metrics-token-for-the-e2e-test';

// Fails on the hardware: the heater cannot reach 90 °C within a second (the simulator's thermal
// model), so the machine itself answers the command with an error.
const OVERHEAT = `
import { defineProtocol } from '@praxis/protocol';
export default defineProtocol({
  name: 'overheat', version: '1.0.0',
  assets: { hs: { kind: 'machine', category: 'HeaterShaker' } },
  async run({ assets }) {
    await assets.hs.setTemperature(90);
    await assets.hs.waitForTemperature({ timeoutS: 1 });
  },
});
`;

/** `name{a="b",...} value` lines of a Prometheus text answer, by series (labels sorted). */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = m[3] ? [...m[3].matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}=${l[2]}`).sort().join(',') : '';
    out.set(`${m[1]}{${labels}}`, Number(m[4]));
  }
  return out;
}
const series = (name: string, labels: Record<string, string> = {}) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(',')}}`;
/** Sum of every series of `name` whose labels include `labels`. */
function sum(m: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  let total = 0;
  for (const [key, v] of m) {
    if (!key.startsWith(`${name}{`)) continue;
    const have = key.slice(name.length + 1, -1).split(',');
    if (want.every((w) => have.includes(w))) total += v;
  }
  return total;
}

describe('metrics: GET /metrics on the API and on each worker', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let workerPort: number;
  let operator: Record<string, string>;
  let folder: string;
  const defs: Record<string, string> = {};
  const { until } = runPolling(() => t.http, () => operator, 60_000);

  const scrapeApi = async () => parse((await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200).expect('Content-Type', /text\/plain/)).text);
  const scrapeWorker = async () => {
    const res = await fetch(`http://127.0.0.1:${workerPort}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return parse(await res.text());
  };

  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: TOKEN });
    const admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('mona', Role.Operator)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    const sources = t.app.get(ProtocolSourcesService);
    for (const d of (await sources.ensureFolderSource('examples', resolve('examples/protocols'))).report.added) defs[d.name] = d.id;
    folder = mkdtempSync(join(tmpdir(), 'praxis-metrics-'));
    writeFileSync(join(folder, 'overheat.ts'), OVERHEAT);
    for (const d of (await sources.ensureFolderSource('extra', folder)).report.added) defs[d.name] = d.id;
    workerPort = await freePort();
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis, { WORKER_METRICS_PORT: String(workerPort), WORKER_METRICS_HOST: '127.0.0.1', METRICS_TOKEN: TOKEN });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('is closed without the metrics token, on the API and on the worker (a user\'s JWT does not open it)', async () => {
    const none = await t.http.get('/metrics').expect(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    await t.http.get('/metrics').set('Authorization', 'Bearer wrong-token-wrong-token-x').expect(401);
    await t.http.get('/metrics').set(operator).expect(401);
    expect((await fetch(`http://127.0.0.1:${workerPort}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${workerPort}/metrics`, { headers: { authorization: 'Bearer nope-nope-nope-nope-nope' } })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${workerPort}/other`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('counts a completed run once and its commands, a failed run as failed, HTTP requests by route pattern, and reads the gauges', async () => {
    const w0 = await scrapeWorker();
    const a0 = await scrapeApi();

    const ok = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.nested_steps }).expect(201)).body.id as string;
    expect((await until(ok, ['completed', 'failed'])).status).toBe('completed');
    const bad = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.overheat }).expect(201)).body.id as string;
    expect((await until(bad, ['completed', 'failed'])).status).toBe('failed');
    const okCommands = (await t.http.get(`/api/v1/runs/${ok}/commands?limit=1000`).set(operator).expect(200)).body.items as Array<{ command: string; error: unknown }>;
    const badCommands = (await t.http.get(`/api/v1/runs/${bad}/commands?limit=1000`).set(operator).expect(200)).body.items as Array<{ command: string; error: unknown }>;
    expect(badCommands.filter((c) => c.error)).toHaveLength(1);
    await t.http.get(`/api/v1/runs/0190a4e0-0000-7000-8000-00000000dead`).set(operator).expect(404);
    await t.http.get('/api/v1/runs').expect(401);

    const w1 = await scrapeWorker();
    const a1 = await scrapeApi();
    const d = (m1: Map<string, number>, m0: Map<string, number>, name: string, labels: Record<string, string> = {}) => sum(m1, name, labels) - sum(m0, name, labels);

    // Runs: started and ended in the worker, each once.
    expect(d(w1, w0, 'praxis_runs_started_total', { protocol: 'nested_steps' })).toBe(1);
    expect(d(w1, w0, 'praxis_runs_started_total', { protocol: 'overheat' })).toBe(1);
    expect(d(w1, w0, 'praxis_runs_ended_total', { protocol: 'nested_steps', status: 'completed' })).toBe(1);
    expect(d(w1, w0, 'praxis_runs_ended_total', { protocol: 'overheat', status: 'failed' })).toBe(1);
    expect(d(w1, w0, 'praxis_runs_ended_total', { protocol: 'overheat', status: 'completed' })).toBe(0);
    expect(d(w1, w0, 'praxis_run_duration_seconds_count', { protocol: 'nested_steps' })).toBe(1);
    expect(d(w1, w0, 'praxis_run_duration_seconds_count', { protocol: 'overheat' })).toBe(1);
    expect(d(w1, w0, 'praxis_run_queue_wait_seconds_count', { protocol: 'nested_steps' })).toBe(1);
    // Hardware commands: every logged command counted, by command; the failed one as an error.
    expect(d(w1, w0, 'praxis_hardware_commands_total')).toBe(okCommands.length + badCommands.length);
    const aspirates = okCommands.filter((c) => c.command === 'aspirate').length;
    expect(aspirates).toBeGreaterThan(0);
    expect(d(w1, w0, 'praxis_hardware_commands_total', { command: 'aspirate' })).toBe(aspirates);
    expect(d(w1, w0, 'praxis_hardware_command_errors_total')).toBe(1);
    expect(d(w1, w0, 'praxis_hardware_command_errors_total', { command: 'waitForTemperature' })).toBe(1);
    expect(d(w1, w0, 'praxis_hardware_command_duration_seconds_count')).toBe(okCommands.length + badCommands.length);
    // The API made no run transitions of its own here (the worker did them).
    expect(d(a1, a0, 'praxis_runs_ended_total')).toBe(0);

    // HTTP, by route pattern and status (raw ids never become labels).
    expect(d(a1, a0, 'praxis_http_requests_total', { method: 'POST', route: '/api/v1/runs', status: '201' })).toBe(2);
    expect(d(a1, a0, 'praxis_http_requests_total', { method: 'GET', route: '/api/v1/runs/:id', status: '404' })).toBe(1);
    expect(d(a1, a0, 'praxis_http_requests_total', { method: 'GET', route: '/api/v1/runs/:id', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(d(a1, a0, 'praxis_http_requests_total', { method: 'GET', route: '/api/v1/runs', status: '401' })).toBe(1);
    expect(d(a1, a0, 'praxis_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/runs/:id/commands', status: '200' })).toBe(2);
    expect([...a1.keys()].some((k) => k.includes(ok))).toBe(false);
    // Scrapes leave no access line in the API's log.
    expect(t.logs.lines.some((l) => (l.req as { url?: string } | undefined)?.url === '/metrics')).toBe(false);

    // Gauges read at scrape time.
    expect(a1.get(series('praxis_workers_alive'))).toBe(1);
    const hb = [...a1.entries()].filter(([k]) => k.startsWith('praxis_worker_last_heartbeat_seconds{'));
    expect(hb).toHaveLength(1);
    expect(hb[0]![0]).toContain(`:${worker.proc.pid}:`);
    expect(hb[0]![1]).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(a1.get(series('praxis_queue_jobs', { state: 'waiting', workcell: 'demo' }))).toBe(0);
    expect(a1.get(series('praxis_queue_jobs', { state: 'active', workcell: 'demo' }))).toBe(0);
    expect(a1.get(series('praxis_locks_held'))).toBe(0);
    expect(a1.get(series('praxis_reservations_stale'))).toBe(0);
    expect(a1.get(series('praxis_db_pool_connections', { state: 'total' }))).toBeGreaterThan(0);
    expect(a1.has(series('praxis_db_pool_connections', { state: 'waiting' }))).toBe(true);
    expect(w1.get(series('praxis_db_pool_connections', { state: 'total' }))).toBeGreaterThan(0);
    expect(a1.get(series('praxis_redis_used_memory_bytes'))).toBeGreaterThan(0);
    // Process figures of each process.
    expect(w1.get(series('praxis_process_resident_memory_bytes'))).toBeGreaterThan(0);
    expect(a1.get(series('praxis_process_resident_memory_bytes'))).toBeGreaterThan(0);
  }, 120_000);

  it('counts a stale reservation, and a queued run cancelled by the API as ended by the API', async () => {
    await t.db.query(`INSERT INTO reservations ("assetId", "assetKind", "assetName", "runId", "acquiredAt") SELECT gen_random_uuid(), 'resource', 'ghost', id, now() FROM runs WHERE status = 'completed' LIMIT 1`);
    expect((await scrapeApi()).get(series('praxis_reservations_stale'))).toBe(1);
    await t.db.query(`DELETE FROM reservations WHERE "assetName" = 'ghost'`);

    await worker.stop();
    const a0 = await scrapeApi();
    const queued = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.nested_steps }).expect(201)).body.id as string;
    expect((await scrapeApi()).get(series('praxis_queue_jobs', { state: 'waiting', workcell: 'demo' }))).toBe(1);
    await t.http.post(`/api/v1/runs/${queued}/cancel`).set(operator).send({}).expect(202);
    const a1 = await scrapeApi();
    expect(sum(a1, 'praxis_runs_ended_total', { protocol: 'nested_steps', status: 'cancelled' }) - sum(a0, 'praxis_runs_ended_total', { protocol: 'nested_steps', status: 'cancelled' })).toBe(1);
    // Never started: no duration observed.
    expect(sum(a1, 'praxis_run_duration_seconds_count') - sum(a0, 'praxis_run_duration_seconds_count')).toBe(0);
    expect(a1.get(series('praxis_queue_jobs', { state: 'waiting', workcell: 'demo' }))).toBe(0);
  }, 60_000);
});
