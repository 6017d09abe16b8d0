#!/usr/bin/env node
// `npm run openapi`: regenerate the committed openapi.json from the controllers (built with the
// Swagger CLI plugin). `npm run openapi -- --check` only reports whether it is stale.
import { DIST, ensureBuild, ensureDependencies, run } from './lib/project.mjs';

const log = (m) => console.log(`[praxis] ${m}`);
try {
  ensureDependencies(log);
  ensureBuild(log);
  run(process.execPath, [DIST.cli, 'openapi', 'openapi.json', ...process.argv.slice(2)]);
} catch (err) {
  console.error(`[praxis] ${err.message}`);
  process.exit(err.exitCode ?? 1);
}
