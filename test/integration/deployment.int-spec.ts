// The production topology (docker/) and the documentation cannot drift from the code: compose
// sets only variables Praxis reads, every variable Praxis reads is documented in the README, the
// image copies what the build needs, and every long-running service has a health check. (No
// Docker engine runs here; the images are exercised by `npm start`, which runs the same dist.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { EnvironmentVariables } from '@praxis/config';
import { getMetadataStorage } from 'class-validator';
import { load } from 'js-yaml';

type Service = { image?: string; build?: { target?: string }; healthcheck?: { test?: unknown; disable?: boolean }; environment?: Record<string, unknown>; depends_on?: Record<string, { condition: string }> };
const compose = load(readFileSync('docker/compose.yml', 'utf8')) as { services: Record<string, Service>; 'x-praxis-env': Record<string, unknown> };
const dockerfile = readFileSync('docker/Dockerfile', 'utf8');
const readme = readFileSync('README.md', 'utf8');

/** Every variable the config schema validates (class-validator metadata of EnvironmentVariables). */
function schemaVariables(): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))].sort();
}

describe('deployment and documentation', () => {
  it('compose runs the production topology, each long-running service with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'keycloak', 'mailpit', 'migrate', 'postgres', 'redis', 'worker']);
    for (const name of ['postgres', 'redis', 'keycloak', 'mailpit']) expect(compose.services[name]!.healthcheck?.test).toBeTruthy();
    // api and worker: the images' own HEALTHCHECK (compose does not disable it).
    expect(compose.services.api!.healthcheck?.disable).not.toBe(true);
    expect(compose.services.worker!.healthcheck?.disable).not.toBe(true);
    const targets = dockerfile.split(/^FROM /m).slice(1);
    const stage = (name: string) => targets.find((t) => new RegExp(`AS ${name}\\s`).test(t)) ?? '';
    expect(stage('api')).toMatch(/HEALTHCHECK/);
    expect(stage('worker')).toMatch(/HEALTHCHECK/);
    // The api and worker wait for migrations and healthy dependencies.
    expect(compose.services.api!.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
    expect(compose.services.worker!.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
    expect(compose.services.api!.build?.target).toBe('api');
    expect(compose.services.worker!.build?.target).toBe('worker');
  });

  it('compose sets only variables Praxis reads', () => {
    const known = new Set(schemaVariables());
    const unknown = Object.keys(compose['x-praxis-env']).filter((k) => !known.has(k));
    expect(unknown).toEqual([]);
  });

  it('the README documents every variable Praxis reads', () => {
    const table = readme.slice(readme.indexOf('## Configuration'));
    const missing = schemaVariables().filter((v) => !table.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });

  it('the image build copies every folder the build and the runtime read', () => {
    const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include?: string[] };
    const roots = new Set((build.include ?? []).map((p) => p.split('/')[0]!));
    for (const root of roots) expect(dockerfile).toMatch(new RegExp(`COPY ${root} \\./${root}`));
  });

  it('the Keycloak realm defines the three roles and gives tokens the API audience', () => {
    const realm = JSON.parse(readFileSync('docker/keycloak/praxis-realm.json', 'utf8')) as { realm: string; roles: { realm: Array<{ name: string }> }; clients: Array<Record<string, unknown>> };
    expect(realm.realm).toBe('praxis');
    expect(realm.roles.realm.map((r) => r.name)).toEqual(expect.arrayContaining(['admin', 'operator', 'viewer']));
    expect(JSON.stringify(realm.clients)).toMatch(/praxis-api/);
  });
});
