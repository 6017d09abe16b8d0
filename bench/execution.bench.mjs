#!/usr/bin/env node
// npm run bench:execution — the execution engine end to end. Starts a private PostgreSQL and
// Redis, runs `cli.js setup` with the demo (simulated STARlet workcell, examples/protocols synced),
// copies the demo workcell three times through the admin API, starts the API and worker processes
// (dist), and prints one JSON line per figure set. Figures, not a pass/fail test:
//
// 1. plate_replication (96 steps, 384 hardware commands, everything recorded) through the API on
//    one worker: client-observed POST → `completed` (polling GET /runs/{id}) and the run's own
//    createdAt → endedAt, median of BENCH_RUNS runs, beside the same 384 calls made directly on the
//    hardware library (demo layout, LiquidHandler + LiquidHandlerSimulator) in this process.
//    Goal: api ≤ 1.5 × direct + 100 ms; ratioOfBudget = api / (1.5 × direct + 100).
// 2. BENCH_SHORT_RUNS short runs (one tip picked up and put back, in one step) spread over 4
//    simulated workcells with 2 worker processes, posted BENCH_SHORT_CONCURRENCY at a time:
//    runs/s (first creation → last completion) and POST → `running` latency (startedAt − createdAt).
// 3. AssetLockManager acquire + release pairs per second (3-asset sets) beside raw Redis
//    `SET NX PX` + compare-and-delete (Lua) pairs on the same Redis, sequential and 16 in flight.
//    Goal: lock / raw ≥ 0.5.
//
// Everything it starts (processes, temp folder) is stopped and removed at the end, on an error and
// on Ctrl-C.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DIST, ROOT } from '../scripts/lib/project.mjs';
import { TERMINAL, demoWorkcell, emit, log, median, ms, num, pct, r1, r3, runBench, startProc, startStack, stopProc, waitForWorker } from './lib/stack.mjs';

/** Measured plate_replication runs through the API (after one warm-up run). */
const API_RUNS = num('BENCH_RUNS', 5);
/** Measured iterations of the direct hardware-library loop (after 10 warm-up iterations). */
const DIRECT_ITERATIONS = num('BENCH_DIRECT_ITERATIONS', 60);
/** µL per well: small, so that repeated runs do not empty the demo's 300 µL source wells. */
const VOLUME = 2;
const POLL_MS = num('BENCH_POLL_MS', 15);
const SHORT_RUNS = num('BENCH_SHORT_RUNS', 200);
const SHORT_CONCURRENCY = num('BENCH_SHORT_CONCURRENCY', 16);
const SHORT_TIMEOUT_S = num('BENCH_SHORT_TIMEOUT_S', 150);
const WORKCELLS = 4;
const WORKERS = 2;
const LOCK_MS = num('BENCH_LOCK_MS', 2000);
const LOCK_ASSETS = 3;
const LOCK_CONCURRENCY = [1, 16];
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

/** The admin's authenticated HTTP helper (set once the API is up). */
let api;

// --- 1. plate_replication: direct on the hardware library -------------------------------------

