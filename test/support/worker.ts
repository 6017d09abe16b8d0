import { spawn, type ChildProcess } from 'node:child_process';
import type { TestApp } from './app.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

export interface WorkerProcess {
  proc: ChildProcess;
  output: () => string;
  /** Every complete line the worker wrote to stdout (its JSON log), oldest first. */
  stdoutLines: () => string[];
  /** Every complete line it wrote to stderr. */
  stderrLines: () => string[];
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }>;
}

/** Starts the built worker (dist) as a real process against the given database and Redis; resolves once it heartbeats. */
export async function startWorker(databaseUrl: string, redisUrl: string, redis: Redis, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [join(process.cwd(), 'dist', 'apps', 'worker', 'src', 'main.js')], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      PRAXIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'praxis-worker-')),
      WORKER_HEARTBEAT_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
      // Several workers run at once in some tests: no fixed metrics port unless a test asks for one.
      WORKER_METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  /** Complete lines of one stream (the last 50,000), and the output tail of both. */
  const collect = (stream: NodeJS.ReadableStream): string[] => {
    const lines: string[] = [];
    let partial = '';
    stream.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-20000);
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      lines.push(...parts.filter((l) => l.trim()));
      if (lines.length > 50000) lines.splice(0, lines.length - 50000);
    });
    return lines;
  };
  const lines = collect(proc.stdout!);
  const errLines = collect(proc.stderr!);
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const until = Date.now() + 30000;
  for (;;) {
    const keys = await redis.keys(`praxis:workers:*:${proc.pid}:*`);
    if (keys.length) break;
    if (proc.exitCode !== null || Date.now() > until) throw new Error(`worker did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    output: () => output,
    stdoutLines: () => [...lines],
    stderrLines: () => [...errLines],
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A run's GET, and a poll until its status is one of `statuses` (answering the run). `http` and
 * `auth` are read at each call: test files set them in beforeAll.
 */
export function runPolling(http: () => TestApp['http'], auth: () => Record<string, string>, defaultTimeoutMs = 30000) {
  const get = async (id: string) => (await http().get(`/api/v1/runs/${id}`).set(auth()).expect(200)).body;
  const until = (id: string, statuses: string[], timeoutMs = defaultTimeoutMs) =>
    eventually(async () => {
      const r = await get(id);
      return statuses.includes(r.status) ? r : undefined;
    }, `run ${id} to be ${statuses.join('/')}`, timeoutMs);
  return { get, until };
}
