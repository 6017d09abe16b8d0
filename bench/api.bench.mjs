#!/usr/bin/env node
// npm run bench:api — list endpoint vs a bare authenticated endpoint of the same app, under load.
// Seeds 10,000 resources and 1,000 machines into a private PostgreSQL, starts the API as its own
// process, and drives it with autocannon from this one. Prints one JSON line per endpoint and a
// ratio line. Each endpoint is measured twice: flat out (throughput; latency there is mostly
// queueing) and at a fixed rate of BENCH_RATE requests/s (latency under a steady load).
// Figures, not a pass/fail test.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { DIST, ensureBuild, ensureDependencies, run } from '../scripts/lib/project.mjs';
import { freePort, startPostgres, startRedis } from '../scripts/lib/services.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
/** Requests per second of the fixed-rate phase, where latency is measured below saturation. */
const RATE = Number(process.env.BENCH_RATE ?? 300);
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

ensureDependencies(log);
ensureBuild(log);
const dir = mkdtempSync(join(tmpdir(), 'praxis-bench-'));
const [pgs, redis] = await Promise.all([
  startPostgres({ dir: join(dir, 'pg'), fast: true, logFile: join(dir, 'pg.log') }),
  startRedis({ dir: join(dir, 'redis'), persistent: false }),
]);
let api;
try {
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: pgs.url,
    REDIS_URL: redis.url,
    PORT: String(port),
    PRAXIS_DATA_DIR: join(dir, 'data'),
    PRAXIS_ADMIN_PASSWORD: 'bench-admin-pw',
    PRAXIS_DEMO: 'false',
    LOG_LEVEL: 'warn',
  };
  run(process.execPath, [DIST.cli, 'setup'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

  log('seeding 10 workcells, 1,000 machines, 10,000 resources...');
  const db = new pg.Client({ connectionString: pgs.url });
  await db.connect();
  await db.query(`INSERT INTO workcells (id, name, properties, "createdAt", "updatedAt")
                  SELECT gen_random_uuid(), 'wc-' || g, '{}', now(), now() FROM generate_series(1, 10) g`);
  await db.query(`INSERT INTO machines (id, name, "workcellId", "definitionId", category, backend, "connectionConfig", status, properties, "createdAt", "updatedAt")
                  SELECT gen_random_uuid(), 'm-' || g, w.id, d.id, d.category, 'simulator', '{}', 'available', '{}', now() - (g || ' seconds')::interval, now()
                  FROM generate_series(1, 1000) g
                  JOIN LATERAL (SELECT id FROM workcells ORDER BY name OFFSET (g % 10) LIMIT 1) w ON true
                  JOIN LATERAL (SELECT id, category FROM machine_definitions ORDER BY name OFFSET (g % 3) LIMIT 1) d ON true`);
  await db.query(`INSERT INTO resources (id, name, "definitionId", category, "workcellId", status, properties, "createdAt", "updatedAt")
                  SELECT gen_random_uuid(), 'r-' || g, d.id, d.category, w.id, 'available_in_storage', jsonb_build_object('batch', g % 100), now() - (g || ' seconds')::interval, now()
                  FROM generate_series(1, 10000) g
                  JOIN LATERAL (SELECT id FROM workcells ORDER BY name OFFSET (g % 10) LIMIT 1) w ON true
                  JOIN LATERAL (SELECT id, category FROM resource_definitions ORDER BY name OFFSET (g % 12) LIMIT 1) d ON true`);
  await db.query('VACUUM ANALYZE');
  if (process.env.BENCH_EXPLAIN) {
    for (const sql of [
      `SELECT r.*, count(*) OVER () FROM resources r WHERE category = 'plate' ORDER BY "createdAt" DESC, id DESC LIMIT 50`,
      `SELECT r.* FROM resources r WHERE category = 'plate' ORDER BY "createdAt" DESC, id DESC LIMIT 50`,
      `SELECT count(*) FROM resources r WHERE category = 'plate'`,
    ]) {
      const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
      log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
  }
  const counts = (await db.query(`SELECT (SELECT count(*) FROM resources)::int AS resources, (SELECT count(*) FROM machines)::int AS machines,
                                         (SELECT count(*) FROM resources WHERE category = 'plate')::int AS plates`)).rows[0];
  await db.end();
  log(`seeded ${JSON.stringify(counts)}`);

  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  api = spawn(process.execPath, [...profile, DIST.api], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/api/v1/health`)).status === 200) break;
    } catch {
      /* starting */
    }
    await sleep(100);
  }
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'bench-admin-pw' }),
  });
  const { accessToken } = await login.json();
  const headers = { authorization: `Bearer ${accessToken}` };
  const list = '/api/v1/resources?limit=50&category=plate&sort=-createdAt';
  const check = await (await fetch(base + list, { headers })).json();
  if (check.items?.length !== 50) throw new Error(`list endpoint answered ${JSON.stringify(check).slice(0, 200)}`);

  const load = (path, extra = {}) =>
    new Promise((resolve, reject) =>
      autocannon({ url: base + path, connections: CONNECTIONS, duration: DURATION, headers, ...extra }, (err, r) => (err ? reject(err) : resolve(r))),
    );
  const results = {};
  await load(list); // warm-up: JIT, pools, caches
  for (const [name, path] of [
    ['bare', '/api/v1/auth/me'],
    ['list', list],
  ]) {
    const flat = await load(path);
    const steady = await load(path, { overallRate: RATE });
    results[name] = { flat, steady };
    const line = {
      endpoint: name,
      path,
      rps: Math.round(flat.requests.average),
      p50_ms: flat.latency.p50,
      p99_ms: flat.latency.p99,
      rate_rps: RATE,
      p50_at_rate_ms: steady.latency.p50,
      p99_at_rate_ms: steady.latency.p99,
      non2xx: flat.non2xx + steady.non2xx,
      errors: flat.errors + steady.errors,
      connections: CONNECTIONS,
      duration_s: DURATION,
      seeded: counts,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  const ratio = results.list.flat.requests.average / results.bare.flat.requests.average;
  process.stdout.write(
    `${JSON.stringify({
      ratio_list_to_bare_rps: Number(ratio.toFixed(3)),
      list_p99_at_rate_ms: results.list.steady.latency.p99,
      list_p99_flat_out_ms: results.list.flat.latency.p99,
      goal: `ratio >= 0.5 and list p99 < 25 ms (at ${RATE} req/s)`,
      met: ratio >= 0.5 && results.list.steady.latency.p99 < 25,
    })}\n`,
  );
} finally {
  api?.kill('SIGTERM');
  await new Promise((r) => (api && api.exitCode === null ? api.once('exit', r) : r()));
  await Promise.allSettled([pgs.stop(), redis.stop()]);
  rmSync(dir, { recursive: true, force: true });
}