async function directBaseline(placements) {
  const hw = await import(pathToFileURL(join(ROOT, 'dist', 'libs', 'hardware', 'src', 'index.js')).href);
  const once = async () => {
    const t0 = performance.now();
    const deck = hw.buildDeckLayout(hw.getDeckType('STARletDeck'), placements, hw.createLabware);
    for (const r of deck.getResource('source_plate').children) if (r instanceof hw.Container) r.setVolume(300);
    // The demo STARlet's connection config (libs/discovery demo seed): the worker builds the same.
    const backend = new hw.LiquidHandlerSimulator({ numChannels: 8, has96Head: true, hasGripper: true, timeModel: true });
    const lh = new hw.LiquidHandler({ name: 'starlet', backend, deck });
    await lh.setup();
    let events = 0;
    lh.onCommand(() => void events++);
    const spots = deck.getResource('tips_1000_1').spots();
    const wells = deck.getResource('source_plate').wells();
    const targets = deck.getResource('destination_plate').wells();
    const t1 = performance.now();
    for (let i = 0; i < wells.length; i++) {
      await lh.pickUpTips([spots[i]]);
      await lh.aspirate([wells[i]], [VOLUME]);
      await lh.dispense([targets[i]], [VOLUME]);
      await lh.dropTips([spots[i]]);
    }
    const t2 = performance.now();
    const commands = events;
    await lh.stop();
    const ok = wells.every((w) => Math.abs(w.volume - (300 - VOLUME)) < 1e-9) && targets.every((w) => Math.abs(w.volume - VOLUME) < 1e-9);
    return { loopMs: t2 - t1, setupMs: t1 - t0, events: commands, ok };
  };
  for (let i = 0; i < 10; i++) await once();
  const loops = [];
  const setups = [];
  let events = 0;
  let ok = true;
  for (let i = 0; i < DIRECT_ITERATIONS; i++) {
    const r = await once();
    loops.push(r.loopMs);
    setups.push(r.setupMs);
    events = r.events;
    ok &&= r.ok;
  }
  return { loopMs: median(loops), p90LoopMs: pct(loops, 0.9), setupMs: median(setups), events, ok };
}

// --- 1. plate_replication: through the API ------------------------------------------------------

async function apiRun(protocolId, workcellId) {
  const t0 = performance.now();
  const created = await api('POST', '/api/v1/runs', { protocolId, workcellId, parameters: { volume: VOLUME } });
  const tPosted = performance.now();
  let r = created;
  const until = Date.now() + 120000;
  while (!TERMINAL.has(r.status)) {
    if (Date.now() > until) throw new Error(`run ${created.id} still ${r.status} after 120 s`);
    await sleep(POLL_MS);
    r = await api('GET', `/api/v1/runs/${created.id}`);
  }
  const tDone = performance.now();
  if (r.status !== 'completed') throw new Error(`plate_replication ended ${r.status}: ${JSON.stringify(r.error)}`);
  const transitions = await api('GET', `/api/v1/runs/${r.id}/transitions`);
  const at = (to) => ms(transitions.find((t) => t.to === to)?.at);
  const commands = [];
  for (let after = 0; ; ) {
    const page = await api('GET', `/api/v1/runs/${r.id}/commands?after=${after}&limit=1000`);
    commands.push(...page.items);
    if (page.nextCursor === null || page.nextCursor === undefined || !page.items.length) break;
    after = page.nextCursor;
  }
  const calls = await api('GET', `/api/v1/runs/${r.id}/calls`);
  const created_ = ms(r.createdAt);
  return {
    clientMs: tDone - t0,
    postMs: tPosted - t0,
    serverMs: ms(r.endedAt) - created_,
    queuedMs: at('preparing') - created_,
    preparingMs: ms(r.startedAt) - at('preparing'),
    runningMs: ms(r.endedAt) - ms(r.startedAt),
    firstCommandMs: commands.length ? ms(commands[0].startedAt) - ms(r.startedAt) : null,
    commandSpanMs: commands.length ? ms(commands[commands.length - 1].at) - ms(commands[0].startedAt) : null,
    afterLastCommandMs: commands.length ? ms(r.endedAt) - ms(commands[commands.length - 1].at) : null,
    commands: commands.length,
    calls: calls.length,
  };
}

// --- 2. short runs over 4 workcells ---------------------------------------------------------------

const SHORT_PROTOCOL = `
import { defineProtocol, step, z } from '@praxis/protocol';
const touchTip = step('touch_tip', async (lh: any, spot: any) => {
  await lh.pickUpTips([spot]);
  await lh.dropTips([spot]);
});
export default defineProtocol({
  name: 'bench_touch_tip',
  version: '1.0.0',
  description: 'bench:execution: one tip picked up and put back',
  parameters: z.object({ spot: z.number().int().min(0).max(95).default(0) }),
  assets: {
    lh: { kind: 'machine', category: 'LiquidHandler' },
    tips: { kind: 'resource', category: 'tip_rack' },
  },
  async run({ parameters, assets }) {
    await touchTip(assets.lh, assets.tips.spots()[parameters.spot]);
  },
});
`;

