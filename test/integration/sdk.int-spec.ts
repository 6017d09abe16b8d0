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
});
