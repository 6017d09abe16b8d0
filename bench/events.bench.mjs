#!/usr/bin/env node
// npm run bench:events — live events end to end. Starts a private PostgreSQL and Redis, runs
// `cli.js setup` with the demo, starts the built API and one worker (dist), and prints one JSON
// line per figure set. Figures, not a pass/fail test:
//
// 1. BENCH_CLIENTS (500) Socket.IO clients (websocket transport, one connection each, spread over
//    BENCH_CLIENT_PROCS child processes: bench/lib/event-clients.mjs) subscribed to one plate_replication run (96 steps, 384 commands: about a thousand
//    events) on the demo workcell. The run is created with `scheduledAt` a few seconds ahead so every
//    client has subscribed before it starts. Latency per event and client: the client's receipt
//    time − the event's `at` (set by the worker, or the API for status changes, when it emits the
//    event). Only events that came live count (seq above the subscribe acknowledgement's lastSeq).
//    p50 / p99 / max over every (client, event) pair, median over BENCH_EVENT_RUNS runs' p99.
//    Goal: p99 < 100 ms. Beside it, `published_*`: `at` → the batch on the Redis channel (the
//    worker's part: storing and publishing), seen by this process's own subscriber; `probe_*`: one
//    more client in this process, subscribed after the 500 (the server writes to it last), i.e.
//    the server side without the client processes' own backlog; and the CPU
//    time the API, the worker and the client processes used while the run went on (the machine's
//    cores are shared by all of them).
// 2. Replay: a run whose log holds BENCH_REPLAY_EVENTS (10,000) stored events (copies of the
//    measured run's, written straight into run_events) and a new subscriber with afterSeq 0: time
//    from `subscribe` to the last event received, and to the acknowledgement. Median of
//    BENCH_REPLAY_ROUNDS rounds, each on a new connection.
//
// Everything it starts (processes, temp folder) is stopped and removed at the end, on an error and
// on Ctrl-C.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { io } from 'socket.io-client';
import { DIST, ROOT } from '../scripts/lib/project.mjs';
import { TERMINAL, demoWorkcell, emit, log, median, num, pct, r1, runBench, startProc, startStack, waitForWorker } from './lib/stack.mjs';

const CLIENTS = num('BENCH_CLIENTS', 500);
const CLIENT_PROCS = Math.max(1, num('BENCH_CLIENT_PROCS', 2));
const RUNS = num('BENCH_EVENT_RUNS', 3);
const REPLAY_EVENTS = num('BENCH_REPLAY_EVENTS', 10000);
const REPLAY_ROUNDS = num('BENCH_REPLAY_ROUNDS', 5);
/** How far ahead the measured run is scheduled, for the subscriptions to be in place before it starts. */
const LEAD_MS = num('BENCH_LEAD_MS', 4000);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const VOLUME = 2;

/** A child process holding a share of the clients, driven over IPC (see bench/lib/event-clients.mjs). */
class ClientProcess {
  constructor() {
    this.proc = fork(join(ROOT, 'bench', 'lib', 'event-clients.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.pending = new Map();
    this.next = 0;
    this.proc.on('message', ({ id, ok, result, error }) => {
      const p = this.pending.get(id);
      this.pending.delete(id);
      if (ok) p.resolve(result);
      else p.reject(new Error(error));
    });
    this.proc.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`client process exited (${code})`));
      this.pending.clear();
    });
  }
  call(cmd, args) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.send({ id, cmd, args });
    });
  }
  close() {
    this.proc.disconnect();
  }
}

/** CPU time (ms) a process has used so far, from /proc. */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 10 ms clock ticks
  } catch {
    return null;
  }
}