/** Copies the demo workcell (its STARlet, layout, deck and labware) through the admin API. */
async function copyDemoWorkcell(demo, name) {
  const wc = await api('POST', '/api/v1/workcells', { name, description: 'bench:execution copy of the demo workcell', location: 'simulation' });
  const m = demo.starlet;
  const machine = await api('POST', '/api/v1/machines', { name: m.name, workcellId: wc.id, definitionId: m.definitionId, backend: m.backend, connectionConfig: m.connectionConfig });
  const placements = demo.layout.placements.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null && v !== undefined)));
  const layout = await api('POST', '/api/v1/deck-layouts', { name: demo.layout.name, deckTypeId: demo.layout.deckTypeId, workcellId: wc.id, placements });
  await api('POST', '/api/v1/decks', { name: demo.deck.name, workcellId: wc.id, deckTypeId: demo.deck.deckTypeId, machineId: machine.id, layoutId: layout.id });
  const ids = new Map();
  for (const p of placements) {
    const src = demo.resources.get(p.name);
    if (!src) throw new Error(`the demo workcell has no resource ${p.name}`);
    const r = await api('POST', '/api/v1/resources', {
      name: p.name,
      definitionId: src.definitionId,
      workcellId: wc.id,
      parentId: p.parent ? ids.get(p.parent) : null,
      location: src.location,
      status: src.status,
    });
    ids.set(p.name, r.id);
  }
  return wc.id;
}

async function countRuns(query) {
  return (await api('GET', `/api/v1/runs?${query}&limit=1`)).total;
}

