// Shared by the project scripts: install what is missing, build when sources changed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const e = new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    e.exitCode = r.status ?? 1;
    throw e;
  }
  return r;
}

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function newest(dir, skip = new Set(['node_modules', 'dist'])) {
  let max = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const p = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p, skip) : mtime(p));
  }
  return max;
}

/**
 * Installs from the committed lockfile when node_modules is missing or older than it.
 * `npm install --no-save` rather than `npm ci`: the registry mirror this project is built against
 * lacks some other-platform optional binaries (e.g. @swc/core-darwin-*), so the lockfile cannot
 * list them and `npm ci` refuses it; `install --no-save` installs the same locked tree and never
 * rewrites package-lock.json.
 */
export function ensureDependencies(log = console.log) {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && mtime(marker) >= mtime(lock) && mtime(marker) >= mtime(join(ROOT, 'package.json'))) return;
  log('installing dependencies (npm install from package-lock.json)...');
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error']);
}

const BUILD_STAMP = join(ROOT, 'dist', '.build-stamp');

/** `nest build` (tsc with the Swagger plugin) when any source is newer than the last build. */
export function ensureBuild(log = console.log, { force = false } = {}) {
  const sources = Math.max(
    newest(join(ROOT, 'apps')),
    newest(join(ROOT, 'libs')),
    newest(join(ROOT, 'migrations')),
    mtime(join(ROOT, 'tsconfig.json')),
    mtime(join(ROOT, 'tsconfig.build.json')),
    mtime(join(ROOT, 'nest-cli.json')),
    mtime(join(ROOT, 'package-lock.json')),
  );
  if (!force && existsSync(BUILD_STAMP) && mtime(BUILD_STAMP) >= sources) return false;
  log('building (nest build)...');
  run(process.execPath, [join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', 'api']);
  writeFileSync(BUILD_STAMP, new Date().toISOString());
  return true;
}

export const DIST = {
  api: join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js'),
  worker: join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js'),
  cli: join(ROOT, 'dist', 'apps', 'api', 'src', 'cli.js'),
  cliDataSource: join(ROOT, 'dist', 'libs', 'database', 'src', 'cli-data-source.js'),
};
