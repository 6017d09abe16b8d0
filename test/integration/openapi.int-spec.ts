import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const cli = join(process.cwd(), 'dist', 'apps', 'api', 'src', 'cli.js');

describe('openapi.json', () => {
  it('is built (npm test builds with the Swagger plugin before Jest runs)', () => {
    expect(existsSync(cli)).toBe(true);
  });

  it('is committed and up to date with the controllers (run `npm run openapi` if this fails)', () => {
    const r = spawnSync(process.execPath, [cli, 'openapi', 'openapi.json', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the check fails on a stale document', () => {
    const stale = join(mkdtempSync(join(tmpdir(), 'praxis-openapi-')), 'openapi.json');
    const doc = JSON.parse(readFileSync('openapi.json', 'utf8'));
    delete doc.paths['/api/v1/auth/me'];
    writeFileSync(stale, JSON.stringify(doc, null, 2));
    const r = spawnSync(process.execPath, [cli, 'openapi', stale, '--check'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/stale/);
  });

  it('documents the contract: paths, verb-like operation ids, bearer auth, DTO schemas from the plugin', () => {
    const out = execFileSync(process.execPath, [cli, 'openapi', join(mkdtempSync(join(tmpdir(), 'praxis-openapi-')), 'o.json')], { encoding: 'utf8' });
    expect(out).toMatch(/Wrote/);
    const doc = JSON.parse(readFileSync('openapi.json', 'utf8'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/.well-known/jwks.json',
        '/api/v1/auth/login',
        '/api/v1/auth/me',
        '/api/v1/health',
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/workcells',
        '/api/v1/resources',
        '/api/v1/resources/definitions',
        '/api/v1/resources/definitions/facets',
        '/api/v1/machines',
        '/api/v1/machines/{id}/status',
        '/api/v1/machines/definitions',
        '/api/v1/decks',
        '/api/v1/decks/types',
        '/api/v1/deck-layouts',
        '/api/v1/deck-layouts/{id}/render',
        '/api/v1/discovery/sync',
      ]),
    );
    // Every operation has a unique, verb-like id (what a generated client calls).
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops as Record<string, { operationId: string }>).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(get|list|create|update|delete|login|set|sync|render|simulate|start|control|answer|release|pause|resume|cancel|restart|reconcile)[A-Z]?/);
    expect(doc.paths['/api/v1/auth/login'].post.operationId).toBe('login');
    expect(doc.paths['/api/v1/users'].get.operationId).toBe('listUsers');
    expect(doc.paths['/api/v1/users/{id}'].patch.operationId).toBe('updateUser');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    // The CLI plugin (not hand-written decorators) produced the DTO schema, with validation rules.
    expect(doc.components.schemas.LoginDto.properties.username).toMatchObject({ type: 'string', minLength: 1, maxLength: 64 });
    expect(doc.components.schemas.LoginDto.required.sort()).toEqual(['password', 'username']);
  });
});