async function shortRuns(protocolId, workcellIds, db) {
  const body = (i) => ({ protocolId, workcellId: workcellIds[i % workcellIds.length], parameters: {} });
  // Warm-up (not counted): two runs per workcell, so both workers have likely built its runtime.
  const warm = await Promise.all(workcellIds.flatMap((_, w) => [w, w + workcellIds.length]).map((i) => api('POST', '/api/v1/runs', body(i))));
  for (const w of warm) {
    for (let r = w; !TERMINAL.has(r.status); r = await api('GET', `/api/v1/runs/${w.id}`)) await sleep(100);
  }
  await sleep(500);

  const since = new Date(Date.now() - 1).toISOString();
  const q = `protocolName=bench_touch_tip&createdFrom=${encodeURIComponent(since)}`;
  const postMs = [];
  const ids = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: SHORT_CONCURRENCY }, async () => {
      while (next < SHORT_RUNS) {
        const i = next++;
        const t = performance.now();
        const r = await api('POST', '/api/v1/runs', body(i));
        postMs.push(performance.now() - t);
        ids.push(r.id);
      }
    }),
  );
  const tPosted = performance.now();
  log(`posted ${SHORT_RUNS} runs in ${Math.round(tPosted - t0)} ms; waiting for them to end...`);
  let done = 0;
  let polls = 0;
  let timedOut = false;
  const until = Date.now() + SHORT_TIMEOUT_S * 1000;
  for (;;) {
    done = await countRuns(`${q}&status=completed`);
    if (done < SHORT_RUNS && polls++ % 10 === 0) {
      for (const s of ['failed', 'cancelled', 'interrupted']) done += await countRuns(`${q}&status=${s}`);
    }
    if (done >= SHORT_RUNS) break;
    if (Date.now() > until) {
      timedOut = true;
      break;
    }
    await sleep(100);
  }
  const tDone = performance.now();
  const items = (await api('GET', `/api/v1/runs?${q}&limit=1000&sort=createdAt`)).items.filter((r) => ids.includes(r.id));
  const byStatus = items.reduce((a, r) => ({ ...a, [r.status]: (a[r.status] ?? 0) + 1 }), {});
  const started = items.filter((r) => r.startedAt);
  const ended = items.filter((r) => r.endedAt && r.status === 'completed');
  const firstCreated = Math.min(...items.map((r) => ms(r.createdAt)));
  const lastEnded = Math.max(...ended.map((r) => ms(r.endedAt)));
  const toRunning = started.map((r) => ms(r.startedAt) - ms(r.createdAt));
  const toEnd = ended.map((r) => ms(r.endedAt) - ms(r.createdAt));
  const service = ended.map((r) => ms(r.endedAt) - ms(r.startedAt));
  // Hand-off on a workcell: the next run's start after the previous one's end, for runs that were
  // already waiting then (the queue's retry cadence, the lock, preparing and the child process).
  const handoff = [];
  for (const wc of workcellIds) {
    const lane = ended.filter((r) => r.workcellId === wc).sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
    for (let i = 1; i < lane.length; i++) if (ms(lane[i].createdAt) < ms(lane[i - 1].endedAt)) handoff.push(ms(lane[i].startedAt) - ms(lane[i - 1].endedAt));
  }
  const perWorker = (await db.query(`SELECT "workerId" AS w, count(*)::int AS n FROM runs WHERE id = ANY($1::uuid[]) GROUP BY 1 ORDER BY 1`, [ids])).rows.map((r) => r.n);
  const commands = (await db.query(`SELECT count(*)::int AS n FROM run_commands WHERE "runId" = ANY($1::uuid[])`, [ids])).rows[0].n;
  const serverSpanMs = lastEnded - firstCreated;
  return {
    runs: SHORT_RUNS,
    statuses: byStatus,
    timedOut,
    runs_per_s: r3((ended.length / serverSpanMs) * 1000),
    runs_per_s_client: r3((done / (tDone - t0)) * 1000),
    span_s: r3(serverSpanMs / 1000),
    span_client_s: r3((tDone - t0) / 1000),
    post_all_ms: Math.round(tPosted - t0),
    to_running_p50_ms: r1(pct(toRunning, 0.5)),
    to_running_p99_ms: r1(pct(toRunning, 0.99)),
    to_running_max_ms: r1(Math.max(...toRunning)),
    to_completed_p50_ms: r1(pct(toEnd, 0.5)),
    to_completed_p99_ms: r1(pct(toEnd, 0.99)),
    post_p50_ms: r1(pct(postMs, 0.5)),
    post_p99_ms: r1(pct(postMs, 0.99)),
    running_to_completed_p50_ms: r1(pct(service, 0.5)),
    handoff_p50_ms: r1(pct(handoff, 0.5)),
    handoff_p90_ms: r1(pct(handoff, 0.9)),
    runs_per_worker: perWorker,
    commands,
  };
}

// --- 3. locks --------------------------------------------------------------------------------------

const CAD_SCRIPT = `
local n = 0
for i, k in ipairs(KEYS) do
  if redis.call('get', k) == ARGV[1] then n = n + redis.call('del', k) end
end
return n
`;

/** Pairs per second of `pair(loop, i)`, `concurrency` loops in flight, for `durationMs`. */
async function rate(pair, concurrency, durationMs) {
  let count = 0;
  const t0 = performance.now();
  const end = t0 + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let i = 0; performance.now() < end; i++) {
        await pair(loop, i);
        count++;
      }
    }),
  );
  return (count / (performance.now() - t0)) * 1000;
}