async function waitFor(check, what, timeoutMs = 120000, everyMs = 20) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function main() {
  const stack = await startStack({ name: 'events', logLevel: LOG_LEVEL });
  const { api } = stack;
  const { workcell, plate } = await demoWorkcell(api);
  const watch = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
  watch.on('error', () => undefined);
  const worker = startProc('worker', DIST.worker, { ...stack.env, PRAXIS_DATA_DIR: `${stack.dir}/worker` });
  await waitForWorker(watch, worker);
  // The channel as the API instances see it: when each event of the measured run was published
  // (stored and sent by the worker), to split the latency into worker + database and delivery.
  const channel = { runId: null, latency: [] };
  await watch.subscribe('praxis:events');
  watch.on('message', (_c, text) => {
    const now = Date.now();
    const msg = JSON.parse(text);
    if (msg.runId !== channel.runId) return;
    for (const e of msg.events) channel.latency.push(now - Date.parse(e.at));
  });
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();

  const lastSeqOf = async (runId) => (await db.query('SELECT "lastEventSeq" AS n, status FROM runs WHERE id = $1', [runId])).rows[0];
  const runToEnd = async (runId) => waitFor(async () => {
    const r = await lastSeqOf(runId);
    return TERMINAL.has(r.status) ? r : null;
  }, `run ${runId} to end`);

  try {
    const procs = Array.from({ length: CLIENT_PROCS }, () => new ClientProcess());
    const share = (i) => Math.floor(CLIENTS / CLIENT_PROCS) + (i < CLIENTS % CLIENT_PROCS ? 1 : 0);

    // Warm-up (not counted): a run followed by one client.
    log('warm-up run...');
    const warm = await api('POST', '/api/v1/runs', { protocolId: plate.id, workcellId: workcell.id, parameters: { volume: VOLUME } });
    const w = await runToEnd(warm.id);
    if (w.status !== 'completed') throw new Error(`warm-up run ended ${w.status}`);
    await procs[0].call('replay', { base: stack.base, token: stack.token, runId: warm.id, events: w.n });

    log(`connecting ${CLIENTS} clients in ${CLIENT_PROCS} processes...`);
    const t0 = performance.now();
    await Promise.all(procs.map((p, i) => p.call('connect', { base: stack.base, token: stack.token, count: share(i) })));
    const connectMs = performance.now() - t0;
    // A probe in this (otherwise idle) process, subscribed after the others (so written to last in
    // each broadcast): the server side's latency without the client processes' own backlog.
    const probe = { runId: null, ack: 0, latency: [] };
    const probeSocket = io(`${stack.base}/events`, { transports: ['websocket'], auth: { token: stack.token }, reconnection: false, forceNew: true });
    await new Promise((resolve, reject) => {
      probeSocket.once('connect', resolve);
      probeSocket.once('connect_error', reject);
    });
    probeSocket.on('events', (batch) => {
      const now = Date.now();
      for (const e of batch) if (e.runId === probe.runId && e.seq > probe.ack) probe.latency.push(now - Date.parse(e.at));
    });

    const results = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await api('POST', '/api/v1/runs', { protocolId: plate.id, workcellId: workcell.id, parameters: { volume: VOLUME }, scheduledAt: new Date(Date.now() + LEAD_MS).toISOString() });
      channel.runId = run.id;
      channel.latency = [];
      const ts = performance.now();
      await Promise.all(procs.map((p) => p.call('subscribe', { runId: run.id })));
      probe.runId = run.id;
      probe.latency = [];
      probe.ack = Infinity;
      probe.ack = (await probeSocket.timeout(60000).emitWithAck('subscribe', { runId: run.id })).lastSeq;
      const subscribeMs = performance.now() - ts;
      const startedBefore = (await lastSeqOf(run.id)).status !== 'scheduled';
      const cpu0 = { api: cpuMs(stack.apiProc.proc.pid), worker: cpuMs(worker.proc.pid) };
      const load0 = loadavg()[0];
      log(`run ${i + 1}/${RUNS}: ${CLIENTS} subscribed in ${Math.round(subscribeMs)} ms; waiting for it to run...`);
      const end = await runToEnd(run.id);
      if (end.status !== 'completed') throw new Error(`run ${run.id} ended ${end.status}`);
      const got = await Promise.all(procs.map((p) => p.call('collect', { runId: run.id, lastSeq: end.n })));
      const cpu = { api: cpuMs(stack.apiProc.proc.pid) - cpu0.api, worker: cpuMs(worker.proc.pid) - cpu0.worker, clients: Math.round(got.reduce((a, g) => a + g.cpuMs, 0)) };
      const times = (await db.query(`SELECT "startedAt", "endedAt" FROM runs WHERE id = $1`, [run.id])).rows[0];
      const lat = got.flatMap((g) => g.latency).sort((a, b) => a - b);
      const messages = got.reduce((a, g) => a + g.messages, 0);
      const line = {
        bench: 'events_live',
        run: i + 1,
        clients: CLIENTS,
        events: end.n,
        live_samples: lat.length,
        p50_ms: r1(pct(lat, 0.5)),
        p99_ms: r1(pct(lat, 0.99)),
        max_ms: r1(lat[lat.length - 1]),
        mean_ms: r1(lat.reduce((a, b) => a + b, 0) / (lat.length || 1)),
        published_p50_ms: r1(pct(channel.latency, 0.5)),
        published_p99_ms: r1(pct(channel.latency, 0.99)),
        probe_p50_ms: r1(pct(probe.latency, 0.5)),
        probe_p99_ms: r1(pct(probe.latency, 0.99)),
        messages_per_client: r1(messages / CLIENTS),
        every_client_got_every_seq_once_in_order: got.every((g) => g.complete),
        subscribed_before_start: !startedBefore,
        run_ms: times.endedAt.getTime() - times.startedAt.getTime(),
        cpu_ms_during_run: cpu,
        machine: { cpus: availableParallelism(), loadavg_1m_before: r1(load0), loadavg_1m_after: r1(loadavg()[0]) },
        subscribe_all_ms: Math.round(subscribeMs),
        goal: 'p99 < 100 ms',
      };
      emit(line);
      results.push(line);
    }
    emit({
      bench: 'events_live_summary',
      clients: CLIENTS,
      client_processes: CLIENT_PROCS,
      runs: RUNS,
      p50_ms_median: median(results.map((r) => r.p50_ms)),
      p99_ms_median: median(results.map((r) => r.p99_ms)),
      p99_ms_runs: results.map((r) => r.p99_ms),
      connect_all_ms: Math.round(connectMs),
      goal: 'p99 < 100 ms',
      measured: 'client receipt (Date.now) - event.at (set when the worker or the API emitted it), live events only, every client and event',
    });
    await Promise.all(procs.map((p) => p.call('close')));
    probeSocket.close();

    // 2. Replay of a long log to a new subscriber.
    const source = results.length ? (await db.query(`SELECT id FROM runs WHERE "protocolName" = 'plate_replication' AND status = 'completed' ORDER BY "createdAt" DESC LIMIT 1`)).rows[0].id : warm.id;
    const sourceCount = (await lastSeqOf(source)).n;
    const long = await api('POST', '/api/v1/runs', { protocolId: plate.id, workcellId: workcell.id, parameters: { volume: VOLUME }, scheduledAt: new Date(Date.now() + 3600_000).toISOString() });
    await db.query('DELETE FROM run_events WHERE "runId" = $1', [long.id]);
    await db.query(
      `INSERT INTO run_events ("runId", seq, type, at, payload)
       SELECT $1, g + 1, e.type, e.at, e.payload FROM generate_series(0, $2 - 1) g JOIN run_events e ON e."runId" = $3 AND e.seq = (g % $4) + 1`,
      [long.id, REPLAY_EVENTS, source, sourceCount],
    );
    await db.query('UPDATE runs SET "lastEventSeq" = $2 WHERE id = $1', [long.id, REPLAY_EVENTS]);
    const bytes = (await db.query(`SELECT sum(length(payload::text))::int AS b FROM run_events WHERE "runId" = $1`, [long.id])).rows[0].b;
    const rounds = [];
    for (let i = 0; i < REPLAY_ROUNDS + 1; i++) {
      const r = await procs[0].call('replay', { base: stack.base, token: stack.token, runId: long.id, events: REPLAY_EVENTS });
      if (i > 0) rounds.push(r); // the first round warms up
    }
    for (const p of procs) p.close();
    const replayMs = median(rounds.map((r) => r.lastEventMs));
    emit({
      bench: 'events_replay',
      events: REPLAY_EVENTS,
      payload_mb: r1(bytes / 1e6),
      rounds: REPLAY_ROUNDS,
      replay_ms: r1(replayMs),
      replay_ack_ms: r1(median(rounds.map((r) => r.ackMs))),
      events_per_s: Math.round((REPLAY_EVENTS / replayMs) * 1000),
      replay_ms_rounds: rounds.map((r) => r1(r.lastEventMs)),
      messages: rounds[0]?.messages ?? null,
      every_seq_once_in_order: rounds.every((r) => r.ok),
      measured: 'subscribe { runId, afterSeq: 0 } emitted -> the 10,000th event received (new connection each round, first round not counted)',
    });
  } finally {
    watch.disconnect();
    await db.end();
  }
}

await runBench(main);
