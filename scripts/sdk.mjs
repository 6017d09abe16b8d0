#!/usr/bin/env node
// `npm run sdk`: regenerate the TypeScript client (packages/client/src/generated) from the committed
// openapi.json with @hey-api/openapi-ts. `npm run sdk -- --check` only reports whether the committed
// client is stale (the integration suite runs it, so CI fails on a stale client).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureDependencies, ROOT } from './lib/project.mjs';

const log = (m) => console.log(`[praxis] ${m}`);
// `--dir=<path>` checks (or writes) another folder: the staleness test uses it on a damaged copy.
const dirArg = process.argv.find((a) => a.startsWith('--dir='));
const TARGET = dirArg ? dirArg.slice('--dir='.length) : join(ROOT, 'packages', 'client', 'src', 'generated');

async function generate(path) {
  const { createClient } = await import('@hey-api/openapi-ts');
  await createClient({
    input: join(ROOT, 'openapi.json'),
    output: { path, clean: true },
    plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
    logs: { level: 'silent' },
  });
}

/** Every file under dir, as relative path -> contents. */
function files(dir, base = dir, out = new Map()) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, base, out);
    else out.set(relative(base, p), readFileSync(p, 'utf8'));
  }
  return out;
}

try {
  ensureDependencies(log);
  if (process.argv.includes('--check')) {
    const tmp = mkdtempSync(join(tmpdir(), 'praxis-sdk-'));
    try {
      await generate(tmp);
      const want = files(tmp);
      let have = new Map();
      try {
        have = files(TARGET);
      } catch {
        /* missing counts as stale */
      }
      const stale = [...new Set([...want.keys(), ...have.keys()])].filter((f) => want.get(f) !== have.get(f));
      if (stale.length) {
        console.error(`[praxis] ${relative(ROOT, TARGET)} is stale (${stale.join(', ')}): run \`npm run sdk\` and commit the result`);
        process.exit(1);
      }
      log(`${relative(ROOT, TARGET)} is up to date`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else {
    await generate(TARGET);
    log(`wrote ${relative(ROOT, TARGET)}`);
  }
} catch (err) {
  console.error(`[praxis] ${err.message}`);
  process.exit(err.exitCode ?? 1);
}