async function locks(redisUrl) {
  const mod = await import(pathToFileURL(join(ROOT, 'dist', 'libs', 'execution', 'src', 'locks', 'asset-lock-manager.js')).href);
  const lockClient = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const rawClient = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  rawClient.defineCommand('cad', { numberOfKeys: LOCK_ASSETS, lua: CAD_SCRIPT });
  const manager = new mod.AssetLockManager(lockClient, { keyPrefix: 'bench:lock:' });
  const assets = (prefix, loop) => Array.from({ length: LOCK_ASSETS }, (_, a) => `${prefix}${loop}-${a}`);
  let seq = 0;
  const lockPair = async (loop) => {
    const runId = `bench-run-${loop}-${seq++}`;
    const got = await manager.acquire(runId, assets('asset-', loop));
    if (!got.ok) throw new Error(`lock refused: ${JSON.stringify(got.busy)}`);
    await manager.release(runId);
  };
  const rawPair = async (loop) => {
    const value = `bench-run-${loop}|${randomBytes(16).toString('hex')}`;
    const keys = assets('bench:raw:', loop);
    const pipe = rawClient.pipeline();
    for (const k of keys) pipe.set(k, value, 'PX', 30000, 'NX');
    const res = await pipe.exec();
    if (!res.every(([err, v]) => !err && v === 'OK')) throw new Error(`raw SET NX refused: ${JSON.stringify(res)}`);
    const n = await rawClient.cad(...keys, value);
    if (n !== LOCK_ASSETS) throw new Error(`raw compare-and-delete removed ${n} of ${LOCK_ASSETS}`);
  };
  try {
    for (const c of LOCK_CONCURRENCY) {
      await rate(rawPair, c, 300); // warm-up: JIT, script cache (EVALSHA)
      await rate(lockPair, c, 300);
    }
    const lines = [];
    for (const c of LOCK_CONCURRENCY) {
      const raw = [];
      const lock = [];
      // Alternated, twice each, so a noisy moment on the machine hits both.
      for (let round = 0; round < 2; round++) {
        raw.push(await rate(rawPair, c, LOCK_MS / 2));
        lock.push(await rate(lockPair, c, LOCK_MS / 2));
      }
      const rawRate = (raw[0] + raw[1]) / 2;
      const lockRate = (lock[0] + lock[1]) / 2;
      lines.push({
        bench: 'asset_locks',
        assets_per_set: LOCK_ASSETS,
        in_flight: c,
        lock_pairs_per_s: Math.round(lockRate),
        raw_pairs_per_s: Math.round(rawRate),
        ratio: r3(lockRate / rawRate),
        goal: 'ratio >= 0.5',
        lock: 'AssetLockManager.acquire(runId, 3 ids) + release(runId) (Redlock, dist build)',
        raw: '3 x SET key val PX 30000 NX (one pipeline) + one compare-and-delete Lua script (EVALSHA)',
        duration_s: LOCK_MS / 1000,
      });
    }
    return lines;
  } finally {
    await manager.close();
    lockClient.disconnect();
    rawClient.disconnect();
  }
}

// --- main ------------------------------------------------------------------------------------------

