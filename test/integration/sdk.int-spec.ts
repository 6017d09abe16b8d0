import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const sdk = join(process.cwd(), 'scripts', 'sdk.mjs');
const generated = join(process.cwd(), 'packages', 'client', 'src', 'generated');

function check(dir?: string) {
  return spawnSync(process.execPath, [sdk, '--check', ...(dir ? [`--dir=${dir}`] : [])], { encoding: 'utf8' });
}

describe('packages/client (the generated TypeScript client)', () => {
  it('is committed and up to date with openapi.json (run `npm run sdk` if this fails)', () => {
    const r = check();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('the check fails on a stale client, naming the file', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'praxis-sdk-')), 'generated');
    cpSync(generated, copy, { recursive: true });
    const sdkFile = join(copy, 'sdk.gen.ts');
    writeFileSync(sdkFile, readFileSync(sdkFile, 'utf8').replace(/export const pauseRun[\s\S]*?\n\n/, ''));
    const r = check(copy);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/stale \(sdk\.gen\.ts\)/);
  }, 60_000);

  it('names operations as verbs a user calls', async () => {
    const client = await import('@praxis/client');
    for (const op of ['login', 'syncProtocolSource', 'startRun', 'pauseRun', 'resumeRun', 'cancelRun', 'restartRun', 'answerRunInput', 'getRun', 'listRuns', 'listRunCommands', 'listRunEvents', 'connect']) {
      expect(typeof (client as Record<string, unknown>)[op]).toBe('function');
    }
  });

  it('builds as a package of its own (npm run build in packages/client: JavaScript and typings) that loads without the monorepo', async () => {
    const out = mkdtempSync(join(tmpdir(), 'praxis-client-build-'));
    const r = spawnSync(process.execPath, [join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'packages/client/tsconfig.build.json', '--outDir', out], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync('packages/client/package.json', 'utf8')) as { exports: { '.': { import: string; types: string } } };
    expect(readFileSync(join(out, pkg.exports['.'].types.replace('./dist/', '')), 'utf8')).toMatch(/export declare function connect/);
    // Plain Node, no TypeScript loader: the built module and its operations.
    const check = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const c = await import(${JSON.stringify(join(out, pkg.exports['.'].import.replace('./dist/', '')))}); console.log(['startRun','pauseRun','resumeRun','cancelRun','restartRun','login','connect'].map((n) => typeof c[n]).join(','))`],
      { encoding: 'utf8' },
    );
    expect(check.stderr).toBe('');
    expect(check.stdout.trim()).toBe(Array(7).fill('function').join(','));
  }, 60_000);
});
