#!/usr/bin/env node
// `npm test`: install what is missing, type-check everything (tests included), build with the
// Swagger plugin (the OpenAPI staleness test reads the build), then run unit, integration and e2e
// tests against a private PostgreSQL and Redis started by Jest's global setup.
// Extra arguments go to Jest, e.g. `npm test -- test/e2e/auth.e2e-spec.ts`.
import { join } from 'node:path';
import { ensureBuild, ensureDependencies, ROOT, run } from './lib/project.mjs';

const log = (m) => console.log(`[praxis] ${m}`);

try {
  ensureDependencies(log);
  const { ensureChromium, ensureRedisServer, ensureSocat } = await import('./lib/services.mjs');
  ensureRedisServer({ log });
  ensureSocat({ log });
  ensureChromium({ log });
  log('type-checking (tsc --noEmit)...');
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit']);
  ensureBuild(log);
  run(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--runInBand', ...process.argv.slice(2)], {
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim() },
  });
} catch (err) {
  console.error(`[praxis] ${err.message}`);
  process.exit(err.exitCode ?? 1);
}
