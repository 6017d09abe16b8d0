// What the end-to-end benchmarks share: a private PostgreSQL and Redis in a temp folder, `cli.js
// setup` with the demo (simulated STARlet workcell, examples/protocols synced), the built API and
// worker processes, an authenticated HTTP helper, figures helpers, and cleanup of everything
// started (at the end, on an error and on Ctrl-C).
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIST, ROOT, ensureBuild, ensureDependencies, run } from '../../scripts/lib/project.mjs';
import { freePort, startPostgres, startRedis } from '../../scripts/lib/services.mjs';

export const num = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
export const log = (m) => process.stderr.write(`[bench] ${m}\n`);
export const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
export const r1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10) / 10);
export const r3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 1000) / 1000);
export const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** Median (upper middle for an even count, like bench:hardware). */
export const median = (xs) => (xs.length ? sorted(xs)[Math.floor(xs.length / 2)] : null);
/** Nearest-rank percentile. */
export const pct = (xs, p) => (xs.length ? sorted(xs)[Math.max(0, Math.ceil(p * xs.length) - 1)] : null);
export const ms = (iso) => Date.parse(iso);
export const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

// --- processes and cleanup ---------------------------------------------------------------------

const state = { dir: null, pgs: null, redis: null, procs: new Set(), cleaning: null, interrupted: false };

export function startProc(name, script, env) {
  const logFile = join(state.dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const proc = spawn(process.execPath, [script], { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const p = { name, proc, exited, logFile };
  state.procs.add(p);
  return p;
}

export async function stopProc(p, timeoutMs = 15000) {
  if (p.proc.exitCode === null && p.proc.signalCode === null) {
    p.proc.kill('SIGTERM');
    const t = setTimeout(() => p.proc.kill('SIGKILL'), timeoutMs);
    await p.exited;
    clearTimeout(t);
  }
  state.procs.delete(p);
}

export function tail(file, n = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

function cleanup() {
  state.cleaning ??= (async () => {
    await Promise.allSettled([...state.procs].map((p) => stopProc(p)));
    await Promise.allSettled([state.pgs?.stop(), state.redis?.stop()].filter(Boolean));
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  })();
  return state.cleaning;
}

/** Runs `main`, then stops everything it started; exit code 1 on an error, 130 on a signal. */
export async function runBench(main) {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      state.interrupted = true;
      log(`${sig}: stopping everything...`);
      const hard = setTimeout(() => {
        for (const p of state.procs) p.proc.kill('SIGKILL');
        state.redis?.stopSync();
        process.exit(130);
      }, 30000);
      hard.unref();
      void cleanup().finally(() => process.exit(130));
    });
  }
  let failed = false;
  try {
    await main();
  } catch (err) {
    failed = true;
    if (!state.interrupted) log(`failed: ${err instanceof Error ? err.stack : String(err)}`);
    for (const p of state.interrupted ? [] : state.procs) {
      const t = tail(p.logFile, 20);
      if (t) log(`--- last lines of ${p.name}.log ---\n${t}`);
    }
  } finally {
    await cleanup();
  }
  process.exit(state.interrupted ? 130 : failed ? 1 : 0);
}

// --- the stack -----------------------------------------------------------------------------------

/**
 * Builds if needed, starts PostgreSQL and Redis, runs setup with the demo, starts the API and
 * logs in as admin. Answers what the benchmark needs to go on: the temp folder, the processes'
 * environment, the API's base URL, `api(method, path, body)`, and the services' URLs.
 */
export async function startStack({ name, adminPassword = 'bench-admin-pw', logLevel = 'warn' }) {
  ensureDependencies(log);
  ensureBuild(log);
  state.dir = mkdtempSync(join(tmpdir(), `praxis-bench-${name}-`));
  log(`starting PostgreSQL and Redis (temp folder ${state.dir})...`);
  [state.pgs, state.redis] = await Promise.all([
    startPostgres({ dir: join(state.dir, 'pg'), fast: true, logFile: join(state.dir, 'pg.log') }),
    startRedis({ dir: join(state.dir, 'redis'), persistent: false }),
  ]);
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: state.pgs.url,
    REDIS_URL: state.redis.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    PRAXIS_DATA_DIR: join(state.dir, 'data'),
    PRAXIS_ADMIN_PASSWORD: adminPassword,
    PRAXIS_DEMO: 'true',
    LOG_LEVEL: logLevel,
    LOG_PRETTY: 'false',
  };
  log('migrations, seed, demo workcell, examples/protocols (cli.js setup)...');
  run(process.execPath, [DIST.cli, 'setup'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

  const apiProc = startProc('api', DIST.api, env);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/v1/health`)).status === 200) break;
    } catch {
      /* starting */
    }
    if (apiProc.proc.exitCode !== null || i > 600) throw new Error(`the API did not start:\n${tail(apiProc.logFile)}`);
    await sleep(100);
  }
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const token = (await login.json()).accessToken;

  async function api(method, path, body) {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 600)}`);
    return text ? JSON.parse(text) : null;
  }

  return { dir: state.dir, env, base, token, api, apiProc, databaseUrl: state.pgs.url, redisUrl: state.redis.url };
}

/** Resolves once the worker process heartbeats (its key in Redis). */
export async function waitForWorker(client, p) {
  const until = Date.now() + 60000;
  for (;;) {
    if ((await client.keys(`praxis:workers:*:${p.proc.pid}:*`)).length) return;
    if (p.proc.exitCode !== null || Date.now() > until) throw new Error(`${p.name} did not start:\n${tail(p.logFile)}`);
    await sleep(100);
  }
}

/** The demo workcell as setup seeded it, with its STARlet, layout, deck and resources. */
export async function demoWorkcell(api) {
  const workcell = (await api('GET', '/api/v1/workcells?search=demo&limit=10')).items.find((w) => w.name === 'demo');
  if (!workcell) throw new Error('setup did not seed the demo workcell');
  const starlet = (await api('GET', `/api/v1/machines?workcellId=${workcell.id}&category=LiquidHandler`)).items[0];
  const layout = (await api('GET', `/api/v1/deck-layouts?workcellId=${workcell.id}`)).items.find((l) => l.name === 'demo_layout');
  const deck = (await api('GET', `/api/v1/decks?workcellId=${workcell.id}`)).items.find((d) => d.layoutId === layout.id);
  const resources = new Map((await api('GET', `/api/v1/resources?workcellId=${workcell.id}&limit=1000`)).items.map((r) => [r.name, r]));
  const plate = (await api('GET', '/api/v1/protocols/definitions?name=plate_replication&current=true')).items[0];
  if (!plate) throw new Error('plate_replication is not among the synced protocols (examples/protocols)');
  return { workcell, starlet, layout, deck, resources, plate };
}