async function main() {
  const stack = await startStack({ name: 'exec', logLevel: LOG_LEVEL });
  api = stack.api;
  const { dir, env } = stack;

  // The demo workcell as setup seeded it.
  const { workcell: demoWc, starlet, layout, deck, resources, plate } = await demoWorkcell(api);

  // The other three workcells and the short protocol, before any worker starts (workers look for
  // new workcells every 5 s; created first, every queue is consumed from the start).
  log('copying the demo workcell 3 times and syncing the short protocol...');
  const workcellIds = [demoWc.id];
  for (let k = 1; k < WORKCELLS; k++) workcellIds.push(await copyDemoWorkcell({ starlet, layout, deck, resources }, `bench_${k}`));
  const protoDir = join(dir, 'protocols');
  mkdirSync(protoDir);
  writeFileSync(join(protoDir, 'bench_touch_tip.ts'), SHORT_PROTOCOL);
  const source = await api('POST', '/api/v1/protocols/sources', { kind: 'filesystem', name: 'bench', path: protoDir });
  const report = await api('POST', `/api/v1/protocols/sources/${source.id}/sync`);
  if (report.errors.length || !report.added.length) throw new Error(`short protocol sync: ${JSON.stringify(report)}`);
  const shortId = report.added[0].id;

  // 1. direct first, while nothing else runs.
  log(`plate_replication direct on the hardware library (${DIRECT_ITERATIONS} iterations)...`);
  const direct = await directBaseline(layout.placements.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null && v !== undefined))));

  const watch = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
  watch.on('error', () => undefined);
  const workerEnv = (i) => ({ ...env, PRAXIS_DATA_DIR: join(dir, `worker-${i}`) });
  const workers = [startProc('worker-1', DIST.worker, workerEnv(1))];
  await waitForWorker(watch, workers[0]);
  await sleep(500);

  log(`plate_replication through the API on 1 worker (1 warm-up + ${API_RUNS} runs, polling every ${POLL_MS} ms)...`);
  await apiRun(plate.id, demoWc.id);
  const runs = [];
  for (let i = 0; i < API_RUNS; i++) {
    runs.push(await apiRun(plate.id, demoWc.id));
    await sleep(200);
  }
  const med = (k) => median(runs.map((r) => r[k]));
  const apiMs = med('clientMs');
  const serverMs = med('serverMs');
  const budget = 1.5 * direct.loopMs + 100;
  emit({
    bench: 'plate_replication',
    steps: 96,
    commands: 384,
    volume_ul: VOLUME,
    runs: API_RUNS,
    apiMs: r1(apiMs),
    apiServerMs: r1(serverMs),
    directMs: r1(direct.loopMs),
    budgetMs: r1(budget),
    ratioOfBudget: r3(apiMs / budget),
    ratioOfBudget_server: r3(serverMs / budget),
    goal: 'apiMs <= 1.5 * directMs + 100',
    api_client_runs_ms: runs.map((r) => r1(r.clientMs)),
    api_server_runs_ms: runs.map((r) => r1(r.serverMs)),
    api_breakdown_median_ms: {
      post: r1(med('postMs')),
      created_to_preparing: r1(med('queuedMs')),
      preparing_to_running: r1(med('preparingMs')),
      running_to_first_command: r1(med('firstCommandMs')),
      first_to_last_command: r1(med('commandSpanMs')),
      last_command_to_completed: r1(med('afterLastCommandMs')),
      running_to_completed: r1(med('runningMs')),
    },
    // Where the time beyond the direct loop goes: per hardware call (the IPC round trip child →
    // worker → child, the worker's checks, the log) and outside the calls (queue, preparing, the
    // run process's start, the end of the run, and on the client side the POST and the polling).
    api_per_command_ms: r3((med('commandSpanMs') - direct.loopMs) / 384),
    api_outside_commands_ms: r1(apiMs - med('commandSpanMs')),
    api_commands_logged: runs.map((r) => r.commands),
    api_calls_logged: runs.map((r) => r.calls),
    direct_p90_ms: r1(direct.p90LoopMs),
    direct_setup_ms: r1(direct.setupMs),
    direct_iterations: DIRECT_ITERATIONS,
    direct_commands: direct.events,
    direct_volumes_ok: direct.ok,
    workers: 1,
    poll_ms: POLL_MS,
    log_level: LOG_LEVEL,
  });

  workers.push(startProc('worker-2', DIST.worker, workerEnv(2)));
  await waitForWorker(watch, workers[1]);
  await sleep(500);
  log(`${SHORT_RUNS} short runs over ${WORKCELLS} workcells, ${WORKERS} workers, ${SHORT_CONCURRENCY} POSTs in flight...`);
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const short = await shortRuns(shortId, workcellIds, db);
    emit({ bench: 'short_runs', workcells: WORKCELLS, workers: WORKERS, post_concurrency: SHORT_CONCURRENCY, protocol: 'bench_touch_tip (1 step: pickUpTips + dropTips)', ...short });
  } finally {
    await db.end();
  }

  // 3. locks on the same Redis, with the API and workers stopped (less noise).
  watch.disconnect();
  await Promise.all([...workers, stack.apiProc].map((p) => stopProc(p)));
  log(`lock pairs: AssetLockManager vs raw Redis (${LOCK_ASSETS} assets, ${LOCK_CONCURRENCY.join(' and ')} in flight)...`);
  for (const line of await locks(stack.redisUrl)) emit(line);
}

await runBench(main);
