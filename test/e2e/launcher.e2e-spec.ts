import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { freePort } from '../support/net.js';

jest.setTimeout(180_000);

/** `npm start` as a user meets it: the launcher script, its embedded services, crash recovery. */
interface Launch {
  child: ChildProcess;
  port: number;
  dir: string;
  output: () => string;
  exited: Promise<number | null>;
}

const PASSWORD = 'launcher-admin-pw';
const launches: Launch[] = [];

function launch(port: number, dir: string): Launch {
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: String(port), PRAXIS_DATA_DIR: dir, PRAXIS_ADMIN_PASSWORD: PASSWORD, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, like a terminal session
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const l = { child, port, dir, output: () => out, exited };
  launches.push(l);
  return l;
}

async function waitHealthy(l: Launch, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (l.child.exitCode !== null) throw new Error(`launcher exited early:\n${l.output()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${l.port}/api/v1/health`);
      if (r.status === 200 && l.output().includes('Praxis is running')) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not healthy in time:\n${l.output()}`);
}

async function login(port: number, username = 'admin', password = PASSWORD): Promise<{ status: number; token?: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await r.json()) as { accessToken?: string };
  return { status: r.status, token: body.accessToken };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every process the launcher runs: api, worker (pid files), postgres (postmaster.pid), redis. */
function servicePids(dir: string): Record<string, number> {
  const read = (f: string) => Number(readFileSync(f, 'utf8').split('\n')[0].trim());
  return {
    launcher: read(join(dir, 'run', 'launcher.pid')),
    api: read(join(dir, 'run', 'api.pid')),
    worker: read(join(dir, 'run', 'worker.pid')),
    postgres: read(join(dir, 'postgres', 'postmaster.pid')),
    redis: read(join(dir, 'redis', 'redis-server.pid')),
  };
}

async function waitGone(pids: number[], timeoutMs = 30_000): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

afterAll(async () => {
  for (const l of launches) {
    try {
      process.kill(-l.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const l of launches) rmSync(l.dir, { recursive: true, force: true });
});

describe('npm start (scripts/start.mjs)', () => {
  it('starts on embedded PostgreSQL and Redis, recovers from a kill -9 of the launcher, runs side by side, and stops everything on Ctrl-C', async () => {
    const portA = await freePort();
    const dirA = mkdtempSync(join(tmpdir(), 'praxis-launch-a-'));
    const portB = await freePort();
    const dirB = mkdtempSync(join(tmpdir(), 'praxis-launch-b-'));

    // Two instances side by side: different PORT and data dir, embedded services on free ports.
    const a = launch(portA, dirA);
    const b = launch(portB, dirB);
    await Promise.all([waitHealthy(a), waitHealthy(b)]);
    expect(a.output()).toContain(`http://localhost:${portA}/api/docs`);
    const la = await login(portA);
    expect(la.status).toBe(200);
    expect((await login(portB)).status).toBe(200);

    // Data written before the crash.
    const created = await fetch(`http://127.0.0.1:${portA}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${la.token}` },
      body: JSON.stringify({ username: 'survivor', password: 'survivor-pw-1', role: 'viewer' }),
    });
    expect(created.status).toBe(201);

    // A second launcher on the same data dir refuses to start.
    const dup = spawnSync(process.execPath, ['scripts/start.mjs'], {
      env: { ...process.env, PORT: String(await freePort()), PRAXIS_DATA_DIR: dirA, DATABASE_URL: '', REDIS_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/already running/);

    // kill -9 the launcher alone: its api, worker, postgres and redis are orphaned.
    const orphans = servicePids(dirA);
    a.child.kill('SIGKILL');
    await a.exited;
    expect(alive(orphans.api) && alive(orphans.postgres) && alive(orphans.redis)).toBe(true);

    // The next start cleans them up and comes up on the same port with the same data.
    const a2 = launch(portA, dirA);
    await waitHealthy(a2);
    expect(await waitGone([orphans.api, orphans.worker, orphans.postgres, orphans.redis], 1000)).toEqual([]);
    expect(a2.output()).toMatch(/stale/);
    expect((await login(portA, 'survivor', 'survivor-pw-1')).status).toBe(200);

    // Ctrl-C (SIGINT to the whole process group) stops every process and removes the pid files.
    const running = servicePids(dirA);
    process.kill(-a2.child.pid!, 'SIGINT');
    expect(await a2.exited).toBe(0);
    expect(a2.output()).toMatch(/\[praxis\] stopped/);
    expect(await waitGone(Object.values(running))).toEqual([]);
    expect(existsSync(join(dirA, 'run', 'api.pid'))).toBe(false);
    expect(existsSync(join(dirA, 'run', 'launcher.pid'))).toBe(false);

    // SIGTERM to the launcher alone (a service manager) stops its children too.
    const runningB = servicePids(dirB);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(b.output()).toMatch(/\[praxis\] stopped/);
    expect(await waitGone(Object.values(runningB))).toEqual([]);
  });
});
