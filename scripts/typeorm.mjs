#!/usr/bin/env node
// npm run migration:generate -- <Name>   (diff entities against the migrated schema into migrations/)
// npm run migration:run | migration:revert
// Without DATABASE_URL, generate uses a throwaway embedded PostgreSQL; run/revert use the
// embedded cluster of `npm start` (stopped), so nothing needs to be running.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DIST, ensureBuild, ensureDependencies, ROOT, run } from './lib/project.mjs';
import { cmdlineOf, pidAlive, startPostgres } from './lib/services.mjs';

const [command, ...rest] = process.argv.slice(2);
const log = (m) => console.log(`[praxis] ${m}`);

/** Rewrites migrations/index.ts to import every migration file, oldest first. */
export function writeMigrationIndex() {
  const dir = join(ROOT, 'migrations');
  const files = readdirSync(dir).filter((f) => /^\d+-.+\.ts$/.test(f)).sort();
  const entries = files.map((f) => {
    const m = /export class (\w+)/.exec(readFileSync(join(dir, f), 'utf8'));
    if (!m) throw new Error(`migrations/${f} has no exported class`);
    return { file: f.replace(/\.ts$/, '.js'), cls: m[1] };
  });
  const body = [
    '// The migrations, in order. Kept up to date by `npm run migration:generate`.',
    ...entries.map((e) => `import { ${e.cls} } from './${e.file}';`),
    '',
    `export const MIGRATIONS: Function[] = [${entries.map((e) => e.cls).join(', ')}];`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'index.ts'), body);
}

async function withDatabase(fn, { throwaway }) {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  let dir;
  if (throwaway) dir = mkdtempSync(join(tmpdir(), 'praxis-migrate-'));
  else {
    const dataDir = resolve(ROOT, process.env.PRAXIS_DATA_DIR ?? '.praxis');
    const launcher = join(dataDir, 'run', 'launcher.pid');
    if (existsSync(launcher)) {
      const pid = Number(readFileSync(launcher, 'utf8'));
      if (pidAlive(pid) && cmdlineOf(pid).includes('start.mjs')) {
        throw new Error(`Praxis is running (pid ${pid}) on ${dataDir}; it applies migrations when it starts. Stop it first.`);
      }
    }
    dir = dataDir;
  }
  const pg = await startPostgres({ dir: join(dir, 'postgres'), fast: throwaway, log, logFile: join(dir, 'postgres.log') });
  try {
    return await fn(pg.url);
  } finally {
    await pg.stop();
    if (throwaway) rmSync(dir, { recursive: true, force: true });
  }
}

const typeorm = (url, args) =>
  run(process.execPath, [join(ROOT, 'node_modules', 'typeorm', 'cli.js'), ...args, '-d', DIST.cliDataSource], {
    env: { ...process.env, DATABASE_URL: url },
  });

async function main() {
  ensureDependencies(log);
  ensureBuild(log);
  switch (command) {
    case 'migration:generate': {
      const name = rest.find((a) => !a.startsWith('-'));
      if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error('usage: npm run migration:generate -- <PascalCaseName>');
      await withDatabase(
        async (url) => {
          typeorm(url, ['migration:run']);
          typeorm(url, ['migration:generate', join('migrations', name), '--pretty']);
        },
        { throwaway: true },
      );
      writeMigrationIndex();
      ensureBuild(log, { force: true });
      log('migration written to migrations/ and listed in migrations/index.ts; review it and commit it');
      return;
    }
    case 'migration:run':
    case 'migration:revert':
      await withDatabase(async (url) => typeorm(url, [command]), { throwaway: false });
      return;
    default:
      throw new Error('usage: node scripts/typeorm.mjs <migration:generate NAME | migration:run | migration:revert>');
  }
}

main().catch((err) => {
  console.error(`[praxis] ${err.message}`);
  process.exit(err.exitCode ?? 1);
});
